"""The gateway-side models DAB expects the project to provide: a user model, an
organization model (ANSIBLE_BASE_ORGANIZATION_MODEL) and a team model
(ANSIBLE_BASE_TEAM_MODEL, used by DAB's authenticators), built from DAB's abstract models the
way DAB's own test_app does. Organization membership is a plain many-to-many here; the
real gateway keeps it in DAB RBAC role assignments ("Organization Member")."""

from django.conf import settings
from django.db import models

from ansible_base.lib.abstract_models import AbstractDABUser, AbstractOrganization, AbstractTeam, CommonModel
from ansible_base.lib.utils.models import user_summary_fields


class User(AbstractDABUser, CommonModel):
    class Meta(AbstractDABUser.Meta):
        ordering = ["id"]

    def summary_fields(self):
        return user_summary_fields(self)


class Organization(AbstractOrganization):
    class Meta:
        ordering = ["id"]

    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="member_of_organizations", blank=True,
        help_text="The list of users on this organization",
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="admin_of_organizations", blank=True,
        help_text="The list of admins for this organization",
    )


class Team(AbstractTeam):
    class Meta(AbstractTeam.Meta):
        abstract = False
