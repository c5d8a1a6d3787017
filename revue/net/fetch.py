"""The fetch API: one careful HTTP GET of a feed, an article page, a robots.txt or an image.

``Fetcher`` wraps one guarded transport (keep-alive, a connection pool) for a whole crawl;
``Fetcher.fetch(url)`` returns a ``FetchResult`` or raises a ``FetchError`` whose ``kind`` says
what went wrong in words the scheduler can act on.  ``fetch_sync`` is the one-off version for
CLI commands, the admin and the image proxy; ``Fetcher.post_form`` sends a form (a WebSub
subscriber's request to a hub) through the same guard and limits.  The module does not need
Django: limits come in as a ``FetchLimits``, and ``FetchLimits.from_settings()`` reads the ``REVUE_FETCH_*`` settings
when asked.

What one fetch does:

- conditional GET (``If-None-Match`` / ``If-Modified-Since``); a 304 is a result with no body,
  carrying the validators the server sent or, failing that, the ones we sent;
- ``Accept-Encoding: gzip, deflate``, the body read within ``max_bytes`` on the wire, declared
  and decoded (a gzip bomb is cut without being inflated: :mod:`revue.net.bodies`);
- connect/read timeouts per socket operation, plus a deadline over the whole fetch, redirects
  included, so a server dripping a byte a second is cut at ``total_timeout``;
- redirects followed by hand: at most ``max_redirects`` hops, loops detected, relative
  ``Location`` resolved, http(s) only; ``permanent_redirect`` is set when every hop was 301/308;
- 4xx/5xx (and a 3xx with no usable ``Location``) raise ``FetchError("http")``, with
  ``retry_after`` parsed from 429/503 responses; the other kinds of :mod:`revue.net.errors`
  (a reset or refused connection is "connect", a malformed response "protocol");
- every connection, for the first request and every redirect hop, is opened by the guarded
  transport (:mod:`revue.net.transport`) to an address the guard (:mod:`revue.net.guard`)
  vetted after DNS resolution;
- no cookies are kept, no proxy or ``.netrc`` from the environment is used, TLS is verified.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import types
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlencode

import httpx

from revue.net.bodies import read_body
from revue.net.errors import FetchError, http_error, parse_retry_after, timeout_error, transport_error
from revue.net.transport import GuardedTransport

__all__ = [  # what callers import from here (FetchError and parse_retry_after live in errors)
    "FEED_ACCEPT", "PAGE_ACCEPT", "FetchError", "FetchLimits", "FetchResult", "Fetcher", "fetch_sync",
    "parse_retry_after",
]

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})


@dataclass(frozen=True)
class FetchLimits:
    """Every limit of one fetch; ``from_settings()`` fills it from ``REVUE_*`` settings."""

    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 1024 * 1024  # decompressed body, and bytes on the wire
    max_redirects: int = 5
    allow: tuple[str, ...] = ()  # host names, IPs or CIDR networks the guard lets through

    @classmethod
    def from_settings(cls) -> "FetchLimits":
        from django.conf import settings

        return cls(
            user_agent=settings.REVUE_USER_AGENT,
            connect_timeout=float(settings.REVUE_FETCH_CONNECT_TIMEOUT),
            read_timeout=float(settings.REVUE_FETCH_READ_TIMEOUT),
            total_timeout=float(settings.REVUE_FETCH_TOTAL_TIMEOUT),
            max_bytes=int(settings.REVUE_FETCH_MAX_BYTES),
            max_redirects=int(settings.REVUE_FETCH_MAX_REDIRECTS),
            allow=tuple(settings.REVUE_FETCH_ALLOW),
        )


@dataclass(frozen=True)
class FetchResult:
    """One successful (2xx) or not-modified (304) response, body decoded."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    etag: str
    last_modified: str
    headers: Mapping[str, str] = field(hash=False, repr=False)
    permanent_redirect: str
    elapsed: float

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _lower_headers(response: httpx.Response) -> Mapping[str, str]:
    return types.MappingProxyType({key.lower(): value for key, value in response.headers.items()})


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("invalid_url", f"invalid URL {url!r}: {exc}", url=str(url)) from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            "invalid_url", f"refused: {url} is not an http(s) URL", url=str(url)
        )
    if not parsed.host:
        raise FetchError("invalid_url", f"invalid URL {url!r}: no host", url=str(url))
    return parsed.copy_with(fragment=None) if parsed.fragment else parsed  # (a copy parses it again)


@dataclass
class _Hop:
    """What one request of a redirect chain gave: a result, or where to go next."""

    response: httpx.Response
    body: bytes = b""
    location: httpx.URL | None = None


