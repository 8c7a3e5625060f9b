"""Settings for the arbitration back office: one file, driven by the environment.

Defaults give a working embedded set-up (SQLite, a filesystem Celery broker, local-memory
cache, files in a private folder), so `make demo` needs nothing but Python. Production sets
DATABASE_URL, CELERY_BROKER_URL, REDIS_URL and the storage variables (see README).
"""

import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import Env
from config.logs import configure_structlog, logging_config
from config.sentry import sentry_init

env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("APP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", False)
# The fallback key starts with "django-insecure-" so `check --deploy` refuses it (security.W009).
SECRET_KEY = (
    env.str("DJANGO_SECRET_KEY", "") or "django-insecure-local-development-key-do-not-use-in-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram indexes for the back office's search (marketplace.search)
    "django_fsm_log",
    # Issue 16 (R-OPS-1, R-OPS-2): second factor, row history, structured logs, health.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "pgtrigger",
    "pghistory",
    "django_structlog",
    "health_check",
    "ninja",  # the API docs page serves its own Swagger UI files (no CDN)
    "marketplace",
    "marketplace.audit",
    "arbitration",
]

MIDDLEWARE = [
    "config.instruments.RequestMetricsMiddleware",  # R-OPS-3: request latency
    # R-API-6: every error under /api/ as application/problem+json (404/405 from the resolver too).
    "marketplace.api.middleware.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Issue 13: a Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the person read with the session row (one query: config.sessions, issue 15).
    "marketplace.security.signed_in.AuthenticationMiddleware",
    # Issue 13: a browser that signs in gets its "known device" cookie (sign-in limits).
    "marketplace.login_limits.known_device_middleware",
    # django-otp's OTPMiddleware, answering from the devices read with the person (issue 15).
    "marketplace.security.signed_in.SecondFactorMiddleware",
    # R-OPS-4: a request id (or the caller's X-Request-ID) and the user on every log line.
    "django_structlog.middlewares.RequestMiddleware",
    # R-OPS-1: the one place staff without a verified second factor are stopped.
    "marketplace.security.middleware.StaffSecondFactorMiddleware",
    # Issue 13: pages of a signed-in person are never stored by a browser or a proxy.
    "marketplace.security.middleware.private_pages_not_stored",
    # R-OPS-2: the acting user and the request id on every row history event.
    "marketplace.audit.context.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Behind PgBouncer in transaction pooling mode (DATABASE_POOLING=transaction) a server connection
# serves another client after every transaction: no server-side cursors and no prepared
# statements may outlive one (the code itself keeps no session state: SET LOCAL, row claims).
DATABASE_POOLING = env.choice("DATABASE_POOLING", "", choices=("", "transaction"))
if DATABASE_POOLING == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "marketplace.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed sign-ins are counted in the shared cache (Redis via REDIS_URL in production) per
# username and per client address; at the limit, sign-in is paused until the window ends
# (R-SEC-3). The address limit is higher because many people can share one address (mobile
# carriers, offices).
AUTHENTICATION_BACKENDS = ["marketplace.login_limits.RateLimitedModelBackend"]
LOGIN_FAILURE_LIMIT_PER_USERNAME = env.int("LOGIN_FAILURE_LIMIT_PER_USERNAME", 5, minimum=1)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", 20, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
# An address past its limit is slowed, not locked: one attempt every this many seconds, so people
# sharing it still get in with their right password (marketplace/login_limits.py).
LOGIN_IP_THROTTLE_SECONDS = env.int("LOGIN_IP_THROTTLE_SECONDS", 10, minimum=1)
# A browser that signed in as a username gets a signed cookie for it, valid this many days: it is
# never throttled for other people's failures at its address.
LOGIN_KNOWN_DEVICE_DAYS = env.int("LOGIN_KNOWN_DEVICE_DAYS", 90, minimum=1)
# Password reset: requests per address, emails per email address, per window.
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", 10, minimum=1)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", 60 * 60, minimum=1)
# The client's address for these limits is REMOTE_ADDR unless the proxies in front are named:
# how many proxies append to X-Forwarded-For (e.g. 1 for one nginx), or their addresses/networks.
# Never set either without a proxy that overwrites or appends to the header: a client could forge it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", [])
if TRUSTED_PROXY_COUNT and TRUSTED_PROXIES:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXIES, not both.")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from None

