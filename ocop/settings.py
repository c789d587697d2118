"""Settings, read from the environment with safe defaults (see README, "Cấu hình / Configuration")."""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("OCOP_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    # Generated once into var/ so sessions survive restarts; never committed.
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("OCOP_DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Public root URL printed in certificate QR codes (https://ocop.example.gov.vn); empty: the
# address of the request that makes the PDF (ocop.certification.pdf.verification_url).
OCOP_PUBLIC_URL = os.environ.get("OCOP_PUBLIC_URL", "").strip()


def _holidays() -> list:
    """Extra days off (ISO dates) skipped when counting working days, e.g. the commune's 15 days, on top
    of the public holidays and Tết that ocop.evaluation.rules takes from the ``holidays`` library."""
    import datetime

    from django.core.exceptions import ImproperlyConfigured

    days = []
    for item in env_list("OCOP_HOLIDAYS"):
        try:
            days.append(datetime.date.fromisoformat(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"OCOP_HOLIDAYS: “{item}” không phải ngày dạng YYYY-MM-DD / is not a YYYY-MM-DD date."
            ) from None
    return days


# Additions only (a compensatory day off announced late, a local day off): the public holidays,
# Tết included, come from the maintained ``holidays`` library (ocop.evaluation.rules.public_holidays).
OCOP_HOLIDAYS = _holidays()
# Which province results go to the Ministry as "tiềm năng 5 sao" (QĐ 26/2026 Art. 7.3.e): "total"
# (the text: every council total of 90 or more) or "minimums" (an older reading: only a 5★ that
# also meets every ***** minimum; otherwise the province recognises 4★ itself).
OCOP_FIVE_STAR_REFERRAL = os.environ.get("OCOP_FIVE_STAR_REFERRAL", "total").strip().lower() or "total"
if OCOP_FIVE_STAR_REFERRAL not in ("total", "minimums"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"OCOP_FIVE_STAR_REFERRAL: “{OCOP_FIVE_STAR_REFERRAL}” phải là total hoặc minimums"
        " / must be total or minimums."
    )
# Longest a cached public page lives (edits invalidate at once; this bounds what bypasses signals).
OCOP_PUBLIC_CACHE_SECONDS = int(os.environ.get("OCOP_PUBLIC_CACHE_SECONDS", "300"))
# Longest the dashboard's figures, work queue and cards stay cached (ocop.core.datacache: any
# audited write refreshes them at once; this bounds what leaves no history row). 0: off.
OCOP_DATA_CACHE_SECONDS = int(os.environ.get("OCOP_DATA_CACHE_SECONDS", "120"))
# The request header in which the front proxy puts the province of a scan from its own GeoIP
# (e.g. "X-Region-Code": a province code or name); unset, scans are not counted by province.
# The client's address is never read for this nor stored.
OCOP_SCAN_REGION_HEADER = os.environ.get("OCOP_SCAN_REGION_HEADER", "").strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks_db",
    "ninja",  # its templates and static files: /api/v1/docs runs Swagger UI from this host, no CDN
    "ocop.core",
    "ocop.geo",
    "ocop.accounts",
    "ocop.registry",
    "ocop.documents",
    "ocop.certification",
    "ocop.evaluation",
    "ocop.public",
    "ocop.oversight",
    "ocop.plans",
    "ocop.reports",
    "ocop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ocop.core.middleware.LanguageMiddleware",
    # JSON errors under /api/, 503 + Retry-After while the database is down or locked, NUL in
    # addresses refused (ocop.core.errors).
    "ocop.core.errors.ErrorMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ocop.core.middleware.AuditReasonMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ocop.urls"
CSRF_FAILURE_VIEW = "ocop.core.errors.csrf_failure"
WSGI_APPLICATION = "ocop.wsgi.application"

# <select> written in Python, the same markup as Django's templates (ocop.core.renderers).
FORM_RENDERER = "ocop.core.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ocop.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite (WAL) under var/ by default; PostgreSQL via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ocop.sqlite3'}")
# A database that is down or locked answers 503 + Retry-After within a few seconds
# (ocop.core.errors): a web request waits OCOP_DB_WAIT_SECONDS (5) for SQLite's write lock, and as
# long for a PostgreSQL connection. Other commands (imports, the demo, db_worker) wait 30 s: the
# `ocop` script sets that default for every command but `serve` (ocop.manage).
DB_WAIT_SECONDS = float(os.environ.get("OCOP_DB_WAIT_SECONDS") or 5)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        # A kept connection that died (PostgreSQL restarted) is replaced, not failed on.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept like PostgreSQL's (CONN_MAX_AGE): opening a connection reads the whole schema and runs
    # the pragmas below, 2.1 ms of every request on the national data (a list page takes ~13).
    # In autocommit a kept connection holds no snapshot, so WAL checkpoints and other processes'
    # writes are not held back; a migration's schema change is seen at the next statement.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "timeout": DB_WAIT_SECONDS,
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", max(1, round(DB_WAIT_SECONDS))
    )
    # Parameters bound by the server, and a statement run 5 times on a connection prepared: a list
    # page's statements are the same text from page to page, so PostgreSQL plans them once per
    # connection instead of on every request (1.5–2.3 ms for a page's rows; pages 18–20 % faster).
    # OCOP_PG_PREPARE=0 turns it off, for a pooler that shares connections per transaction
    # (PgBouncer's transaction mode does not keep prepared statements).
    if os.environ.get("OCOP_PG_PREPARE", "1") != "0":
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
# PostgreSQL's JIT compiler is for long analytical queries: a statement of these pages that it
# judged costly spent longer compiled than run (ocop.core.apps turns it off for each connection).
# OCOP_PG_JIT=1 leaves the server's setting.
PG_JIT = os.environ.get("OCOP_PG_JIT", "0") == "1"
# PostgreSQL's default cost of a random page (4, for spinning disks) made it scan all 20,000
# products rather than OR the indexes of a search's terms and places, and walk a province's
# certificates by the wrong plan: with 1.1 (data on SSD or in memory, as the PostgreSQL manual
# suggests) "dak lak" 9.7 → 3.0 ms of SQL, a province's figures 37 → 14 ms (bench/README.md).
# Set on each connection (ocop.core.apps); OCOP_PG_RANDOM_PAGE_COST=server keeps the server's.


def _random_page_cost() -> float | None:
    value = os.environ.get("OCOP_PG_RANDOM_PAGE_COST", "1.1").strip()
    if value.lower() in ("", "server"):
        return None
    try:
        cost = float(value)
    except ValueError:
        cost = 0.0
    if not 0 < cost < 1000:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"OCOP_PG_RANDOM_PAGE_COST: “{value}” phải là một số dương (ví dụ 1.1) hoặc server"
            " / must be a positive number (e.g. 1.1) or server."
        )
    return cost


