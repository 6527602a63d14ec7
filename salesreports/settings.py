"""The one settings module.

Defaults serve development on a fresh checkout (SQLite and a file-based Celery broker under
var/, DEBUG on, mail written to files). Production differs only by environment variables,
all listed in .env.example; DJANGO_ENV=production switches the secure defaults on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env")  # real environment variables still win

DJANGO_ENV = env("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
IS_PRODUCTION = DJANGO_ENV == "production"

# Empty values (as in a copied .env.example) mean "use the default", like unset ones.
VAR_DIR = Path(env("VAR_DIR", default="") or BASE_DIR / "var")

DEBUG = env.bool("DEBUG", default=not IS_PRODUCTION)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if IS_PRODUCTION or not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required in production and whenever DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret"  # nosec B105 # development only: production refuses to start without one

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "teams",
    "audit",
    "reports",
    "reviews",
    "notifications",
    "reminders",
    "summaries",
    "insights",
    "customers",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "teams.middleware.UserLanguageMiddleware",
    # After login and language: people with two-factor login answer for the code first, and
    # people the policy requires it of set it up before they can use anything else.
    "security.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last so it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesreports.urls"
# bench/run.py turns this on to route its baseline page (salesreports/bench_urls.py); never in production.
BENCHMARK = env.bool("BENCHMARK", default=False)
if BENCHMARK:
    ROOT_URLCONF = "salesreports.bench_urls"
WSGI_APPLICATION = "salesreports.wsgi.application"

TEMPLATE_LOADERS = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Parsed templates are kept in memory (in development too: runserver's autoreloader
            # empties the cache when a template changes), so a request never parses one again.
            "loaders": [("django.template.loaders.cached.Loader", TEMPLATE_LOADERS)],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "teams.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Django's form renderer, with plain <input> widgets written without templates (renderers.py).
# Kept by issue 21's rule (more than 10 % of a key page's median): on the demo, Django's own
# renderer made the report form 35 % slower (65 ms against 42 ms, median of 200 in-process
# requests, docs/simple-code.md) and the Today page 11 %.
FORM_RENDERER = "salesreports.renderers.FastInputRenderer"

DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Users and login -----------------------------------------------------------------------------
AUTH_USER_MODEL = "teams.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out attempts before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "teams.backends.EmailOrUsernameBackend",
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
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=int(timedelta(days=14).total_seconds()))

# Repeated failed logins lock the account from that client address for a cool-off period that
# starts at the failure that caused the lock (trying again while locked does not extend it, so
# nobody can keep someone else locked out). Every spelling of the account (another case, the
# email address) counts as the account. Admins can unlock early in the Django admin ("Access
# attempts"). See docs/login-security.md.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "security.login.lockout_username"
AXES_CLIENT_IP_CALLABLE = "security.login.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Reset links asked for one address, and from one client address, within an hour.
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=20)

# Internationalisation: Simplified Chinese first, English second -------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Static files and uploads ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed from the npm registry by `make install` (package.json); never committed.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
]
# Uploads live outside the web root and are only ever served through views that ask
# teams.access first; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default="") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Hashed files (CompressedManifestStaticFilesStorage, gzip and Brotli next to each) are served by
# WhiteNoise as immutable for ten years; the few unhashed ones for an hour.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60 * 60
REPORT_ATTACHMENT_MAX_BYTES = env.int("REPORT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
MEMBER_IMPORT_MAX_BYTES = env.int("MEMBER_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
MEMBER_IMPORT_MAX_ROWS = env.int("MEMBER_IMPORT_MAX_ROWS", default=2000)

# Email ---------------------------------------------------------------------------------------
# Development writes every message to a file under var/mail (the dev outbox).
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Absolute links in emails (invitations, reminders) point here.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="销售周报 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery ---------------------------------------------------------------------------------------
# No Redis on a fresh machine: a broker in files under var/ lets `make run` start a real worker
# and beat with no server installed. With REDIS_URL the same code runs on Redis.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _results_dir = VAR_DIR / "celery" / "results"
    for _folder in (_broker_dir, _results_dir, VAR_DIR / "celery" / "control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{_results_dir}"
else:
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis hands an unacknowledged task to another worker after this long; keep it above every
    # task's time limit and retry backoff so a slow task is never run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# PDFs render on their own queue, so workers that do them can be recycled (WeasyPrint grows).
CELERY_TASK_ROUTES = {"summaries.tasks.render_document": {"queue": "pdf"}}
CELERY_TASK_REJECT_ON_WORKER_LOST = False  # only the idempotent tasks opt in, task by task
DOCUMENT_STALE_SECONDS = env.int("DOCUMENT_STALE_SECONDS", default=10 * 60)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Keep a publish from hanging a web request when the broker is down: the notification outbox
# keeps the message, and the sweep below sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE: dict = {
    # Every 5 minutes: emails whose task never reached a worker (broker down, worker died mid-send).
    "retry-pending-emails": {"task": "notifications.tasks.retry_pending_emails", "schedule": 5 * 60},
    # Every 5 minutes: which deadline reminders, overdue reminders, review-day digests and
    # profile checks are due, from each team's calendar settings (changed in the app, no deploy).
    "reminder-tick": {"task": "reminders.tasks.tick", "schedule": 5 * 60},
    # Every 5 minutes: password reset emails of the last hour whose task never reached a worker.
    "retry-pending-password-resets": {"task": "security.tasks.retry_pending_password_resets", "schedule": 5 * 60},
    # Every 2 minutes: PDF jobs whose task was lost with the broker or whose worker died.
    "requeue-stale-documents": {"task": "summaries.tasks.requeue_stale_documents", "schedule": 2 * 60},
}

# Security -------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=IS_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=IS_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
# Behind the TLS proxy every connection comes from the proxy: the scheme and the client's address
# (security.login.client_ip) are then taken from the headers it sets, and only then.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: scripts only from our own origin (an inline one needs the request's
# nonce: <script nonce="{{ CSP_NONCE }}">), no inline styles either (htmx's indicator <style> is
# switched off in base.html; SVG charts use presentation attributes, which CSP does not restrict),
# images from us or data: URIs (Bootstrap's CSS draws its icons that way), and no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Two-factor login (TOTP apps such as Google Authenticator or Microsoft Authenticator, plus
# one-time backup codes). Who must use it is an admin's choice in the app (security.models).
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Sales Weekly Reports")
# A wrong code doubles the wait before the next try (1 s, 2 s, 4 s ...) per device.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
