"""Settings for Yiwang, read from the environment.

Every knob an operator needs is an environment variable; nothing here should need editing for a
deployment. `DATABASE_URL` picks the database (default: a SQLite file under `var/`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url

from yiwang.accounts.oidc_keys import load_or_create_rsa_key

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("YIWANG_TESTING")

_DEV_SECRET_KEY = "yiwang-development-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or _DEV_SECRET_KEY
USING_DEV_SECRET_KEY = SECRET_KEY == _DEV_SECRET_KEY
if USING_DEV_SECRET_KEY and not TESTING:
    print(
        "WARNING: SECRET_KEY is not set: using the DEVELOPMENT key. Sessions and tokens are forgeable. "
        "Set SECRET_KEY in the environment before any real deployment.",
        file=sys.stderr,
    )

# Electronic licences: the master key that encrypts the issuing departments' SM2 private keys at
# rest (32 bytes, base64 or hex), from the environment. Unset, a key derived from SECRET_KEY is used:
# fine for the demo and tests, never for real seals (the system check `licences.W001` says so).
LICENCE_SEAL_KEY = os.environ.get("YIWANG_SEAL_KEY", "")
# How long a verifier may rely on a downloaded status list before fetching it again.
LICENCE_STATUS_LIST_TTL = int(os.environ.get("YIWANG_STATUS_LIST_TTL", "86400"))
# The platform's public address, printed on documents that leave it (a licence's verification link).
PUBLIC_BASE_URL = os.environ.get("YIWANG_PUBLIC_URL", "http://127.0.0.1:8000")
# Share links a holder makes for their licence expire after at most this many days.
LICENCE_SHARE_MAX_DAYS = 30
# How often the worker marks licences past their validity as 失效.
LICENCE_EXPIRY_SWEEP_SECONDS = 3600
# Electronic supervision: the pass over every case's state rules (cases' own events are judged at once).
SUPERVISION_PASS_SECONDS = int(os.environ.get("YIWANG_SUPERVISION_PASS_SECONDS", "600"))

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")]
if TESTING:
    ALLOWED_HOSTS = ["*"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "oauth2_provider",
    "yiwang.core",
    "yiwang.accounts",
    "yiwang.catalog",
    "yiwang.notices",
    "yiwang.cases",
    "yiwang.licences",
    "yiwang.ratings",
    "yiwang.supervision",
    "yiwang.stats",
    "yiwang.bundles",
    "yiwang.api",
    "yiwang.portal",
    "yiwang.workbench",
    "yiwang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "yiwang.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API's rate limits (429 with Retry-After, in the asked language), before any view works.
    "yiwang.api.ratelimit.ApiRateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "yiwang.accounts.middleware.PreferencesMiddleware",
    # Last, so its pages have the user and language; still before any view or CSRF check reads
    # the body (sizes and unstorable text: 413, 404, 422 or 400).
    "yiwang.core.request_guard.RequestGuardMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"
ASGI_APPLICATION = "yiwang.asgi.application"

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
                "yiwang.accounts.context_processors.preferences",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'yiwang.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, whose health check asks the socket before it asks the server (ADR 16).
    DATABASES["default"]["ENGINE"] = "yiwang.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections persist per thread as on PostgreSQL: opening one (Django's functions registered,
    # the PRAGMAs run) cost ~4 ms of CPU on every request that touched the database.
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and one writer work at once; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests use a file too (not shared-cache memory, whose table locks fail at once instead of
    # waiting): the concurrency tests then see the same locking as production.
    # One file per run, so two runs side by side (or a run beside a benchmark) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # pg_trgm and text search need a UTF-8 database; the test database is created as such too.
    DATABASES["default"].setdefault("TEST", {})
    DATABASES["default"]["TEST"].update({"CHARSET": "UTF8", "TEMPLATE": "template0"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered guide bodies and anonymous readers' guide pages (portal/guide_cache.py, ADR 14): per
    # process, keyed by what they show, so nothing is invalidated across processes; ~15 KB each.
    "guides": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "yiwang-guides",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiwang.accounts.passwords.CharacterClassValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:my-space"
LOGOUT_REDIRECT_URL = "portal:home"

# Sign-in throttling (accounts/throttle.py): per (account, address) the first LOGIN_RATE_LIMIT
# failures are free, then each attempt waits LOGIN_DELAY_SECONDS, doubling up to
# LOGIN_DELAY_MAX_SECONDS; a day without failures forgets them. Per address across accounts
# (credential stuffing): LOGIN_ADDRESS_LIMIT failures per LOGIN_RATE_WINDOW_SECONDS.
LOGIN_RATE_LIMIT = int(os.environ.get("LOGIN_RATE_LIMIT", "5"))
LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("LOGIN_RATE_WINDOW_SECONDS", "900"))
LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", "60"))
LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", "900"))
LOGIN_FORGET_SECONDS = int(os.environ.get("LOGIN_FORGET_SECONDS", "86400"))
LOGIN_ADDRESS_LIMIT = int(os.environ.get("LOGIN_ADDRESS_LIMIT", "200"))
# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses).
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("TRUSTED_PROXIES", "").split(",") if a.strip()]
# The API as a whole (api/ratelimit.py): requests per fixed window, per token and per address,
# writes (unsafe methods) and reads apart; off under the test runner except where a test turns it on.
API_RATE_WINDOW_SECONDS = int(os.environ.get("API_RATE_WINDOW_SECONDS", "60"))
API_RATE_LIMIT_TOKEN_WRITES = int(os.environ.get("API_RATE_LIMIT_TOKEN_WRITES", "120"))
API_RATE_LIMIT_TOKEN_READS = int(os.environ.get("API_RATE_LIMIT_TOKEN_READS", "1200"))
API_RATE_LIMIT_ADDRESS_WRITES = int(os.environ.get("API_RATE_LIMIT_ADDRESS_WRITES", "600"))
API_RATE_LIMIT_ADDRESS_READS = int(os.environ.get("API_RATE_LIMIT_ADDRESS_READS", "6000"))
API_RATE_LIMIT_ENABLED = not TESTING and os.environ.get("API_RATE_LIMIT_ENABLED", "1") != "0"
# How often a process checks whether an administrator changed the working-day calendar.
# Cases: a yellow warning this many working days before a due date; the follow-up check of a
# 告知承诺制 approval is due this many working days after it; the worker sweeps this often.
CASE_WARN_WORKDAYS = int(os.environ.get("CASE_WARN_WORKDAYS", "3"))
COMMITMENT_CHECK_WORKDAYS = int(os.environ.get("COMMITMENT_CHECK_WORKDAYS", "20"))
WORKER_SWEEP_SECONDS = int(os.environ.get("WORKER_SWEEP_SECONDS", "300"))
# The trace's checkpoints (cases/anchors.py): the heads of the chains that grew, anchored hourly.
TRACE_CHECKPOINT_SECONDS = int(os.environ.get("TRACE_CHECKPOINT_SECONDS", "3600"))
# Delivered outbox messages and finished task results are kept this long (days), then purged.
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
CASE_CARRIER = os.environ.get("CASE_CARRIER", "yiwang.cases.carriers.LocalCarrier")
CALENDAR_RECHECK_SECONDS = 0.0 if TESTING else float(os.environ.get("CALENDAR_RECHECK_SECONDS", "5"))
API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", "12"))

# --- Unified identity: OpenID Connect provider ---------------------------------------------
OIDC_KEY_FILE = Path(os.environ.get("OIDC_KEY_FILE", VAR_DIR / "oidc-signing-key.pem"))
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OIDC_RSA_PRIVATE_KEY": load_or_create_rsa_key(OIDC_KEY_FILE),
    # Retired signing keys (PEM files, separated by ":") stay in the JWKS so tokens signed
    # before a rotation still verify; see docs/oidc.md.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        Path(p).read_text() for p in os.environ.get("OIDC_INACTIVE_KEY_FILES", "").split(os.pathsep) if p
    ],
    # The public issuer, e.g. https://zwfw.example.gov.cn/o. Empty: derived from each request's
    # host, which differs when department systems reach the token endpoint by another address.
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISS_ENDPOINT", "").rstrip("/"),
    "OAUTH2_VALIDATOR_CLASS": "yiwang.accounts.oidc.YiwangOIDCValidator",
    "SCOPES": {
        "openid": "您在本平台的账户标识",
        "profile": "姓名（或企业名称）、用户名、账户类型、实名等级；法人账户另含统一社会信用代码",
        "phone": "手机号码",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_basic", "client_secret_post", "none"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 30 * 24 * 3600,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 PKCE only, bearer
    # tokens only in the header, the RFC 9207 `iss` in authorisation responses, tokens hashed at rest.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise; no CDN anywhere) ---------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if SECURE_SSL_REDIRECT:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The guide editor and the form builder post one field per element of every row.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# --- Request and upload sizes: one consistent set ---------------------------------------------
# A file (a material, a blank form or sample) may be MAX_UPLOAD_BYTES. One request may carry
# MAX_FILES_PER_REQUEST such files: a JSON body (the API's application, files in Base64, 4/3 their
# size) is allowed that plus REQUEST_FORM_ALLOWANCE for the form; a multipart body the files as
# they are (or one catalog import file) plus the same allowance. A larger body answers 413, judged
# by its Content-Length before it is read (core.request_guard); a body without one (chunked) is
# read only up to its limit. Documented in README ("Limits on what a request may carry").
MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MIB
MAX_IMPORT_BYTES = 20 * MIB
MAX_IMPORT_ROWS = 20000  # rows of one sheet (or entries of one JSON file) of a catalog import
MAX_FILES_PER_REQUEST = 3
REQUEST_FORM_ALLOWANCE = 1 * MIB
MAX_JSON_BODY_BYTES = MAX_FILES_PER_REQUEST * 4 * -(-MAX_UPLOAD_BYTES // 3) + REQUEST_FORM_ALLOWANCE
MAX_MULTIPART_BODY_BYTES = (
    max(MAX_FILES_PER_REQUEST * MAX_UPLOAD_BYTES, MAX_IMPORT_BYTES) + REQUEST_FORM_ALLOWANCE
)
MAX_FORM_BODY_BYTES = 5 * MIB  # urlencoded posts: the guide editor's largest guides
# Django's own check of a body held in memory: the largest of the above (each type's own limit
# is applied first, by the middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_JSON_BODY_BYTES, MAX_FORM_BODY_BYTES)

# --- Mail and SMS (real local implementations; see docs/operations.md) ---------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@yiwang.local")

# --- Logging: one JSON object per line, personal data masked ---------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "yiwang.core.logging.MaskPersonalDataFilter"}},
    "formatters": {"json": {"()": "yiwang.core.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["mask_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Each request is logged once, by `yiwang.request` (core.middleware): Django's own lines for
        # a 4xx (django.request) and runserver's access line (django.server) would repeat it. A 5xx
        # still logs its traceback (ERROR).
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # The worker runs django-tasks' queue in batch mode every idle second: its start and stop
        # lines would fill the log. Failures are still logged (WARNING and above).
        "django_tasks_db": {"level": "WARNING"},
    },
}
