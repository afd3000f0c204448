"""Settings for CPEC Tracker, filled from the environment.

One module for every environment: variables switch behaviour, nothing exists only in
production. Every variable is documented in ``.env.example``. A ``.env`` file beside
``manage.py`` is read when present; variables already set in the environment win.
"""

import base64
import datetime as dt
import hashlib
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(scripts/setup.sh writes a random one for local use)."
        )
    # Development only: a key per process, so nothing signed outlives a restart.
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Set it to the host names the site answers to, "
            "comma-separated (e.g. ALLOWED_HOSTS=cpec.planning.gov.pk)."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cpec_tracker.admin_site.CpecAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "csp",
    "cpec_tracker.apps.AxesConfig",  # django-axes, its name translated
    "projects",
    "financing",
    "dashboard",
    "api",
    "opendata",
    "budget",
    # Last: roles, the demo portfolio and the admin that composes the domain apps' admins.
    "cpec_site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come compressed from whitenoise above, never reaching it).
    # Django's GZip pads each response with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # English or Urdu: the language cookie the header's switch sets, else the browser's
    # Accept-Language, else LANGUAGE_CODE. URLs carry no language prefix (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    # The figures' style (billions or lakh/crore) the header's switch sets (projects.money).
    "dashboard.preferences.NumberStyleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpec_tracker.urls"

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
                "dashboard.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "cpec_tracker.wsgi.application"

# PostgreSQL only: there is no SQLite fallback. scripts/setup.sh provisions a local
# server and writes DATABASE_URL to .env when the environment does not set one.
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Point it at a PostgreSQL database, e.g. "
        "DATABASE_URL=postgres://cpec:PASSWORD@127.0.0.1:5432/cpec_tracker, "
        "or run `make setup` to provision a local one."
    )
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiles a query whose *estimated* cost is high: the portfolio's correlated
# subqueries estimate high and run in a fraction of a second, so JIT spent ~1.9 s compiling
# each dashboard query at 10,000 projects to save nothing (docs/benchmarks.md). Off unless asked.
if not env.bool("POSTGRES_JIT", default=False):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
# A PostgreSQL read replica (streaming replication of DATABASE_URL's database), optional: page
# reads go to it, writes, the admin and logins to the primary (cpec_tracker/db_routers.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    # The primary's connection settings (CONN_MAX_AGE, JIT off…) with the replica's address.
    replica = env.db("DATABASE_REPLICA_URL")
    replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **replica.get("OPTIONS", {})}
    DATABASES["replica"] = {**DATABASES["default"], **replica}
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must point at PostgreSQL (postgres://…).")
    DATABASE_ROUTERS = ["cpec_tracker.db_routers.PrimaryReplicaRouter"]
    # Seconds a browser that wrote keeps reading the primary (longer than the replica's usual lag).
    DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "cpec_tracker.db_routers.ReplicaRoutingMiddleware",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
#: The site's languages: every page, message and admin screen in both (docs/i18n.md).
LANGUAGES = [("en", "English"), ("ur", "اردو")]
#: English dates and numbers as written in Britain (cpec_tracker/formats/en: why "en", not "en-gb").
FORMAT_MODULE_PATH = ["cpec_tracker.formats"]
#: Ours first (makemessages writes it); then Urdu for what Django, its admin and
#: django-import-export leave untranslated (docs/i18n.md).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_django"]
#: The switch remembers the choice for a year, like a browser setting.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Karachi"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security. HTTPS is on unless the deployment says it is served over plain HTTP
# (a laptop demo on 127.0.0.1): `manage.py check --deploy` is clean with the defaults.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe the health check over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True

# The site's address, for links that leave it: exported spreadsheets link each project's page.
# Unset: localhost in development, else the first allowed host (https unless HTTPS is off).
SITE_URL = env.str("CPEC_SITE_URL", default="").rstrip("/") or (
    "http://localhost:8000" if DEBUG else f"{'https' if HTTPS else 'http'}://{ALLOWED_HOSTS[0].lstrip('.')}"
)
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"CPEC_SITE_URL must start with http:// or https:// (it is {SITE_URL!r}).")

