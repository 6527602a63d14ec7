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
    "planning",
    "periodsummaries",
    "insights",
    "customers",
    "pipeline",
    "security",
    "sso",
    "integrations",
    "home",
    "ninja",
    "api",
    "search",
]
# The demo company and the benchmark's (`manage.py seed_demo`): in development, and in production
# only where DEMO_DATA asks for it (docker-compose.yml's demo stack). bench/settings.py adds it too.
DEMO_DATA = env.bool("DEMO_DATA", default=not IS_PRODUCTION)
if DEMO_DATA:
    INSTALLED_APPS.append("demo")

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
                "salesreports.context_processors.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Django's form renderer, with plain <input> widgets written without templates (renderers.py).
# Kept by issue 21's rule (more than 10 % of a key page's median): measured again once the report
# form's fields were kept (2026-12-04), Django's own renderer made a director's home 24 % slower
# (its team filter) and the review page and the customers list 13 % (docs/simple-code.md).
FORM_RENDERER = "salesreports.renderers.FastInputRenderer"

DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The embedded SQLite default serves a few people and a worker at once. Transactions take the write
# lock when they begin (IMMEDIATE), so a reader turned writer never fails at once with "database is
# locked" (SQLite cannot wait for that upgrade); writers queue for up to 20 s behind each other; and
# WAL lets readers go on while one of them writes.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
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
# Argon2 for new and changed passwords; hashes made by the others still verify and are rehashed
# with Argon2 at the person's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Single sign-on (the sso app; docs/sso.md): every provider stays off until its variables are set,
# so a fresh checkout logs in with passwords only. Who may still use a password, and how a
# sign-in finds its member, is the admins' policy in the app.
SSO_OIDC_ISSUER = env("SSO_OIDC_ISSUER", default="")
SSO_OIDC_CLIENT_ID = env("SSO_OIDC_CLIENT_ID", default="")
SSO_OIDC_CLIENT_SECRET = env("SSO_OIDC_CLIENT_SECRET", default="")
SSO_OIDC_NAME = env("SSO_OIDC_NAME", default="")  # the button's name, e.g. "Keycloak"
SSO_OIDC_SCOPES = env("SSO_OIDC_SCOPES", default="") or "openid email profile phone"
SSO_OIDC_EMPLOYEE_ID_CLAIM = env("SSO_OIDC_EMPLOYEE_ID_CLAIM", default="") or "employee_id"
SSO_DINGTALK_CLIENT_ID = env("SSO_DINGTALK_CLIENT_ID", default="")
SSO_DINGTALK_CLIENT_SECRET = env("SSO_DINGTALK_CLIENT_SECRET", default="")
SSO_DINGTALK_LOGIN_URL = "https://login.dingtalk.com"
SSO_DINGTALK_API_URL = "https://api.dingtalk.com"
SSO_FEISHU_APP_ID = env("SSO_FEISHU_APP_ID", default="")
SSO_FEISHU_APP_SECRET = env("SSO_FEISHU_APP_SECRET", default="")
SSO_FEISHU_LOGIN_URL = env("SSO_FEISHU_LOGIN_URL", default="") or "https://accounts.feishu.cn"  # Lark: larksuite.com
SSO_FEISHU_API_URL = env("SSO_FEISHU_API_URL", default="") or "https://open.feishu.cn"
SSO_WECOM_CORP_ID = env("SSO_WECOM_CORP_ID", default="")
SSO_WECOM_AGENT_ID = env("SSO_WECOM_AGENT_ID", default="")
SSO_WECOM_SECRET = env("SSO_WECOM_SECRET", default="")
SSO_WECOM_LOGIN_URL = "https://login.work.weixin.qq.com"
SSO_WECOM_API_URL = "https://qyapi.weixin.qq.com"
# LDAP / Active Directory (sso/directory.py, pure-Python ldap3): a search for the person, then a
# bind as them with the password they typed.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")  # ldap://host or ldaps://host[:port]
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS.append("sso.backends.DirectoryBackend")
LDAP_BIND_DN = env("LDAP_BIND_DN", default="")  # empty: search anonymously
LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
LDAP_USER_SEARCH_BASE = env("LDAP_USER_SEARCH_BASE", default="")
LDAP_USER_FILTER = env("LDAP_USER_FILTER", default="") or "(uid=%(user)s)"
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
LDAP_CA_CERT_FILE = env("LDAP_CA_CERT_FILE", default="")  # empty: the system's CAs
LDAP_TIMEOUT = env.int("LDAP_TIMEOUT", default=5)  # seconds, to connect and for each answer
LDAP_ADMIN_GROUP = env("LDAP_ADMIN_GROUP", default="")  # members of this group DN are admins here
LDAP_EMAIL_ATTR = env("LDAP_EMAIL_ATTR", default="") or "mail"
LDAP_EMPLOYEE_ID_ATTR = env("LDAP_EMPLOYEE_ID_ATTR", default="") or "employeeNumber"
LDAP_MOBILE_ATTR = env("LDAP_MOBILE_ATTR", default="") or "mobile"
LDAP_NAME_ATTR = env("LDAP_NAME_ATTR", default="") or "cn"
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
# The PDFs' Chinese font, whole TrueType files from the npm registry (package.json), so that a
# machine without a system CJK font still renders Chinese; WeasyPrint embeds the glyphs it uses.
PDF_FONTS = {
    400: NODE_MODULES / "@expo-google-fonts" / "noto-sans-sc" / "400Regular" / "NotoSansSC_400Regular.ttf",
    700: NODE_MODULES / "@expo-google-fonts" / "noto-sans-sc" / "700Bold" / "NotoSansSC_700Bold.ttf",
}
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
# Uploads, PDFs and exports go to an S3-compatible bucket (AWS S3, MinIO, Ceph…) when S3_BUCKET is
# set, so that several web and worker machines share them. The bucket stays private: files are
# still served only through views that ask the access policy.
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
            "region_name": env("S3_REGION", default="") or None,
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
            "file_overwrite": False,
        },
    }
