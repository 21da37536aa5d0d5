"""Settings: every value from an environment variable with a safe default (see .env.example).

The embedded default (SQLite in the data folder, Vietnamese UI) needs no variable at all; a bad
value stops start-up with a message naming the variable.
"""

import logging
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cccd.environment import (
    TASKS_BACKENDS,
    broker_installed,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_memory,
    env_spark_master,
    env_str,
    hsts,
    proxy_ssl_header,
    redis_url,
    secret_key,
    secret_key_fallbacks,
    tasks_backend,
)

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("CCCD_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("CCCD_DEBUG", False)
SECRET_KEY = secret_key("CCCD_SECRET_KEY", DATA_DIR)
# Old keys still accepted when checking signatures (the slips' status links, sessions) after the
# key is changed: keep one while slips signed with it are in people's hands (docs/operations.md).
SECRET_KEY_FALLBACKS = secret_key_fallbacks("CCCD_SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("CCCD_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list(
    "CCCD_CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1:8000", "http://localhost:8000"]
)
SECURE_COOKIES = env_bool("CCCD_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# database sessions that load their user in the same query (cccd.accounts.sessions)
SESSION_ENGINE = "cccd.accounts.sessions"
SESSION_COOKIE_AGE = env_int("CCCD_SESSION_HOURS", 12, minimum=1, maximum=24 * 14) * 3600
# Days an API token works after it is made (it also ends with its user's next password change).
CCCD_API_TOKEN_DAYS = env_int("CCCD_API_TOKEN_DAYS", 30, minimum=1, maximum=366)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS (docs/operations.md): redirect plain HTTP, and tell browsers to use HTTPS only (HSTS).
# Behind a proxy that ends TLS, CCCD_PROXY_SSL_HEADER names the header it sets to "https".
SECURE_SSL_REDIRECT = env_bool("CCCD_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header("CCCD_PROXY_SSL_HEADER")
SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD = hsts(
    "CCCD_HSTS_SECONDS", "CCCD_HSTS_INCLUDE_SUBDOMAINS", "CCCD_HSTS_PRELOAD"
)
# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches from this server only,
# so an injected <script>, onclick= or style= does nothing. No page has inline script or style
# (tests/test_headers.py reads every template). Images also from data: URIs (the photo thumbnails
# and the card preview embed the photo; Pico CSS draws its checkbox and select icons so).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # The desk's device service (MOSIP SBI) listens on 127.0.0.1, ports 4501–4600; CSP has no
        # port ranges, so any port of the desk computer itself (docs/devices.md).
        "connect-src": [SELF, "http://127.0.0.1:*"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "ninja",  # the API's docs page from its own static files, not a CDN (an intranet has none)
    "axes",
    "cccd.jobs",  # before django_tasks_db: its `db_worker` also resumes jobs whose worker died
    "django_tasks",
    "django_tasks_db",
    "cccd.units",
    "cccd.accounts",
    "cccd.unitadmin",
    "cccd.registry",
    "cccd.campaigns",
    "cccd.rosters",
    "cccd.tickets",
    "cccd.booking",
    "cccd.enrollments",
    "cccd.reports",
    "cccd.reach",
    "cccd.planner",
    "cccd.kits",
    "cccd.api",
    "cccd.devices",
    "cccd.notify",
]
# The tools for tests and demos (`cccd.demo`: `seed_demo`, `generate_register`, the simulated card
# centre, the linkage model's training) are installed only when asked for: `make demo`, the test
# suite and the benchmarks turn them on; production leaves them out, commands and modules alike.
CCCD_DEMO_TOOLS = env_bool("CCCD_DEMO_TOOLS", False)
if CCCD_DEMO_TOOLS:
    INSTALLED_APPS.append("cccd.demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files answered here, cached long
    "cccd.headers.NoStoreMiddleware",  # everything after: no-store
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cccd.accounts.middleware.AuditContextMiddleware",
    "cccd.accounts.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cccd.urls"
WSGI_APPLICATION = "cccd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cccd.reports.replica.figures_age",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    if url.startswith("sqlite"):
        config: dict[str, object] = dict(dj_database_url.parse(url))
        # WAL lets the board and desks read while one writer commits; IMMEDIATE takes the write lock
        # at BEGIN, so two desks calling "next" queue up instead of failing with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        return config
    if url.startswith(("postgres://", "postgresql://")):
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    raise ImproperlyConfigured("DATABASE_URL must start with sqlite:/// or postgresql://")


DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": _database(env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cccd.sqlite3'}"))
}


def _replica(url: str, default: dict[str, object]) -> dict[str, object]:
    """A PostgreSQL streaming replica of the default database, read by dashboards, reports and
    exports only (cccd.reports.replica); never written, never migrated."""
    if default["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "CCCD_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: a streaming replica "
            "copies a PostgreSQL primary. Unset CCCD_REPLICA_URL or use PostgreSQL."
        )
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("CCCD_REPLICA_URL must start with postgresql://")
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CCCD_REPLICA_URL is not a valid database URL ({exc})."
        ) from None
    if not config.get("HOST") or not config.get("NAME"):
        raise ImproperlyConfigured(
            "CCCD_REPLICA_URL must name the host and the database, for example "
            "postgresql://cccd@replica.example:5432/cccd"
        )
    # an unreachable replica must cost a report a few seconds at most, then the primary answers
    config["OPTIONS"] = {"connect_timeout": 3, **dict(config.get("OPTIONS") or {})}  # type: ignore[call-overload]
    # the test suite never creates a database on a read-only standby
    config["TEST"] = {"MIRROR": "default"}
    return config


