"""Settings for upme_social, read from the environment.

Every value a deployment changes comes from an environment variable (or a
`.env` file beside manage.py); the defaults run the desk on one machine with
no servers: SQLite and Celery's filesystem transport under `var/`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# Local state (the SQLite database, the filesystem broker, beat's schedule)
# lives here, whichever broker and database are configured; a fresh clone
# has no such directory.
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)

# A development key is only acceptable while DEBUG is on.
SECRET_KEY: str = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key"  # noqa: S105 -- DEBUG only, refused otherwise

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address the running desk is reached at; the demo sources point here so
# the worker fetches the demo feeds over real HTTP.
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "newsdesk",
    "publishing",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Spanish pages for 405, and a full-page login redirect for htmx.
    "upme_social.middleware.NotAllowedPageMiddleware",
    "upme_social.middleware.HtmxLoginRedirectMiddleware",
]
CSRF_FAILURE_VIEW = "upme_social.views.csrf_failure"

ROOT_URLCONF = "upme_social.urls"

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
                "upme_social.context_processors.desk",
            ],
            "libraries": {"people": "upme_social.people"},
        },
    },
]

WSGI_APPLICATION = "upme_social.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, worker and beat share one SQLite file in development;
    # WAL and a busy timeout keep them from failing on each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# One date format on every screen ("3 dic 2026, 13:48").
FORMAT_MODULE_PATH = ["upme_social.formats"]
LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE: str = env.str("TIME_ZONE", default="America/Bogota")
USE_I18N = True
USE_TZ: bool = env.bool("USE_TZ", default=True)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (make run), WhiteNoise serves the apps' static files.
WHITENOISE_USE_FINDERS: bool = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Celery. Without REDIS_URL the broker is Kombu's filesystem transport, so a
# worker and beat run on a laptop with no server at all.
REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
else:
    _queue_dir = VAR_DIR / "celery"
    for _name in ("queue", "processed", "control"):
        (_queue_dir / _name).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        # Broadcast (control) messages; Kombu's default is a folder in the cwd.
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.5,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Our LOGGING applies in the worker too, with the task name and id per line.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER: bool = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "poll-due-sources": {
        "task": "newsdesk.tasks.poll_due_sources",
        "schedule": timedelta(seconds=env.int("POLL_TICK_SECONDS", default=20)),
    },
    "pull-mentions": {
        "task": "monitoring.tasks.pull_all_mentions",
        "schedule": timedelta(seconds=env.int("MENTIONS_TICK_SECONDS", default=60)),
    },
    "publish-due-posts": {
        "task": "publishing.tasks.publish_due_posts",
        "schedule": timedelta(seconds=30),
    },
    "enrich-pending-items": {
        "task": "newsdesk.tasks.enrich_pending_items",
        "schedule": timedelta(minutes=10),
    },
    # At a fixed hour of the Bogota night: an interval of 24 hours would
    # first fire a day after beat starts, and again after every restart.
    "retrain-relevance-model": {
        "task": "newsdesk.tasks.retrain_relevance_model",
        "schedule": crontab(hour=3, minute=15),
    },
}

# Relevance: items scoring below the threshold go to "Baja relevancia"; a
# model learns from editors once they have decided on enough items.
RELEVANCE_THRESHOLD: float = env.float("RELEVANCE_THRESHOLD", default=2.0)
RELEVANCE_MIN_DECISIONS: int = env.int("RELEVANCE_MIN_DECISIONS", default=200)
RELEVANCE_MODEL_WEIGHT: float = env.float("RELEVANCE_MODEL_WEIGHT", default=2.0)

# Outgoing HTTP: every client names the product and never waits forever.
HTTP_USER_AGENT: str = env.str(
    "HTTP_USER_AGENT",
    default="upme_social/0.1 (+https://www.upme.gov.co; desk of OGI)",
)
HTTP_CONNECT_TIMEOUT: float = env.float("HTTP_CONNECT_TIMEOUT", default=5.0)
HTTP_READ_TIMEOUT: float = env.float("HTTP_READ_TIMEOUT", default=20.0)
# A fetch's body has arrived by then, however slowly it trickles in.
HTTP_TOTAL_TIMEOUT: float = env.float("HTTP_TOTAL_TIMEOUT", default=30.0)
FETCH_MAX_BYTES: int = env.int("FETCH_MAX_BYTES", default=10 * 1024 * 1024)
# Only the newest entries of a huge feed become candidates.
INTAKE_MAX_ENTRIES: int = env.int("INTAKE_MAX_ENTRIES", default=100)

# Facebook retired every Graph API version facebook-sdk 3.1.0 knows; the
# backend sends this one instead.
FACEBOOK_GRAPH_VERSION: str = env.str("FACEBOOK_GRAPH_VERSION", default="v25.0")

LOG_LEVEL: str = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "task_context": {"()": "upme_social.logs.TaskContextFilter"},
        "client_errors": {"()": "upme_social.logs.ClientErrorFilter"},
    },
    "formatters": {
        "readable": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[%(task_name)s %(task_id)s] %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(task_name)s "
            "%(task_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="readable" if DEBUG else "json"),
            "filters": ["task_context", "client_errors"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config adds its own console handler for "django";
        # one handler keeps each line printed once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