# Shared cache: login rate limits and the admin dashboard's charts must be shared between
# processes in production, so REDIS_URL points it at Redis; the demo uses local memory.
# R-OPS-5: with Redis down, pages keep working. The default cache is django-redis with
# IGNORE_EXCEPTIONS (Django's own RedisCache has no such option and raises on every call): a read
# is a miss, a write is dropped, each logged. The sign-in limits use their own alias that does
# raise, so login_limits knows Redis is gone and counts per process meanwhile (with a warning)
# instead of silently not counting. Short socket timeouts: a Redis that hangs costs a page at
# most a second per call, not a worker.
REDIS_URL = env.str("REDIS_URL", "")
if REDIS_URL:
    env.url("REDIS_URL", REDIS_URL, schemes=("redis", "rediss", "unix"))
    _redis_options = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis_options, "IGNORE_EXCEPTIONS": True},
        },
        "limits": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _redis_options,
        },
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"},
    }

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))

# Files: evidence is private. The local default lives outside any URL the web server serves;
# files reach users only through permission-checked views (R-EVD-3).
STORAGE_BACKEND = env.str("STORAGE_BACKEND", "local")
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private-media")))
_default_storage: dict[str, Any]
if STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
elif STORAGE_BACKEND == "s3":
    from boto3.s3.transfer import TransferConfig

    # Bounded memory per transfer: 4 threads and at most 4 parts of 8 MB read ahead into memory
    # (s3transfer's default is 10 parts: 80 MB per upload), and a file opened from S3 (to make a
    # rendition) spills to disk past 8 MB instead of staying in memory.
    _evidence_transfer = TransferConfig(
        multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=4
    )
    _evidence_transfer.max_in_memory_upload_chunks = 4
    _evidence_transfer.max_in_memory_download_chunks = 4
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", "arbitration-evidence"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", "") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", "") or None,
            "default_acl": None,  # bucket policy decides; objects are never public-read
            "querystring_auth": True,  # presigned URLs only
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", 60, minimum=1),
            "file_overwrite": False,
            "transfer_config": _evidence_transfer,
            "max_memory_size": 8 * 1024 * 1024,
            # Presigned links signed with SigV4 (botocore still presigns S3 with the deprecated
            # SigV2 unless told; new AWS regions refuse it), so X-Amz-Expires bounds the link's life.
            "signature_version": "s3v4",
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', got {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: console by default, SMTP when EMAIL_HOST is set; EMAIL_BACKEND may name any Django
# backend (the Celery integration test uses the file-based one with EMAIL_FILE_PATH). A hung
# mail server must not hold a worker and a row lock forever, hence the timeout.
EMAIL_HOST = env.str("EMAIL_HOST", "")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
if EMAIL_HOST:
    EMAIL_PORT = env.int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Buyer Protection <protection@marketplace.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_ALERT_EMAILS = env.list("STAFF_ALERT_EMAILS", [])
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")

# Celery. The demo default is kombu's filesystem broker, so no Redis is needed to try it.
CELERY_DATA_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL",
    "filesystem://localhost/",
    schemes=("filesystem", "redis", "rediss", "memory", "amqp"),
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any]
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        # Fanout exchange tables; kombu's default is a "control" folder in the working directory.
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
    }
else:
    # Redis redelivers a task not acknowledged within the visibility timeout; jobs finish well
    # inside it (see the time limits below), so a slow job is never run twice by redelivery.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With acks_late, a task running when the broker connection drops is cancelled and redelivered
