"""Run the AAP-gateway-like OAuth2 authorization server for end-to-end tests.

    python serve.py --port PORT --state-dir DIR [--host 127.0.0.1]

Needs the packages of ../requirements-gateway.txt (django-ansible-base with its
oauth2_provider app on django-oauth-toolkit 2.3). Creates DIR/db.sqlite3 (kept when it
exists, so a restart keeps users, applications and tokens), seeds the users, the
organization and two applications, writes DIR/seed.json, then prints `READY <base_url>`
once it listens. --port 0 picks a free port; the READY line and seed.json give the real
one. Nothing is written outside DIR.
"""

import io
import json
import os
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
# The start-up and serving both test servers share (tests/servers/serving.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from serving import main, user, write_seed  # noqa: E402

DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-password"
# A deactivated account (is_active False): its right password gets the answer of a wrong one.
DISABLED_USER, DISABLED_PASSWORD = "disabled", "disabled-password"
ORG_NAME = "Default"
APP_NAME = "AuthDesk demo"
PASSWORD_APP_NAME = "AuthDesk password"
# Port-less loopback: DOT 2.3 accepts any port at request time (RFC 8252 7.3).
REDIRECT_URI = "http://127.0.0.1/callback"


def seed_app(Application, name, owner, org, grant_type, redirect_uris, known_secret):
    """Create (or keep) a confidential application and return (app, plain secret).
    DOT 2.3 stores client secrets hashed, so the plain one is made here before the save;
    on a restart the secret recorded in seed.json is reused while it still matches."""
    from django.contrib.auth.hashers import check_password
    from oauth2_provider.generators import generate_client_secret

    app = Application.objects.filter(name=name, organization=org).order_by("id").first()
    if app is not None and known_secret and check_password(known_secret, app.client_secret):
        return app, known_secret
    secret = generate_client_secret()
    if app is None:
        app = Application(
            name=name,
            organization=org,
            user=owner,
            client_type="confidential",
            authorization_grant_type=grant_type,
            redirect_uris=redirect_uris,
            skip_authorization=False,
        )
    app.client_secret = secret
    app.save()
    return app, secret


def seed(base_url, state_dir):
    from crum import impersonate
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import get_application_model

    from ansible_base.lib.utils.create_system_user import create_system_user
    from fakegw.models import Organization

    try:
        old = json.loads((state_dir / "seed.json").read_text())
    except (OSError, ValueError):
        old = {}

    User = get_user_model()
    create_system_user(User)  # DAB's "_system" user, creator of what nobody created
    admin = user(User, ADMIN_USER, ADMIN_PASSWORD, superuser=True)
    # DAB's own setup of the "Local Database Authenticator" that checks passwords.
    call_command("authenticators", "--initialize", stdout=io.StringIO(), stderr=io.StringIO())
    with impersonate(admin):  # created_by/modified_by, as if the admin had done it
        demo = user(User, DEMO_USER, DEMO_PASSWORD, first_name="Demo", last_name="User")
        user(User, DISABLED_USER, DISABLED_PASSWORD, first_name="Disabled", last_name="User", is_active=False)
        org, _ = Organization.objects.get_or_create(name=ORG_NAME, defaults={"description": "The default organization"})
        org.users.add(demo)
        Application = get_application_model()
        app, secret = seed_app(
            Application, APP_NAME, admin, org, "authorization-code", REDIRECT_URI,
            old.get("client_secret") if old.get("client_id") else None,
        )
        # An application that skips the consent page, as an admin may set it.
        skip = os.environ.get("FAKEGW_SKIP_AUTHORIZATION") == "1"
        if app.skip_authorization != skip:
            app.skip_authorization = skip
            app.save()
        papp, psecret = seed_app(
            Application, PASSWORD_APP_NAME, admin, org, "password", "",
            old.get("password_client_secret") if old.get("password_client_id") else None,
        )
    info = {
        "base_url": base_url,
        "username": DEMO_USER,
        "password": DEMO_PASSWORD,
        "client_id": app.client_id,
        "client_secret": secret,
        "redirect_uri": REDIRECT_URI,
        "password_client_id": papp.client_id,
        "password_client_secret": psecret,
        "organization_id": org.pk,
        # DAB lets only superusers create applications and application tokens.
        "admin_username": ADMIN_USER,
        "admin_password": ADMIN_PASSWORD,
        "disabled_username": DISABLED_USER,
        "disabled_password": DISABLED_PASSWORD,
    }
    write_seed(state_dir, info)


if __name__ == "__main__":
    main(__doc__, Path(__file__).parent, "fakegw.settings", "FAKEGW_STATE_DIR", seed, syncdb=True)
