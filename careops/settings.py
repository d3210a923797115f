"""Django settings for CareOps, read from environment variables.

Every variable is documented in docs/configuration.md. A wrong value raises
``careops.conf.ConfigError``; the ``careops`` command prints it as one line.
"""

from __future__ import annotations

import base64
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from careops.conf import (
    ConfigError,
    env_bool,
    env_choice,
    env_fractions,
    env_int,
    env_str,
    env_timezone,
    env_url,
    read_or_create_secret,
)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CAREOPS_VAR_DIR") or PROJECT_DIR / "var").resolve()
TESTING = "pytest" in sys.modules or env_bool("CAREOPS_TESTING", False)

# --- core ---------------------------------------------------------------
DEBUG = env_bool("CAREOPS_DEBUG", False)
SECRET_KEY = env_str("CAREOPS_SECRET_KEY") or read_or_create_secret(VAR_DIR / "secret_key")
if len(SECRET_KEY) < 32:
    raise ConfigError("CAREOPS_SECRET_KEY", "must be at least 32 characters long")
# Key of the secret store (careops.core.secrets); kept outside the database.
SECRETS_KEYS = [
    k.strip()
    for k in (env_str("CAREOPS_SECRETS_KEY") or "").split(",")
    if k.strip()
]
SECRETS_KEY_PATH = VAR_DIR / "secrets.key"
for _key in SECRETS_KEYS:
    try:
        _valid_key = len(base64.urlsafe_b64decode(_key.encode("ascii"))) == 32
    except (ValueError, UnicodeEncodeError):
        _valid_key = False
    if not _valid_key:
        raise ConfigError("CAREOPS_SECRETS_KEY", "each key must be 32 url-safe base64-encoded "
                          "bytes (make one with: careops secrets newkey)")

ALLOWED_HOSTS = [
    h.strip()
    for h in (env_str("CAREOPS_ALLOWED_HOSTS") or "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
HTTPS = env_bool("CAREOPS_HTTPS", False)
SITE_URL = env_url("CAREOPS_SITE_URL", "http://127.0.0.1:8000", ["http", "https"])
CSRF_TRUSTED_ORIGINS = [SITE_URL] if SITE_URL else []
BIND = env_str("CAREOPS_BIND") or "127.0.0.1:8000"
WEB_WORKERS = env_int("CAREOPS_WEB_WORKERS", 2, minimum=1, maximum=64)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "careops.core",
    "careops.cmdb",
    "careops.contracts",
    "careops.servicedesk",
    "careops.reports",
    "careops.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "careops.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "careops.core.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careops.urls"
WSGI_APPLICATION = "careops.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

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
                "careops.core.context_processors.shell",
            ],
        },
    },
]