# rather than finishing unacknowledged (Celery 5.1+ recommends it; every task is idempotent).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", 900, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# Scheduled jobs (R-JOB-1, R-JOB-2), the beat schedule itself is config/schedule.py.
# Jobs work in bounded batches.
JOB_BATCH_SIZE = env.int("JOB_BATCH_SIZE", 500, minimum=1)
# A beat tick with more than a batch due asks for up to this many runs of the job at once, so
# that many workers share the sweep (each claims different rows); 1 keeps one run per tick.
JOB_FANOUT = env.int("JOB_FANOUT", 4, minimum=1)
# Every interval entry of the schedule runs every JOB_INTERVAL_SECONDS instead of its own
# interval when this is set (the Celery integration test uses 1); 0 keeps the schedule.
JOB_INTERVAL_SECONDS = env.int("JOB_INTERVAL_SECONDS", 0, minimum=0)
# A sweep stops taking new items after this many seconds (0: 80% of the soft time limit) and
# the next run continues, so Celery's time limits never cut a job mid-item.
JOB_TIME_BUDGET_SECONDS = env.int("JOB_TIME_BUDGET_SECONDS", 0, minimum=0)
# Deadline sweeps commit with synchronous_commit=off on PostgreSQL; see
# marketplace.scheduling.set_local_async_commit for why that is safe. false: every commit waits for disk.
JOB_ASYNC_COMMIT = env.bool("JOB_ASYNC_COMMIT", True)
# The dashboard marks a sweep behind when its oldest due item waits longer (/metrics: job_sweep_lag_seconds).
JOB_LAG_ALERT_SECONDS = env.int("JOB_LAG_ALERT_SECONDS", 900, minimum=1)

# Deadlines (SPEC §14). Days unless the name says otherwise; all overridable from the environment.
BUYER_PROTECTION_DAYS = env.int("BUYER_PROTECTION_DAYS", 60, minimum=1)  # R-PRT-1
DISPUTE_WINDOW_AFTER_RECEIPT_DAYS = env.int("DISPUTE_WINDOW_AFTER_RECEIPT_DAYS", 15, minimum=1)  # R-PRT-2
EXTENSION_MAX_DAYS = env.int("EXTENSION_MAX_DAYS", 30, minimum=1)  # R-PRT-4
PROTECTION_REMINDER_DAYS = env.int("PROTECTION_REMINDER_DAYS", 3, minimum=0)  # R-PRT-5
MAX_DISPUTE_AMENDMENTS = env.int("MAX_DISPUTE_AMENDMENTS", 4, minimum=0)  # R-DSP-3
ESCALATION_AFTER_DAYS = env.int("ESCALATION_AFTER_DAYS", 7, minimum=1)  # R-DSP-6
ARBITER_DECISION_DAYS = env.int("ARBITER_DECISION_DAYS", 5, minimum=1)  # R-ARB-4
REFUND_DEADLINE_DAYS = env.int("REFUND_DEADLINE_DAYS", 60, minimum=1)  # R-REF-2
RETURN_SHIP_DAYS = env.int("RETURN_SHIP_DAYS", 10, minimum=1)  # R-RET-1
RETURN_CONFIRM_DAYS = env.int("RETURN_CONFIRM_DAYS", 15, minimum=1)  # R-RET-2
# R-RET-1: remind the buyer this many days before the ship-by date.
RETURN_REMINDER_DAYS = env.int("RETURN_REMINDER_DAYS", 3, minimum=0)
# R-ARB-6: the default time to answer an arbiter's question.
INFORMATION_REQUEST_DAYS = env.int("INFORMATION_REQUEST_DAYS", 3, minimum=1)

# Payouts (R-REF-3): the adapter class, and how long the simulated gateway takes to settle.
PAYOUT_GATEWAY = env.str("PAYOUT_GATEWAY", "marketplace.gateways.SimulatedGateway")
SIMULATED_GATEWAY_SETTLE_SECONDS = env.int("SIMULATED_GATEWAY_SETTLE_SECONDS", 30, minimum=0)

