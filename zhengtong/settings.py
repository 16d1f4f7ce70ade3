"""Django settings for Zhengtong.

Every setting a deployment changes is read from an environment variable; the README lists
them all with their defaults.
"""

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhengtong.core.keys import local_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("ZT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.getenv(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# No key written in the source is used. Production (DEBUG off) reads SECRET_KEY from the environment
# and refuses to start without it; a development run (DEBUG on, as `make run`) keeps a key of its
# own in var/, made on its first start (mode 0600).
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs SECRET_KEY and ZT_PERSONAL_DATA_KEY in the "
            "environment (README, 'Production on PostgreSQL'); for development set DEBUG=1, and keys are kept "
            f"in {VAR_DIR}.")
    SECRET_KEY = local_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = [h.strip() for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "simple_history",
    "axes",
    "django_htmx",
    "csp",
    "django_q",
    # Ours, lowest first: the order in which their jobs, demo data and reference data are found
    # (core.discovery); demo data is wiped in the reverse order.
    "zhengtong.core",
    "zhengtong.registry",
    "zhengtong.accounts",
    "zhengtong.screening",
    "zhengtong.permits",
    "zhengtong.outbreak",
    "zhengtong.resumption",
    "zhengtong.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhengtong.middleware.CSPMiddleware",  # django-csp's, the policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhengtong.middleware.NoStoreMiddleware",
    "zhengtong.middleware.HeadAsGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhengtong.middleware.SessionTouchMiddleware",
    "zhengtong.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "zhengtong.core.uploads.UploadLimitMiddleware",  # before the CSRF check, the first to read a body
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "zhengtong.accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "zhengtong.urls"
WSGI_APPLICATION = "zhengtong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhengtong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengtong.dashboard.context_processors.navigation",
                "zhengtong.core.context_processors.demo_notice",
            ],
        },
    },
]