# The OC4IDS project package (opendata/, docs/oc4ids.md). OC4IDS asks for project ids that start
# with a prefix registered with the Open Contracting Partnership: set OC4IDS_PREFIX to the
# ministry's once registered. The licence is the publisher's choice (a URL); confirm it.
OC4IDS_PREFIX = env.str("OC4IDS_PREFIX", default="cpec-tracker")
OC4IDS_PUBLISHER = env.str("OC4IDS_PUBLISHER", default="CPEC Tracker")
OC4IDS_PUBLISHER_URI = env.str("OC4IDS_PUBLISHER_URI", default="")
OC4IDS_LICENSE = env.str("OC4IDS_LICENSE", default="https://creativecommons.org/licenses/by/4.0/")
OC4IDS_PUBLICATION_POLICY = env.str("OC4IDS_PUBLICATION_POLICY", default="")

# Content-Security-Policy (django-csp), on every response: scripts, styles, images, fonts and
# connections only from this site; no inline script, <style> or event handler anywhere (charts
# go through json_script + static/js/charts.js; plotly's CSS is a static file, see
# dashboard/plotly_css.py). Set CSP_REPORT_URI to collect violation reports. docs/security.md.


def _css_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # No style attribute but the one plotly.js puts on <b> in hover labels (by its hash).
        "style-src-attr": [UNSAFE_HASHES, _css_hash("font-weight:bold")],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if env.str("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env.str("CSP_REPORT_URI")

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for AXES_COOLOFF_MINUTES (site and admin login).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A 429 page in the site's look, with Retry-After (templates/registration/locked_out.html).
AXES_LOCKOUT_CALLABLE = "cpec_tracker.security.lockout_response"
# Behind TRUSTED_PROXY_COUNT proxies that each append to X-Forwarded-For (REMOTE_ADDR is then
# the proxy's), the client's address is read from that header (cpec_tracker/security.py).
AXES_CLIENT_IP_CALLABLE = "cpec_tracker.security.client_ip"
# axes' database handler and the username it records, made safe for any input (security.py).
AXES_HANDLER = "cpec_tracker.security.AxesHandler"
AXES_USERNAME_CALLABLE = "cpec_tracker.security.login_username"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Cache of the pages' figures, keyed by the data's version (dashboard/cache.py), so a
# figure is never served after an edit. Per process by default; CACHE_URL (e.g.
# redis://127.0.0.1:6379/1 or dbcache://cpec_cache) shares it between gunicorn workers.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://cpec")}
CACHES["default"].setdefault("TIMEOUT", env.int("CACHE_SECONDS", default=24 * 60 * 60))
CPEC_CACHE_FIGURES = env.bool("CACHE_FIGURES", default=True)

# The read-only JSON API (api/): session login or a per-user token an administrator issues in the
# admin (Auth Token → Tokens); any active user may read, nobody may write. Requests per user (and
# per address for anonymous ones, refused anyway) are throttled: "<number>/<second|minute|hour|day>".
# Throttle counts live in the cache above: per process unless CACHE_URL shares it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an anonymous request is answered 401 with "WWW-Authenticate: Token", not 403.
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserRateThrottle", "api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="120/minute"),
        "anon": env.str("API_THROTTLE_ANON", default="20/minute"),
    },
    # The client's address as django-axes reads it: X-Forwarded-For only behind trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPEC Tracker API",
    "DESCRIPTION": "Read-only JSON API of the CPEC Tracker: the figures the staff pages show, now or as of a "
    "JCC meeting or a date. Money is a decimal string; a field ending in _usd or _pkr is in that currency, a "
    "stated amount names its currency beside it; an unknown figure is null, never 0.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The documentation page's Swagger UI is served by this site (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No validator badge: Swagger UI would send the description to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "defaultModelsExpandDepth": 0},
    "COMPONENT_SPLIT_REQUEST": True,
    # Fields of one name with different choices ("status" of a project, a line, a phase…): named enums.
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "PhaseStatusEnum": "projects.choices.PhaseStatus",
        "MeetingStatusEnum": "projects.choices.MeetingStatus",
        "FinancingStatusEnum": "financing.choices.FinancingStatus",
        "ProjectKindEnum": "projects.choices.ProjectKind",
        "DecisionKindEnum": "projects.choices.DecisionKind",
        "ExchangeRateKindEnum": "projects.choices.ExchangeRateKind",
        "LenderKindEnum": "financing.choices.LenderKind",
        "ChangeKindEnum": "financing.choices.ChangeKind",
        "CurrencyEnum": "projects.choices.Currency",
        "ReferenceCurrencyEnum": "api.serializers.REFERENCE_CURRENCIES",
    },
}

# The admin's URL prefix; change it in production to keep it off scanners' lists.
ADMIN_URL = env.str("ADMIN_URL", default="admin/").strip("/") + "/"

# Spreadsheet imports run in one transaction: a file with any row error writes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