class Fetcher:
    """One crawl's HTTP client: ``async with Fetcher(limits) as f: await f.fetch(url)``."""

    def __init__(self, limits: FetchLimits, *, max_connections: int = 100,
                 verify: ssl.SSLContext | None = None) -> None:
        """``verify``: the TLS context that checks servers' certificates (default: the
        system's trust store, as httpx builds it); the tests pass one trusting their own CA."""
        self.limits = limits
        self._transport = GuardedTransport(
            limits.allow, max_connections=max_connections,
            max_keepalive_connections=min(max_connections, 20), verify=verify,
        )
        self._timeout = httpx.Timeout(
            connect=limits.connect_timeout, read=limits.read_timeout,
            write=limits.read_timeout, pool=limits.total_timeout,
        ).as_dict()
        self._headers = {"User-Agent": limits.user_agent, "Accept-Encoding": ACCEPT_ENCODING}

    async def __aenter__(self) -> "Fetcher":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self, url: str, *, etag: str = "", last_modified: str = "", accept: str = FEED_ACCEPT
    ) -> FetchResult:
        """GET ``url`` following redirects; raise ``FetchError`` for anything but 2xx/304."""
        started = time.monotonic()
        headers = _request_headers(etag, last_modified, accept)
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._follow(url, headers, etag, last_modified, started)
        except TimeoutError:
            raise FetchError(
                "timeout",
                f"timed out after {self.limits.total_timeout:g} s fetching {url} "
                "(REVUE_FETCH_TOTAL_TIMEOUT)",
                url=url,
            ) from None
        except FetchError as exc:
            exc.url = url  # the URL asked for; the message names the hop that failed
            raise

    async def post_form(self, url: str, form: Mapping[str, str]) -> FetchResult:
        """POST ``form`` (``application/x-www-form-urlencoded``) to ``url``, as a WebSub
        subscriber asks a hub: the same guard, limits and errors as ``fetch``, no redirect
        followed (a 3xx raises ``FetchError("http")``)."""
        started = time.monotonic()
        target = _parse_url(url)
        headers = {"Accept": "*/*", "Content-Type": "application/x-www-form-urlencoded"}
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                hop = await self._request(target, headers, method="POST", content=urlencode(form).encode())
        except TimeoutError:
            raise FetchError("timeout", f"timed out after {self.limits.total_timeout:g} s posting to {url} "
                             "(REVUE_FETCH_TOTAL_TIMEOUT)", url=url) from None
        if hop.location is not None:
            raise FetchError("http", f"{url} answered a redirect ({hop.response.status_code}) to a POST",
                             url=url, status=hop.response.status_code)
        return _result(url, target, hop, [], "", "", started)

    async def _follow(self, url, headers, etag, last_modified, started) -> FetchResult:
        current = _parse_url(url)
        seen = {str(current)}
        hops: list[int] = []
        while True:
            try:
                hop = await self._request(current, headers)
            except FetchError as exc:
                if hops and exc.kind == "blocked":
                    exc.message = f"redirect to {current} {exc.message}"
                raise
            if hop.location is None:
                return _result(url, current, hop, hops, etag, last_modified, started)
            hops.append(hop.response.status_code)
            current = self._next_location(url, current, hop.location, hops, seen)

    def _next_location(self, url, current, location, hops, seen) -> httpx.URL:
        if len(hops) > self.limits.max_redirects:
            raise FetchError(
                "too_many_redirects",
                f"more than {self.limits.max_redirects} redirects fetching {url} "
                "(REVUE_FETCH_MAX_REDIRECTS)",
                url=url,
            )
        try:
            target = _parse_url(location)
        except FetchError as exc:
            exc.message = f"redirect from {current} {exc.message}"
            raise
        if str(target) in seen:
            raise FetchError(
                "too_many_redirects", f"redirect loop fetching {url}: {current} -> {target}",
                url=url,
            )
        seen.add(str(target))
        return target

    async def _request(self, url: httpx.URL, headers: dict[str, str], method: str = "GET",
                       content: bytes | None = None) -> _Hop:
        """One GET (or POST) through the transport itself: an ``httpx.AsyncClient`` would add
        its cookies, auth and redirect layers (a fifth of a request's CPU) for nothing, as
        redirects are followed here and no cookie is ever kept."""
        text = str(url)
        request = httpx.Request(method, url, headers={**self._headers, **headers}, content=content,
                                extensions={"timeout": self._timeout})
        try:
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                return await self._judge(response, text)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise timeout_error(exc, text, self.limits) from None
        except httpx.HTTPError as exc:
            raise transport_error(exc, text) from None

    async def _judge(self, response: httpx.Response, url: str) -> _Hop:
        status = response.status_code
        if status in REDIRECT_STATUSES and response.headers.get("location"):
            location = response.headers["location"].strip()
            try:
                return _Hop(response, location=response.url.join(location))
            except (httpx.InvalidURL, ValueError):
                raise FetchError(
                    "protocol", f"bad redirect Location {location!r} from {url}", url=url
                ) from None
        if status == 304:
            return _Hop(response)
        if 200 <= status < 300:
            return _Hop(response, body=await read_body(response, url, self.limits.max_bytes))
        raise http_error(response, url)


def _request_headers(etag: str, last_modified: str, accept: str) -> dict[str, str]:
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _result(url, final, hop: _Hop, hops, etag, last_modified, started) -> FetchResult:
    response = hop.response
    not_modified = response.status_code == 304
    permanent = bool(hops) and all(code in PERMANENT_REDIRECT_STATUSES for code in hops)
    return FetchResult(
        url=url,
        final_url=str(final),
        status=response.status_code,
        content=b"" if not_modified else hop.body,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", "") or (etag if not_modified else ""),
        last_modified=response.headers.get("last-modified", "")
        or (last_modified if not_modified else ""),
        headers=_lower_headers(response),
        permanent_redirect=str(final) if permanent else "",
        elapsed=time.monotonic() - started,
    )


def fetch_sync(url: str, limits: FetchLimits, **kw: Any) -> FetchResult:
    """Fetch one URL from synchronous code (CLI commands); not for use inside an event loop."""

    async def once() -> FetchResult:
        async with Fetcher(limits, max_connections=4) as fetcher:
            return await fetcher.fetch(url, **kw)

    return asyncio.run(once())
