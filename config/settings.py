"""Settings for the five-colour station map.

Everything comes from the environment. With nothing set, the site runs on the
embedded default: SQLite under var/ and Celery in eager mode (tasks run in the
calling process, no broker), so a newcomer needs no services. Set DATABASE_URL
for PostgreSQL and REDIS_URL for a real broker, result backend and cache.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import (
    INSECURE_KEY_PREFIX,
    check_mail_security,
    check_origins,
    check_secret_key,
    check_site_url,
    env_bool,
    env_file,
    env_int,
    env_list,
    env_str,
)
from mapviews.plotlybundle import inline_style_hashes

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY") or (INSECURE_KEY_PREFIX + "embedded-default-not-for-production")
check_secret_key(env_str("SECRET_KEY"), debug=DEBUG)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "stations",
    "indicators",
    "scoring",
    "mapviews",
    "audit",
    "improvement",
    "demo",
    "api",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which answers static files itself (pre-compressed by the
    # production storage, images left alone); above everything that writes a body. Its
    # random bytes in the gzip header are Django's BREACH mitigation (Django 4.2+).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.CurrentUserMiddleware",
    # Before anything reads the body (CSRF's check reads the form): too large is refused.
    "config.bodylimit.RequestBodyLimitMiddleware",
    "config.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the login check: a user placed nowhere sees a page saying so.
    "config.middleware.OrganisationScopeMiddleware",
    "config.middleware.BadRequestPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the login views' answers: a locked-out login gets the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mapviews.context_processors.roles",
                "improvement.context_processors.notifications",
                "config.sections.section",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL says otherwise -----------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'station_map.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # A database that does not answer must not hold a request until the web server kills
    # its worker: the connection attempt gives up (the user gets the 503 page), and TCP
    # keepalives notice a server that vanished while a connection sat idle.
    # Options given in DATABASE_URL's query string win.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1),
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery and cache: eager without REDIS_URL ---------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
# Job state lives in the database (ScoreRun); publishing must not also wait on
# the result store, which retries for ~20 s when Redis is unreachable.
CELERY_TASK_IGNORE_RESULT = True
# A killed worker must not lose a recompute: acknowledge after the work, hand the
# task back when the worker dies, and take one task at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Hard limit below the broker's visibility timeout, or Redis redelivers a task
# that is still running.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 5}
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hold a web request: one quick attempt, then the pending
# run is left for the beat job to enqueue again.
CELERY_TASK_PUBLISH_RETRY = False
# A worker renews the heartbeat of the job it holds (a score run, an import) four times a
# lease; a job silent for a lease lost its worker and is sent again by the sweeps, which
# also re-send jobs that never reached the broker (indicators.jobqueue).
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60, minimum=4)
CELERY_BEAT_SCHEDULE = {
    "enqueue-pending-runs": {
        "task": "scoring.tasks.enqueue_pending_runs",
        "schedule": 30.0,
    },
    "enqueue-pending-imports": {
        "task": "indicators.tasks.enqueue_pending_imports",
        "schedule": 30.0,
    },
    # Last month's missing-data reminders once its due day has passed (once per company
    # and month: an hourly check finds nothing to do on every other hour).
    "send-due-reminders": {
        "task": "improvement.tasks.send_due_reminders",
        "schedule": 3600.0,
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

if REDIS_URL:
    # The cache only saves work: a slow or absent Redis is a miss (config/cache.py),
    # after at most half a second, and is then skipped for BREAKER_SECONDS.
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FaultTolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_timeout": 0.5,
                "socket_connect_timeout": 0.5,
                "BREAKER_SECONDS": 10,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a page's rendered body is kept (mapviews/pagecache.py): the longest a change
# no signal announces (a bulk update) shows late. 0: never kept (every view renders).
PAGE_BODY_SECONDS = env_int("PAGE_BODY_SECONDS", 60, minimum=0)

# --- Authentication -----------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "mapviews:home"
LOGOUT_REDIRECT_URL = "login"
# A login lasts at most SESSION_COOKIE_AGE (counted from the login; the server drops
# the session then) and, by default, ends when the browser closes: station PCs are shared.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# Failed logins: django-axes, in the database (never the cache: a hung Redis must not
# stall a login). LOGIN_FAILURE_LIMIT failures for one user name from one address lock
# that pair (only) for LOGIN_LOCKOUT_SECONDS after the last counted failure; a success
# clears the pair's count. Behind a reverse proxy, TRUSTED_PROXY_COUNT says how many
# proxies append to X-Forwarded-For (config/clientaddress.py); otherwise every login
# seems to come from the proxy.
AUTHENTICATION_BACKENDS = [
    "config.login.WebLoginAxesBackend",  # first: refuses a locked pair unchecked
    "config.authbackend.KeptPermissionsBackend",  # Django's, read once per data state
]
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=60)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
# A refused try is not counted, so the time the page shows holds (a user retrying
# does not push the end of the lock further away).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clientaddress.client_address"
AXES_LOCKOUT_CALLABLE = "config.login.lockout_response"
# Successful logins are not logged by axes (the table would only grow); failures are.
AXES_DISABLE_ACCESS_LOG = True
# The logs name the user name and address of each failure and lockout (never the password).
AXES_SENSITIVE_PARAMETERS: list[str] = []

# --- Language: Chinese first, English available ------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files: all vendored, served by WhiteNoise -------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "mapviews.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Production hardening (active whenever DEBUG is off) ----------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The homepage widget (/widget/) may be framed only by these origins, e.g.
# "https://portal.example.cn" (sent as CSP frame-ancestors); every other page,
# and the widget when this is empty, keeps X-Frame-Options: DENY.
WIDGET_FRAME_ANCESTORS = check_origins(
    "WIDGET_FRAME_ANCESTORS", env_list("WIDGET_FRAME_ANCESTORS", [])
)
# Whether the widget shows the map to visitors who are not logged in.
WIDGET_PUBLIC = env_bool("WIDGET_PUBLIC", False)
# System checks this installation has decided to ignore (comma-separated ids), e.g.
# mapviews.W001 (WIDGET_FRAME_ANCESTORS empty) where no portal embeds the widget.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp) on every response: our own scripts, styles and
# images only, no inline script or style (data goes through json_script). Two
# exceptions, both for plotly.js: a nonce for the empty <style> element it fills
# through the CSSOM (templates/mapviews/_plotly.html), and the hash of the one fixed
# stylesheet text its bundle inserts when it loads (mapviews/plotlybundle.py). The
# widget widens frame-ancestors with WIDGET_FRAME_ANCESTORS (mapviews.views.home).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE, *inline_style_hashes()],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): no page needs any of these.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Deliberate: an intranet host cannot be on the browsers' public HSTS
        # preload list, so the check that asks for it is silenced (docs/operations.md).
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# --- E-mail: only where EMAIL_HOST is set ------------------------------------
# Unset, nothing is e-mailed: notifications stay on the site. Set, grade-drop notices are
# also mailed (one e-mail per user and month) through this SMTP server.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", strip=False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
check_mail_security(EMAIL_USE_TLS, EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "station-map@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as users reach it (e.g. https://stations.intranet.example): e-mails
# link to its pages when set, and are plain text without links otherwise.
SITE_URL = check_site_url("SITE_URL", env_str("SITE_URL"))

# --- Imports -------------------------------------------------------------------
# Limits that keep a hostile or mistaken file from exhausting the server.
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 64 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000)
# Uploaded import files wait here for the worker (the default storage) and are deleted
# when their job finishes. Web and worker must share it; it is never served (no MEDIA_URL).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")

# --- Request sizes ----------------------------------------------------------------
# No request body may exceed REQUEST_MAX_BODY_BYTES (config/bodylimit.py answers 413
# before anything reads it), except the upload pages, which allow their file limit plus
# room for the form around it. Form fields are held in memory up to
# DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file. The reverse proxy should refuse earlier (docs/operations.md).
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_BYTES", 2_621_440, minimum=65536)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- The monthly bulletin PDF ----------------------------------------------------
# A TrueType CJK font to embed instead of the shipped one (.ttf, or a .ttc of TrueType
# outlines, e.g. Debian's fonts-wqy-microhei or Windows' simsun.ttc). Empty: the
# project's own Noto Sans SC subset (improvement/reports/fonts.py).
PDF_CJK_FONT = env_file("PDF_CJK_FONT")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per task is noise in eager mode (every import runs its tasks inline).
        "celery.app.trace": {"level": env_str("CELERY_TRACE_LOG_LEVEL", "WARNING")},
        # django-axes announces its configuration on every start (each manage.py command).
        "axes.apps": {"level": "WARNING"},
    },
}

# --- The API for the feeding systems (api/, docs/api.md) ---------------------------
# Token calls (Authorization: Bearer) need no session or CSRF; a logged-in user may read
# with their session. Every refusal is JSON (api.errors). Rate limits are per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.auth.TokenAuthentication",
        "api.auth.TranslatedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.TokenOrSession"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.CallRate"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle_exception",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/minute")
API_SUBMIT_RATE_LIMIT = env_str("API_SUBMIT_RATE_LIMIT", "60/minute")
# A batch of values may be this large (config/bodylimit.py); other API calls keep
# REQUEST_MAX_BODY_BYTES.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 20 * 1024 * 1024, minimum=65536)
# Batches of at most this many values are written before the answer (201); larger ones
# answer 202 with the job to poll.
API_SYNC_MAX_VALUES = env_int("API_SYNC_MAX_VALUES", 5000, minimum=0)
SPECTACULAR_SETTINGS = {
    "TITLE": "Five-colour station map API",
    "DESCRIPTION": "For the feeding systems and the intranet: send monthly indicator values, "
    "read stations, months, scores and grades. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "APPEND_COMPONENTS": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"token": []}],
    "AUTHENTICATION_WHITELIST": [],
}
