"""Revue's one settings module, configured from ``REVUE_*`` environment variables.

Every limit, timeout and threshold the code uses is a named setting here with a sensible
default; the README lists them all (a test fails when one is undocumented). Read a setting
through ``django.conf.settings.REVUE_…`` so tests can override it.

One machine (default): SQLite in WAL mode inside ``REVUE_DATA_DIR``, in-memory cache.
Many machines: ``REVUE_DATABASE_URL=postgres://…`` and ``REVUE_CACHE_URL=redis://…``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# --- where things live ----------------------------------------------------------------------

DATA_DIR = Path(env("REVUE_DATA_DIR", str(Path.cwd() / "data"))).expanduser().resolve()


def database_from_url(url: str, data_dir: Path) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name?option=…`` into Django's
    dict: dj-database-url reads the URL (quoting, ports, query options); Revue adds what each
    database needs to serve readers beside the crawler."""
    if not url:
        url = f"sqlite:///{data_dir / 'revue.sqlite3'}"
    scheme = url.split(":", 1)[0].lower()
    if scheme == "sqlite":
        # sqlite:////abs/path.sqlite3 (four slashes) or sqlite:///relative/path.sqlite3
        config = dj_database_url.parse(url)
        config.update({
            "OPTIONS": {
                # WAL lets readers run beside the single writer; IMMEDIATE makes writers queue
                # at BEGIN instead of failing half-way with "database is locked".
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # Keep connections: a new one starts with a cold page cache and, for the last one to
            # close, a WAL checkpoint.
            "CONN_MAX_AGE": None,
            "CONN_HEALTH_CHECKS": True,
            # tests run on a real SQLite file too, never on an in-memory stand-in
            "TEST": {"NAME": str(data_dir / "test.sqlite3")},
        })
        return config
    if scheme in {"postgres", "postgresql", "pgsql"}:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config["NAME"] = config["NAME"] or "revue"
        config["PORT"] = str(config["PORT"] or "")
        config.setdefault("OPTIONS", {})
        return config
    raise ImproperlyConfigured(
        f"REVUE_DATABASE_URL must start with sqlite:/// or postgres://, got {url!r}"
    )


def cache_from_url(url: str, data_dir: Path | None = None) -> dict:
    """``locmem://`` (default, one machine), ``redis://host:port/db``, or ``dummy://``.

    ``locmem://`` is each process's own memory, but with ``data_dir`` the counters that guard the
    portal (report rate limits, login failures and locks) are shared by every process of the
    machine, in ``data_dir/counters`` (``revue.portal.sharedcache``: ``revue serve`` runs one
    process per core)."""
    if not url or url.startswith("locmem://"):
        if data_dir is None:
            return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "revue"}
        return {
            "BACKEND": "revue.portal.sharedcache.LocalMemoryWithSharedCounters",
            "LOCATION": "revue",
            "OPTIONS": {
                "SHARED_DIRECTORY": str(data_dir / "counters"),
                "SHARED_KEY_PREFIXES": ["moderation:report-rate:", "login:"],
            },
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "revue.portal.sharedcache.RedisCacheRenewedOnClear",  # Django's, clear() renews the generation
            "LOCATION": url,
            "KEY_PREFIX": "revue",
        }
    if url.startswith("dummy://"):
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(f"REVUE_CACHE_URL must be locmem://, redis://… or dummy://, got {url!r}")


def secret_key(data_dir: Path) -> str:
    """REVUE_SECRET_KEY, else a random key kept in the data folder (never in the repo)."""
    configured = env("REVUE_SECRET_KEY")
    if configured:
        return configured
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


# --- Django ---------------------------------------------------------------------------------

