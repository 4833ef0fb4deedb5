"""Leanmark settings: every value comes from the environment (docs/configuration.md lists them all).

A bad value stops the start-up with a message naming the variable; nothing falls back silently.
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


def env_secret(name: str) -> str:
    """The value of NAME, or the content of the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {error}") from None
    return os.environ.get(name, "")


DEBUG = env_bool("LEANMARK_DEBUG", False)
DATA_DIR = Path(env_str("LEANMARK_DATA_DIR", str(BASE_DIR / "data"))).resolve()

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE), or run `make run`, "
            "which generates one and keeps it in the data directory."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = [h.strip() for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
LEANMARK_OPEN_SIGNUP = env_bool("LEANMARK_OPEN_SIGNUP", False)
LEANMARK_BASE_URL = env_str("LEANMARK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from its own static files: the API docs work offline
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "leanmark.accounts",
    "leanmark.board",
    "leanmark.backlog",
    "leanmark.flow",
    "leanmark.experiments",
    "leanmark.standups",
    "leanmark.valuestream",
    "leanmark.improvement",
    "leanmark.dashboard",
    "leanmark.roi",
    "leanmark.integrations",
    "leanmark.channeldata",
    "leanmark.demo",
]

MIDDLEWARE = [
    # first: it sees every answer, even those made for an exception in a later middleware
    "leanmark.lib.api_errors.ApiErrorEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "leanmark.lib.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leanmark.lib.api_errors.RejectNulMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers locked-out sign-ins
]

ROOT_URLCONF = "leanmark.urls"
WSGI_APPLICATION = "leanmark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "leanmark.accounts.context.workspaces",
                "leanmark.accounts.context.navigation",
            ],
            "libraries": {"charts": "leanmark.lib.charts"},
            "builtins": ["leanmark.lib.formatting"],
        },
    }
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {
            # A kept connection is checked before reuse: after the database went away and came
            # back, the next request reconnects instead of failing once (lib/outage.py).
            "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
        }
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "leanmark.sqlite3",
            # A file, not shared-cache memory: the concurrency tests need real SQLite locking.
            # One per test run (process id), so two runs in one checkout never share a file.
            "TEST": {"NAME": DATA_DIR / f"test-leanmark-{os.getpid()}.sqlite3"},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Kept between requests: a new SQLite connection reads the whole schema at its first
    # statement (about 1.5 ms here), which every API write paid before its own work.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["OPTIONS"] = {
        # Writers queue up instead of failing: BEGIN IMMEDIATE takes the write lock at the start
        # of every transaction, so a WIP check and the move it guards are atomic.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# After 5 wrong passwords for one e-mail from one address, that pair is locked for 15 minutes;
# a right password resets the count. The lockout page says when to try again. E-mail is matched
# in any case. A browser that signed in before (its device cookie) counts apart, at any address:
# a stranger behind the same proxy cannot lock it out (leanmark/accounts/devices.py).
AXES_FAILURE_LIMIT = env_int("LEANMARK_LOGIN_ATTEMPTS", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LEANMARK_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "leanmark.accounts.devices.lockout_parameters"
AXES_USERNAME_CALLABLE = "leanmark.accounts.devices.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "leanmark.accounts.views.locked_out"
AXES_VERBOSE = False
LEANMARK_PROXY_COUNT = env_int("LEANMARK_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "leanmark.lib.client_ip.client_ip"

# Argon2id at OWASP's recommended cost (accounts/hashers.py); older PBKDF2 hashes still verify and
# are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "leanmark.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("LEANMARK_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
with contextlib.suppress(OSError):  # WhiteNoise warns on every request while it is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "leanmark.lib.errorpages.csrf_failure"  # a page in the app's layout
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("LEANMARK_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LEANMARK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("LEANMARK_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LEANMARK_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("LEANMARK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LEANMARK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The board page's drawn cells (leanmark/board/drawing.py), keyed by the board's change counter,
# which every request reads from the database: a cache per process is never stale, each process
# draws a changed board once. 0 entries turns it off.
BOARD_CACHE_ENTRIES = env_int("LEANMARK_BOARD_CACHE_ENTRIES", 64)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "board": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if BOARD_CACHE_ENTRIES > 0
        else "django.core.cache.backends.dummy.DummyCache",
        "LOCATION": "leanmark-board-cells",
        "TIMEOUT": env_int("LEANMARK_BOARD_CACHE_SECONDS", 600),
        "OPTIONS": {"MAX_ENTRIES": max(BOARD_CACHE_ENTRIES, 1)},
    },
}

# Background jobs (webhook deliveries) go through a queue table in the same database:
# `leanmark worker` runs them. No broker to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WEBHOOK_TIMEOUT_SECONDS = env_int("LEANMARK_WEBHOOK_TIMEOUT", 10)

# Pull connectors (channeldata/connectors): where the platforms' APIs answer (tests point them
# at a local server replaying recorded answers), the hour of the daily pull (TIME_ZONE) and how
# long one API call may take.
LEANMARK_GA4_API_URL = env_str(
    "LEANMARK_GA4_API_URL", "https://analyticsdata.googleapis.com"
).rstrip("/")
LEANMARK_GOOGLE_TOKEN_URL = env_str(
    "LEANMARK_GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token"
)
LEANMARK_META_API_URL = env_str("LEANMARK_META_API_URL", "https://graph.facebook.com").rstrip("/")
LEANMARK_META_API_VERSION = env_str("LEANMARK_META_API_VERSION", "v23.0")
LEANMARK_PULL_HOUR = env_int("LEANMARK_PULL_HOUR", 5)
LEANMARK_CONNECTOR_TIMEOUT = env_int("LEANMARK_CONNECTOR_TIMEOUT", 60)
