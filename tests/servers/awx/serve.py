"""Run the AWX-like OAuth2 authorization server for end-to-end tests.

    python serve.py --port PORT --state-dir DIR [--host 127.0.0.1]

Needs the packages of ../requirements-awx.txt. Creates DIR/db.sqlite3 (kept when it
exists, so a restart keeps users, applications and tokens), seeds the users, two
organizations and two applications, writes DIR/seed.json, then prints
`READY <base_url>` once it listens.
--port 0 picks a free port; the READY line and seed.json give the real one.
Nothing is written outside DIR.
"""

import argparse
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

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


def setup_django(state_dir):
    os.environ["FAKEAWX_STATE_DIR"] = str(state_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "fakeawx.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()


def migrate(db_path):
    """Build the schema in memory, where sqlite does not sync to disk after every
    migration, then copy it to the file in one go: several times faster on a busy disk."""
    from django.core.management import call_command
    from django.db import connection

    if db_path.exists():
        call_command("migrate", verbosity=0, interactive=False)  # a no-op when up to date
        return
    tmp = db_path.with_name(db_path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    connection.settings_dict["NAME"] = ":memory:"
    connection.close()
    call_command("migrate", verbosity=0, interactive=False)
    dest = sqlite3.connect(tmp)
    connection.connection.backup(dest)
    dest.close()
    # Django never closes an in-memory database; name the file first so close() does.
    connection.settings_dict["NAME"] = str(db_path)
    connection.close()
    os.replace(tmp, db_path)


def seed(base_url, state_dir):
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    from fakeawx.models import ApplicationExtra, Membership, Organization

    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USER).exists():
        User.objects.create_superuser(ADMIN_USER, "admin@example.com", ADMIN_PASSWORD)
    admin = User.objects.get(username=ADMIN_USER)
    demo = User.objects.filter(username=DEMO_USER).first()
    if demo is None:
        demo = User.objects.create_user(
            DEMO_USER, "demo@example.com", DEMO_PASSWORD, first_name="Demo", last_name="User"
        )
    other = User.objects.filter(username=OTHER_USER).first()
    if other is None:
        other = User.objects.create_user(
            OTHER_USER, "other@example.com", OTHER_PASSWORD, first_name="Other", last_name="User"
        )
    if not User.objects.filter(username=DISABLED_USER).exists():
        User.objects.create_user(
            DISABLED_USER, "disabled@example.com", DISABLED_PASSWORD,
            first_name="Disabled", last_name="User", is_active=False,
        )
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
    app = Application.objects.filter(name=APP_NAME).order_by("id").first()
    if app is None:
        app = Application.objects.create(
            name=APP_NAME,
            user=admin,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=REDIRECT_URI,
            skip_authorization=False,
        )
    password_app = Application.objects.filter(name=PASSWORD_APP_NAME).order_by("id").first()
    if password_app is None:
        password_app = Application.objects.create(
            name=PASSWORD_APP_NAME,
            user=admin,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_PASSWORD,
            redirect_uris="",
            skip_authorization=False,
        )
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
    tmp = state_dir / "seed.json.tmp"
    tmp.write_text(json.dumps(info, indent=2) + "\n")
    os.replace(tmp, state_dir / "seed.json")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state-dir", required=True, type=Path)
    p.add_argument("--host", default="127.0.0.1")
    args = p.parse_args()

    def stop(signum, frame):
        raise SystemExit(0)

    # From the start, so a test that gives up early still sees a clean exit.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    state_dir = args.state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    setup_django(state_dir)

    from django.core.servers.basehttp import WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    # Shared with the other test server (tests/servers/serving.py).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from serving import Server

    # Bind before seeding so that seed.json can name the real port of --port 0.
    ipv6 = ":" in args.host
    httpd = Server((args.host, args.port), WSGIRequestHandler, ipv6=ipv6)
    port = httpd.server_address[1]
    host = f"[{args.host}]" if ipv6 else args.host
    scheme = "http"
    # HTTPS for the TLS tests: a certificate (and key) the test made, e.g. from its own CA.
    tls_cert, tls_key = os.environ.get("FAKEAWX_TLS_CERT"), os.environ.get("FAKEAWX_TLS_KEY")
    if tls_cert and tls_key:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
        # The handshake happens in the request's thread, so a stalled client blocks no one.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"
    base_url = f"{scheme}://{host}:{port}"

    migrate(state_dir / "db.sqlite3")
    seed(base_url, state_dir)
    httpd.set_app(get_wsgi_application())

    print(f"READY {base_url}", flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