# Django's renderer with the plain widgets written in Python, byte for byte as its templates write them
FORM_RENDERER = "zhengtong.core.forms.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhengtong.sqlite3'}"),
        conn_max_age=int(os.getenv("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The gate's hot path (screening.hotpath) has PostgreSQL prepare its statements once per connection
    # after this many uses (0: at once). Off by default, as Django's own preparing is, for poolers that
    # cannot keep prepared statements (PgBouncer in transaction mode before 1.21); the README's
    # production command sets it. Django's own queries are never prepared (client-side binding).
    _threshold = os.getenv("DB_PREPARE_THRESHOLD", "off").strip().lower()
    if _threshold not in ("off", "none", ""):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = int(_threshold)
    # PostgreSQL's JIT compiles a query whose estimated cost is high, which a list page's correlated
    # subqueries (a person's relations, a unit's permits) easily reach: 0.3-1 s of compiling for a
    # query that runs in milliseconds (issue 16 §8). Off unless DB_JIT=on.
    if os.getenv("DB_JIT", "off").strip().lower() not in ("on", "1", "true"):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the page server and the job worker read while one of them writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0


DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhengtong.accounts.backends.ScopedModelBackend",  # ModelBackend, reading the user with their roles
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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

# django-axes: lock an account+address pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.getenv("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.getenv("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address comes from core.http.client_address: REMOTE_ADDR, or behind this many reverse
# proxies that each append to X-Forwarded-For (README, "Production"), the address the outermost one saw.
TRUSTED_PROXIES = int(os.getenv("ZT_TRUSTED_PROXIES", "0"))
AXES_CLIENT_IP_CALLABLE = "zhengtong.core.http.client_address"

# Sessions expire after inactivity and when the browser closes. The expiry slides: a signed-in
# session is saved again with a new expiry at most every SESSION_TOUCH_SECONDS
# (zhengtong.middleware.SessionTouchMiddleware), not on every request.
# The database's sessions, read by a statement compiled once (zhengtong.core.sessions).
SESSION_ENGINE = "zhengtong.core.sessions"
SESSION_COOKIE_AGE = int(os.getenv("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = int(os.getenv("ZT_SESSION_TOUCH_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG and env_bool("HTTPS", False))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from our own files only, never inline (the
# pages keep their behaviour in static/zhengtong/*.js and their looks in *.css; htmx's inline indicator
# style is off). Images may also be data: URIs (the API docs' icons; they run nothing).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
if env_bool("HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))
    # Both bind every subdomain of the city's domain to HTTPS (preload: in browsers, for good): the
    # city's choice, off by default; `check --deploy` names them (README, "Production").
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

LANGUAGE_CODE = os.getenv("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "zhengtong" / "locale"]
USE_I18N = True
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "zhengtong" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Key for the keyed hash and the encryption of personal ID numbers. Changing it makes stored
# numbers unreadable, so production sets it once and keeps it with the database backups; moving to a
# new key is `zhengtong rekey_personal_data`. Unset, it is SECRET_KEY when that comes from the
# environment (as earlier versions had it: the registry.W001 check warns), and in development a key
# of its own in var/.
PERSONAL_DATA_KEY = os.getenv("ZT_PERSONAL_DATA_KEY", "")
if not PERSONAL_DATA_KEY:
    PERSONAL_DATA_KEY = SECRET_KEY if os.getenv("SECRET_KEY") else local_key(VAR_DIR / "personal_data_key")

# Screening at sites (shared/domain/epidemic.md): city defaults; a site may override the threshold.
FEVER_THRESHOLD = float(os.getenv("ZT_FEVER_THRESHOLD", "37.3"))
MAX_STAY_HOURS = float(os.getenv("ZT_MAX_STAY_HOURS", "8"))
ENTRY_RETENTION_DAYS = int(os.getenv("ZT_ENTRY_RETENTION_DAYS", "28"))
# The daily count of people admitted per site (screening.counts) recounts this many days back, for the
# entries offline gates sync late; it is kept past the retention period.
ADMITTED_RECOUNT_DAYS = int(os.getenv("ZT_ADMITTED_RECOUNT_DAYS", "7"))
CLOCK_SKEW_SECONDS = int(os.getenv("ZT_CLOCK_SKEW_SECONDS", "300"))
# A time further back than this many days is refused as a wrong clock (a reset device says 1970).
OLDEST_TIME_DAYS = int(os.getenv("ZT_OLDEST_TIME_DAYS", "366"))
ALERT_CHANNELS = [c for c in os.getenv("ZT_ALERT_CHANNELS", "").split(",") if c]

# Pollutant discharge permits: where the texts we hold are silent (shared/reference/permit-rules.md
# "NOT FOUND"), the rule is a setting shown in the UI with "rule text not confirmed".
# Day basis of each licensing time limit: "working" (行政许可法 Art. 82) or "calendar".
PERMIT_DAY_BASIS = os.getenv("ZT_PERMIT_DAY_BASIS", "working")
# The templates of enforcement decision documents (permits.decisions): the shipped file when empty.
DECISION_DOCUMENTS_FILE = os.getenv("ZT_DECISION_DOCUMENTS_FILE", "")
# The identifier character at position 22 of a fixed-source code (HJ 608-2017 Appendix A shows P).
PERMIT_SOURCE_LETTER = os.getenv("ZT_PERMIT_SOURCE_LETTER", "P")
REGISTRATION_SOURCE_LETTER = os.getenv("ZT_REGISTRATION_SOURCE_LETTER", "P")
# The identifier characters a received permit or fixed-source number may carry at position 22. HJ
# 608-2017's normative list was NOT FOUND (permit-rules.md §1; Appendix A shows only P): a setting,
# shown on the pages as "rule text not confirmed". The two letters above are always accepted.
PERMIT_IDENTIFIER_LETTERS = os.getenv("ZT_PERMIT_IDENTIFIER_LETTERS", "P")
# Positions 1-18 of a unit without a USCC: only the 2016 trial rules' text was found (H9 + the
# issuing authority's 6-digit region code + 0000 and a 5-digit sequence, or a 9-character
# organisation code + one lower-case letter other than o and i). A regular expression.
PERMIT_SUBSTITUTE_CODE_PATTERN = os.getenv(
    "ZT_PERMIT_SUBSTITUTE_CODE_PATTERN", r"H9[0-9]{6}(?:0000[0-9]{5}|[0-9A-Z]{9})[a-hj-np-z]")
# Decision limit for applications accepted before 2021-03-01 (办法2018's own article NOT FOUND).
PERMIT_DECISION_DAYS_2018 = int(os.getenv("ZT_PERMIT_DECISION_DAYS_2018", "20"))
# Compliance-report cadence written on a new permit, by class (NOT FOUND in HJ 944 / 办法2018).
PERMIT_REPORT_CADENCE = json.loads(os.getenv(
    "ZT_PERMIT_REPORT_CADENCE", '{"key": ["annual", "quarterly"], "simplified": ["annual"]}'))
# Day of the month after a report period ends by which the report is due (NOT FOUND in HJ 944;
# a permit's requirements page shows the 15th).
PERMIT_REPORT_DUE_DAY = int(os.getenv("ZT_PERMIT_REPORT_DUE_DAY", "15"))
# How far back the daily scan looks for missing or late reports, in days (the city's choice).
PERMIT_ENFORCEMENT_LOOKBACK_DAYS = int(os.getenv("ZT_PERMIT_ENFORCEMENT_LOOKBACK_DAYS", "730"))
# The issuing authority printed on permits.
PERMIT_AUTHORITY_NAME = os.getenv("ZT_PERMIT_AUTHORITY_NAME", "衡阳市生态环境局")
# Registration validity in years (a local bureau's page says 5; no primary text read). 0 = none.
REGISTRATION_VALID_YEARS = int(os.getenv("ZT_REGISTRATION_VALID_YEARS", "5"))

# Only for bench/gate_api.py: serves the bare-insert baseline endpoint. Never in production.
BENCH_ENDPOINTS = env_bool("ZT_BENCH_ENDPOINTS", False)

# The largest spreadsheet a unit import accepts, in rows.
IMPORT_MAX_ROWS = int(os.getenv("ZT_IMPORT_MAX_ROWS", "50000"))
# The largest file an upload accepts, in MB, by kind: a unit import's spreadsheet, a permit
# application's document or a difficulty's attachment. Enforced while the body is read (core.uploads),
# so a larger file is never kept.
IMPORT_MAX_MB = int(os.getenv("ZT_IMPORT_MAX_MB", "20"))
DOCUMENT_MAX_MB = int(os.getenv("ZT_DOCUMENT_MAX_MB", "20"))

# Page size of lists, and the largest page the API hands out.
PAGE_SIZE = int(os.getenv("ZT_PAGE_SIZE", "50"))

# Exports of long lists (the entry log, health checks, alerts, disinfections): up to this many rows
# the spreadsheet is written during the request; more become a job whose file the user downloads
# from "My exports" (core.exportjobs), kept in EXPORT_DIR for EXPORT_KEEP_HOURS.
EXPORT_MAX_ROWS_INLINE = int(os.getenv("ZT_EXPORT_MAX_ROWS_INLINE", "200000"))
EXPORT_DIR = Path(os.getenv("ZT_EXPORT_DIR", VAR_DIR / "exports"))
EXPORT_KEEP_HOURS = int(os.getenv("ZT_EXPORT_KEEP_HOURS", "24"))
# A long log shows "more than N" rows instead of counting them all.
LOG_COUNT_CAP = int(os.getenv("ZT_LOG_COUNT_CAP", "10000"))

Q_CLUSTER = {
    "name": "zhengtong",
    "workers": int(os.getenv("ZT_WORKERS", "2")),
    "timeout": 600,
    "retry": 900,
    "orm": "default",
    "catch_up": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# Isolation orders (outbreak): the planned length (default 14 days, as the city's campaign sets it),
# and the days without fever a release needs: the city's choice, which no text we hold fixes (the
# order page says it is a setting).
ISOLATION_DAYS = int(os.getenv("ZT_ISOLATION_DAYS", "14"))
ISOLATION_FEVER_FREE_DAYS = int(os.getenv("ZT_ISOLATION_FEVER_FREE_DAYS", "3"))

# Resumption of work and production (shared/domain/epidemic.md, "Resumption and difficulties"): in 2020
# one lead department per area answered each enterprise's filing within 2 working days. The lead
# department of a unit's declarations, by the unit's county code, "*" for every other county (department
# codes; a county government answers for its county where the city names it).
RESUMPTION_LEAD_DEPARTMENTS = json.loads(os.getenv("ZT_RESUMPTION_LEAD_DEPARTMENTS", '{"*": "fgw"}'))
RESUMPTION_ANSWER_DAYS = int(os.getenv("ZT_RESUMPTION_ANSWER_DAYS", "2"))
# Measured, not only declared (issue 19): a unit's page shows the people its sites admitted on each of the
# last ZT_WORKFORCE_DAYS days beside its declared returned workforce; the county officer's list flags a unit
# whose highest day in that span differs from the declared figure by more than ZT_WORKFORCE_GAP_PCT per cent
# of it (the city's setting).
WORKFORCE_DAYS = int(os.getenv("ZT_WORKFORCE_DAYS", "14"))
WORKFORCE_GAP_PCT = float(os.getenv("ZT_WORKFORCE_GAP_PCT", "30"))
# Difficulties (困难和问题): the department a difficulty is routed to (a routing table the city edits, by
# category) accepts it within DIFFICULTY_ACCEPT_DAYS working days and resolves it within the working days
# DIFFICULTY_RESOLVE_DAYS gives for its category ("*" for the rest), both counted from the day it was
# reported (or reassigned; a reopened one gets its resolution days again). 2020's local channels routed
# in 2 and solved in 5 working days (shared/domain/epidemic.md).
DIFFICULTY_ACCEPT_DAYS = int(os.getenv("ZT_DIFFICULTY_ACCEPT_DAYS", "2"))
DIFFICULTY_RESOLVE_DAYS = json.loads(os.getenv("ZT_DIFFICULTY_RESOLVE_DAYS", '{"*": 5}'))
# A difficulty's report and each entry of its thread take at most this many attachments, each a document
# (core.uploads.DOCUMENT_TYPES) of at most DOCUMENT_MAX_MB. Overdue difficulties escalate (the daily job
# resumption.daily) to the department's head, else to all its officers and the city administrator.
DIFFICULTY_MAX_ATTACHMENTS = int(os.getenv("ZT_DIFFICULTY_MAX_ATTACHMENTS", "5"))
# Pre-release isolation in prisons: the site page lists the inmates due for release within
# ZT_RELEASE_DUE_DAYS (14, the figure) whose release is not cleared; a completed pre-release
# isolation clears a release within ZT_PRE_RELEASE_VALID_DAYS of the order's release (3: the city's
# choice; the newspaper says only that inmates due for release are isolated inside before release).
RELEASE_DUE_DAYS = int(os.getenv("ZT_RELEASE_DUE_DAYS", "14"))
PRE_RELEASE_VALID_DAYS = int(os.getenv("ZT_PRE_RELEASE_VALID_DAYS", "3"))
# Closed-duty rotations (screening): the days of isolation a new rotation plans after its duty (14,
# the example: "14 days on duty inside, then 14 days of isolation before going home").
ROTATION_ISOLATION_DAYS = int(os.getenv("ZT_ROTATION_ISOLATION_DAYS", "14"))