CCCD_REPLICA_URL = env_str("CCCD_REPLICA_URL", "")
if CCCD_REPLICA_URL:
    DATABASES["replica"] = _replica(CCCD_REPLICA_URL, DATABASES["default"])
# Beyond this lag the replica is not used and reports read from the primary (0: only when caught up).
CCCD_REPLICA_MAX_LAG_SECONDS = env_int(
    "CCCD_REPLICA_MAX_LAG_SECONDS", 300, minimum=0, maximum=86400
)
DATABASE_ROUTERS = ["cccd.reports.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cccd.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins (django-axes): per username and address together, so one
# office behind a shared address is not locked out by one person's typos.
# The public status page limits wrong guesses per client address; behind a reverse proxy name the
# request.META key the proxy sets to the real address (e.g. HTTP_X_REAL_IP) — a header the proxy
# overwrites, never one it passes on from the client.
CCCD_STATUS_CLIENT_ADDRESS = env_str("CCCD_STATUS_CLIENT_ADDRESS", "")
# The hour (Vietnam's time) after which `cccd daily_reports --if-due` writes the day's progress reports.
CCCD_REPORT_HOUR = env_int("CCCD_REPORT_HOUR", 21, minimum=0, maximum=23)
# Months of audit trail kept in the table: `cccd audit_partitions detach` refuses younger months
# (PostgreSQL; at least a year, so a yearly review always reads the whole year).
CCCD_AUDIT_RETENTION_MONTHS = env_int("CCCD_AUDIT_RETENTION_MONTHS", 24, minimum=12, maximum=1200)
# Where `cccd link --engine spark` runs Splink: local mode on this machine by default, or a
# standalone cluster's spark://host:port (docs/operations.md, "Linking on Spark").
CCCD_SPARK_MASTER = env_spark_master("CCCD_SPARK_MASTER", "local[*]")
# DuckDB's memory for the pre-check, `cccd link` and `cccd dedupe_register` before it spills to
# disk; some of its steps cannot spill, so a register of several million people needs more
# (bench/RESULTS.md, "100,000 rows against 10,000,000 people").
CCCD_DUCKDB_MEMORY_LIMIT = env_memory("CCCD_DUCKDB_MEMORY_LIMIT", "512MB")
# Days after which a card waiting at the unit counts as waiting long on the dashboard.
CCCD_CARD_WAITING_DAYS = env_int("CCCD_CARD_WAITING_DAYS", 30, minimum=1, maximum=365)
# A burst of refused requests (403s, other units' objects) shown to the unit's administrator and
# commander: at least COUNT refusals by one user within MINUTES, looked for over the last DAYS days.
CCCD_SECURITY_BURST_COUNT = env_int("CCCD_SECURITY_BURST_COUNT", 10, minimum=2, maximum=10_000)
CCCD_SECURITY_BURST_MINUTES = env_int("CCCD_SECURITY_BURST_MINUTES", 10, minimum=1, maximum=24 * 60)
CCCD_SECURITY_BURST_DAYS = env_int("CCCD_SECURITY_BURST_DAYS", 7, minimum=1, maximum=90)
AXES_FAILURE_LIMIT = env_int("CCCD_LOGIN_MAX_FAILURES", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = env_int("CCCD_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["cccd.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_ROOT = PACKAGE_DIR / "webroot"  # files browsers ask for at the root: /favicon.ico

LOG_LEVEL = env_choice("CCCD_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
# A handler that cannot write (a closed stream, a full disk) prints its failure to stderr chained to
# the exception being logged, unmasked; outside DEBUG it stays silent instead (Python's advice).
logging.raiseExceptions = DEBUG
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "cccd.accounts.masking.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # no subsetting chatter per PDF
        "httpx": {"level": "WARNING"},  # a kit's requests: the outcome is said by `cccd kit`
        # Django's defaults add an unmasked console in DEBUG, the 500 e-mail (the request's data,
        # the exception's message) otherwise, and runserver's log with query strings: its records
        # go to the masked root handler instead. tests/accounts/test_masking.py walks every handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Background work (imports, pre-checks, reports, notifications): django-tasks. CCCD_TASKS_BACKEND
# says where the queue is: `database` (django-tasks-db, run by `cccd db_worker`), `rq` (Redis at
# CCCD_REDIS_URL, run by `cccd rq_worker` on any number of machines) or `immediate` (inside the
# request; the older CCCD_TASKS_IMMEDIATE=true means the same). docs/operations.md.
CCCD_TASKS_BACKEND = tasks_backend("CCCD_TASKS_BACKEND", "CCCD_TASKS_IMMEDIATE")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[CCCD_TASKS_BACKEND]}}
if CCCD_TASKS_BACKEND == "rq":
    broker_installed("CCCD_TASKS_BACKEND")
    INSTALLED_APPS.append("django_rq")
    # django-tasks-rq puts a task of queue "default" on django-rq's queue of that name. No RQ
    # timeout worth the name (a province's import takes long): a job's lease says if it is alive.
    RQ_QUEUES = {
        "default": {
            "URL": redis_url("CCCD_REDIS_URL", required_by="CCCD_TASKS_BACKEND=rq"),
            "DEFAULT_TIMEOUT": 24 * 3600,
        }
    }
# A background job's lease: a job whose worker sent no heartbeat for this long is stopped, and any
# `cccd db_worker` or `cccd rq_worker` resumes it. Each committed batch of an import renews it.
CCCD_JOB_LEASE_SECONDS = env_int("CCCD_JOB_LEASE_SECONDS", 60, minimum=2, maximum=3600)
# Notifications (cccd.notify, docs/notifications.md): e-mail through EMAIL_* (Django's SMTP
# backend), SMS through an HTTP gateway described here (Vietnamese providers differ), Zalo ZNS.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL: set one of them, not both.")
CCCD_NOTIFY_FROM_EMAIL = env_str("CCCD_NOTIFY_FROM_EMAIL", "cccd@localhost")
# Channels whose messages are written to the log (their id and template, never the address or
# the text) and marked sent instead of being sent: "sms,zns" for a demo or a training server with
# no gateway contract; empty in production.
CCCD_NOTIFY_LOG_ONLY = frozenset(
    name.strip() for name in env_str("CCCD_NOTIFY_LOG_ONLY", "").split(",") if name.strip()
)
CCCD_NOTIFY_MESSAGE_ID_DOMAIN = env_str("CCCD_NOTIFY_MESSAGE_ID_DOMAIN", "cccd.localhost")
CCCD_NOTIFY_TIMEOUT_SECONDS = env_int("CCCD_NOTIFY_TIMEOUT_SECONDS", 15, minimum=1, maximum=120)
CCCD_NOTIFY_LEASE_SECONDS = env_int("CCCD_NOTIFY_LEASE_SECONDS", 120, minimum=2, maximum=3600)
CCCD_NOTIFY_MAX_ATTEMPTS = env_int("CCCD_NOTIFY_MAX_ATTEMPTS", 6, minimum=1, maximum=20)
CCCD_SMS_URL = env_str("CCCD_SMS_URL", "")
CCCD_SMS_METHOD = env_choice("CCCD_SMS_METHOD", "POST", {"POST", "PUT"})
CCCD_SMS_HEADERS = env_str("CCCD_SMS_HEADERS", "{}")  # a JSON object
# A JSON body whose strings may hold {phone} (84…), {text} and {reference} (from the event key).
CCCD_SMS_BODY = env_str(
    "CCCD_SMS_BODY", '{"to": "{phone}", "content": "{text}", "ref": "{reference}"}'
)
CCCD_SMS_SUCCESS_PATH = env_str("CCCD_SMS_SUCCESS_PATH", "status")  # dotted path in the answer
CCCD_SMS_SUCCESS_VALUE = env_str("CCCD_SMS_SUCCESS_VALUE", "ok")
CCCD_SMS_ID_PATH = env_str("CCCD_SMS_ID_PATH", "id")
CCCD_ZNS_URL = env_str("CCCD_ZNS_URL", "https://business.openapi.zalo.me")
CCCD_ZNS_ACCESS_TOKEN = env_str("CCCD_ZNS_ACCESS_TOKEN", "")
# Delivery reports (POST /notify/hooks/zns/ and /notify/hooks/sms/, cccd.notify.hooks): Zalo signs
# with the app id and the official account's secret key; the SMS gateway sends a shared secret in a
# header and its report's id and status at dotted paths. No secret: every report is refused.
CCCD_ZNS_APP_ID = env_str("CCCD_ZNS_APP_ID", "")
CCCD_ZNS_OA_SECRET_KEY = env_str("CCCD_ZNS_OA_SECRET_KEY", "")
CCCD_SMS_WEBHOOK_HEADER = env_str("CCCD_SMS_WEBHOOK_HEADER", "X-Webhook-Secret")
CCCD_SMS_WEBHOOK_SECRET = env_str("CCCD_SMS_WEBHOOK_SECRET", "")
CCCD_SMS_REPORT_ID_PATH = env_str("CCCD_SMS_REPORT_ID_PATH", "id")
CCCD_SMS_REPORT_STATUS_PATH = env_str("CCCD_SMS_REPORT_STATUS_PATH", "status")
CCCD_SMS_REPORT_DELIVERED = env_str("CCCD_SMS_REPORT_DELIVERED", "delivered")  # comma-separated
CCCD_SMS_REPORT_FAILED = env_str("CCCD_SMS_REPORT_FAILED", "failed,undelivered,rejected,expired")
# The site's public address (https://cccd.example.vn), for the opt-out link in e-mails' footer;
# empty: e-mails carry no link.
CCCD_NOTIFY_PUBLIC_URL = env_str("CCCD_NOTIFY_PUBLIC_URL", "")
# What "card arrived" tells the citizen about when to come (cccd.enrollments.dossiers.notices),
# and after how many days at the unit an uncollected card gets its one reminder
# (`cccd remind_uncollected_cards`).
CCCD_CARD_COLLECTION_HOURS = env_str(
    "CCCD_CARD_COLLECTION_HOURS", "trong giờ hành chính, từ thứ Hai đến thứ Sáu"
)
CCCD_CARD_REMINDER_DAYS = env_int("CCCD_CARD_REMINDER_DAYS", 14, minimum=1, maximum=365)
CCCD_MAX_UPLOAD_MB = env_int("CCCD_MAX_UPLOAD_MB", 200, minimum=1, maximum=4096)
# Bounds on every file read (cccd.filebounds): a hostile file is refused before it is iterated.
CCCD_MAX_UNPACKED_MB = env_int("CCCD_MAX_UNPACKED_MB", 1024, minimum=1, maximum=65536)
CCCD_MAX_TABLE_ROWS = env_int("CCCD_MAX_TABLE_ROWS", 5_000_000, minimum=100, maximum=10**9)
CCCD_MAX_TABLE_COLUMNS = env_int("CCCD_MAX_TABLE_COLUMNS", 256, minimum=8, maximum=16384)
CCCD_MAX_READ_SECONDS = env_int("CCCD_MAX_READ_SECONDS", 900, minimum=1, maximum=86400)
CCCD_MAX_REQUEST_READ_SECONDS = env_int("CCCD_MAX_REQUEST_READ_SECONDS", 30, minimum=1, maximum=600)
# Processes that check a register import's rows while it writes (cccd.registry.parsers); 0 checks
# them in the importing process. -1 (the default): one fewer than the CPUs (the writer needs one),
# at most 2, and none while the load average is 2 a CPU or more when the import starts.
CCCD_IMPORT_PARSERS = env_int("CCCD_IMPORT_PARSERS", -1, minimum=-1, maximum=16)
# OpenCV reads its decoding limit once, when it loads: the intake's limit (captures.MAX_PIXELS),
# set here, before anything imports cv2, so a picture whose header understates it is still bounded.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", "40000000")
# Field kits (docs/field-kit.md#the-checkout-package): how many dossier codes a checkout reserves.
CCCD_KIT_CODE_BLOCK = env_int("CCCD_KIT_CODE_BLOCK", 5000, minimum=10, maximum=10**7)

# Field mode (docs/field-kit.md): cccd on a field kit, a laptop that may be stolen at night. Its
# SQLite database is SQLCipher and every stored file is encrypted, under a key derived from the
# team leader's passphrase (CCCD_KIT_PASSPHRASE or CCCD_KIT_PASSPHRASE_FILE), never kept in the
# data folder; uploads stay in memory rather than in unencrypted temporary files.
CCCD_FIELD_MODE = env_bool("CCCD_FIELD_MODE", False)
if CCCD_FIELD_MODE:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        raise ImproperlyConfigured(
            "CCCD_FIELD_MODE=true runs a field kit on its own encrypted SQLite database: leave "
            "DATABASE_URL unset (or sqlite:///…), not PostgreSQL."
        )
    DATABASES["default"]["ENGINE"] = "cccd.fieldkit.atrest.sqlcipher"
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "key_folder": DATA_DIR}  # type: ignore[dict-item]
    STORAGES["default"] = {
        "BACKEND": "cccd.fieldkit.atrest.storage.EncryptedFileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "media", "key_folder": DATA_DIR},
    }
    FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
