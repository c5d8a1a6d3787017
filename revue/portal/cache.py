"""The portal's caches: short-lived values, whole rendered pages, and the one switch that empties them all.

Every cached value lives under a key that embeds a *generation* token,
``revue.news.cache.reader_generation()``. Renewing it (``invalidate_portal()``, or
``invalidate_reader_caches()`` from the apps below: moderation when an image gets blocked or
restored, the crawl when a settle brings new articles into stories) means every key built before
is never read again and simply expires; it works the same on the in-memory cache and on a shared
Redis cache, and needs no list of keys.

``page(kind)`` wraps a page view for readers (README: "Serving readers: cached, conditional, compressed pages"):

* an anonymous reader's page is rendered once per generation and kept for the kind's
  ``REVUE_*_CACHE_SECONDS`` (``FRONT``: home, outlet, category, story, archives; ``ARTICLE``),
  with its gzip form made once beside it; it is served with ``Cache-Control: public, max-age``,
  a strong ``ETag`` (the MD5 of the body: it changes exactly when the page does; weak for the
  gzip form, as Django's ``GZipMiddleware`` marks it) and ``Last-Modified`` (when it was
  rendered), so ``ConditionalGetMiddleware`` answers a repeated request with a 304;
* a request that carries a session (staff, a logged-in account) or a message to show (the
  thank-you after a report without JavaScript) is rendered for that reader alone and marked
  ``private, no-cache``; so is any answer that touched the session, the CSRF token or the
  messages while rendering, which a page for everyone must never do;
* ``SEARCH`` pages are kept the same way, keyed by the search's own parameters (a rush of
  readers typing the same words renders it once), and so are the JSON API's answers (``API``:
  lists, with the front's ``max-age``; ``API_ITEM``: one article, story or outlet, with the
  article's), which ``revue.api`` wraps with ``page()`` too;
* with a shared cache (Redis), each server process also keeps its own copy of the pages it served
  (``REVUE_PAGE_LOCAL_COPIES`` of them, least recently read first out), under the same key; the
  process keeps its own copy of the generation too, which its subscription to the renewals keeps
  (``revue.news.cache``), so a page served again costs no round trip to Redis and no unpickling
  (one, for the generation, while that subscription is not healthy); a renewal changes the key,
  so a copy is never served after a settle or a block;
* when a page is missing (just after a renewal), one request renders it and the others asking
  for it meanwhile wait for its copy (up to ``REVUE_PAGE_RENDER_WAIT_MS``), instead of every
  server thread rendering the same page at once.

The key is the path and the query parameters a page of that kind reads (``READ_PARAMETERS``:
``page`` for the portal's pages), so extra parameters (``?utm_source=…``) neither fill the cache
nor change the page. Least recently read pages leave the in-memory cache first, so a flood of
distinct searches does not push out the front page.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import time
from dataclasses import dataclass
from functools import wraps
from typing import Callable, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from revue.metrics import PAGE_CACHE
from revue.news.cache import LOCAL_MEMORY, invalidate_reader_caches, reader_generation

T = TypeVar("T")

FRONT = "front"  # home, outlet, category, story, archives
ARTICLE = "article"
SEARCH = "search"
API = "api"  # the JSON API's lists (and search)
API_ITEM = "api-item"  # one article, story or outlet of the JSON API
READ_PARAMETERS = {  # the query parameters each kind of page reads (others change nothing)
    FRONT: ("page",),
    ARTICLE: ("page",),
    SEARCH: ("q", "source", "rubrique", "langue", "du", "au", "page"),
    API: ("q", "outlet", "category", "language", "since", "until", "cursor", "limit"),
    API_ITEM: (),
}
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")  # a session; a message waiting to be shown
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding
KEPT_HEADERS = ("Content-Type", "Content-Language")
RENDER_LOCK_SECONDS = 30  # a render that died frees its page's lock after this
RENDER_POLL_SECONDS = 0.005  # how often a request waiting for another's render looks for it


def cache_seconds() -> int:
    """How long the front page's data and the navigation stay cached."""
    return settings.REVUE_PORTAL_CACHE_SECONDS


def generation() -> str:
    """The current generation token (shared with every reader-facing cache)."""
    return reader_generation()


def portal_key(name: str) -> str:
    """The cache key for ``name`` in the current generation."""
    return f"portal:{generation()}:{name}"


_MISSING = object()


def cached(name: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """``compute()``'s value, kept under ``name`` for ``timeout`` seconds (default: the portal's).
    On a miss the value computed here is returned as it is (Django's ``get_or_set`` reads it back
    from the cache after storing it: pickled and unpickled again, ~2.4 ms on a cold front page)."""
    key = portal_key(name)
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, cache_seconds() if timeout is None else timeout)
    return value


def invalidate_portal() -> None:
    """Forget everything the portal has cached (front page, navigation, counts, pages)."""
    invalidate_reader_caches()


# --- whole pages -------------------------------------------------------------------------------


