"""Views that behave like AWX 24.6.1's, on top of django-oauth-toolkit's default models.

The API parts follow awx/api/views/__init__.py, awx/api/serializers.py and awx/main/access.py:
the API roots and ping, users (me, list, detail), organizations, applications, personal access tokens
and the token list/detail.
"""

import copy
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, views as auth_views
from django.core.exceptions import ObjectDoesNotExist, ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.timezone import now
from django.views.defaults import page_not_found
from oauth2_provider import views as dot_views
from oauth2_provider.models import get_access_token_model, get_application_model, get_refresh_token_model
from oauthlib import oauth2
from oauthlib.common import generate_token
from rest_framework import generics, metadata, serializers, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from . import access
from .models import ApplicationExtra, Organization, TokenExtra

Application = get_application_model()
AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
# awx.main.constants.CENSOR_VALUE: what AWX shows instead of a secret after the POST.
CENSOR_VALUE = "************"
ALLOWED_SCOPES = ["read", "write"]


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
            # As AWX's LoggedLoginView: tells a client which cookie holds the session.
            response["X-API-Session-Cookie-Name"] = settings.SESSION_COOKIE_NAME
        else:
            # AWX answers a failed login with the form again, as 401.
            response.status_code = 401
        return response


class LogoutView(auth_views.LogoutView):
    # Django 4.2 still allows GET logout (deprecated); AWX's clients use both. A POST
    # needs the CSRF token (403 without it), a GET does not.
    next_page = "/api/"
    redirect_field_name = "next"

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response.set_cookie("userLoggedIn", "false")  # as AWX's LoggedLogoutView
        return response