# Hashed files (CompressedManifestStaticFilesStorage, gzip and Brotli next to each) are served by
# WhiteNoise as immutable for ten years; the few unhashed ones for an hour.
WHITENOISE_MAX_AGE = 0 if DEBUG else 60 * 60
REPORT_ATTACHMENT_MAX_BYTES = env.int("REPORT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
MEMBER_IMPORT_MAX_BYTES = env.int("MEMBER_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
MEMBER_IMPORT_MAX_ROWS = env.int("MEMBER_IMPORT_MAX_ROWS", default=2000)
# Leave longer than this many days (or starting in the past) waits for the manager's approval.
LEAVE_APPROVAL_AFTER_DAYS = env.int("LEAVE_APPROVAL_AFTER_DAYS", default=14)

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
# Robots and webhooks may post to loopback and private addresses (the demo's local receiver) only
# when this is on; production leaves it off, so a URL cannot reach inside our network (SSRF).
INTEGRATIONS_ALLOW_PRIVATE_URLS = env.bool("INTEGRATIONS_ALLOW_PRIVATE_URLS", default=not IS_PRODUCTION)
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
# PDFs and exports someone may have waiting or rendering at once: asking for more is refused with
# a message (one person once queued 60 member summaries in 4 s). Jobs asked for by the app itself,
# such as the weekly summary for managers, are not counted.
DOCUMENT_JOBS_PER_USER = env.int("DOCUMENT_JOBS_PER_USER", default=5)
# Rendered files are deleted this long after they were ready; asking again renders them again.
DOCUMENT_RETENTION_DAYS = env.int("DOCUMENT_RETENTION_DAYS", default=7)
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
    # Every minute: robot and webhook deliveries that are due (new, retried, rate-limited).
    "send-due-deliveries": {"task": "integrations.tasks.send_due_deliveries", "schedule": 60},
    # Every hour: delete the files of documents older than DOCUMENT_RETENTION_DAYS.
    "expire-documents": {"task": "summaries.tasks.expire_documents", "schedule": 60 * 60},
    # Every hour: pace alerts due (50/90/100 % of a month, quarter or year elapsed), each sent once.
    "send-pace-alerts": {"task": "planning.tasks.send_pace_alerts", "schedule": 60 * 60},
    # Every hour: freeze the forecasts of the month and quarter just closed (a no-op once done),
    # so forecast accuracy compares the actual with the forecast as it stood at the period's end.
    "freeze-closed-forecasts": {"task": "pipeline.tasks.freeze_closed_forecasts", "schedule": 60 * 60},
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

# REST API (api app, docs/api.md): requests each personal access token may make, as
# "<count>/<s|min|hour|day>"; over it the API answers 429 with Retry-After.
API_RATE_LIMIT = env("API_RATE_LIMIT", default="") or "120/min"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Errors from web requests and Celery tasks go to Sentry (or a compatible service such as
# GlitchTip) only when SENTRY_DSN is set; nothing is sent otherwise. No personal data by default.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