def max_age(kind: str) -> int:
    """``Cache-Control: max-age`` of a page of ``kind`` (and how long the server keeps it). An
    article page's report buttons carry tokens that expire (``REVUE_REPORT_TOKEN_MAX_AGE``): it is
    never kept for more than half that time, so that a kept page's buttons still work."""
    if kind in (ARTICLE, API_ITEM):
        return min(settings.REVUE_ARTICLE_CACHE_SECONDS, settings.REVUE_REPORT_TOKEN_MAX_AGE // 2)
    return settings.REVUE_FRONT_CACHE_SECONDS


@dataclass(frozen=True)
class KeptPage:
    """A rendered page as the cache keeps it: its body, plain and gzipped, and its validators."""

    content: bytes
    gzipped: bytes | None  # None when gzip would not make it smaller
    headers: tuple[tuple[str, str], ...]
    etag: str  # quoted, strong
    rendered_at: float

    @classmethod
    def of(cls, response: HttpResponse) -> KeptPage:
        content = response.content
        squeezed = gzip.compress(content, compresslevel=6, mtime=0)
        return cls(
            content=content,
            gzipped=squeezed if len(squeezed) < len(content) else None,
            headers=tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name)),
            etag=f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
            rendered_at=time.time(),
        )

    def response_for(self, request) -> HttpResponse:
        zipped = self.gzipped is not None and ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        response = HttpResponse(self.gzipped if zipped else self.content)
        for name, value in self.headers:
            response[name] = value
        if zipped:
            response["Content-Encoding"] = "gzip"
        response["ETag"] = f"W/{self.etag}" if zipped else self.etag
        response["Last-Modified"] = http_date(self.rendered_at)
        if self.gzipped is not None:
            patch_vary_headers(response, ("Accept-Encoding",))
        return response


def page_key(request, kind: str) -> str:
    """The page's key: its kind, its path and the query parameters it reads (hashed)."""
    read = "&".join(f"{name}={request.GET.get(name, '')}" for name in READ_PARAMETERS[kind] if name in request.GET)
    digest = hashlib.sha256(f"{request.path}?{read}".encode("utf-8", "surrogatepass")).hexdigest()
    return portal_key(f"page:{kind}:{digest}")


def is_personal_request(request) -> bool:
    """The reader carries a session (staff, an account) or a message waiting to be shown."""
    return any(name in request.COOKIES for name in PERSONAL_COOKIES)


def rendered_personally(request, response) -> bool:
    """Rendering touched what belongs to one reader: the session, the CSRF token, the messages
    (their middlewares would then add ``Vary: Cookie`` or a cookie to the answer), or set a cookie."""
    session = getattr(request, "session", None)
    messages = getattr(request, "_messages", None)
    return bool(
        response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (session is not None and session.accessed)
        or (messages is not None and (messages.used or messages.added_new))
    )


def make_private(response) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    return response


def make_public(response, kind: str) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age(kind))
    return response


def public_unless_personal(request, response, kind: str) -> HttpResponse:
    """An answer that is not kept: private if made for one reader; public if a page or a
    permanent redirect (``ConditionalGetMiddleware`` adds the ETag); else (400, 404) as it is."""
    if rendered_personally(request, response):
        return make_private(response)
    if response.streaming or response.status_code not in (200, 301, 308):
        return response
    return make_public(response, kind)


def rendered_meanwhile(key: str) -> KeptPage | None:
    """The page another request is rendering, once it is kept; None as soon as that request is
    done without keeping it (a 404, a 400: nothing to wait for) or after
    ``REVUE_PAGE_RENDER_WAIT_MS``: then this request renders it too."""
    lock = f"{key}:rendering"
    deadline = time.monotonic() + settings.REVUE_PAGE_RENDER_WAIT_MS / 1000
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        found = cache.get_many([key, lock])
        if key in found:
            return found[key]
        if lock not in found:
            return None
    return None


_local_copies: LocMemCache | None = None


def local_copies() -> LocMemCache | None:
    """This process's own copies of kept pages, when the cache is shared (else None: the cache is
    this process's memory already)."""
    global _local_copies
    if settings.CACHES["default"]["BACKEND"] in LOCAL_MEMORY or settings.REVUE_PAGE_LOCAL_COPIES <= 0:
        return None
    if _local_copies is None:
        _local_copies = LocMemCache("revue-page-copies", {"OPTIONS": {"MAX_ENTRIES": settings.REVUE_PAGE_LOCAL_COPIES}})
    return _local_copies


def kept_page(key: str, kind: str) -> KeptPage | None:
    """The page kept under ``key``: this process's copy, else the cache's (then copied here for
    what remains of its time)."""
    copies = local_copies()
    found = copies.get(key) if copies is not None else None
    if found is None:
        found = cache.get(key)
        if found is not None and copies is not None:
            copies.set(key, found, max(1, int(found.rendered_at + max_age(kind) - time.time())))
    return found


def keep(key: str, kind: str, kept: KeptPage) -> None:
    cache.set(key, kept, max_age(kind))
    copies = local_copies()
    if copies is not None:
        copies.set(key, kept, max_age(kind))


def page(kind: str):
    """Decorate a reader's page view: cached, conditional and compressed for everyone, private
    for the one reader with a session or a message (see the module's docstring)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if is_personal_request(request):
                return make_private(view(request, *args, **kwargs))
            key = page_key(request, kind)
            kept = kept_page(key, kind)
            answer = "hit" if kept is not None else "miss"
            rendering = kept is None and cache.add(f"{key}:rendering", True, RENDER_LOCK_SECONDS)
            if kept is None and not rendering:
                kept = rendered_meanwhile(key)  # another request is rendering it: wait for its copy
                answer = "waited" if kept is not None else "miss"
            PAGE_CACHE.labels(kind=kind, result=answer).inc()
            if kept is not None:  # public, unless the middlewares will add a cookie (a malformed CSRF cookie is renewed)
                return public_unless_personal(request, kept.response_for(request), kind)
            try:
                response = view(request, *args, **kwargs)
                if rendered_personally(request, response) or response.status_code != 200 or response.streaming:
                    return public_unless_personal(request, response, kind)
                kept = KeptPage.of(response)
                keep(key, kind, kept)
            finally:
                if rendering:
                    cache.delete(f"{key}:rendering")
            return public_unless_personal(request, kept.response_for(request), kind)

        return wrapped

    return decorate