# Evidence files (R-EVD-2): per-type size limits in MB and files per dispute.
EVIDENCE_MAX_IMAGE_MB = env.int("EVIDENCE_MAX_IMAGE_MB", 15, minimum=1)
EVIDENCE_MAX_VIDEO_MB = env.int("EVIDENCE_MAX_VIDEO_MB", 200, minimum=1)
EVIDENCE_MAX_PDF_MB = env.int("EVIDENCE_MAX_PDF_MB", 20, minimum=1)
EVIDENCE_MAX_FILES_PER_DISPUTE = env.int("EVIDENCE_MAX_FILES_PER_DISPUTE", 30, minimum=1)
# An image may have this many pixels (width × height); animations share the budget over all
# frames. Bigger ones are refused before decoding.
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
# ... and may take this many MB once decoded: width × height × bands (3 for colour, 4 with
# transparency; every frame of an animation counts 4). 150 lets a 50-megapixel colour photo in
# and bounds what one check or rendition may hold.
EVIDENCE_MAX_DECODED_MB = env.int("EVIDENCE_MAX_DECODED_MB", 150, minimum=1)
EVIDENCE_THUMBNAIL_PX = env.int("EVIDENCE_THUMBNAIL_PX", 400, minimum=16)
# How local evidence files leave the server after the permission check (R-EVD-3): "none"
# (Django streams them), "x-accel" (nginx: an `internal` location at EVIDENCE_SENDFILE_PREFIX
# aliased to PRIVATE_MEDIA_ROOT) or "x-sendfile" (Apache mod_xsendfile, lighttpd).
EVIDENCE_SENDFILE = env.str("EVIDENCE_SENDFILE", "none")
if EVIDENCE_SENDFILE not in ("none", "x-accel", "x-sendfile"):
    raise ImproperlyConfigured(
        f"EVIDENCE_SENDFILE must be none, x-accel or x-sendfile, got {EVIDENCE_SENDFILE!r}."
    )
EVIDENCE_SENDFILE_PREFIX = env.str("EVIDENCE_SENDFILE_PREFIX", "/protected-evidence/")
# S3: the presigned link a permitted user is redirected to lives this many seconds.
EVIDENCE_URL_EXPIRE_SECONDS = env.int("EVIDENCE_URL_EXPIRE_SECONDS", 60, minimum=1)

# Uploads stream: a request up to FILE_UPLOAD_MAX_MEMORY_SIZE is kept in memory, anything larger
# goes to a temporary file on disk in 64 KB chunks (R-EVD-3). A file past the largest evidence
# limit stops being written at all (EvidenceUploadHandler keeps its first bytes only), so the
# form says "too large" instead of the disk filling up.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "arbitration.evidence.uploads.EvidenceUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=0)
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", "") or None  # None: the system's temp folder
# More files than a case can hold are refused by Django before parsing (HTTP 400); below that
# the upload field explains the per-dispute count.
DATA_UPLOAD_MAX_NUMBER_FILES = EVIDENCE_MAX_FILES_PER_DISPUTE + 20

# Production hardening; `manage.py check --deploy` is clean with DJANGO_DEBUG=false (R-SEC-3).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# The language cookie like the others: not readable by scripts, not sent by other sites' forms,
# and Secure in production (below).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (issue 13) with django-csp: Django 5.2 has none built in, and django-csp
# is the library Django 6's own is modelled on (same settings shape, nonces, per-view
# csp_update/csp_exempt, report-only mode), so moving to Django 6 is a settings rename.
# Scripts only from this site: no page needs an inline script (the pages' own code is in
# static/js, the admin's in static/admin_ext, and Django 5.2's admin uses script files and JSON
# data blocks only). Inline *styles* stay allowed: the admin's change list and the health page
# carry a <style> block and the money bars are drawn with style="width: …%"; a style can't run
# code. Evidence images and videos may come from the S3 endpoint (presigned redirects).
_media_sources: list[str] = [SELF]
if STORAGE_BACKEND == "s3":
    _endpoint = urlsplit(_default_storage["OPTIONS"]["endpoint_url"] or "https://s3.amazonaws.com")
    _media_sources.append(
        f"{_endpoint.scheme}://{_endpoint.netloc}"
        if _default_storage["OPTIONS"]["endpoint_url"]
        else "https://*.amazonaws.com"
    )
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [*_media_sources, "data:"],
        "media-src": _media_sources,
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Structured logs (R-OPS-4, config/logs.py): JSON lines, or readable ones with LOG_FORMAT=console
# (the default when DJANGO_DEBUG is on, as in `make demo`).
LOG_FORMAT = env.str("LOG_FORMAT", "console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be json or console, got {LOG_FORMAT!r}.")
LOGGING = logging_config(level=env.str("LOG_LEVEL", "INFO"), json=LOG_FORMAT == "json")
configure_structlog()

