"""Minsheng settings: one module, read from the environment.

The defaults give a working laptop (SQLite in WAL mode under var/, local files, console
e-mail). Production differs only by environment variables; see .env.example.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("MINSHENG_VAR_DIR", default=str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

# FileAwareEnv: every setting may also come from NAME_FILE (Docker secrets), e.g.
# SECRET_KEY_FILE=/run/secrets/key when SECRET_KEY is unset.
env = environ.FileAwareEnv(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)

DEV_SECRET_KEY = "dev-only-insecure-minsheng-key-change-me"  # noqa: S105 - refused below when DEBUG is off
DEBUG = env.bool("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.forms",  # its widget templates, found through TEMPLATES (FORM_RENDERER)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "minsheng.workers",  # the task workers' lease (task_worker, the RQ worker class)
    "minsheng.accounts",
    "minsheng.backups",
    "minsheng.audit",
    "minsheng.deadlines",
    "minsheng.cases",
    "minsheng.routing",
    "minsheng.dispatch",
    "minsheng.intake",
    "minsheng.notify",
    "minsheng.supervision",
    "minsheng.enforcement",  # enforcement cases (立案查处) linked to complaints
    "minsheng.knowledge",
    "minsheng.reports",
    "minsheng.api",
    "minsheng.portal",
    "minsheng.workbench",
    "minsheng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, before sessions and the rest
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minsheng.audit.middleware.AuditActorMiddleware",  # who changed what, for the audit record
    "django_otp.middleware.OTPMiddleware",
    "minsheng.workbench.middleware.SessionIdleMiddleware",
    "minsheng.workbench.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its answer
]

ROOT_URLCONF = "minsheng.urls"
# A form sent from an expired page gets the site's own 403 page (minsheng.urls has the others).
CSRF_FAILURE_VIEW = "minsheng.portal.views.csrf_failure"
WSGI_APPLICATION = "minsheng.wsgi.application"

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
                "minsheng.workbench.context_processors.navigation",
            ],
        },
    },
]
# Form widgets render through TEMPLATES, so that templates/django/forms/ can replace one of
# Django's (the select widget: its options written in place, not included one by one).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# SQLite by default (WAL, immediate transactions so concurrent writers queue instead of
# failing on lock upgrade); DATABASE_URL=postgres://... for production.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'minsheng.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME", default=None)}
# Keep a process's connection for this many seconds instead of opening one per request
# (PostgreSQL's connection set-up cost more than a whole submission); checked before reuse,
# so a connection the server closed is replaced, not failed on. 0 closes after each request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A read replica of the primary (PostgreSQL streaming replication) for the statistics'
# long reads (minsheng/lib/replica.py); unset, everything reads the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["minsheng.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "workbench:login"

# --- Accounts and public endpoints (README "Accounts and public endpoints") ---------------
# Argon2 first: a password stored with an older hasher is re-hashed on its next good login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes counts failed logins (workbench, admin, API token) by user name and by address
# separately: either one reaching AXES_FAILURE_LIMIT locks that user or that address out.
AUTHENTICATION_BACKENDS = [
    "minsheng.accounts.backends.LoginAttemptsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "minsheng.lib.clients.client_address"
AXES_LOCKOUT_CALLABLE = "minsheng.workbench.login.locked_out"
AXES_VERBOSE = False
# TOTP second factor (django-otp): staff with a confirmed device are asked for a code after
# the password; holders of these roles must enrol. On in production, off for the demo.
MINSHENG_OTP_REQUIRED_ROLES = env.list(
    "MINSHENG_OTP_REQUIRED_ROLES", default=[] if DEBUG else ["admin", "supervisor"]
)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Minsheng")
# A logged-in session ends after this many minutes without a request (re-saved at most
# once a minute by minsheng.workbench.middleware.SessionIdleMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# HTTPS in production: secure cookies, HSTS, redirect to https. Behind a TLS-terminating
# proxy set SECURE_PROXY_SSL_HEADER=true so X-Forwarded-Proto: https counts as secure.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from our own static files only,
# no inline script, style or event handler.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# The cache: rate-limit counters. Local memory (one process) by default; in production
# CACHE_URL=redis://... so every web process counts together.
_CACHE_URL = env.str("CACHE_URL", default="locmemcache://")
if _CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
else:
    CACHES = {"default": env.cache_url_config(_CACHE_URL)}
MINSHENG_RATELIMIT_CACHE = "default"
# The client address is REMOTE_ADDR; from these proxies (addresses/CIDRs) X-Forwarded-For.
MINSHENG_TRUSTED_PROXIES = env.list("MINSHENG_TRUSTED_PROXIES", default=[])
# Addresses/CIDRs never rate limited (a load balancer's checks, the benchmark client).
MINSHENG_RATELIMIT_ALLOW = env.list("MINSHENG_RATELIMIT_ALLOW", default=[])
# Public tracking (portal, API, Open311 look-ups): per client address and per case number.
MINSHENG_RATELIMIT_TRACK_CLIENT = env.str("MINSHENG_RATELIMIT_TRACK_CLIENT", default="30/10m")
MINSHENG_RATELIMIT_TRACK_CASE = env.str("MINSHENG_RATELIMIT_TRACK_CASE", default="10/10m")
# Public submission per client: a simple question past the first, refusal past the second.
MINSHENG_RATELIMIT_SUBMIT_CHALLENGE = env.str("MINSHENG_RATELIMIT_SUBMIT_CHALLENGE", default="5/h")
MINSHENG_RATELIMIT_SUBMIT = env.str("MINSHENG_RATELIMIT_SUBMIT", default="30/h")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads (minsheng/lib/uploads.py): limits per file and per request; office files (zips)
# that would unpack to more than UPLOAD_MAX_UNZIPPED_MB and larger images are refused.
# MEDIA_ROOT is never served by a URL: files go out only through views that check access.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_MB", default=20) * 1024 * 1024
UPLOAD_MAX_FILES = env.int("UPLOAD_MAX_FILES", default=10)
UPLOAD_MAX_UNZIPPED_BYTES = env.int("UPLOAD_MAX_UNZIPPED_MB", default=200) * 1024 * 1024
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)

# --- Files and static files (README "Running in production") ---------------------------
# Every stored file (attachments, notice files, exports, imports) goes through Django's
# storage API. FILE_STORAGE=local (default): MEDIA_ROOT on this disk. FILE_STORAGE=s3: any
# S3-compatible object store (django-storages). Neither is served by a URL: files go out
# streamed, through views that ask the access rule first.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
_FILE_STORAGES: dict[str, dict[str, Any]] = {
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
if FILE_STORAGE == "s3":
    _FILE_STORAGES["s3"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            # Unset: AWS itself, and boto3's own credential chain (instance role, ~/.aws).
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            # Should anything ask for an object's URL, it is signed and expires.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
if FILE_STORAGE not in _FILE_STORAGES:
    raise ImproperlyConfigured("FILE_STORAGE must be local or s3.")
# Static files through WhiteNoise: with DEBUG off from STATIC_ROOT (`collectstatic`), with
# hashed, compressed names; with DEBUG on (laptop, tests) straight from static/, no
# collectstatic needed.
STORAGES = {
    "default": _FILE_STORAGES[FILE_STORAGE],
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "minsheng.api.errors.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Minsheng API",
    "DESCRIPTION": "Complaint and petition management (民声).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Outgoing mail (notifications) through Django's SMTP backend when EMAIL_BACKEND says so.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="民声 <noreply@minsheng.localhost>")
# Outgoing Message-IDs are <case-{number}.{random}@MINSHENG_MAIL_DOMAIN>; replies are
# matched to their case by it.
MINSHENG_MAIL_DOMAIN = env.str("MINSHENG_MAIL_DOMAIN", default="minsheng.localhost")
# The public address of this site, for links in notifications.
MINSHENG_BASE_URL = env.str("MINSHENG_BASE_URL", default="http://127.0.0.1:8000")
# SMS: a dotted path to a backend class (minsheng.notify.sms); the HTTP gateway adapter
# posts JSON to SMS_GATEWAY_URL with a bearer token (README "Notifications").
SMS_BACKEND = env.str("SMS_BACKEND", default="minsheng.notify.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# Seconds to wait for a webhook subscriber's answer before trying again later.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# Seconds after which a message or webhook left `sending` is taken for a dead worker's and
# sent again, with the same Message-ID / SMS reference / webhook-id (the window in which a
# receiver may see it twice). Keep it above the slowest send: EMAIL_TIMEOUT covers each
# SMTP step, SMS_GATEWAY_TIMEOUT and WEBHOOK_TIMEOUT the whole answer.
NOTIFY_SENDING_TIMEOUT = env.float("NOTIFY_SENDING_TIMEOUT", default=90.0)
# Webhooks and the SMS gateway refuse private, loopback, link-local, multicast and reserved
# addresses (server-side request forgery) unless this allows them (minsheng/lib/outbound.py).
MINSHENG_OUTBOUND_ALLOW_PRIVATE = env.bool("MINSHENG_OUTBOUND_ALLOW_PRIVATE", default=False)
# Backups (`manage.py backup` / `restore`, minsheng/backups): the AES-256 key, base64 of 32
# random bytes (`manage.py backup --new-key`); its own secret, kept apart from the backups.
BACKUP_KEY = env.str("BACKUP_KEY", default="")

# E-mail in (`manage.py mail_receive`, minsheng/intake/channels/email.py): the address
# complainants write to; the receiver takes mail for it and for any address at
# MINSHENG_MAIL_DOMAIN, up to MINSHENG_MAIL_MAX_BYTES.
MINSHENG_COMPLAINT_ADDRESS = env.str(
    "MINSHENG_COMPLAINT_ADDRESS", default="complaints@minsheng.localhost"
)
MINSHENG_MAIL_MAX_BYTES = env.int("MINSHENG_MAIL_MAX_BYTES", default=25 * 1024 * 1024)

# The shared research data (train.csv, dev.csv, ...) outside the repository, read in place
# by the router's training and the benchmarks (minsheng/lib/shared_data.py).
MINSHENG_SHARED_DATA = Path(
    env.str("MINSHENG_SHARED_DATA", default=str(BASE_DIR.parent / "shared" / "data"))
)

# Background work (Django's Tasks API). "database" (default) keeps the queue in our own
# database and needs no other server: `make run` starts `manage.py db_worker` beside the web
# server. "redis" is the production setting (RQ; workers run
# `manage.py rqworker default --with-scheduler`).
# "immediate" runs each task in the enqueuing process (tests that want no worker).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# rqworker must load jobs as Tasks API jobs; run it with --with-scheduler so retries
# deferred with run_after are started when due. The worker class adds the lease below.
RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "minsheng.workers.rq_worker.Worker"}
# The task lease: a task whose worker has been silent this long (killed, or cut off from the
# database or Redis) is run again by another worker (`manage.py task_worker` for the
# database backend, RQ's abandoned-job retry for Redis; minsheng/workers/).
TASKS_LEASE_SECONDS = env.int("TASKS_LEASE_SECONDS", default=30)
# Called once by each RQ worker before it forks a process per job, so that what they load is
# shared by every job instead of read again by each (minsheng/workers/rq_worker.py).
TASKS_WORKER_PRELOAD = ["minsheng.routing.selectors.router_active"]

# The deadline watch (`manage.py watch`): the periodic jobs it enqueues every WATCH_SECONDS,
# each owned by its app and safe to repeat. Named here so that no app imports another's.
WATCH_JOBS = [
    "minsheng.supervision.jobs.watch_job",  # notices by policy, notice warnings, return visits
    "minsheng.notify.jobs.notify_sweep_job",  # due-soon/overdue reminders, outbox catch-up
    "minsheng.reports.jobs.facts_refresh_job",  # the figures' per-case summary
    "minsheng.dispatch.jobs.drift_watch_job",  # auto-dispatch pauses itself on drift
    "minsheng.routing.jobs.duplicate_index_save_job",  # the similar-case index every process maps
]
WATCH_SECONDS = env.int("WATCH_SECONDS", default=60)
# What follows a committed case event: one task per announced event runs each of these in
# turn (`cases.jobs.events_consume_job`), each owned by its app and safe to repeat. Named
# here for the same reason as WATCH_JOBS.
EVENT_CONSUMERS = [
    "minsheng.notify.jobs.events_consume",  # the messages (receipt first) and webhook posts
    "minsheng.routing.jobs.events_consume",  # the collective-complaint check of a new case
    "minsheng.dispatch.jobs.events_consume",  # automatic dispatch of an accepted case
]
# Where routing's trained models and the duplicate-index snapshot are kept: a directory that
# every web and worker process reads (shared between the machines, when there are several).
ROUTING_ARTIFACT_DIR = env.str("ROUTING_ARTIFACT_DIR", default=str(VAR_DIR / "routing"))
# The hot topics a monthly report made in the background lists (routing's, named here for
# the same reason).
MINSHENG_TOPICS_SOURCE = "minsheng.routing.hot_topics.period_topics"
# The precisions routing's gated retraining (train button, `train_router` from cron) must
# hold: a function returning those of the automatic-dispatch policies in use (named here
# for the same reason). Empty, or no policy enabled: 98 % only.
MINSHENG_DISPATCH_PRECISIONS_SOURCE = "minsheng.dispatch.selectors.precisions_in_use"

# Keyed hashes of query codes, phone numbers, e-mail addresses, complainants' names and
# Open311 keys: a secret of its own (rotating SECRET_KEY must not break every look-up);
# changing it needs a re-hash of those columns.
HASH_KEY = env.str("HASH_KEY", default="")
if not HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set HASH_KEY (or HASH_KEY_FILE) when DEBUG is off.")
    # The development default: the development SECRET_KEY, as before, so a laptop's data
    # keeps its hashes.
    HASH_KEY = DEV_SECRET_KEY

# Personal data encrypted at rest (minsheng.lib.crypto): `kid:base64key` entries, the first
# one current; `manage.py make_key NEW_ID` makes one, `manage.py rotate_keys` re-encrypts.
DEV_FIELD_ENCRYPTION_KEY = "dev:ZGV2LW9ubHktaW5zZWN1cmUtbWluc2hlbmcta2V5ISE="  # noqa: S105 - refused below
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_FIELD_ENCRYPTION_KEY])
if not DEBUG and DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) when DEBUG is off; the "
        "development key must not be among them."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"minsheng": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")}},
}
