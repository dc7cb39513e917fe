"""The one settings module: every knob is read from the environment, checked at start-up.

Two shapes share this file:

* **embedded default** (nothing set): SQLite, the in-memory channel layer, a Celery broker
  on a second SQLite file (kombu's SQLAlchemy transport), e-mail to the console and a file;
* **production** (``ROUNDTABLE_MODE=production``): PostgreSQL, Redis for channels and Celery,
  SMTP, ``DEBUG`` off and every ``check --deploy`` hardening on. Required variables that are
  missing or malformed stop start-up with a one-line reason (see ``config.env``).

Under pytest (``PYTEST_VERSION`` is set by pytest itself) the integration defaults point at the
PostgreSQL and Redis on this machine, overridable by the same variables.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import ConfigError, Settings, secret_key_file

BASE_DIR = Path(__file__).resolve().parent.parent
env = Settings(os.environ)

TESTING = "PYTEST_VERSION" in os.environ
MODE = env.choice("ROUNDTABLE_MODE", ("embedded", "production"), default="embedded")
PRODUCTION = MODE == "production"

VAR_DIR = env.path("ROUNDTABLE_VAR_DIR", default=BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECRET_KEY = env.secret("SECRET_KEY")
    DEBUG = False
    if env.bool("DEBUG", default=False):
        raise ConfigError("DEBUG: must not be on in production")
else:
    # No key given: a random one made on first start and kept in var/secret_key (mode 0600),
    # so sessions survive restarts and no two installations share a key.
    if env.has("SECRET_KEY"):
        SECRET_KEY = env.secret("SECRET_KEY")
    else:
        SECRET_KEY = secret_key_file(VAR_DIR / "secret_key")
    DEBUG = env.bool("DEBUG", default=False)
# Rotation: the new key in SECRET_KEY, the old ones here (comma-separated) until the sessions
# and links they signed have expired; then drop them.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
if any(len(key) < 50 for key in SECRET_KEY_FALLBACKS):
    raise ConfigError("SECRET_KEY_FALLBACKS: every key must be at least 50 random characters")

if PRODUCTION:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "accounts",
    "questionbank",
    "candidates",
    "sessions_live",
    "notify",
    "cabinet",
    "interviews",
    "scheduling",
    "video_interviews",
    "api",
    "search",
    "reports",
    "portal",
]

MIDDLEWARE = [
    "config.client_ip.TrustedProxyMiddleware",  # first: X-Forwarded-* only from our proxies
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (see "Security").
    "csp.middleware.CSPMiddleware",
    "config.permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's own language (over the cookie/browser's) and time zone.
    "accounts.middleware.PersonalLocaleMiddleware",
    # A candidate's account (video interviews) reaches its own area only: 404 elsewhere.
    "accounts.fence.CandidateFenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "access.context_processors.roles",
            ],
            # ``{{ moment|when }}``: the one date-and-time format, with the zone's name.
            "builtins": ["accounts.templatetags.when"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if PRODUCTION:
    DATABASES = {"default": env.database("DATABASE_URL")}
elif TESTING:
    DATABASES = {
        "default": env.database(
            "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/roundtable"
        )
    }
else:
    DATABASES = {
        "default": env.database(
            "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'roundtable.sqlite3'}"
        )
    }
if TESTING:
    # One test database per run, so two runs on one machine never drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_roundtable_{os.getpid()}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two commands on one session
    # serialise instead of failing at commit; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.bool("DB_POOL", default=not TESTING):
    # A pool of PostgreSQL connections per process, shared by all its threads: opening a
    # connection per call costs a backend fork and several round trips, the largest single
    # cost of a live command. (Django's persistent connections are no use under ASGI, where
    # every HTTP request runs on a thread of its own and would keep one open.) A pooled
    # connection is checked before it is handed out, so one that died with the server is
    # replaced instead of failing a command. Under pytest it is off: the test database must
    # be droppable at the end of the run.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them, not Django
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool's check on hand-out
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env.int("DB_POOL_SIZE", default=16),
        # A call that waits longer for a connection fails with "unavailable": while the
        # database is away, a command gets its error frame within seconds instead of hanging.
        "timeout": env.number("DB_POOL_TIMEOUT", default=2.0),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Worker threads per process for the live session's database calls (sessions_live/db.py).
LIVE_DB_THREADS = env.int("LIVE_DB_THREADS", default=2)
if LIVE_DB_THREADS < 1:
    raise ConfigError(f"LIVE_DB_THREADS: expected at least 1, got {LIVE_DB_THREADS}")
# Each of those threads keeps its database connection between calls (sessions_live/db.py);
# off under pytest, where the test database must be droppable at the end of the run.
LIVE_DB_KEEP_CONNECTIONS = env.bool("LIVE_DB_KEEP_CONNECTIONS", default=not TESTING)
# A web process's garbage collector: start-up frozen, the youngest generation collected less
# often (config/gc_tuning.py); off under pytest, whose process is no long-lived server.
GC_TUNING = env.bool("GC_TUNING", default=not TESTING)
# daphne's TCP writes sent at once when nothing is queued before them (config/eager_writes.py);
# off gives Twisted's own buffered writes (make bench measures both).
LIVE_EAGER_WRITES = env.bool("LIVE_EAGER_WRITES", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, channels, Celery ----------------------------------------------------------------
if PRODUCTION:
    REDIS_URL: str | None = env.redis_url("REDIS_URL")
elif TESTING:
    REDIS_URL = env.redis_url("REDIS_URL", default="redis://127.0.0.1:6379/0")
else:
    REDIS_URL = env.redis_url("REDIS_URL", default=None)

# A test run (each pytest-xdist worker is one) keeps its groups to itself: two runs' users
# with the same id must not hear each other's notices.
CHANNEL_PREFIX = env.str(
    "CHANNEL_PREFIX", default=f"roundtable-test-{os.getpid()}" if TESTING else "roundtable"
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_PREFIX},
        }
    }
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # A Redis-less broker that keeps tasks on disk: nothing is dropped when no Redis runs.
    CELERY_BROKER_URL = env.str(
        "CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
    )
# The cache holds rate-limit counts (API throttles, wrong join codes): in Redis wherever Redis
# is configured, so every process counts against one limit. (Each test run has its own prefix.)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CHANNEL_PREFIX}-test-{os.getpid()}" if TESTING else CHANNEL_PREFIX,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    # How long an unacknowledged task waits before Redis hands it out again (a worker died);
    # longer than any retry countdown, or a waiting retry would be handed out twice. (Only for
    # Redis: kombu's SQLAlchemy transport passes its options on to create_engine.)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Repeated failed logins: lock the (username, address) pair, not the whole address, so one
# office behind NAT is not locked out by a colleague's typos.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The address counted is the one config/client_ip.py computes: X-Forwarded-For is believed
# only from TRUSTED_PROXIES (see "Security" below), never as the client wrote it.
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# --- I18n, static, media --------------------------------------------------------------------
# Language: the person's choice (accounts.User.language, set by the header's switcher or the
# profile), else the language cookie, else the browser's Accept-Language, else LANGUAGE_CODE.
# Catalogues: root locale/ (templates/, config, accounts, portal, access, arbiter's refusals)
# and each app's own locale/; `make run`/`make test` compile them all (compilemessages).
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
# Time: stored in UTC, shown in the viewer's zone (accounts.User.time_zone, from the browser at
# login or the profile) with its name, through ``|when``: one format per language, defined in
# config/formats/<lang>/formats.py. TIME_ZONE is the zone of a person who has none yet.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "frontend_static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads (resumes) live outside STATIC and are never given a public URL: views stream them
# after a permission check.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Or an S3-compatible bucket for them (AWS, MinIO, Ceph…; django-storages): set S3_BUCKET. The
# objects are private and the app streams them after its access check, as from MEDIA_ROOT.
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # empty: AWS itself
S3_REGION = env.str("S3_REGION", default="")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="")
S3_PREFIX = env.str("S3_PREFIX", default="private")
RESUME_MAX_BYTES = env.int("RESUME_MAX_BYTES", default=10 * 1024 * 1024)
# Bank files bigger than this are refused before parsing (a 5,000-question CSV is ~1 MB).
BANK_IMPORT_MAX_BYTES = env.int("BANK_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# One request of a drive (interviews.drives): its file of candidates and a batch of their PDF
# resumes (each still at most RESUME_MAX_BYTES; more batches follow on the drive's page). As
# large as a resume, so the proxy's door (deploy/nginx.conf) stays where it is.
DRIVE_UPLOAD_MAX_BYTES = env.int("DRIVE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Request bodies (config/body_limit.py): over the route's limit is 413 before Django reads any
# of it. The upload pages take their file's limit plus room for the form around it.
MAX_BODY_BYTES = env.int("MAX_BODY_BYTES", default=1024 * 1024)
_FORM_ROOM = 256 * 1024
BODY_LIMITS = {
    "/questions/import/": BANK_IMPORT_MAX_BYTES + _FORM_ROOM,
    "/sessions/new/": RESUME_MAX_BYTES + _FORM_ROOM,
    "/admin/candidates/candidate/": RESUME_MAX_BYTES + _FORM_ROOM,
    # A resume version uploaded on the candidate's page or through the API (other forms there
    # stay within DATA_UPLOAD_MAX_MEMORY_SIZE: only a file may be this large).
    "/candidates/": RESUME_MAX_BYTES + _FORM_ROOM,
    "/api/candidates/": RESUME_MAX_BYTES + _FORM_ROOM,
    "/drives/": DRIVE_UPLOAD_MAX_BYTES + _FORM_ROOM,
}
# Form fields other than files may take this much memory in all; an uploaded file over 256 KB
# streams to a temporary file under var/ instead of staying in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_TEMP_DIR = VAR_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)

# --- E-mail and Telegram --------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Roundtable <roundtable@localhost>")
if PRODUCTION or env.has("EMAIL_URL"):
    globals().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = "notify.mail.ConsoleAndFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_BASE_URL = env.url("TELEGRAM_API_BASE_URL", default="https://api.telegram.org/bot")
TELEGRAM_TIMEOUT = env.int("TELEGRAM_TIMEOUT", default=20)
# HR's messages about decisions (cabinet/messages.py): the language a decision's messages are
# written in unless the manager picks another on the decision form, and the zone their times
# are shown in (with the zone's name).
HR_LANGUAGE = env.str("HR_LANGUAGE", default=LANGUAGE_CODE)
HR_TIME_ZONE = env.str("HR_TIME_ZONE", default=TIME_ZONE)
if HR_LANGUAGE not in dict(LANGUAGES):
    raise ConfigError(f"HR_LANGUAGE: one of {', '.join(dict(LANGUAGES))}, not {HR_LANGUAGE!r}")

# --- Notifications outbox (notify/) -----------------------------------------------------------
NOTIFY_QUEUE = env.str("NOTIFY_QUEUE", default="celery")
NOTIFY_RETRY_BASE_SECONDS = env.int("NOTIFY_RETRY_BASE_SECONDS", default=10)
NOTIFY_RETRY_MAX_SECONDS = env.int("NOTIFY_RETRY_MAX_SECONDS", default=15 * 60)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=12)
# A claimed row is the claimer's for this long; then it counts as abandoned (worker died).
NOTIFY_LEASE_SECONDS = env.int("NOTIFY_LEASE_SECONDS", default=120)
NOTIFY_REQUEUE_EVERY_SECONDS = env.int("NOTIFY_REQUEUE_EVERY_SECONDS", default=60)
# A pending row normally has its task queued already; look for lost ones only after this.
NOTIFY_REQUEUE_GRACE_SECONDS = env.int("NOTIFY_REQUEUE_GRACE_SECONDS", default=60)
# A lease shorter than a send could let a second worker take a row that is still being sent
# (HTTP requests take up to three timeouts: connect, write, read).
if NOTIFY_LEASE_SECONDS <= max(EMAIL_TIMEOUT, 3 * TELEGRAM_TIMEOUT):
    raise ConfigError(
        "NOTIFY_LEASE_SECONDS: must exceed EMAIL_TIMEOUT and three times TELEGRAM_TIMEOUT"
    )
CELERY_BEAT_SCHEDULE = {
    "notify-requeue-stuck": {
        "task": "notify.outbox_requeue_stuck",
        "schedule": float(NOTIFY_REQUEUE_EVERY_SECONDS),
        "options": {"queue": NOTIFY_QUEUE},
    },
}

# --- Reminders of interviews (interviews/reminders.py), by e-mail through the outbox ---------
# Minutes before a round starts at which everyone on it is reminded (comma-separated).
REMINDER_BEFORE_MINUTES = env.list("REMINDER_BEFORE_MINUTES", default=["1440", "60"])
if not all(str(m).isdigit() and 0 < int(m) <= 14 * 24 * 60 for m in REMINDER_BEFORE_MINUTES):
    raise ConfigError("REMINDER_BEFORE_MINUTES: comma-separated minutes, each 1 to 20160")
REMINDER_BEFORE_MINUTES = [int(m) for m in REMINDER_BEFORE_MINUTES]
# A one-to-one round not rated this many hours after its end reminds its interviewer, then
# once a day, at most REMINDER_FEEDBACK_REPEATS times in all (0: never).
REMINDER_FEEDBACK_AFTER_HOURS = env.int("REMINDER_FEEDBACK_AFTER_HOURS", default=24)
REMINDER_FEEDBACK_REPEATS = env.int("REMINDER_FEEDBACK_REPEATS", default=3)
REMINDER_EVERY_SECONDS = env.int("REMINDER_EVERY_SECONDS", default=300)
if REMINDER_FEEDBACK_AFTER_HOURS < 1 or not 0 <= REMINDER_FEEDBACK_REPEATS <= 30:
    raise ConfigError(
        "REMINDER_FEEDBACK_AFTER_HOURS: at least 1; REMINDER_FEEDBACK_REPEATS: 0 to 30"
    )
if not 30 <= REMINDER_EVERY_SECONDS <= 3600:
    raise ConfigError("REMINDER_EVERY_SECONDS: from 30 to 3600")
CELERY_BEAT_SCHEDULE["interviews-reminders"] = {
    "task": "interviews.reminders_due",
    "schedule": float(REMINDER_EVERY_SECONDS),
    "options": {"queue": NOTIFY_QUEUE},
}

# --- The interview scheduler (scheduling/booking.py), hourly by beat ---------------------------
# How far ahead it books, the caps of an interviewer without their own (scheduling.Capacity),
# how long a panel's solve may take, and after how long the same no-match is told again.
SCHEDULER_HORIZON_DAYS = env.int("SCHEDULER_HORIZON_DAYS", default=14)
SCHEDULER_PER_DAY = env.int("SCHEDULER_PER_DAY", default=3)
SCHEDULER_PER_WEEK = env.int("SCHEDULER_PER_WEEK", default=10)
SCHEDULER_PANEL_SECONDS = env.number("SCHEDULER_PANEL_SECONDS", default=5.0)
SCHEDULER_RENOTIFY_HOURS = env.int("SCHEDULER_RENOTIFY_HOURS", default=24)
SCHEDULER_EVERY_SECONDS = env.int("SCHEDULER_EVERY_SECONDS", default=3600)
if not 1 <= SCHEDULER_HORIZON_DAYS <= 90:
    raise ConfigError("SCHEDULER_HORIZON_DAYS: from 1 to 90")
if not (0 <= SCHEDULER_PER_DAY <= 24 and SCHEDULER_PER_DAY <= SCHEDULER_PER_WEEK <= 100):
    raise ConfigError("SCHEDULER_PER_DAY: 0 to 24; SCHEDULER_PER_WEEK: from it to 100")
if not 0.1 <= SCHEDULER_PANEL_SECONDS <= 300 or not 60 <= SCHEDULER_EVERY_SECONDS <= 86400:
    raise ConfigError("SCHEDULER_PANEL_SECONDS: 0.1 to 300; SCHEDULER_EVERY_SECONDS: 60 to 86400")
CELERY_BEAT_SCHEDULE["scheduling-run"] = {
    "task": "scheduling.run_scheduler",
    "schedule": float(SCHEDULER_EVERY_SECONDS),
    "options": {"queue": NOTIFY_QUEUE},
}

# --- One-way video interviews (video_interviews/) ------------------------------------------
# Wrong 6-digit codes one candidate account, and one client address, may try in a window of
# VIDEO_CODE_WINDOW_SECONDS (counted in the cache, so across processes); past either, every
# try is 429 with Retry-After until the window ends. Sign-ups per client address per hour.
VIDEO_CODE_MISSES_PER_ACCOUNT = env.int("VIDEO_CODE_MISSES_PER_ACCOUNT", default=10)
VIDEO_CODE_MISSES_PER_ADDRESS = env.int("VIDEO_CODE_MISSES_PER_ADDRESS", default=30)
VIDEO_CODE_WINDOW_SECONDS = env.int("VIDEO_CODE_WINDOW_SECONDS", default=900)
VIDEO_SIGNUPS_PER_HOUR = env.int("VIDEO_SIGNUPS_PER_HOUR", default=20)
# The automatic reminder, once per unfinished invitation, this long before the deadline; the
# beat job that sends it and expires invitations past their deadline runs this often.
VIDEO_REMIND_BEFORE_HOURS = env.int("VIDEO_REMIND_BEFORE_HOURS", default=24)
VIDEO_EVERY_SECONDS = env.int("VIDEO_EVERY_SECONDS", default=300)
# Addresses one batch of invitations may hold, and the largest CSV file of them.
VIDEO_INVITES_MAX = env.int("VIDEO_INVITES_MAX", default=1000)
VIDEO_CSV_MAX_BYTES = env.int("VIDEO_CSV_MAX_BYTES", default=512 * 1024)
# How long a candidate's e-mail confirmation link works.
VIDEO_CONFIRM_DAYS = env.int("VIDEO_CONFIRM_DAYS", default=7)
if min(VIDEO_CODE_MISSES_PER_ACCOUNT, VIDEO_CODE_MISSES_PER_ADDRESS, VIDEO_SIGNUPS_PER_HOUR) < 1:
    raise ConfigError("VIDEO_CODE_MISSES_PER_*, VIDEO_SIGNUPS_PER_HOUR: at least 1")
if not 60 <= VIDEO_CODE_WINDOW_SECONDS <= 86400 or not 30 <= VIDEO_EVERY_SECONDS <= 3600:
    raise ConfigError("VIDEO_CODE_WINDOW_SECONDS: 60 to 86400; VIDEO_EVERY_SECONDS: 30 to 3600")
if not 1 <= VIDEO_REMIND_BEFORE_HOURS <= 24 * 30 or not 1 <= VIDEO_CONFIRM_DAYS <= 90:
    raise ConfigError("VIDEO_REMIND_BEFORE_HOURS: 1 to 720; VIDEO_CONFIRM_DAYS: 1 to 90")
if not 1 <= VIDEO_INVITES_MAX <= 10000 or not 1024 <= VIDEO_CSV_MAX_BYTES <= MAX_BODY_BYTES // 2:
    raise ConfigError(
        "VIDEO_INVITES_MAX: 1 to 10000; VIDEO_CSV_MAX_BYTES: 1024 to half of MAX_BODY_BYTES"
    )
# Recording (issue 16): each take is uploaded with the tus protocol while it is recorded, in
# PATCH requests of at most VIDEO_CHUNK_BYTES (the browser's chunk size; the body limit of
# /candidate/uploads/ is this plus a little). Bytes in flight live in VIDEO_UPLOADS_DIR, a local
# directory every app process must share; a kept take moves to the private storage. A take may
# be at most its question's answer time at VIDEO_MAX_BITS_PER_SECOND, plus VIDEO_SLACK_BYTES
# for the container (the browser records at about a third of that).
VIDEO_UPLOADS_DIR = env.path("VIDEO_UPLOADS_DIR", default=VAR_DIR / "uploads")
VIDEO_CHUNK_BYTES = env.int("VIDEO_CHUNK_BYTES", default=512 * 1024)
VIDEO_MAX_BITS_PER_SECOND = env.int("VIDEO_MAX_BITS_PER_SECOND", default=4_000_000)
VIDEO_SLACK_BYTES = env.int("VIDEO_SLACK_BYTES", default=2 * 1024 * 1024)
if not 64 * 1024 <= VIDEO_CHUNK_BYTES <= 16 * 1024 * 1024:
    raise ConfigError("VIDEO_CHUNK_BYTES: 64 KiB to 16 MiB")
if not 250_000 <= VIDEO_MAX_BITS_PER_SECOND <= 50_000_000:
    raise ConfigError("VIDEO_MAX_BITS_PER_SECOND: 250000 to 50000000")
BODY_LIMITS["/candidate/uploads/"] = VIDEO_CHUNK_BYTES + 64 * 1024
# An answer's processing (libx264 on every core, a while) runs from a Celery queue of its
# own, so an encode never holds up the mail queued behind it: run a worker for it beside the
# NOTIFY_QUEUE one (`manage.py serve` does; docker-compose's video-worker). Blank, or the same
# name: one queue and one worker for everything. The beat job below stays on NOTIFY_QUEUE.
VIDEO_QUEUE = env.str("VIDEO_QUEUE", default="video").strip() or NOTIFY_QUEUE
CELERY_BEAT_SCHEDULE["video-interviews-due"] = {
    "task": "video_interviews.due",
    "schedule": float(VIDEO_EVERY_SECONDS),
    "options": {"queue": NOTIFY_QUEUE},
}

# --- Live sessions --------------------------------------------------------------------------
WS_MAX_FRAME_BYTES = 64 * 1024
WS_RATE_PER_SECOND = env.int("WS_RATE_PER_SECOND", default=20)
WS_RATE_BURST = env.int("WS_RATE_BURST", default=40)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere (tests/foundation/test_hostile_http.py greps the templates):
# everything comes from our own static files. 'self' in connect-src covers the live page's
# ws:/wss: socket to this same host in current browsers (CSP Level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Features no page uses (config/permissions_policy.py). A page that needs one (issue 16: the
# candidate's recording page, camera and microphone) sets its own header; do not open it here.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "browsing-topics": [],
}
# The proxies in front (addresses or CIDR networks, comma-separated). Empty: no forwarded
# header is believed and the direct peer is the client. Set: X-Forwarded-For from them gives
# the client address (config/client_ip.py, walked from the right) and X-Forwarded-Proto from
# them says whether the browser used https; from anyone else both are ignored.
TRUSTED_PROXIES = [str(network) for network in env.networks("TRUSTED_PROXIES")]
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The balancer probes /healthz over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    # Both reach beyond this site (every subdomain; browsers' built-in lists, hard to leave):
    # off unless asked for, and then check --deploy's reminders about them are not wanted.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, chosen in (
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        )
        if not chosen
    ]



def _rate(name: str, default: str) -> str:
    """A DRF rate: a count per second, minute, hour or day (``600/minute``)."""
    value: str = env.str(name, default=default)
    count, _slash, period = value.partition("/")
    if not count.isdigit() or period not in {"second", "minute", "hour", "day"}:
        raise ConfigError(f"{name}: expected a rate like 600/minute, got {value!r}")
    return value


# Requests one person (API_RATE_USER) or one anonymous address (API_RATE_ANON) may make to the
# API (api/throttles.py); more is 429 with Retry-After. Wrong session codes one person may try.
API_RATE_USER = _rate("API_RATE_USER", "600/minute")
API_RATE_ANON = _rate("API_RATE_ANON", "60/minute")
JOIN_CODE_MISSES_PER_MINUTE = env.int("JOIN_CODE_MISSES_PER_MINUTE", default=10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens for scripts: created in the admin or with `manage.py drf_create_token <user>`.
        # First, so an anonymous request gets 401 with `WWW-Authenticate: Token`.
        # (DRF's, refusing a candidate's token: accounts/fence.py.)
        "accounts.fence.StaffTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON only: one body format to document, validate and test.
    # (api/parsers.py: DRF's JSON parser, plus 400 for bodies nested too deep.)
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.filters.Ordering",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.RoundtableSchema",
    "EXCEPTION_HANDLER": "api.errors.error_response",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.PerUser", "api.throttles.PerAddress"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Roundtable API",
    "DESCRIPTION": "Question bank, candidates, live sessions, decisions and statistics.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's files come from the drf-spectacular-sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a ``status``: each choice set keeps a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "CandidateStatusEnum": "candidates.models.Candidate.Status",
        "PositionStatusEnum": "candidates.models.Position.Status",
        "InterviewStatusEnum": "interviews.models.Interview.Status",
        "RoundStatusEnum": "interviews.models.Round.Status",
        "RoundOutcomeEnum": "interviews.models.Round.Outcome",
        "OutcomeEnum": "cabinet.models.Decision.Outcome",  # the decision's, named as before
        "VideoInterviewStatusEnum": "video_interviews.models.VideoInterview.Status",
        "InvitationStatusEnum": "video_interviews.models.Invitation.Status",
        "VideoRecommendationChoiceEnum": "video_interviews.models.Recommendation.Choice",
    },
}

LOG_LEVEL = env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # `client=` is the request's client address as config/client_ip.py computes it (when the
    # record carries a request: Django's request and security loggers, axes).
    "filters": {"client": {"()": "config.client_ip.ClientAddressFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(client)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.channels.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
