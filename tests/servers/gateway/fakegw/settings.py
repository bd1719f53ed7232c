"""Settings of the gateway-like test server.

A minimal django-ansible-base (DAB) consumer, as the AAP platform gateway is one: the
project lists DAB's apps and lets DAB's settings logic (the same code behind
ansible_base/lib/dynamic_config/dynamic_settings.py) fill in everything DAB needs: the
OAuth2 models, DAB's OAuthLibCore backend (hashes bearer tokens), LoggedOAuth2Authentication
first in DRF's authentication classes, the AnsibleBaseAuth backend, DOT's defaults as DAB
sets them (access token 31536000 s, code 600 s, refresh token 2628000 s, PKCE not required).
"""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["FAKEGW_STATE_DIR"])

# Production-like: errors look like a real server's, not Django's debug pages.
DEBUG = False
ALLOWED_HOSTS = ["*"]
# A test server: a fixed key keeps sessions valid across restarts on the same state dir.
SECRET_KEY = "fakegw-test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "ansible_base.rest_filters",
    "ansible_base.rest_pagination",
    "ansible_base.authentication",  # the oauth2_provider app imports its models
    "ansible_base.oauth2_provider",
    "fakegw",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # DAB records created_by/modified_by and the token owner from the current user.
    "crum.CurrentRequestUserMiddleware",
]

AUTHENTICATION_BACKENDS = []  # DAB adds its AnsibleBaseAuth (the seeded local authenticator)

ROOT_URLCONF = "fakegw.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(STATE_DIR / "db.sqlite3"),
        # The server is threaded; wait for sqlite's write lock instead of failing.
        "OPTIONS": {"timeout": 30},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


class _NoMigrations(dict):
    """Tables are made straight from the models (migrate --run-syncdb), as Django's test
    runner does without migrations: 0.2 s instead of 4 s for the ~80 migrations of DAB,
    DOT, social-auth and Django. The result is the same schema; the migrations' data steps
    only convert rows of older releases, and a new database has none."""

    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


MIGRATION_MODULES = _NoMigrations()

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

AUTH_USER_MODEL = "fakegw.User"
ANSIBLE_BASE_ORGANIZATION_MODEL = "fakegw.Organization"
ANSIBLE_BASE_TEAM_MODEL = "fakegw.Team"
SYSTEM_USERNAME = "_system"

# The page DOT's authorize view sends an anonymous browser to.
LOGIN_URL = "/api/gateway/v1/login/"
LOGIN_REDIRECT_URL = "/api/gateway/v1/"
SESSION_COOKIE_NAME = "gateway_sessionid"

OAUTH2_PROVIDER = {}
# Test-only knobs (gateway admins can change these settings too).
for _name in ("ACCESS_TOKEN_EXPIRE_SECONDS", "AUTHORIZATION_CODE_EXPIRE_SECONDS", "REFRESH_TOKEN_EXPIRE_SECONDS"):
    if os.environ.get("FAKEGW_" + _name):
        OAUTH2_PROVIDER[_name] = int(os.environ["FAKEGW_" + _name])
if os.environ.get("FAKEGW_PKCE_REQUIRED") == "1":
    OAUTH2_PROVIDER["PKCE_REQUIRED"] = True

REST_FRAMEWORK = {
    # DAB puts its LoggedOAuth2Authentication and session authentication in front.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["ansible_base.oauth2_provider.permissions.OAuth2ScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# AAP 2.7 removed HTTP Basic authentication from the API: with FAKEGW_NO_BASIC=1 only DAB's
# bearer token and session authentication remain, and an `Authorization: Basic` header
# counts for nothing (the 401 of a request without credentials). /o/token/ still takes the
# client's id and secret in HTTP Basic: that is client authentication (RFC 6749 2.3.1),
# done by DOT, not by DRF.
if os.environ.get("FAKEGW_NO_BASIC") == "1":
    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = []
# What /api/gateway/v1/ping/ reports as the platform's version.
FAKEGW_VERSION = os.environ.get("FAKEGW_VERSION", "2.5")

# With DEBUG off Django would only mail tracebacks; a test needs them on stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "oauthlib": {"handlers": ["stderr"], "level": "WARNING"},
        "ansible_base": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        # The LDAP, SAML, RADIUS and TACACS+ authenticator plugins need packages not installed.
        "ansible_base.authentication.authenticator_plugins.utils": {"level": "CRITICAL"},
    },
}

# What DAB's dynamic_settings.py does when a project includes it.
from ansible_base.lib.dynamic_config.settings_logic import get_dab_settings  # noqa: E402

for _key, _value in get_dab_settings(
    installed_apps=INSTALLED_APPS,
    rest_framework=REST_FRAMEWORK,
    authentication_backends=AUTHENTICATION_BACKENDS,
    middleware=MIDDLEWARE,
    oauth2_provider=OAUTH2_PROVIDER,
    templates=TEMPLATES,
).items():
    if _key in ("INSTALLED_APPS", "REST_FRAMEWORK", "AUTHENTICATION_BACKENDS", "MIDDLEWARE", "OAUTH2_PROVIDER", "TEMPLATES"):
        globals()[_key] = _value
    elif _key not in globals():
        globals()[_key] = _value
