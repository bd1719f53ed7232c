"""Run the AWX-like OAuth2 authorization server for end-to-end tests.

    python serve.py --port PORT --state-dir DIR [--host 127.0.0.1]

Needs the packages of ../requirements-awx.txt. Creates DIR/db.sqlite3 (kept when it
exists, so a restart keeps users, applications and tokens), seeds the users, two
organizations and two applications, writes DIR/seed.json, then prints
`READY <base_url>` once it listens.
--port 0 picks a free port; the READY line and seed.json give the real one.
Nothing is written outside DIR.
"""

import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
# The start-up and serving both test servers share (tests/servers/serving.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from serving import main, user, write_seed  # noqa: E402

DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-password"
OTHER_USER, OTHER_PASSWORD = "other", "other-password"
# A deactivated account (is_active False): its right password gets the answer of a wrong one.
DISABLED_USER, DISABLED_PASSWORD = "disabled", "disabled-password"
DEFAULT_ORG, OTHER_ORG = "Default", "Other"
APP_NAME = "AuthDesk demo"
PASSWORD_APP_NAME = "AuthDesk password"
# Port-less loopback: DOT 1.7.1 accepts any port at request time (RFC 8252 7.3).
REDIRECT_URI = "http://127.0.0.1/callback"


def seed(base_url, state_dir):
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    from fakeawx.models import ApplicationExtra, Membership, Organization

    User = get_user_model()
    admin = user(User, ADMIN_USER, ADMIN_PASSWORD, superuser=True)
    demo = user(User, DEMO_USER, DEMO_PASSWORD, first_name="Demo", last_name="User")
    other = user(User, OTHER_USER, OTHER_PASSWORD, first_name="Other", last_name="User")
    user(User, DISABLED_USER, DISABLED_PASSWORD, first_name="Disabled", last_name="User", is_active=False)
    # AWX's preloaded organization "Default" is id 1; "Other" is one demo cannot see.
    default_org = Organization.objects.filter(name=DEFAULT_ORG).first()
    if default_org is None:
        default_org = Organization.objects.create(id=1, name=DEFAULT_ORG)
    other_org = Organization.objects.filter(name=OTHER_ORG).first()
    if other_org is None:
        other_org = Organization.objects.create(name=OTHER_ORG, description="An organization demo is not in")
    Membership.objects.get_or_create(organization=default_org, user=demo)
    Membership.objects.get_or_create(organization=other_org, user=other)

    Application = get_application_model()

    def application(name, grant_type, redirect_uris):
        """The seeded confidential application `name`, created on the first start."""
        found = Application.objects.filter(name=name).order_by("id").first()
        return found or Application.objects.create(
            name=name,
            user=admin,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=grant_type,
            redirect_uris=redirect_uris,
            skip_authorization=False,
        )

    app = application(APP_NAME, Application.GRANT_AUTHORIZATION_CODE, REDIRECT_URI)
    # An application that skips the consent page, as an admin may set it.
    skip = os.environ.get("FAKEAWX_SKIP_AUTHORIZATION") == "1"
    if app.skip_authorization != skip:
        app.skip_authorization = skip
        app.save()
    password_app = application(PASSWORD_APP_NAME, Application.GRANT_PASSWORD, "")
    # Every application belongs to an organization in AWX; older state dirs had none.
    for orphan in Application.objects.filter(fakeawx_extra__isnull=True):
        ApplicationExtra.objects.create(application=orphan, organization=default_org)
    info = {
        "base_url": base_url,
        "username": DEMO_USER,
        "password": DEMO_PASSWORD,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": REDIRECT_URI,
        "password_client_id": password_app.client_id,
        "password_client_secret": password_app.client_secret,
        "organization_id": default_org.pk,
        "disabled_username": DISABLED_USER,
        "disabled_password": DISABLED_PASSWORD,
    }
    write_seed(state_dir, info)


if __name__ == "__main__":
    main(__doc__, Path(__file__).parent, "fakeawx.settings", "FAKEAWX_STATE_DIR", seed, tls_env="FAKEAWX")
