"""What AWX 24.6.1 adds to django-oauth-toolkit's models, as side tables.

AWX swaps in its own OAuth2Application/OAuth2AccessToken models (awx/main/models/oauth.py)
with an `organization` (applications) and a `description` (both). This server keeps DOT's
default models, so that the OAuth2 code paths stay DOT's own, and keeps those extra columns
in one-to-one side tables instead. Organizations are reduced to a name, a description and
a membership list (AWX's member_role/admin_role).
"""

from django.conf import settings
from django.db import models
from oauth2_provider.settings import oauth2_settings


class Organization(models.Model):
    name = models.CharField(max_length=512, unique=True)
    description = models.TextField(blank=True, default="")
    max_hosts = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("name",)  # as AWX's Organization


class Membership(models.Model):
    """AWX's organization member_role (role "member") and admin_role (role "admin")."""

    MEMBER, ADMIN = "member", "admin"
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fakeawx_memberships")
    role = models.CharField(max_length=16, choices=[(MEMBER, "member"), (ADMIN, "admin")], default=MEMBER)

    class Meta:
        unique_together = (("organization", "user"),)


class ApplicationExtra(models.Model):
    """AWX's OAuth2Application.organization and .description."""

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="fakeawx_extra", swappable=False
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="applications")
    description = models.TextField(blank=True, default="")


class TokenExtra(models.Model):
    """AWX's OAuth2AccessToken.description."""

    token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL, on_delete=models.CASCADE, related_name="fakeawx_extra", swappable=False
    )
    description = models.TextField(blank=True, default="")
