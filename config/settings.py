"""Settings read from the environment, with defaults that let a fresh checkout run.

DATABASE_URL picks the database (SQLite file in the project by default; PostgreSQL in
production), REDIS_URL the shared cache, SECRET_KEY, DEBUG and ALLOWED_HOSTS do what they say.
DJANGO_ENV=production turns on the HTTPS-only settings that `manage.py check --deploy` asks for.
Every variable is listed in docs/operations.md. A malformed value fails at start-up rather than
behaving oddly later.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# DJANGO_ENV=production turns on the strict checks; anything else is a local checkout.
PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"
DEBUG = envbool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "axes",
    "statements",
]

MIDDLEWARE = [
    # A lost database met in a view is the 503 page (statements/middleware.py); config/urls.py's
    # handler500 does the same for the middleware below.
    "statements.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Each request's database budget and anonymous clients' share (statements/budget.py).
    "statements.budget.RequestBudgetMiddleware",
    # Records which editor made each change kept in history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed admin logins and refuses further attempts once locked; its backend
# must come first so a locked-out login never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A write transaction takes SQLite's write lock when it begins, not at its first write: two
    # saves that read before writing (an import looking for its briefing) then take turns
    # instead of both finding nothing, or failing with "database is locked" halfway.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # While PostgreSQL is unreachable a request gives up after this many seconds and gets the
    # 503 page (statements/middleware.py) instead of holding a worker; the health check made
    # at the start of each request reconnects once the database is back.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", 3)
    # No JIT compilation: compiling took longer than it saved on every cold count (docs/benchmarks.md, "Measured reasons"),
    # and a page's queries are short or one-off. A random read priced as the cache or an SSD
    # makes it (1.1, not PostgreSQL's 4 for spinning disks): counting a month's remarks of a
    # busy topic walks the tags by remark rather than reading every tag of the topic.
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c jit=off -c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Counts and facet HTML per search state (statements/countcache.py). Correctness does not depend
# on sharing, since every entry is keyed by the content version; REDIS_URL shares the work
# between processes and servers. Without it each process keeps its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that an unreachable Redis is a cache miss, logged,
            # rather than an error page (statements/cache.py).
            "BACKEND": "statements.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "statements"),
            # Passed to redis-py's connection pool: a Redis that does not answer costs a page
            # half a second, not a worker timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here for production; a local checkout serves static/ directly.
STATIC_ROOT = BASE_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files need `collectstatic`, which a production deploy runs.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# A local checkout serves static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGIN_URL = "admin:login"

# Headers on every response, in development too, so the tests see what production sends.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Search URLs carry what a reader searched for: other sites (the ministries' pages we link to)
# get no referrer at all.
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only our own scripts, styles and fonts, no inline
# code, nothing may frame the site. Admin and the API docs live with it; see
# statements/api/urls.py for the one per-view addition.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# HTTPS-only settings: production serves HTTPS (directly or behind a proxy that terminates TLS).
if PRODUCTION:
    # Off only where a production build is served over plain HTTP on purpose (the load test on
    # 127.0.0.1, scripts/loadtest.sh).
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    # A load balancer's health check speaks plain HTTP to the app server.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
# "https://statements.example.org,https://www.example.org": origins allowed to post forms (the
# admin) when the proxy's Host differs from what the browser saw.
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. Each one must
# set X-Forwarded-Proto and append to X-Forwarded-For; only then are those headers believed.
NUM_PROXIES = envint("NUM_PROXIES", 0)
if NUM_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Password guessing on the admin login (django-axes): five wrong passwords for one username from
# one address lock that pair for 15 minutes. Locking the pair rather than the username alone
# means a stranger cannot lock an editor out from elsewhere; `manage.py axes_reset` unlocks.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Behind a proxy REMOTE_ADDR is the proxy: read the client from X-Forwarded-For instead.
AXES_CLIENT_IP_CALLABLE = "statements.middleware.client_ip"
AXES_USERNAME_CALLABLE = "statements.middleware.login_username"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The read-only JSON API (statements/api/). Public and read-only, so no authentication: no
# sessions, hence no CSRF to think about. Pagination is set per view (statements/api/views.py).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diplomatic statements API",
    "DESCRIPTION": "Published remarks and briefings of foreign-ministry spokespersons, with the "
    "filters of /remarks/ and /briefings/. Read-only; lists are cursor-paginated.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package, served as our own static files:
    # the docs page works without reaching a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# What one request may cost (statements/budget.py, docs/operations.md "Budgets"). Seconds a
# statement may run, per class of request; seconds to wait for a lock; then a 503.
PAGE_STATEMENT_TIMEOUT = envfloat("PAGE_STATEMENT_TIMEOUT", 5.0)
EXPORT_STATEMENT_TIMEOUT = envfloat("EXPORT_STATEMENT_TIMEOUT", 60.0)
ADMIN_STATEMENT_TIMEOUT = envfloat("ADMIN_STATEMENT_TIMEOUT", 60.0)
LOCK_TIMEOUT = envfloat("LOCK_TIMEOUT", 2.0)
BUSY_RETRY_AFTER = envint("BUSY_RETRY_AFTER", 10)
# /healthz reads the remark table within this many seconds, or reports the database slow or locked.
HEALTH_TIMEOUT = envfloat("HEALTH_TIMEOUT", 1.0)
# Anonymous clients, per address (django-ratelimit's "N/s|m|h|d"; empty: no limit).
ANONYMOUS_RATE_LIMIT = os.environ.get("ANONYMOUS_RATE_LIMIT", "300/m")
EXPORT_RATE_LIMIT = os.environ.get("EXPORT_RATE_LIMIT", "30/h")
RATE_LIMIT_RETRY_AFTER = envint("RATE_LIMIT_RETRY_AFTER", 60)
# Work one address may ask of one request: a parameter repeated at most this often, pages up to.
MAX_VALUES_PER_PARAMETER = envint("MAX_VALUES_PER_PARAMETER", 20)
MAX_PAGE = envint("MAX_PAGE", 1000)
# Exports streaming at once and searches counting at once, per anonymous client and in all
# (held in the shared cache, statements/budget.Slots), sized per core (docs/operations.md,
# "Budgets", says what two cores sustain): a search keeps a core busy for a tenth of a second or
# two, so two per core keep the cores busy while one waits on the database; more searches wait
# in line for SEARCH_QUEUE_SECONDS rather than fail. Every running and waiting request holds a
# thread of gunicorn's (workers × GUNICORN_THREADS, config/gunicorn.conf.py counts them the same
# way): the defaults leave a third of them to permalinks and pages whatever a crowd searches.
_CORES = os.cpu_count() or 1
# gunicorn's workers on this server: without Redis each holds its share of the slots.
APP_PROCESSES = envint("WEB_CONCURRENCY", _CORES * 2 + 1)
_THREADS = APP_PROCESSES * envint("GUNICORN_THREADS", 4)
EXPORTS_PER_CLIENT = envint("EXPORTS_PER_CLIENT", 1)
EXPORTS_AT_ONCE = envint("EXPORTS_AT_ONCE", max(1, _CORES // 2))
SEARCHES_PER_CLIENT = envint("SEARCHES_PER_CLIENT", 2)
SEARCHES_AT_ONCE = envint("SEARCHES_AT_ONCE", max(1, min(2 * _CORES, _THREADS // 3)))
SEARCH_QUEUE = envint("SEARCH_QUEUE", max(0, min(4 * _CORES, _THREADS * 2 // 3 - SEARCHES_AT_ONCE - EXPORTS_AT_ONCE)))
SEARCH_QUEUE_SECONDS = envfloat("SEARCH_QUEUE_SECONDS", 5.0)
# A request holding one of those slots runs this much lower in the CPU's priority (Linux's nice),
# so that a page waiting for a core gets it first; 0: the same priority as pages.
HEAVY_REQUEST_NICE = envint("HEAVY_REQUEST_NICE", 10)
# A slot is a lease: not given back (its worker killed) or no longer renewed (an export whose
# client stopped reading), it is free again after this; an export's stream renews its own every
# third of it while it is sent.
SLOT_SECONDS = envint("SLOT_SECONDS", 10)
# While Redis is away, this server's slots are locks of files here (local disk).
SLOTS_DIR = os.environ.get("SLOTS_DIR", str(BASE_DIR / "var" / "slots"))
# An unreachable Redis must not stop the site: the limits then let requests through.
RATELIMIT_FAIL_OPEN = True

# The search engine (statements/search/engine.py): an index of the public remarks in this
# directory, one per app server, kept from the database by itself; empty: count in the database.
SEARCH_ENGINE_DIR = os.environ.get("SEARCH_ENGINE_DIR", str(BASE_DIR / "var" / "search-engine"))
# A request indexes at most this many remarks to catch up (a day's briefings); beyond, it counts
# in the database while a thread catches up (`manage.py sync_search_engine` on deploy and after
# bulk loads does it beforehand).
SEARCH_ENGINE_SYNC_LIMIT = envint("SEARCH_ENGINE_SYNC_LIMIT", 1000)
SEARCH_ENGINE_CATCH_UP_IN_BACKGROUND = envbool("SEARCH_ENGINE_CATCH_UP_IN_BACKGROUND", True)
SEARCH_ENGINE_WRITER_HEAP = envint("SEARCH_ENGINE_WRITER_HEAP", 100_000_000)

# Whole public pages kept under the content version (statements/pagecache.py); 0: not kept.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 3600)

# The first year a briefing may be dated (statements/dates.py); the last is next year.
BRIEFING_FIRST_YEAR = envint("BRIEFING_FIRST_YEAR", 1949)

# Fetching transcripts (statements/importers/fetch.py: the admin's import from a URL, the sync).
# The User-Agent names the site to the ministries' servers (statements/importers/fetch.py has
# the default); set one with a contact address.
IMPORT_FETCH_USER_AGENT = os.environ.get("IMPORT_FETCH_USER_AGENT", "")
# Addresses on this machine or the private network are refused, so that an editor's URL cannot
# make the server fetch from inside; only tests and local mirrors set this.
IMPORT_FETCH_ALLOW_PRIVATE = envbool("IMPORT_FETCH_ALLOW_PRIVATE", False)

# Fonts of the share cards (statements/cards.py), the first present of each list: Debian's
# fonts-dejavu-core and fonts-wqy-zenhei (the set-up installs them), or the paths given.
CARD_FONTS = {
    "latin": [*filter(None, [os.environ.get("CARD_FONT_LATIN")]), "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    "latin_bold": [
        *filter(None, [os.environ.get("CARD_FONT_LATIN_BOLD")]), "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    ],
    "cjk": [
        *filter(None, [os.environ.get("CARD_FONT_CJK")]),
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ],
}

# The site's address as readers reach it, for the links of an email (no request to ask):
# "https://statements.example.org", without a trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}")

# Email: alert confirmations and digests (statements/alerts.py, docs/alerts.md). A local checkout
# prints messages on the console; production speaks SMTP to EMAIL_HOST.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
# Seconds an SMTP server may take to answer: a hung server fails a send, not the whole run.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Diplomatic statements <alerts@localhost>")
# Subscribing: forms posted per address (django-ratelimit's "N/s|m|h|d"; empty: no limit), and
# at most one confirmation email per address in this many minutes, whoever asks.
ALERTS_SUBSCRIBE_RATE_LIMIT = os.environ.get("ALERTS_SUBSCRIBE_RATE_LIMIT", "10/h")
ALERTS_CONFIRMATION_INTERVAL = envint("ALERTS_CONFIRMATION_INTERVAL", 10)
# Confirmation emails to one address in one day, whatever the interval allows.
ALERTS_CONFIRMATIONS_PER_DAY = envint("ALERTS_CONFIRMATIONS_PER_DAY", 3)
# A digest lists at most this many remarks per alert, then links to the rest.
ALERTS_REMARKS_PER_ALERT = envint("ALERTS_REMARKS_PER_ALERT", 10)
# At most one digest per subscriber in this many hours: a daily timer that fires twice or late
# never sends two in a day (what was published meanwhile waits for the next).
ALERTS_DIGEST_INTERVAL = envint("ALERTS_DIGEST_INTERVAL", 20)
# Addresses and alerts never confirmed are deleted after this many days.
ALERTS_UNCONFIRMED_DAYS = envint("ALERTS_UNCONFIRMED_DAYS", 7)