def handle_404(request, exception=None):
    """AWX's handler404 (awx.main.views.handle_404): under /api/ a JSON answer
    `{"detail": "The requested resource could not be found."}`, elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "The requested resource could not be found."},
            status=404,
            json_dumps_params={"separators": (",", ":")},  # as DRF's JSONRenderer writes it
        )
    return page_not_found(request, exception)


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


class ApiV2PingView(AwxAPIView):
    """/api/v2/ping/ (ApiV2PingView): public facts about the installation, readable
    without credentials (AWX's installer and load balancers use it). AWX 24.6.1 answers
    {"ha", "version", "active_node", "install_uuid", "instances", "instance_groups"};
    this server is one hybrid node, `awx-1`, in the groups `controlplane` and `default`."""

    permission_classes = []
    authentication_classes = []
    NODE = "awx-1"
    # Fixed: a real installation keeps its INSTALL_UUID for life.
    INSTALL_UUID = "3b1d5c5e-5f44-4c1e-9d0b-6a7f0e0c2a41"
    NODE_UUID = "8c2f3a10-7a4e-4c55-b0de-2f1c9a6d4e77"
    CAPACITY = 57

    def get(self, request):
        return Response(
            {
                "ha": False,
                "version": "24.6.1",
                "active_node": self.NODE,
                "install_uuid": self.INSTALL_UUID,
                "instances": [
                    {
                        "node": self.NODE,
                        "node_type": "hybrid",
                        "uuid": self.NODE_UUID,
                        "heartbeat": _iso(now()),
                        "capacity": self.CAPACITY,
                        "version": "24.6.1",
                    }
                ],
                "instance_groups": [
                    {"name": "controlplane", "capacity": self.CAPACITY, "instances": [self.NODE]},
                    {"name": "default", "capacity": self.CAPACITY, "instances": [self.NODE]},
                ],
            }
        )


class ApiV2Root(AwxAPIView):
    """/api/v2/ (ApiVersionRootView): the top-level resources this server serves, in AWX's
    order. Readable without credentials, as in AWX; the awx CLI reads it before it signs
    in and makes a subcommand of every key."""

    permission_classes = []
    authentication_classes = []

    def get(self, request):
        return Response(
            {
                "ping": "/api/v2/ping/",
                "instance_groups": "/api/v2/instance_groups/",
                "me": "/api/v2/me/",
                "organizations": "/api/v2/organizations/",
                "users": "/api/v2/users/",
                "projects": "/api/v2/projects/",
                "teams": "/api/v2/teams/",
                "credentials": "/api/v2/credentials/",
                "applications": "/api/v2/applications/",
                "tokens": "/api/v2/tokens/",
                "inventory": "/api/v2/inventories/",
                "job_templates": "/api/v2/job_templates/",
                "workflow_job_templates": "/api/v2/workflow_job_templates/",
            }
        )


class AwxMetadata(metadata.SimpleMetadata):
    """The OPTIONS answer of awx.api.metadata.Metadata for read-only views: AWX lists the
    fields a GET returns under `actions` (DRF lists only PUT and POST) and adds `types`,
    `search_fields`, `object_roles` and, for lists, `max_page_size`. The awx CLI builds
    its subcommands from it (`list` from GET, a `--<field>` filter for every field that is
    `filterable`). Views give the parts as attributes of the same names."""

    def determine_actions(self, request, view):
        return {"GET": copy.deepcopy(view.fields_metadata)}

    def determine_metadata(self, request, view):
        ret = super().determine_metadata(request, view)
        for key in ("types", "search_fields", "object_roles"):
            if getattr(view, key, None):
                ret[key] = list(getattr(view, key))
        if isinstance(view, generics.ListAPIView):
            ret["max_page_size"] = view.paginator.max_page_size
        return ret


def _field_metadata(type_, label, help_text="", filterable=False, **extra):
    """One field of AwxMetadata's `actions.GET`, as AWX gives it; filterable=None leaves
    the key out, as AWX does for `type` of models that are not polymorphic."""
    info = {"type": type_, "hidden": False, "label": label}
    if help_text:
        info["help_text"] = help_text
    if filterable is not None:
        info["filterable"] = filterable
    info.update(extra)
    return info


class EmptyList(AwxAPIView, generics.ListAPIView):
    """A list of a resource this server has none of (projects, teams, …): always an empty
    page. These exist because the awx CLI asks for their OPTIONS (the `object_roles`, for
    its `grant`/`revoke` arguments) before it runs any `awx users …` or `awx teams …`
    command, and stops on an error there. urls.py sets name, types and object_roles."""

    serializer_class = serializers.Serializer  # never given an item
    metadata_class = AwxMetadata
    name = None
    description = ""
    types = []
    object_roles = []
    fields_metadata = {}

    def get_queryset(self):
        return []


def _iso(dt):
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def _extra(obj):
    """The side-table row of an application or token (see models.py), or None."""
    try:
        return obj.fakeawx_extra
    except ObjectDoesNotExist:
        return None


def _user_summary(u):
    return {"id": u.pk, "username": u.username, "first_name": u.first_name, "last_name": u.last_name}


class UserSerializer(serializers.BaseSerializer):
    def to_representation(self, u):
        related = {
            name: f"/api/v2/users/{u.pk}/{name}/"
            for name in (
                "teams", "organizations", "admin_of_organizations", "projects", "credentials", "roles",
                "activity_stream", "access_list", "tokens", "authorized_tokens", "personal_tokens",
            )
        }
        return {
            "id": u.pk,
            "type": "user",
            "url": f"/api/v2/users/{u.pk}/",
            "related": related,
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


class UserMetadataMixin:
    """The OPTIONS answer of AWX's user views (see AwxMetadata). AWX also marks `password`
    filterable; this server does not filter on it."""

    metadata_class = AwxMetadata
    types = ["user"]
    search_fields = ["username", "first_name", "last_name", "email"]  # awx.main.utils.get_search_fields
    fields_metadata = {
        "id": _field_metadata("integer", "ID", "Database ID for this user.", True),
        "type": _field_metadata("choice", "Type", "Data type for this user.", None, choices=[["user", "User"]]),
        "url": _field_metadata("string", "Url", "URL for this user."),
        "related": _field_metadata("object", "Related", "Data structure with URLs of related resources."),
        "summary_fields": _field_metadata(
            "object",
            "Summary fields",
            "Data structure with name/description for related resources.  The output for some objects may be "
            "limited for performance reasons.",
        ),
        "created": _field_metadata("datetime", "Created", "Timestamp when this user was created."),
        "modified": _field_metadata("datetime", "Modified", "Timestamp when this user was last modified."),
        "username": _field_metadata(
            "string", "Username", "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.", True
        ),
        "first_name": _field_metadata("string", "First name", filterable=True),
        "last_name": _field_metadata("string", "Last name", filterable=True),
        "email": _field_metadata("string", "Email address", filterable=True),
        "is_superuser": _field_metadata(
            "boolean",
            "Superuser status",
            "Designates that this user has all permissions without explicitly assigning them.",
            True,
        ),
        "is_system_auditor": _field_metadata("boolean", "Is system auditor"),
        "password": _field_metadata("string", "Password", "Field used to change the password."),
        "ldap_dn": _field_metadata("string", "Ldap dn"),
        "last_login": _field_metadata("datetime", "Last login", filterable=True),
        "external_account": _field_metadata(
            "field", "External account", "Set if the account is managed by an external service"
        ),
    }


# awx's FieldLookupBackend.RESERVED_NAMES: query parameters that are not field filters.
RESERVED_QUERY_NAMES = (
    "page", "page_size", "format", "order", "order_by", "search", "type", "host_filter", "count_disabled",
    "no_truncate", "limit", "validate",
)
USER_FILTER_FIELDS = ("id", "username", "first_name", "last_name", "email", "is_superuser", "last_login")


def _to_python_boolean(value):
    """ansible_base's to_python_boolean, which AWX's filters use."""
    if str(value).lower() in ("true", "1", "t"):
        return True
    if str(value).lower() in ("false", "0", "f"):
        return False
    raise ParseError('Unable to convert "%s" to boolean' % value)


def _filter_users(queryset, params):
    """AWX's list query parameters, reduced: exact matches on the fields OPTIONS calls
    filterable (`?username=demo`, which the awx CLI sends for `--username demo` and to
    look a user up by name), `search` (any of search_fields contains the word; words
    separated by commas must all match) and `order_by` (comma-separated, `-` reverses).
    Anything else is a 400, as AWX answers a field it cannot filter on."""
    User = get_user_model()
    for key, values in params.lists():
        if key in RESERVED_QUERY_NAMES:
            continue
        if key not in USER_FILTER_FIELDS:
            raise ParseError(f"Cannot filter users on {key}: this server knows {', '.join(USER_FILTER_FIELDS)}.")
        for value in values:
            if key == "is_superuser":
                value = _to_python_boolean(value)
            else:
                try:
                    value = User._meta.get_field(key).to_python(value)
                except DjangoValidationError as e:
                    raise ParseError(" ".join(e.messages))
            queryset = queryset.filter(**{key: value})
    for word in filter(None, params.get("search", "").split(",")):
        match = Q()
        for name in UserMetadataMixin.search_fields:
            match |= Q(**{name + "__icontains": word})
        queryset = queryset.filter(match)
    order = [f for f in params.get("order_by", "").split(",") if f] or ["username"]  # UserList.ordering
    for f in order:
        if f.lstrip("-") not in USER_FILTER_FIELDS:
            raise ParseError(f"Cannot order users by {f}: this server knows {', '.join(USER_FILTER_FIELDS)}.")
    return queryset.order_by(*order, "id")


class UserList(UserMetadataMixin, AwxAPIView, generics.ListAPIView):
    """/api/v2/users/ (UserList), read-only: the users the caller can see (UserAccess: the
    members of the caller's organizations, the caller and every superuser; a superuser
    sees all)."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return _filter_users(access.visible_users(self.request.user), self.request.query_params)


class UserDetail(UserMetadataMixin, AwxAPIView, generics.RetrieveAPIView):
    """/api/v2/users/<pk>/ (UserDetail), read-only: 404 if there is no such user, 403 if
    the caller cannot see it."""

    serializer_class = UserSerializer

    def get_object(self):
        user = get_user_model().objects.filter(pk=self.kwargs["pk"]).first()
        if user is None:
            raise NotFound("No User matches the given query.")
        if not access.visible_users(self.request.user).filter(pk=user.pk).exists():
            raise PermissionDenied()
        return user


# --- organizations ---------------------------------------------------------------------


class OrganizationSerializer(serializers.BaseSerializer):
    """OrganizationSerializer's fields; `related` and `summary_fields` are trimmed (no
    object_roles, and only the links of the resources this server knows)."""

    def to_representation(self, org):
        request = self.context["request"]
        can_admin = request.user.is_superuser  # OrganizationAccess.can_change: superuser or org admin
        if not can_admin:
            can_admin = org.memberships.filter(user=request.user, role="admin").exists()
        return {
            "id": org.pk,
            "type": "organization",
            "url": f"/api/v2/organizations/{org.pk}/",
            "related": {
                name: f"/api/v2/organizations/{org.pk}/{name}/"
                for name in ("users", "admins", "teams", "applications", "activity_stream", "access_list")
            },
            "summary_fields": {
                "user_capabilities": {"edit": can_admin, "delete": can_admin},
                "related_field_counts": {
                    "inventories": 0,
                    "teams": 0,
                    "users": org.memberships.count(),
                    "job_templates": 0,
                    "admins": org.memberships.filter(role="admin").count(),
                    "projects": 0,
                },
            },
            "created": _iso(org.created),
            "modified": _iso(org.modified),
            "name": org.name,
            "description": org.description,
            "max_hosts": org.max_hosts,
            "custom_virtualenv": None,
            "default_environment": None,
        }


class OrganizationList(AwxAPIView, generics.ListAPIView):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return access.visible_organizations(self.request.user).order_by("name", "id")


# --- applications ----------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    """OAuth2ApplicationSerializer. `organization` is required because AWX's model has
    unique_together (name, organization); DRF then answers {"organization": ["This field
    is required."]}. `authorization_grant_type` cannot change after creation."""

    MODEL_FIELDS = ("name", "client_type", "redirect_uris", "authorization_grant_type", "skip_authorization")

    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    description = serializers.CharField(required=False, allow_blank=True, default="")
    # AWX offers only these two grants.
    authorization_grant_type = serializers.ChoiceField(choices=["authorization-code", "password"])

    class Meta:
        model = Application
        fields = [
            "id", "name", "description", "client_id", "client_secret", "client_type", "redirect_uris",
            "authorization_grant_type", "skip_authorization", "organization",
        ]
        read_only_fields = ["client_id", "client_secret"]
        extra_kwargs = {"name": {"required": True, "allow_blank": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # read_only_on_update_fields
            fields["authorization_grant_type"].read_only = True
            fields["authorization_grant_type"].required = False
        return fields

    def validate(self, attrs):
        # AWX runs the model's full_clean(): DOT's clean() plus the unique_together check,
        # both reported under "__all__".
        inst = self.instance
        app = Application(**{f: getattr(inst, f) for f in self.MODEL_FIELDS}) if inst else Application()
        for f in self.MODEL_FIELDS:
            if f in attrs:
                setattr(app, f, attrs[f])
        org = attrs.get("organization") or access.application_organization(inst)
        errors = []
        try:
            app.clean()
        except DjangoValidationError as e:
            errors.extend(e.messages)
        dup = Application.objects.filter(name=app.name, fakeawx_extra__organization=org)
        if inst is not None:
            dup = dup.exclude(pk=inst.pk)
        if dup.exists():
            errors.append("Application with this Name and Organization already exists.")
        if errors:
            raise serializers.ValidationError({"__all__": errors})
        return attrs

    def create(self, validated_data):
        org = validated_data.pop("organization")
        description = validated_data.pop("description", "")
        # AWX's serializer drops `user`, so API-made applications belong to nobody; this
        # server records the creator (DOT needs nothing of it either way).
        app = Application.objects.create(user=self.context["request"].user, **validated_data)
        ApplicationExtra.objects.create(application=app, organization=org, description=description)
        return app

    def update(self, app, validated_data):
        extra_fields = {k: validated_data.pop(k) for k in ("organization", "description") if k in validated_data}
        for k, v in validated_data.items():
            setattr(app, k, v)
        app.save()
        if extra_fields:
            extra = _extra(app)  # the cached row, so that the answer shows the change
            if extra is None:
                app.fakeawx_extra = ApplicationExtra.objects.create(application=app, **extra_fields)
            else:
                for k, v in extra_fields.items():
                    setattr(extra, k, v)
                extra.save()
        return app

    def to_representation(self, app):
        request = self.context.get("request")
        org = access.application_organization(app)
        can_admin = bool(request and access.can_change_application(request.user, app))
        tokens = list(AccessToken.objects.filter(application=app).order_by("id")[:10])
        related = {
            "tokens": f"/api/v2/applications/{app.pk}/tokens/",
            "activity_stream": f"/api/v2/applications/{app.pk}/activity_stream/",
        }
        summary = {}
        if org is not None:
            related["organization"] = f"/api/v2/organizations/{org.pk}/"
            summary["organization"] = {"id": org.pk, "name": org.name, "description": org.description}
        summary["user_capabilities"] = {"edit": can_admin, "delete": can_admin}
        summary["tokens"] = {
            "count": AccessToken.objects.filter(application=app).count(),
            "results": [{"id": t.pk, "token": CENSOR_VALUE, "scope": t.scope} for t in tokens],
        }
        extra = _extra(app)
        ret = {
            "id": app.pk,
            "type": "o_auth2_application",
            "url": f"/api/v2/applications/{app.pk}/",
            "related": related,
            "summary_fields": summary,
            "created": _iso(app.created),
            "modified": _iso(app.updated),
            "name": app.name,
            "description": extra.description if extra else "",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "client_type": app.client_type,
            "redirect_uris": app.redirect_uris,
            "authorization_grant_type": app.authorization_grant_type,
            "skip_authorization": app.skip_authorization,
            "organization": org.pk if org else None,
        }
        # The secret is shown in the answer to the POST that created it, never again.
        if app.client_type == Application.CLIENT_PUBLIC:
            ret.pop("client_secret")
        elif request is None or request.method != "POST":
            ret["client_secret"] = CENSOR_VALUE
        return ret


class ApplicationList(AwxAPIView, generics.ListCreateAPIView):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return access.visible_applications(self.request.user).order_by(
            "fakeawx_extra__organization__name", "name", "id"
        )

    def check_permissions(self, request):
        super().check_permissions(request)
        # ModelAccessPermission asks OAuth2ApplicationAccess.can_add(request.data) before
        # the serializer sees anything.
        if request.method == "POST" and not access.can_add_application(request.user, request.data):
            raise PermissionDenied()


class ApplicationDetail(AwxAPIView, generics.RetrieveUpdateDestroyAPIView):
    """/api/v2/applications/<pk>/ (OAuth2ApplicationDetail): 404 if there is none, 403
    if the caller may not see it (GET) or administer it (PUT, PATCH, DELETE). Deleting it
    deletes its tokens."""

    serializer_class = ApplicationSerializer

    def get_object(self):
        app = Application.objects.filter(pk=self.kwargs["pk"]).first()
        if app is None:
            raise NotFound("No OAuth2Application matches the given query.")
        user = self.request.user
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            allowed = access.visible_applications(user).filter(pk=app.pk).exists()
        else:
            allowed = access.can_change_application(user, app, self.request.data)
        if not allowed:
            raise PermissionDenied()
        return app


# --- tokens ----------------------------------------------------------------------------


class TokenSerializer(serializers.Serializer):
    """BaseOAuth2TokenSerializer: `token` (and `refresh_token`) only in the answer to a
    POST, `************` afterwards; `refresh_token` is null when there is none, as for
    personal tokens."""

    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.all(), required=False, allow_null=True
    )

    def validate_scope(self, value):
        words = value.split() if isinstance(value, str) else []
        if not words or any(words.count(w) > 1 or w not in ALLOWED_SCOPES for w in words):
            raise serializers.ValidationError(
                "Must be a simple space-separated string with allowed scopes {}.".format(ALLOWED_SCOPES)
            )
        return value

    def create(self, validated_data):
        user = self.context["request"].user
        app = validated_data.get("application")
        token = AccessToken.objects.create(
            user=user,
            application=app,
            token=generate_token(),
            expires=now() + timedelta(seconds=settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]),
            scope=validated_data.get("scope") or "write",  # the model's default in AWX
        )
        TokenExtra.objects.create(token=token, description=validated_data.get("description") or "")
        if app is not None:
            RefreshToken.objects.create(user=user, token=generate_token(), application=app, access_token=token)
        return token

    def update(self, token, validated_data):
        if "scope" in validated_data:
            token.scope = validated_data["scope"]
            token.save(update_fields=["scope", "updated"])
        if "description" in validated_data:
            extra = _extra(token)
            if extra is None:
                token.fakeawx_extra = TokenExtra.objects.create(token=token)
                extra = token.fakeawx_extra
            extra.description = validated_data["description"] or ""
            extra.save()
        return token

    def to_representation(self, token):
        request = self.context.get("request")
        shown = request is not None and request.method == "POST"
        try:
            rt = token.refresh_token
        except ObjectDoesNotExist:
            rt = None
        related = {"user": f"/api/v2/users/{token.user_id}/"} if token.user_id else {}
        summary = {"user": _user_summary(token.user)} if token.user_id else {}
        if token.application_id:
            related["application"] = f"/api/v2/applications/{token.application_id}/"
            summary["application"] = {"id": token.application_id, "name": token.application.name}
        related["activity_stream"] = f"/api/v2/tokens/{token.pk}/activity_stream/"
        extra = _extra(token)
        return {
            "id": token.pk,
            "type": "o_auth2_access_token",
            "url": f"/api/v2/tokens/{token.pk}/",
            "related": related,
            "summary_fields": summary,
            "created": _iso(token.created),
            "modified": _iso(token.updated),
            "description": extra.description if extra else "",
            "user": token.user_id,
            "token": token.token if shown else CENSOR_VALUE,
            "refresh_token": None if rt is None else (rt.token if shown else CENSOR_VALUE),
            "application": token.application_id,
            "expires": _iso(token.expires),
            "scope": token.scope,
        }


class PersonalTokenSerializer(TokenSerializer):
    """UserPersonalTokenSerializer: `application` is read-only and always null."""

    application = serializers.PrimaryKeyRelatedField(read_only=True)


class TokenDetailSerializer(TokenSerializer):
    """OAuth2TokenDetailSerializer: user and application are read-only."""

    application = serializers.PrimaryKeyRelatedField(read_only=True)


class TokenCreateMixin:
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = serializer.save()
        return Response(
            self.get_serializer(token).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v2/tokens/{token.pk}/"},
        )


class UserPersonalTokenList(TokenCreateMixin, AwxAPIView, generics.ListCreateAPIView):
    """/api/v2/users/<pk>/personal_tokens/. As in AWX, <pk> only decides whether the
    caller may use the URL at all (the user must exist and be visible to the caller, or
    the caller is a superuser); the list and the new token are always the caller's own."""

    serializer_class = PersonalTokenSerializer

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.user.is_superuser:
            return  # ModelAccessPermission lets superusers through before any lookup
        parent = get_object_or_404(get_user_model(), pk=self.kwargs["pk"])  # "No User matches the given query."
        if not access.visible_users(request.user).filter(pk=parent.pk).exists():
            raise PermissionDenied()

    def get_queryset(self):
        return AccessToken.objects.filter(application__isnull=True, user=self.request.user).order_by("id")


class UserTokenList(TokenCreateMixin, AwxAPIView, generics.ListCreateAPIView):
    """/api/v2/users/<pk>/tokens/ (OAuth2UserTokenList): the tokens of user <pk> that the
    caller may see (their own, or an administrator's view). A POST makes a token for the
    caller, whatever <pk> says, as in AWX."""

    serializer_class = TokenSerializer

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.user.is_superuser and request.method == "POST":
            return  # ModelAccessPermission lets superusers through before any lookup
        self.parent = get_object_or_404(get_user_model(), pk=self.kwargs["pk"])
        if not access.visible_users(request.user).filter(pk=self.parent.pk).exists():
            raise PermissionDenied()
        if request.method == "POST" and not access.can_add_token(request.user, request.data):
            raise PermissionDenied()

    def get_queryset(self):
        return access.visible_tokens(self.request.user).filter(user=self.parent).order_by("id")


class TokenList(TokenCreateMixin, AwxAPIView, generics.ListCreateAPIView):
    """/api/v2/tokens/ (OAuth2TokenList)."""

    serializer_class = TokenSerializer

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method == "POST" and not access.can_add_token(request.user, request.data):
            raise PermissionDenied()

    def get_queryset(self):
        return access.visible_tokens(self.request.user).order_by("id")


class TokenDetail(AwxAPIView, generics.RetrieveUpdateDestroyAPIView):
    """/api/v2/tokens/<pk>/ (OAuth2TokenDetail): 404 if there is no such token, 403 if it
    is somebody else's."""

    serializer_class = TokenDetailSerializer
    queryset = AccessToken.objects.all()

    def get_object(self):
        token = AccessToken.objects.filter(pk=self.kwargs["pk"]).first()
        if token is None:
            raise NotFound("No OAuth2AccessToken matches the given query.")  # AWX's model name
        self.check_object_permissions(self.request, token)
        return token

    def check_object_permissions(self, request, token):
        super().check_object_permissions(request, token)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            allowed = access.visible_tokens(request.user).filter(pk=token.pk).exists()
        else:
            allowed = access.can_change_token(request.user, token)
        if not allowed:
            raise PermissionDenied()

    def get_serializer(self, *args, **kwargs):
        kwargs["partial"] = True  # PUT and PATCH both change only what they name
        return super().get_serializer(*args, **kwargs)

    def perform_destroy(self, token):
        # Deleting a token through the API leaves no refresh token behind in AWX.
        RefreshToken.objects.filter(access_token=token).delete()
        token.delete()
