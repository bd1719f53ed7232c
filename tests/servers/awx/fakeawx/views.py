"""Views that behave like AWX 24.6.1's, on top of django-oauth-toolkit's default models."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, views as auth_views
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.timezone import now
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_application_model, get_refresh_token_model
from oauthlib import oauth2
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

Application = get_application_model()
CENSOR_VALUE = "$encrypted$"


class TokenView(dot_views.TokenView):
    """AWX's token view: DOT 1.7.1 never expires refresh tokens, so AWX checks the age
    itself and answers with a bare (non-JSON) 403, as it does for access denials."""

    def create_token_response(self, request):
        if request.POST.get("grant_type") == "refresh_token" and "refresh_token" in request.POST:
            rt = get_refresh_token_model().objects.filter(token=request.POST["refresh_token"]).first()
            if rt:
                expire_seconds = settings.OAUTH2_PROVIDER.get("REFRESH_TOKEN_EXPIRE_SECONDS", 0)
                if rt.created + timedelta(seconds=expire_seconds) < now():
                    return request.build_absolute_uri(), {}, "The refresh token has expired.", 403
        try:
            return super().create_token_response(request)
        except oauth2.AccessDeniedError as e:
            return request.build_absolute_uri(), {}, str(e), 403


class LoginView(auth_views.LoginView):
    template_name = "fakeawx/login.html"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            response.set_cookie("userLoggedIn", "true")
        else:
            # AWX answers a failed login with the form again, as 401.
            response.status_code = 401
        return response


class LogoutView(auth_views.LogoutView):
    # Django 4.2 still allows GET logout (deprecated); AWX's clients use both.
    next_page = "/api/"
    redirect_field_name = "next"


class AwxAPIView(APIView):
    def get_authenticate_header(self, request):
        # AWX never offers Basic here, so browsers do not pop up a password dialog.
        return "Bearer realm=api authorization_url=/api/o/authorize/"

    def check_permissions(self, request):
        # A read-scoped token may only read, as in AWX.
        if request.method not in ("GET", "OPTIONS", "HEAD"):
            if "write" not in getattr(request.auth, "scope", "write").split():
                raise PermissionDenied()
        super().check_permissions(request)

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code == 401 and isinstance(getattr(response, "data", None), dict):
            response.data["detail"] += " To establish a login session, visit /api/login/."
        response = super().finalize_response(request, response, *args, **kwargs)
        response["X-API-Product-Name"] = "AWX"
        response["X-API-Product-Version"] = "24.6.1"
        return response


class ApiRoot(AwxAPIView):
    permission_classes = []
    authentication_classes = []

    def get(self, request):
        return Response(
            {
                "description": "AWX REST API",
                "current_version": "/api/v2/",
                "available_versions": {"v2": "/api/v2/"},
                "oauth2": "/api/o/",
                "custom_logo": "",
                "custom_login_info": "",
                "login_redirect_override": "",
            }
        )


def _iso(dt):
    return dt.isoformat().replace("+00:00", "Z") if dt else None


class UserSerializer(serializers.BaseSerializer):
    def to_representation(self, u):
        return {
            "id": u.pk,
            "type": "user",
            "url": f"/api/v2/users/{u.pk}/",
            "related": {},
            "summary_fields": {},
            "created": _iso(u.date_joined),
            "modified": _iso(u.date_joined),
            "username": u.username,
            "first_name": u.first_name,
            "last_name": u.last_name,
            "email": u.email,
            "is_superuser": u.is_superuser,
            "is_system_auditor": False,
            "password": CENSOR_VALUE,
            "ldap_dn": "",
            "last_login": _iso(u.last_login),
            "external_account": None,
        }


class MeList(AwxAPIView, generics.ListAPIView):
    serializer_class = UserSerializer

    def get_queryset(self):
        return get_user_model().objects.filter(pk=self.request.user.pk).order_by("pk")


class ApplicationSerializer(serializers.ModelSerializer):
    # DOT's model has no organization; every application belongs to AWX's "Default" (1).
    organization = serializers.IntegerField(required=False, default=1, write_only=True)
    # AWX offers only these two grants.
    authorization_grant_type = serializers.ChoiceField(choices=["authorization-code", "password"])

    class Meta:
        model = Application
        fields = [
            "id", "name", "client_id", "client_secret", "client_type", "redirect_uris",
            "authorization_grant_type", "skip_authorization", "organization",
        ]
        read_only_fields = ["client_id", "client_secret"]
        extra_kwargs = {"name": {"required": True, "allow_blank": False}}

    def validate(self, attrs):
        org = attrs.pop("organization", 1)
        app = Application(**attrs)
        try:
            app.clean()
        except DjangoValidationError as e:
            raise serializers.ValidationError({"__all__": e.messages})
        attrs["_organization"] = org
        return attrs

    def create(self, validated_data):
        validated_data.pop("_organization", None)
        return Application.objects.create(user=self.context["request"].user, **validated_data)

    def to_representation(self, app):
        ret = super().to_representation(app)
        ret = {
            "id": ret.pop("id"),
            "type": "o_auth2_application",
            "url": f"/api/v2/applications/{app.pk}/",
            "related": {"tokens": f"/api/v2/applications/{app.pk}/tokens/"},
            "summary_fields": {},
            "created": _iso(app.created),
            "modified": _iso(app.updated),
            "description": "",
            **ret,
            "organization": 1,
        }
        # The secret is shown in the answer to the POST that created it, never again.
        request = self.context.get("request")
        if app.client_type == Application.CLIENT_PUBLIC:
            ret.pop("client_secret", None)
        elif request is None or request.method != "POST":
            ret["client_secret"] = CENSOR_VALUE
        return ret


class ApplicationList(AwxAPIView, generics.ListCreateAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        qs = Application.objects.order_by("id")
        if not self.request.user.is_superuser:
            qs = qs.filter(user=self.request.user)
        return qs

    def create(self, request, *args, **kwargs):
        # AWX echoes the description although DOT's model cannot store it.
        response = super().create(request, *args, **kwargs)
        if isinstance(request.data, dict) and response.status_code == status.HTTP_201_CREATED:
            response.data["description"] = str(request.data.get("description", ""))
        return response