PG_RANDOM_PAGE_COST = _random_page_cost()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, otherwise per-process memory.
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Per process; big enough for the public pages of a province (the default keeps only 300).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ocop",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock-out after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("OCOP_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("OCOP_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Number of reverse proxies in front of the app servers (nginx → gunicorn: 1); the lock-out then
# counts failures per real client address instead of per proxy.
OCOP_TRUSTED_PROXIES = int(os.environ.get("OCOP_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "ocop.core.network.client_ip"

# Vietnamese is the source language; English is a translation.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# The language switch's choice outlives the browser session (a phone's browser is rarely "closed").
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ocop.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request until collectstatic has run
MEDIA_ROOT = VAR_DIR / "media"  # private: files are served only by views that check scoping
# Evidence documents hold personal data: no other local account may read them.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
OCOP_MAX_UPLOAD_MB = int(os.environ.get("OCOP_MAX_UPLOAD_MB", "20"))
# Largest photo a consumer may attach to a report from the public site (ocop.oversight.intake).
OCOP_REPORT_PHOTO_MAX_MB = int(os.environ.get("OCOP_REPORT_PHOTO_MAX_MB", "5"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
# Pages link only hashed names ({% static %}): keeping only those halves what is compressed at the
# first start, and source maps (read by developer tools only) are not compressed at all.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
)
# pytest renders pages without running collectstatic, so hashed manifest names can't exist there
# (test_ui.py checks the real manifest storage separately).
if "pytest" in sys.modules:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # Tests create hundreds of accounts; a slow hash only costs time there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Email: the console by default; SMTP when EMAIL_BACKEND names it (Django 6.1 MAILERS).
_EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ocop@localhost")

# Security headers. A strict Content Security Policy: everything is served from this host.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("OCOP_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("OCOP_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OCOP_LOG_LEVEL", "INFO")},
    # WeasyPrint (certificate PDFs) logs every rendering step, fontTools every font it unpacks.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000
