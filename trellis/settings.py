"""Trellis settings: one module, every value from the environment, SQLite by default.

TRELLIS_ENV=production switches on the deployment hardening that `check --deploy` expects and
refuses to start without a SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRELLIS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TRELLIS_ENV = os.environ.get("TRELLIS_ENV", "development")
PRODUCTION = TRELLIS_ENV == "production"

if PRODUCTION:
    if not os.environ.get("SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when TRELLIS_ENV=production.")
    if not os.environ.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when TRELLIS_ENV=production.")

# The development key is only ever used with TRELLIS_ENV=development.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-trellis-never-use-in-production")
# Django's debug pages (URL lists, tracebacks) only when a developer asks for them, never in
# production: `make demo` shows the layout's own 400/403/404/500 pages.
DEBUG = env_bool("TRELLIS_DEBUG", default=False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "trellis.core",
    "trellis.orgs",
    "trellis.people",
    "trellis.students",
    "trellis.rosters",
    "trellis.imports",
    "trellis.frameworks",
    "trellis.ratings",
    "trellis.accounts",
    "trellis.authz",
    "trellis.assignments",
    "trellis.programs",
    "trellis.selection",
    "trellis.attendance",
    "trellis.coaching",
    "trellis.surveys",
    "trellis.evaluations",
    "trellis.learning",
    "trellis.api",
    "trellis.demo",
    "trellis.site",
    # django-ninja's own static files: Swagger UI for /api/v1/docs, served from Trellis's origin.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "trellis.accounts.middleware.RequireMfaMiddleware",
    "trellis.authz.middleware.FailClosedMiddleware",
    "trellis.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "trellis.urls"
WSGI_APPLICATION = "trellis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trellis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trellis.authz.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://… or sqlite:///…) or the embedded SQLite file under var/.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'trellis.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes; IMMEDIATE avoids
        # "database is locked" upgrades inside write transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A district's working set is in memory (or on SSD): an index probe costs about what a
    # sequential page does, not the default 4x. With the default, PostgreSQL scanned and hashed
    # a metro district's thousand schools to join 30 positions to them, and read every active
    # person of the system to find a network's few hundred by id (item 29; measured with
    # bench/pages.py). TRELLIS_PG_RANDOM_PAGE_COST sets another value for spinning disks.
    _page_cost = float(os.environ.get("TRELLIS_PG_RANDOM_PAGE_COST", "1.1"))
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c random_page_cost={_page_cost}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail sign-in, no self sign-up (administrators create accounts).
ACCOUNT_ADAPTER = "trellis.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
# Login throttling (allauth's rate limits), as django-axes does it: failed sign-ins are counted
# per account (5 in 5 minutes), and per address only at a far higher threshold, because a whole
# school or district often signs in from behind one address (README, "Limits").
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("TRELLIS_LOGIN_FAILED_LIMIT", "5/5m/key,100/5m/ip"),
    "login": os.environ.get("TRELLIS_LOGIN_LIMIT", "300/m/ip"),
    "reset_password": "20/m/ip,5/m/key",
}
# Behind N reverse proxies the client's address is the Nth from the right in X-Forwarded-For;
# without it every sign-in would count against the proxy's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRELLIS_TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Trellis"

# Sessions end after this many minutes without a request.
SESSION_IDLE_MINUTES = int(os.environ.get("TRELLIS_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "trellis" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (development, tests) WhiteNoise serves from the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # ...and STATIC_ROOT need not exist: no "No directory at" warning on `make demo`'s console.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trellis <trellis@localhost>")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response: scripts and styles only from Trellis's own static
# files (no inline script or style attribute, no eval), images also as data: URIs (Bootstrap's
# icons, the TOTP QR code), nothing framed, forms posted only to Trellis.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Aggregates over fewer people than this are shown as "fewer than N" (product.md).
TRELLIS_SUPPRESSION_THRESHOLD = int(os.environ.get("TRELLIS_SUPPRESSION_THRESHOLD", "5"))
TRELLIS_PAGE_SIZE = 50
# The public address of this installation, used in CASE URIs of records Trellis creates.
TRELLIS_BASE_URL = os.environ.get("TRELLIS_BASE_URL", "https://trellis.example.org")
# Imports: the largest file (or unpacked bundle) accepted, and the server folder that
# administrators may import bundle folders from.
TRELLIS_IMPORT_MAX_BYTES = int(os.environ.get("TRELLIS_IMPORT_MAX_BYTES", str(4 * 1024**3)))
TRELLIS_IMPORT_ROOT = Path(os.environ.get("TRELLIS_IMPORT_ROOT", VAR_DIR / "sis"))
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
# Videos of practice (coaching): the largest upload unless a system sets its own limit, and the
# private folder they are kept in (default MEDIA_ROOT/videos; never served but by Trellis).
TRELLIS_VIDEO_MAX_MB = int(os.environ.get("TRELLIS_VIDEO_MAX_MB", "500"))
TRELLIS_VIDEO_ROOT = os.environ.get("TRELLIS_VIDEO_ROOT") or None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # A refused or malformed request (400, 403, 404) is the visitor's error, not the server's:
    # no traceback on the console for it; 500s are still logged with theirs.
    "loggers": {"django.request": {"level": os.environ.get("TRELLIS_REQUEST_LOG_LEVEL", "ERROR")}},
}
