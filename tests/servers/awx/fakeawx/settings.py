"""Settings of the AWX-like test server.

The OAuth2 part copies AWX 24.6.1 (awx/settings/defaults.py): AWX sets only the three
lifetimes below and leaves every other django-oauth-toolkit 1.7.1 default alone (so
PKCE_REQUIRED is DOT's default, False, and refresh tokens rotate).
"""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["FAKEAWX_STATE_DIR"])
HERE = Path(__file__).resolve().parent

# Production-like: errors look like a real server's, not Django's debug pages.
DEBUG = False
ALLOWED_HOSTS = ["*"]
# A test server: a fixed key keeps sessions valid across restarts on the same state dir.
SECRET_KEY = "fakeawx-test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "oauth2_provider",
    "fakeawx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "fakeawx.urls"
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

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

# AWX's names and login page.
LOGIN_URL = "/api/login/"
LOGIN_REDIRECT_URL = "/api/"
SESSION_COOKIE_NAME = "awx_sessionid"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": 31536000000,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 2628000,
    "SCOPES": {"read": "Reading scope", "write": "Writing scope"},
}
# Test-only knobs (AWX admins can change these in the settings API too).
if os.environ.get("FAKEAWX_PKCE_REQUIRED") == "1":
    OAUTH2_PROVIDER["PKCE_REQUIRED"] = True
for _name in ("ACCESS_TOKEN_EXPIRE_SECONDS", "AUTHORIZATION_CODE_EXPIRE_SECONDS", "REFRESH_TOKEN_EXPIRE_SECONDS"):
    if os.environ.get("FAKEAWX_" + _name):
        OAUTH2_PROVIDER[_name] = int(os.environ["FAKEAWX_" + _name])

REST_FRAMEWORK = {
    # AWX's order: OAuth2 bearer first, then session, then HTTP Basic.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "fakeawx.pagination.Pagination",
    "PAGE_SIZE": 25,
}
# AWX's AUTH_BASIC_ENABLED (an admin setting): off, an `Authorization: Basic` header counts
# for nothing, as when AAP 2.7 removed Basic authentication. The 401 is the one of a
# request without credentials. /api/o/token/ still takes the client's id and secret in
# HTTP Basic (client authentication, RFC 6749 2.3.1, done by DOT, not by DRF).
AUTH_BASIC_ENABLED = os.environ.get("FAKEAWX_NO_BASIC") != "1"
if not AUTH_BASIC_ENABLED:
    REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"].remove("rest_framework.authentication.BasicAuthentication")

# With DEBUG off Django would only mail tracebacks; a test needs them on stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "oauthlib": {"handlers": ["stderr"], "level": "WARNING"},
    },
}