# Sessions live in the database only (R-OPS-5): a signed-in page needs nothing but PostgreSQL.
# cached_db fails hard when Redis is down, and a cache that ignored errors would be worse: a
# sign-out during an outage deletes the row, and the stale cached copy would sign the person back
# in once Redis returns. One indexed primary-key read per request is cheap beside the page, once
# it is not compiled from a queryset on every request (config.sessions, issue 15).
SESSION_ENGINE = "config.sessions"


# --- Run it like a money system (R-OPS-1..4) --------------------------------------------------
# Second factor for staff (R-OPS-1): django-otp devices; passkeys and security keys through
# django-otp-webauthn, only as a second factor (the sign-in page stays password-first).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", "Buyer Protection back office")
OTP_WEBAUTHN_RP_NAME = env.str("OTP_WEBAUTHN_RP_NAME", "Buyer Protection back office")
# The site's domain (passkeys are bound to it) and the origins the browser may use.
OTP_WEBAUTHN_RP_ID = env.str("OTP_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", ["http://localhost:8000"])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Structured logs (R-OPS-4): the request id travels to Celery tasks in their headers.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_USER_ID_FIELD = "pk"
# Take the request id from the proxy's X-Request-ID (nginx: proxy_set_header X-Request-ID $request_id)
# so the proxy's and the application's lines share it; otherwise a new one per request.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("LOG_TRUST_UPSTREAM_REQUEST_ID", False)

# Metrics (R-OPS-3): Prometheus scrapes /metrics with `Authorization: Bearer <METRICS_TOKEN>`;
# without a token only a verified staff session may read it.
METRICS_TOKEN = env.str("METRICS_TOKEN", "")

# Error tracking (R-OPS-4): Sentry when SENTRY_DSN is set; beat jobs are monitored (Crons).
SENTRY_DSN = env.str("SENTRY_DSN", "")
if SENTRY_DSN:
    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", ""),
        release=env.str("SENTRY_RELEASE", ""),
        traces_sample_rate=float(env.str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )
# --- Outbound webhooks (R-API-5: marketplace/webhooks/) ------------------------------------------
# Each attempt waits at most this long for the receiver (connecting: at most 3 s of it).
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# Retries: exponential backoff with jitter from BASE, at most MAX_DELAY apart, for RETRY_HOURS.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", 6 * 3600, minimum=1)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", 72, minimum=1)
# An Idempotency-Key's stored answer is kept this long (as long as our own webhook retries last);
# then the purge_idempotency_keys job deletes it and the key is new again (R-API-3).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", 72, minimum=1)
# Deliveries one worker sends at once (threads waiting on the network).
WEBHOOK_CONCURRENCY = env.int("WEBHOOK_CONCURRENCY", 16, minimum=1)
# After a secret rotation the previous secret keeps signing this long (both signatures are sent).
WEBHOOK_SECRET_ROTATION_HOURS = env.int("WEBHOOK_SECRET_ROTATION_HOURS", 24, minimum=0)
# Loopback/private addresses and plain http://: refused in production (SSRF); DEBUG or this allows them.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", DEBUG)

# --- Integration API (R-API-1..4: marketplace/api/, arbitration/api/) ---------------------------
# The payment provider's payout results (POST /api/v1/payouts/callback) are signed per Standard
# Webhooks with this secret ("whsec_…", base64). Empty: the callback is off and answers 503.
PAYOUT_CALLBACK_SECRET = env.str("PAYOUT_CALLBACK_SECRET", "")