DEBUG = env_bool("REVUE_DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("REVUE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("REVUE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",  # checks the CONTENT_SECURITY_POLICY setting
    "ninja",  # serves the API docs' scripts from our own static files, not a CDN
    "revue.sources",
    "revue.news",
    "revue.moderation",
    "revue.crawl",
    "revue.demo",
    "revue.portal",
    "revue.images",
    "revue.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (below)
    "revue.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # below WhiteNoise (static files come compressed already); pages kept by revue.portal.cache
    # come gzipped from the cache; no secret is ever in a compressed public page (BREACH)
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag on every page, 304 to a conditional GET
    "django.contrib.sessions.middleware.SessionMiddleware",
    # the language of a page is its URL's edition (/ar/, /es/, /en/; French unprefixed), in place
    # of Django's LocaleMiddleware; a first visit of / goes to the reader's (revue.portal.languages)
    "revue.portal.languages.EditionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "revue.urls"
WSGI_APPLICATION = "revue.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env("REVUE_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": cache_from_url(env("REVUE_CACHE_URL"), DATA_DIR)}

# The portal in four editions (revue.portal.languages): French at the root, the others under
# /ar/, /es/, /en/; articles keep their own language and direction in every edition. The
# catalogues are revue/locale/*/LC_MESSAGES/django.po (msgids in French), compiled to .mo by
# `make` (python -m revue.portal.translations). The switcher's choice is kept in a cookie read
# only on a visit of the French front page /.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("ar", "العربية"), ("es", "Español"), ("en", "English")]
LANGUAGES_BIDI = ["ar"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("REVUE_TIME_ZONE", "Africa/Casablanca")
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "revue_langue"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"


STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- security headers, HTTPS and the admin's door (README: "Security headers and the admin's door") -

# Content-Security-Policy (django-csp): scripts, styles, images, fonts and connections come from
# the portal itself only (images through its proxy, /img/…); no inline script on any page (the
# JSON-LD is a data block, not a script), no plugin, no <base>, no framing. Style attributes
# stay allowed (the ticker's --ticker-count, a few admin boxes): they load nothing beyond
# img-src and font-src, and have no selectors to read a page with.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (revue.headers): features no page of Revue uses, denied to every origin
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
    "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]  # fmt: skip
# Served over HTTPS (directly or by a proxy that terminates TLS): HTTP is redirected, cookies
# are Secure, and browsers are told to come back over HTTPS only (HSTS).
REVUE_HTTPS = env_bool("REVUE_HTTPS", False)
SECURE_SSL_REDIRECT = REVUE_HTTPS
SESSION_COOKIE_SECURE = REVUE_HTTPS
CSRF_COOKIE_SECURE = REVUE_HTTPS
LANGUAGE_COOKIE_SECURE = REVUE_HTTPS
SECURE_HSTS_SECONDS = env_int("REVUE_HSTS_SECONDS", 365 * 24 * 3600) if REVUE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("REVUE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("REVUE_HSTS_PRELOAD", True)
# behind a proxy that terminates TLS: its X-Forwarded-Proto says the reader came over HTTPS
# (`revue serve` passes proxy headers on only from REVUE_TRUSTED_PROXIES, dropping anyone else's)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The admin's login (revue.moderation.login_throttle): failed attempts are counted per account
# and per address; past the limit within the window, that account or address is refused for a while.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
REVUE_LOGIN_MAX_FAILURES = env_int("REVUE_LOGIN_MAX_FAILURES", 5)
REVUE_LOGIN_FAILURE_WINDOW = env_int("REVUE_LOGIN_FAILURE_WINDOW", 15 * 60)
REVUE_LOGIN_LOCKOUT_SECONDS = env_int("REVUE_LOGIN_LOCKOUT_SECONDS", 15 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {  # revue.logs: the keys a line is about (stage=, feed_id=, url=…) printed after it
        "revue": {"()": "revue.logs.formatter", "kind": env("REVUE_LOG_FORMAT", "plain")},
    },
    # keys bound for a whole piece of work (a feed's refresh: its feed_id) added to each of its lines
    "filters": {"bound_keys": {"()": "revue.logs.ContextKeys"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "revue", "filters": ["bound_keys"]}},
    "loggers": {
        "revue": {"handlers": ["console"], "level": env("REVUE_LOG_LEVEL", "INFO"), "propagate": False},
        # a 500's traceback in the log (Django's default prints it only with DEBUG on)
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "trafilatura": {"level": "ERROR"},
        "htmldate": {"level": "ERROR"},
    },
}

# --- Revue: the crawl -----------------------------------------------------------------------

REVUE_USER_AGENT = env(
    "REVUE_USER_AGENT", "Revue/0.1 (news aggregator; +https://github.com/revue-news/revue)"
)
REVUE_FETCH_ALLOW = env_list("REVUE_FETCH_ALLOW")
REVUE_FETCH_CONNECT_TIMEOUT = env_float("REVUE_FETCH_CONNECT_TIMEOUT", 10.0)
REVUE_FETCH_READ_TIMEOUT = env_float("REVUE_FETCH_READ_TIMEOUT", 20.0)
REVUE_FETCH_TOTAL_TIMEOUT = env_float("REVUE_FETCH_TOTAL_TIMEOUT", 60.0)
REVUE_FETCH_MAX_BYTES = env_int("REVUE_FETCH_MAX_BYTES", 10 * 1024 * 1024)
REVUE_FETCH_MAX_REDIRECTS = env_int("REVUE_FETCH_MAX_REDIRECTS", 5)
REVUE_FETCH_CONCURRENCY = env_int("REVUE_FETCH_CONCURRENCY", 32)
REVUE_FETCH_PER_HOST = env_int("REVUE_FETCH_PER_HOST", 4)
REVUE_HOST_DELAY = env_float("REVUE_HOST_DELAY", 1.0)
REVUE_CRAWL_PROCESSES = env_int("REVUE_CRAWL_PROCESSES", max(1, min(4, os.cpu_count() or 1)))
REVUE_ROBOTS_TTL = env_int("REVUE_ROBOTS_TTL", 24 * 60 * 60)
REVUE_FEED_MAX_ENTRIES = env_int("REVUE_FEED_MAX_ENTRIES", 500)
REVUE_FETCH_PAGES = env_bool("REVUE_FETCH_PAGES", True)
REVUE_FULL_CONTENT_MIN_CHARS = env_int("REVUE_FULL_CONTENT_MIN_CHARS", 600)
REVUE_FEED_MIN_INTERVAL = env_int("REVUE_FEED_MIN_INTERVAL", 5 * 60)
REVUE_FEED_MAX_INTERVAL = env_int("REVUE_FEED_MAX_INTERVAL", 6 * 60 * 60)
REVUE_FEED_DEFAULT_INTERVAL = env_int("REVUE_FEED_DEFAULT_INTERVAL", 15 * 60)
REVUE_FEED_MAX_ERRORS = env_int("REVUE_FEED_MAX_ERRORS", 10)
REVUE_LEASE_SECONDS = env_int("REVUE_LEASE_SECONDS", 5 * 60)
REVUE_LEASE_BATCH = env_int("REVUE_LEASE_BATCH", 50)
# a feed's lease is renewed while it is at work; past this many seconds of work it is cut and
# marked failed (a truly stuck feed): three leases, at least 15 minutes
REVUE_FEED_MAX_SECONDS = env_int("REVUE_FEED_MAX_SECONDS", max(15 * 60, 3 * REVUE_LEASE_SECONDS))
# with a shared cache (Redis): a worker marks itself alive for this long, renewing the mark every
# third of it; the host slots of a worker whose mark lapsed (killed) are taken over (politeness)
REVUE_WORKER_ALIVE_SECONDS = env_int("REVUE_WORKER_ALIVE_SECONDS", 10)
# WebSub push (revue.crawl.websub): the portal's public address, for the hub's callbacks (empty:
# no subscription is made); the lease asked of a hub; renewed this long before it ends; a request
# left unverified is sent again after REVUE_WEBSUB_RETRY_SECONDS; polling floor while pushed
REVUE_WEBSUB_BASE_URL = env("REVUE_WEBSUB_BASE_URL").strip().rstrip("/")
REVUE_WEBSUB_LEASE_SECONDS = env_int("REVUE_WEBSUB_LEASE_SECONDS", 10 * 24 * 60 * 60)
REVUE_WEBSUB_RENEW_BEFORE = env_int("REVUE_WEBSUB_RENEW_BEFORE", 24 * 60 * 60)
REVUE_WEBSUB_RETRY_SECONDS = env_int("REVUE_WEBSUB_RETRY_SECONDS", 60 * 60)
REVUE_WEBSUB_POLL_INTERVAL = env_int("REVUE_WEBSUB_POLL_INTERVAL", 3 * 60 * 60)
REVUE_WEBSUB_MAX_BYTES = env_int("REVUE_WEBSUB_MAX_BYTES", 10 * 1024 * 1024)
REVUE_CRAWL_SETTLE_EVERY = env_int("REVUE_CRAWL_SETTLE_EVERY", 200)

# --- Revue: the portal ----------------------------------------------------------------------

REVUE_TICKER_SIZE = env_int("REVUE_TICKER_SIZE", 50)
# the live ticker (revue.portal.live, revue.portal.streams)
REVUE_TICKER_POLL_SECONDS = env_int("REVUE_TICKER_POLL_SECONDS", 30)  # a browser without a kept stream asks again after this
REVUE_TICKER_MAX_STREAMS = env_int("REVUE_TICKER_MAX_STREAMS", 1000)  # event streams one revue serve process keeps open
REVUE_TICKER_CHECK_SECONDS = env_float("REVUE_TICKER_CHECK_SECONDS", 1.0)  # how often each process looks for a settle
REVUE_TICKER_HEARTBEAT_SECONDS = env_float("REVUE_TICKER_HEARTBEAT_SECONDS", 25.0)  # a comment line to idle streams
REVUE_SERVE_THREADS = env_int("REVUE_SERVE_THREADS", 8)
REVUE_SERVE_WORKERS = env_int("REVUE_SERVE_WORKERS", 0)  # revue serve's processes; 0: one per core
REVUE_SERVE_TIMEOUT = env_int("REVUE_SERVE_TIMEOUT", 30)
REVUE_SERVE_ACCESS_LOG = env_bool("REVUE_SERVE_ACCESS_LOG", False)
REVUE_PAGE_SIZE = env_int("REVUE_PAGE_SIZE", 20)
REVUE_PORTAL_MAX_PAGE = env_int("REVUE_PORTAL_MAX_PAGE", 500)
REVUE_PORTAL_CACHE_SECONDS = env_int("REVUE_PORTAL_CACHE_SECONDS", 30)
# readers' pages (revue.portal.cache): Cache-Control max-age, and how long the server keeps a page
REVUE_FRONT_CACHE_SECONDS = env_int("REVUE_FRONT_CACHE_SECONDS", 60)
REVUE_ARTICLE_CACHE_SECONDS = env_int("REVUE_ARTICLE_CACHE_SECONDS", 300)
REVUE_PAGE_RENDER_WAIT_MS = env_int("REVUE_PAGE_RENDER_WAIT_MS", 2000)  # waiting for another request's render of a page
REVUE_PAGE_LOCAL_COPIES = env_int("REVUE_PAGE_LOCAL_COPIES", 500)

# --- Revue: extraction and images (see README) ----------------------------------------------

REVUE_EXTRACT_MAX_HTML_CHARS = env_int("REVUE_EXTRACT_MAX_HTML_CHARS", 2_000_000)
REVUE_EXTRACT_FAST_MODE_ELEMENTS = env_int("REVUE_EXTRACT_FAST_MODE_ELEMENTS", 15_000)
REVUE_IMAGE_MAX_BYTES = env_int("REVUE_IMAGE_MAX_BYTES", 8 * 1024 * 1024)
REVUE_IMAGE_MAX_PIXELS = env_int("REVUE_IMAGE_MAX_PIXELS", 40_000_000)
try:
    REVUE_IMAGE_WIDTHS = sorted({int(w) for w in env_list("REVUE_IMAGE_WIDTHS", "320,640,1024")})
except ValueError as exc:
    raise ImproperlyConfigured(f"REVUE_IMAGE_WIDTHS must be comma-separated whole numbers ({exc})") from exc
REVUE_IMAGE_CACHE_DIR = Path(env("REVUE_IMAGE_CACHE_DIR", str(DATA_DIR / "images"))).expanduser().resolve()
REVUE_IMAGE_CACHE_MAX_BYTES = env_int("REVUE_IMAGE_CACHE_MAX_BYTES", 2 * 1024**3)
REVUE_IMAGE_CACHE_SECONDS = env_int("REVUE_IMAGE_CACHE_SECONDS", 30 * 24 * 3600)
REVUE_IMAGE_FETCH_TIMEOUT = env_float("REVUE_IMAGE_FETCH_TIMEOUT", 15.0)
REVUE_IMAGE_RETRY_SECONDS = env_int("REVUE_IMAGE_RETRY_SECONDS", 15 * 60)
REVUE_IMAGE_URL_SALT = "revue.images"  # not a limit: shared by the proxy and the portal's image_url tag

# --- Revue: stories (see README) ------------------------------------------------------------

REVUE_STORY_WINDOW_HOURS = env_float("REVUE_STORY_WINDOW_HOURS", 72)
REVUE_STORY_HORIZON_HOURS = env_float("REVUE_STORY_HORIZON_HOURS", 14 * 24)
REVUE_STORY_MINHASH_PERMUTATIONS = env_int("REVUE_STORY_MINHASH_PERMUTATIONS", 64)
REVUE_STORY_LSH_THRESHOLD = env_float("REVUE_STORY_LSH_THRESHOLD", 0.6)
REVUE_STORY_SHINGLE_WORDS = env_int("REVUE_STORY_SHINGLE_WORDS", 3)
REVUE_STORY_DUPLICATE_SIMILARITY = env_float("REVUE_STORY_DUPLICATE_SIMILARITY", 0.7)
REVUE_STORY_SIMILARITY = env_float("REVUE_STORY_SIMILARITY", 0.26)
REVUE_STORY_CROSS_LANGUAGE_SIMILARITY = env_float("REVUE_STORY_CROSS_LANGUAGE_SIMILARITY", 0.65)
REVUE_STORY_POSTING_CAP = env_int("REVUE_STORY_POSTING_CAP", 10)
REVUE_STORY_INDEX_KEYS = env_int("REVUE_STORY_INDEX_KEYS", 10)
REVUE_STORY_CANDIDATES = env_int("REVUE_STORY_CANDIDATES", 12)
REVUE_STORY_FRESH_HOURS = env_float("REVUE_STORY_FRESH_HOURS", 24)
REVUE_STORY_HALF_LIFE_HOURS = env_float("REVUE_STORY_HALF_LIFE_HOURS", 12)
REVUE_STORY_BATCH = env_int("REVUE_STORY_BATCH", 500)
REVUE_FRONT_STORIES = env_int("REVUE_FRONT_STORIES", 8)
REVUE_FRONT_STORY_HOURS = env_float("REVUE_FRONT_STORY_HOURS", 48)
REVUE_STORY_PAGE_MAX_ARTICLES = env_int("REVUE_STORY_PAGE_MAX_ARTICLES", 200)

# --- Revue: search, archives, feeds out and API (see README) --------------------------------

REVUE_SEARCH_MAX_QUERY_CHARS = env_int("REVUE_SEARCH_MAX_QUERY_CHARS", 500)
REVUE_SEARCH_MAX_TERMS = env_int("REVUE_SEARCH_MAX_TERMS", 12)
REVUE_SEARCH_MIN_PREFIX = env_int("REVUE_SEARCH_MIN_PREFIX", 3)
REVUE_SEARCH_MAX_RESULTS = env_int("REVUE_SEARCH_MAX_RESULTS", 1000)
REVUE_SEARCH_PAGE_SIZE = env_int("REVUE_SEARCH_PAGE_SIZE", 20)
REVUE_SEARCH_RECENCY_DAYS = env_float("REVUE_SEARCH_RECENCY_DAYS", 7.0)
REVUE_SEARCH_TITLE_WEIGHT = env_float("REVUE_SEARCH_TITLE_WEIGHT", 4.0)
REVUE_SEARCH_SNIPPET_WORDS = env_int("REVUE_SEARCH_SNIPPET_WORDS", 30)
REVUE_SEARCH_SNIPPET_SCAN_CHARS = env_int("REVUE_SEARCH_SNIPPET_SCAN_CHARS", 5000)
REVUE_SEARCH_MAX_INDEXED_CHARS = env_int("REVUE_SEARCH_MAX_INDEXED_CHARS", 20000)
REVUE_SEARCH_TIME_LIMIT_MS = env_int("REVUE_SEARCH_TIME_LIMIT_MS", 1000)
REVUE_SEARCH_INDEX_BATCH = env_int("REVUE_SEARCH_INDEX_BATCH", 500)
REVUE_SEARCH_OUTLET_MENU_MAX = env_int("REVUE_SEARCH_OUTLET_MENU_MAX", 100)
REVUE_FEEDS_OUT_ITEMS = env_int("REVUE_FEEDS_OUT_ITEMS", 30)
REVUE_SITEMAP_NEWS_HOURS = env_int("REVUE_SITEMAP_NEWS_HOURS", 48)
REVUE_SITEMAP_MAX_URLS = env_int("REVUE_SITEMAP_MAX_URLS", 50000)
REVUE_API_PAGE_SIZE = env_int("REVUE_API_PAGE_SIZE", 20)
REVUE_API_MAX_PAGE_SIZE = env_int("REVUE_API_MAX_PAGE_SIZE", 100)

# --- Revue: image reports and moderation (see README) ---------------------------------------

REVUE_REPORT_THRESHOLD = env_int("REVUE_REPORT_THRESHOLD", 3)
REVUE_REPORT_THRESHOLD_RESTORED = env_int("REVUE_REPORT_THRESHOLD_RESTORED", 6)
REVUE_REPORT_RATE_LIMIT = env_int("REVUE_REPORT_RATE_LIMIT", 20)
REVUE_REPORT_RATE_WINDOW = env_int("REVUE_REPORT_RATE_WINDOW", 60 * 60)
REVUE_REPORT_NETWORK_RATE_LIMIT = env_int("REVUE_REPORT_NETWORK_RATE_LIMIT", 60)
REVUE_REPORT_BURST_SIZE = env_int("REVUE_REPORT_BURST_SIZE", 10)
REVUE_REPORT_BURST_WINDOW = env_int("REVUE_REPORT_BURST_WINDOW", 10 * 60)
REVUE_REPORT_TOKEN_MAX_AGE = env_int("REVUE_REPORT_TOKEN_MAX_AGE", 24 * 60 * 60)
# behind a proxy: the request header carrying the reader's address (e.g. X-Forwarded-For), read
# only on connections from REVUE_TRUSTED_PROXIES (addresses or networks); else REMOTE_ADDR
REVUE_CLIENT_ADDRESS_HEADER = env("REVUE_CLIENT_ADDRESS_HEADER")
REVUE_TRUSTED_PROXIES = env_list("REVUE_TRUSTED_PROXIES")

# --- Revue: operations (revue stats, revue prune, metrics; see README) ----------------------

REVUE_RETENTION_DAYS = env_int("REVUE_RETENTION_DAYS", 365)  # revue prune drops articles older than this
REVUE_PRUNE_BATCH = env_int("REVUE_PRUNE_BATCH", 500)  # articles deleted per transaction by revue prune
REVUE_FETCH_LOG_SIZE = env_int("REVUE_FETCH_LOG_SIZE", 50)  # fetches kept in each feed's log (the admin shows it)
# the source health admin: a feed is silent after this many days without a new article, thin when
# its articles of the last REVUE_HEALTH_DAYS average fewer characters of text than this
REVUE_HEALTH_DAYS = env_int("REVUE_HEALTH_DAYS", 14)
REVUE_HEALTH_SILENT_DAYS = env_int("REVUE_HEALTH_SILENT_DAYS", 3)
REVUE_HEALTH_THIN_CHARS = env_int("REVUE_HEALTH_THIN_CHARS", 500)
# /metrics (revue.portal.metrics): off (404) unless set, then asked as a bearer token. Every process
# of the machine (revue serve's, the crawler's) then writes its values under the data folder, for
# prometheus-client's multiprocess mode, which reads this variable when it is first imported
REVUE_METRICS_TOKEN = env("REVUE_METRICS_TOKEN")
if REVUE_METRICS_TOKEN:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "metrics"))
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
