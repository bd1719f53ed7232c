"""Who may see and do what: AWX 24.6.1's rules (awx/main/access.py and
awx/api/permissions.py), reduced to organizations with members and admins.

One deliberate difference: AWX lets only superusers and organization admins create,
change and delete applications (OAuth2ApplicationAccess checks the organization's
admin_role); here organization members may too, so that the plain `demo` user can set up
(and remove) its own applications.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework.exceptions import ParseError

from .models import Membership, Organization

Application = get_application_model()
AccessToken = get_access_token_model()


def member_org_ids(user):
    """Organizations whose read_role the user has (member or admin)."""
    return Membership.objects.filter(user=user).values("organization_id")


def admin_org_ids(user):
    return Membership.objects.filter(user=user, role=Membership.ADMIN).values("organization_id")


def visible_organizations(user):
    """OrganizationAccess: superusers see all, others the organizations they are in."""
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=member_org_ids(user))


def visible_users(user):
    """UserAccess: users of my organizations, myself and every superuser."""
    User = get_user_model()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(
        Q(pk__in=Membership.objects.filter(organization__in=member_org_ids(user)).values("user_id"))
        | Q(pk=user.pk)
        | Q(is_superuser=True)
    ).distinct()


def visible_applications(user):
    """OAuth2ApplicationAccess: applications of the organizations I am a member of."""
    if user.is_superuser:
        return Application.objects.all()
    return Application.objects.filter(fakeawx_extra__organization__in=member_org_ids(user))


def visible_tokens(user):
    """OAuth2TokenAccess: my own tokens, plus tokens of applications of organizations I
    administer."""
    if user.is_superuser:
        return AccessToken.objects.all()
    return AccessToken.objects.filter(
        Q(user=user) | Q(application__fakeawx_extra__organization__in=admin_org_ids(user))
    ).distinct()


def can_change_token(user, token):
    """OAuth2TokenAccess.can_delete/can_change."""
    if user.is_superuser or token.user_id == user.pk:
        return True
    if token.application_id is None:
        return False
    extra = getattr(token.application, "fakeawx_extra", None)
    return bool(extra and admin_org_ids(user).filter(organization_id=extra.organization_id).exists())


def can_admin_organization(user, org):
    """Organization admin_role as far as applications go; see the module docstring:
    members count here."""
    return user.is_superuser or (
        org is not None and Membership.objects.filter(user=user, organization=org).exists()
    )


def application_organization(app):
    extra = getattr(app, "fakeawx_extra", None) if app is not None else None
    return extra.organization if extra else None


def can_change_application(user, app, data=None):
    """OAuth2ApplicationAccess.can_change/can_delete: admin of the application's
    organization, and of the new one when the data moves it."""
    if user.is_superuser:
        return True
    if not can_admin_organization(user, application_organization(app)):
        return False
    if isinstance(data, dict) and data.get("organization") is not None:
        return can_admin_organization(user, object_from_data("organization", Organization, data))
    return True


def object_from_data(field, model, data):
    """awx.main.access.get_object_from_data: the related object named in the request, or
    None; a bad or unknown id is a 400 before any serializer runs."""
    raw = data[field]
    if raw is None:
        return None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise ParseError("Bad data found in related field %s." % field)
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        # get_object_or_400 passes on DoesNotExist's message, which names AWX's model.
        name = {Application: "OAuth2Application"}.get(model, model.__name__)
        raise ParseError(f"{name} matching query does not exist.")
    return obj


def can_add_application(user, data):
    """OAuth2ApplicationAccess.can_add with check_related('organization', mandatory=True)."""
    if user.is_superuser:
        return True
    if not data:
        return Membership.objects.filter(user=user).exists()
    org = object_from_data("organization", Organization, data) if "organization" in data else None
    if org is None:
        # "Restrict ability to create resource without required field": superusers only,
        # so everybody else gets 403 here, before the serializer could say 400.
        return False
    return can_admin_organization(user, org)


def can_add_token(user, data):
    """OAuth2TokenAccess.can_add: an application named in the data must be readable."""
    if isinstance(data, dict) and "application" in data:
        app = object_from_data("application", Application, data)
        if app is None:
            return True
        return visible_applications(user).filter(pk=app.pk).exists()
    return True