# --- database -----------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL", None, ["sqlite", "postgres", "postgresql", "pgsql", "mysql", "mariadb"]
)
if DATABASE_URL:
    url = DATABASE_URL
    if url.startswith("mariadb"):
        url = "mysql" + url[len("mariadb") :]
    try:
        _db: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
    except ValueError as exc:
        raise ConfigError("DATABASE_URL", str(exc)) from None
    if _db["ENGINE"] == "django.db.backends.mysql":
        import pymysql

        pymysql.install_as_MySQLdb()
        _db.setdefault("OPTIONS", {}).update({"charset": "utf8mb4"})
        _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    elif _db["ENGINE"] == "django.db.backends.sqlite3":
        _db["CONN_MAX_AGE"] = 0
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "careops.sqlite3")}
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background work (Huey) -------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ["redis", "rediss"])
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("CAREOPS_QUEUE_NAME") or "careops",
        "url": REDIS_URL,
        "immediate": TESTING,
        "utc": False,  # crontab() of periodic tasks in TIME_ZONE (Asia/Shanghai)
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "careops",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
        "utc": False,  # crontab() of periodic tasks in TIME_ZONE (Asia/Shanghai)
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# --- cache --------------------------------------------------------------
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- language and time --------------------------------------------------
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_CODE = env_choice("CAREOPS_LANGUAGE", "zh-hans", [code for code, _ in LANGUAGES])
TIME_ZONE = env_timezone("CAREOPS_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- static files (served by WhiteNoise from the app directories; no CDN) ------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Uploaded documents (served only through views that check access and audit downloads).
MEDIA_ROOT = Path(env_str("CAREOPS_MEDIA_DIR") or VAR_DIR / "media").resolve()
MEDIA_URL = "/media/"
CAREOPS_MAX_ATTACHMENT_MB = env_int("CAREOPS_MAX_ATTACHMENT_MB", 20, minimum=1, maximum=1024)
# Service desk: SLA warnings at these fractions of a target's time (docs/servicedesk.md,
# Escalation), auto-confirmation of resolved tickets, satisfaction surveys.
CAREOPS_SLA_WARNING_FRACTIONS = env_fractions("CAREOPS_SLA_WARNING_FRACTIONS", (0.75, 0.9))
CAREOPS_AUTO_CONFIRM_WORKING_DAYS = env_int("CAREOPS_AUTO_CONFIRM_WORKING_DAYS", 3, minimum=0,
                                            maximum=60)
CAREOPS_SURVEY_DAYS = env_int("CAREOPS_SURVEY_DAYS", 30, minimum=1, maximum=365)
# Monitoring collectors: the largest body a scrape or HTTP probe reads (docs/monitoring.md).
CAREOPS_SCRAPE_MAX_BYTES = env_int("CAREOPS_SCRAPE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024,
                                   maximum=1024 * 1024 * 1024)
# Monitoring — alerts (docs/monitoring-alerts.md): flapping detection (percent state
# change over the window, start above / stop below), the grouping window, the least
# severity that opens a ticket, and whether a recovery restores the incident.
CAREOPS_ALERT_FLAP_WINDOW_MINUTES = env_int("CAREOPS_ALERT_FLAP_WINDOW_MINUTES", 60, minimum=5,
                                            maximum=24 * 60)
CAREOPS_ALERT_FLAP_START = env_int("CAREOPS_ALERT_FLAP_START", 50, minimum=1, maximum=100)
CAREOPS_ALERT_FLAP_STOP = env_int("CAREOPS_ALERT_FLAP_STOP", 25, minimum=0, maximum=100)
if CAREOPS_ALERT_FLAP_STOP > CAREOPS_ALERT_FLAP_START:
    raise ConfigError("CAREOPS_ALERT_FLAP_STOP", "must not exceed CAREOPS_ALERT_FLAP_START")
CAREOPS_ALERT_GROUP_WINDOW_MINUTES = env_int("CAREOPS_ALERT_GROUP_WINDOW_MINUTES", 5, minimum=0,
                                             maximum=24 * 60)
CAREOPS_ALERT_TICKET_SEVERITY = env_choice("CAREOPS_ALERT_TICKET_SEVERITY", "warning",
                                           ["critical", "major", "warning", "info"])
CAREOPS_ALERT_AUTO_RESTORE = env_bool("CAREOPS_ALERT_AUTO_RESTORE", False)
CAREOPS_MONITORING_USERNAME = env_str("CAREOPS_MONITORING_USERNAME") or "monitoring"
WHITENOISE_AUTOREFRESH = DEBUG
# Monitoring: metric store, retention, collection (docs/monitoring-store.md).
CAREOPS_METRICS_BACKEND = env_choice("CAREOPS_METRICS_BACKEND", "embedded",
                                     ["embedded", "victoriametrics"])
CAREOPS_VICTORIAMETRICS_URL = env_url("CAREOPS_VICTORIAMETRICS_URL", "http://127.0.0.1:8428",
                                      ["http", "https"])
CAREOPS_METRICS_BUFFER_SAMPLES = env_int("CAREOPS_METRICS_BUFFER_SAMPLES", 500_000, minimum=0,
                                         maximum=100_000_000)
CAREOPS_METRICS_RAW_DAYS = env_int("CAREOPS_METRICS_RAW_DAYS", 15, minimum=1, maximum=3650)
CAREOPS_METRICS_ROLLUP_DAYS = env_int("CAREOPS_METRICS_ROLLUP_DAYS", 400, minimum=1,
                                      maximum=36500)
CAREOPS_COLLECT_WORKERS = env_int("CAREOPS_COLLECT_WORKERS", 16, minimum=1, maximum=512)
CAREOPS_RULE_INTERVAL_S = env_int("CAREOPS_RULE_INTERVAL_S", 15, minimum=1, maximum=3600)

# --- authentication and login security (GB/T 22239-2019 8.1.4.1) -------------------
PRODUCTION_PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Tests hash thousands of passwords: a fast hasher there, argon2 everywhere else.
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
    if TESTING else PRODUCTION_PASSWORD_HASHERS
)
PASSWORD_HISTORY_COUNT = env_int("CAREOPS_PASSWORD_HISTORY", 5, minimum=0, maximum=24)
PASSWORD_EXPIRY_DAYS = env_int("CAREOPS_PASSWORD_EXPIRY_DAYS", 90, minimum=0, maximum=3650)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "careops.core.passwords.ComplexityValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "careops.core.passwords.NoUsernameValidator"},
    {"NAME": "careops.core.passwords.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CAREOPS_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CAREOPS_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "careops.core.views.auth.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Never keep a typed second-factor code in axes' attempt records.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
# Minutes a half-done login (password right, second factor not yet entered) stays valid.
LOGIN_SECOND_FACTOR_MINUTES = 5

SESSION_IDLE_MINUTES = env_int("CAREOPS_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

OTP_TOTP_ISSUER = "CareOps"
OTP_TOTP_THROTTLE_FACTOR = 1

# --- audit trail (8.1.4.3) --------------------------------------------------
AUDIT_RETENTION_DAYS = env_int("CAREOPS_AUDIT_RETENTION_DAYS", 365, minimum=180)

# --- REST API -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "careops.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CareOps API",
    "DESCRIPTION": "IT operations platform for hospitals (医院智慧运维管理平台).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ItemKindEnum": "careops.cmdb.choices.ItemKind",
        "ItemStatusEnum": "careops.cmdb.choices.ItemStatus",
        "TicketKindEnum": "careops.servicedesk.models.Kind",
        "TicketEventKindEnum": "careops.servicedesk.models.EventKind",
        "FaultKindEnum": "careops.logic.contract.FAULT_KINDS",
        "AlertSourceEnum": "careops.monitoring.choices.AlertSource",
    },
}

# --- logging: never a secret in a log line (see careops.core.secrets) -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "careops.core.logredact.RedactFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_choice(
        "CAREOPS_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])},
    # The worker logs through our handler (redacted); run_huey then adds no handler of its own.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
                "asyncssh": {"level": "WARNING"}},
}
