"""The glue a gateway project adds around DAB: who-am-I, users and organizations read
endpoints, a login page, the ping and the API roots. Applications, tokens and /o/ come
from DAB unchanged."""

from django.conf import settings
from django.contrib.auth import get_user_model, views as auth_views
from django.db import DatabaseError, connection
from django.db.models import Q
from django.utils.timezone import now
from rest_framework import permissions
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from ansible_base.lib.serializers.common import CommonUserSerializer, NamedCommonModelSerializer
from ansible_base.lib.utils.encryption import ENCRYPTED_STRING
from ansible_base.lib.utils.views.django_app_api import AnsibleBaseDjangoAppApiView

from .models import Organization

User = get_user_model()


class UserSerializer(CommonUserSerializer):
    class Meta(CommonUserSerializer.Meta):
        model = User
        fields = CommonUserSerializer.Meta.fields + [
            "username", "email", "first_name", "last_name", "last_login", "password", "is_superuser",
        ]

    def to_representation(self, obj):
        ret = super().to_representation(obj)
        ret["password"] = ENCRYPTED_STRING
        # Which authenticators (DAB's authentication app) the user has logged in through.
        ret["authenticators"] = sorted(obj.authenticator_users.values_list("provider__id", flat=True))
        ret["authenticator_uid"] = next(iter(obj.authenticator_users.values_list("uid", flat=True)), "")
        return ret


class OrganizationSerializer(NamedCommonModelSerializer):
    class Meta(NamedCommonModelSerializer.Meta):
        model = Organization
        fields = NamedCommonModelSerializer.Meta.fields + ["description"]


class MeView(AnsibleBaseDjangoAppApiView, ListAPIView):
    """GET /api/gateway/v1/me/: the caller, as a one-item page of users."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return User.objects.filter(pk=self.request.user.pk).order_by("pk")


class UserViewSet(ReadOnlyModelViewSet, AnsibleBaseDjangoAppApiView):
    serializer_class = UserSerializer

    def get_queryset(self):
        qs = User.objects.order_by("pk")
        if not self.request.user.is_superuser:
            qs = qs.filter(pk=self.request.user.pk)
        return qs


class OrganizationViewSet(ReadOnlyModelViewSet, AnsibleBaseDjangoAppApiView):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        qs = Organization.objects.order_by("pk")
        user = self.request.user
        if not user.is_superuser:
            qs = qs.filter(Q(users=user) | Q(admins=user)).distinct()
        return qs


class ApiRoot(AnsibleBaseDjangoAppApiView):
    """/api/gateway/v1/: the gateway's sorted list of its endpoints, readable without
    credentials (the gateway's OpenAPI schema allows anonymous access to it)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get(self, request):
        base = "/api/gateway/v1/"
        return Response(
            {
                "applications": base + "applications/",
                "login": base + "login/",
                "logout": base + "logout/",
                "me": base + "me/",
                "organizations": base + "organizations/",
                "ping": base + "ping/",
                "tokens": base + "tokens/",
                "users": base + "users/",
            }
        )


class ServicesRoot(AnsibleBaseDjangoAppApiView):
    """/api/ of a platform gateway: the services behind it, {"description", "apis"}
    (as AAP 2.5 answers: a gateway with a controller lists "gateway" and "controller").
    Readable without credentials. Only /api/gateway/ is served here."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response(
            {
                "description": "AAP gateway REST API",
                "apis": {"gateway": "/api/gateway/", "controller": "/api/controller/"},
            }
        )


class GatewayRoot(AnsibleBaseDjangoAppApiView):
    """/api/gateway/: {"current_version", "available_versions"}, without credentials."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response({"current_version": "/api/gateway/v1/", "available_versions": {"v1": "/api/gateway/v1/"}})


class PingView(AnsibleBaseDjangoAppApiView):
    """/api/gateway/v1/ping/: the gateway's health check, readable without credentials, as
    the gateway's own code answers it (ansible/jewel, aap_gateway_api/views/api/v1/ping.py):
    {"pong": "<server time>", "status": "good", "db_connected": true, "proxy_connected":
    true}, with no version in the body; the product's name and version come as the
    X-API-Product-Name and X-API-Product-Version headers (its ViewWithHeaders). `pong` is
    Python's str() of a naive datetime. There is no proxy (Envoy) here, so proxy_connected
    is always true. The product name's exact value was not found in public source."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            db_connected = True
        except DatabaseError:
            db_connected = False
        return Response(
            {
                "pong": str(now().replace(tzinfo=None)),
                "status": "good" if db_connected else "degraded",
                "db_connected": db_connected,
                "proxy_connected": True,
            },
            headers={
                "X-API-Product-Name": "Red Hat Ansible Automation Platform",
                "X-API-Product-Version": settings.FAKEGW_VERSION,
            },
        )


class LoginView(auth_views.LoginView):
    """An HTML login form (csrfmiddlewaretoken, next, username, password). The real gateway
    logs in through its web UI, which posts the same credentials to this URL."""

    template_name = "fakegw/login.html"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            response.status_code = 401  # a failed login, as the gateway's login API answers
        return response


class LogoutView(auth_views.LogoutView):
    # Django 4.2: GET (deprecated) and POST both log out; a POST needs the CSRF token.
    next_page = "/api/gateway/v1/login/"
    redirect_field_name = "next"
