"""The fetch stage: one careful HTTP GET of a feed or an article page.

``Fetcher`` wraps one httpx transport (keep-alive, a connection pool) for a whole crawl;
``Fetcher.fetch(url)`` returns a ``FetchResult`` or raises a ``FetchError`` whose ``kind`` says
what went wrong in words the scheduler can act on.  ``fetch_sync`` is the one-off version for
CLI commands.  The module does not need Django: limits come in as a ``FetchLimits``, and
``FetchLimits.from_settings()`` reads the ``REVUE_FETCH_*`` settings when asked.

What one fetch does:

- conditional GET (``If-None-Match`` / ``If-Modified-Since``); a 304 is a result with no body,
  carrying the validators the server sent or, failing that, the ones we sent;
- ``Accept-Encoding: gzip, deflate``, decoded here by bounded zlib decompressors so at most one
  64 KiB piece is inflated at a time: a gzip bomb is cut at ``max_bytes`` without being
  inflated; the wire bytes and a declared ``Content-Length`` are held to the same cap.  Brotli
  is not offered: bounded brotli decoding needs brotli >= 1.2, which is not a dependency;
- connect/read timeouts per socket operation, plus a deadline over the whole fetch, redirects
  included, so a server dripping a byte a second is cut at ``total_timeout``;
- redirects followed by hand: at most ``max_redirects`` hops, loops detected, relative
  ``Location`` resolved, http(s) only; ``permanent_redirect`` is set when every hop was 301/308;
- 4xx/5xx (and a 3xx with no usable ``Location``) raise ``FetchError("http")``, with
  ``retry_after`` parsed from 429/503 responses; ``FetchError.kind`` is the error's whole
  taxonomy: blocked, dns, connect, timeout, too_large, too_many_redirects, http, invalid_url,
  protocol (a reset or refused connection is "connect", a malformed response "protocol");
- no cookies are kept, no proxy or ``.netrc`` from the environment is used, TLS is verified.

The address guard (policy in :mod:`revue.net.guard`) is bound to the connection itself: our
transport is httpcore's connection pool given a guarded network backend (httpcore's public
``network_backend=``), so that every new TCP connection, for the first request and for every
redirect hop alike, resolves the host with the event loop's
``getaddrinfo``, refuses unless *every* address passes (``FetchError("blocked")``, before any
packet is sent), then opens the socket to one of those vetted IP addresses, never to the name.
There is no second lookup for a DNS-rebinding answer to slip into.  TLS still checks the
certificate against, and sends SNI for, the URL's host name.  A pooled keep-alive connection is
reused only for the same scheme, host and port, so it was vetted when it was opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import ipaddress
import os
import select
import socket
import ssl
import time
import types
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, AsyncIterator, Iterable, Iterator, Mapping

import httpcore
import httpx

from revue.net import guard

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
DECODE_PIECE = 64 * 1024  # most bytes one decompressor call may produce
KEEPALIVE_EXPIRY = 5.0  # seconds an idle pooled connection is kept (httpx's default)

ERROR_KINDS = frozenset(
    {"blocked", "dns", "connect", "timeout", "too_large", "too_many_redirects", "http",
     "invalid_url", "protocol"}
)


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


class FetchError(Exception):
    """A fetch that produced no usable response.

    ``kind`` is one of ``ERROR_KINDS``; ``url`` is the URL that was asked for (``str(error)``
    names the redirect hop that failed, if it was another); ``status`` and ``retry_after`` are
    set for ``kind == "http"``.
    """

    def __init__(
        self,
        kind: str,
        message: str = "",
        *,
        url: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown fetch error kind {kind!r}")
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.message = message or (f"{kind} error for {url}" if url else f"{kind} error")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FetchError({self.kind!r}, {self.message!r})"


# --- the guard ----------------------------------------------------------------------------


def check_address(host: str, addresses: Iterable[str], allow: tuple[str, ...]) -> None:
    """Raise ``FetchError("blocked")`` unless every address of ``host`` may be connected to."""
    parsed = [ipaddress.ip_address(address) for address in addresses]
    if not parsed:
        raise FetchError("blocked", f"refused: {host} has no address to check")
    reasons = guard.refusals(host, parsed, guard.parse_allow(tuple(allow)))
    if reasons:
        hint = " (set REVUE_FETCH_ALLOW to allow it)"
        raise FetchError("blocked", "refused: " + "; ".join(reasons) + hint)


async def resolve(host: str, port: int, timeout: float | None = None) -> list[str]:
    """The addresses ``host`` stands for: itself if it is an IP, else the loop's getaddrinfo."""
    try:
        literal = guard.literal_address(host)
    except ValueError as exc:
        raise FetchError("invalid_url", str(exc)) from None
    if literal is not None:
        return [str(literal)]
    name = guard.normalize_hostname(host)
    if name == "invalid" or name.endswith(".invalid"):  # RFC 6761: never resolves, never asked
        raise FetchError("dns", f"cannot resolve {host}: .invalid names never resolve")
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(name, port, type=socket.SOCK_STREAM), timeout
        )
    except socket.gaierror as exc:
        raise FetchError("dns", f"cannot resolve {host}: {exc.strerror}") from None
    except TimeoutError:
        raise FetchError("dns", f"cannot resolve {host}: lookup timed out") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError("dns", f"cannot resolve {host}: no address")
    return addresses


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as asyncio streams, in httpcore's terms (its errors, its timeouts)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout(f"no data for {timeout:g} s") from None
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not send for {timeout:g} s") from None
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    async def aclose(self) -> None:
        self._writer.close()  # the loop finishes closing (TLS close_notify included) on its own

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._writer.close()
            raise httpcore.ConnectTimeout(f"TLS handshake took over {timeout:g} s") from None
        except (OSError, ssl.SSLError) as exc:  # ssl.SSLCertVerificationError among them
            self._writer.close()
            raise httpcore.ConnectError(exc) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        if info == "is_readable":  # a pooled connection the server closed (or wrote to) is not reused
            sock = self._writer.get_extra_info("socket")
            if sock is None:
                return True
            poller = select.poll()  # (select() fails on descriptors past 1023)
            poller.register(sock.fileno(), select.POLLIN)
            return bool(poller.poll(0))
        return None


class _AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network on asyncio's own streams rather than through anyio, whose layers
    (a task group for each connect, cancel scopes around each read and write) took about a
    third of the crawler's CPU per request (sampled in ``bench/crawl.py``); CPU per request
    fell by about a fifth. Sockets get TCP_NODELAY, as asyncio gives them by default."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for option in socket_options or ():
                sock.setsockopt(*option)
            if local_address:
                sock.bind((local_address, 0))
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, (host, port))
                reader, writer = await asyncio.open_connection(sock=sock)
        except TimeoutError:
            sock.close()
            raise httpcore.ConnectTimeout(f"could not connect within {timeout:g} s") from None
        except OSError as exc:
            sock.close()
            raise httpcore.ConnectError(exc) from exc
        except BaseException:
            sock.close()
            raise
        return _AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, vets, then connects to the vetted IP."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allow: tuple[str, ...]) -> None:
        self.inner = inner
        self.allow = allow

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, timeout)
        check_address(host, addresses, self.allow)
        last_error: Exception | None = None
        for address in addresses:
            target = guard.connect_address(ipaddress.ip_address(address))
            try:
                return await self.inner.connect_tcp(
                    target, port, timeout=timeout,
                    local_address=local_address, socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address to connect to for {host}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None):
        raise FetchError("blocked", "refused: unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


# httpcore's errors as httpx's (same names, same meaning), for the one transport below.
_HTTPX_ERRORS = {
    getattr(httpcore, name): getattr(httpx, name)
    for name in ("TimeoutException", "ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout",
                 "NetworkError", "ConnectError", "ReadError", "WriteError", "ProxyError",
                 "UnsupportedProtocol", "ProtocolError", "LocalProtocolError", "RemoteProtocolError")
}


@contextlib.contextmanager
def _in_httpx_terms() -> Iterator[None]:
    """Raise an httpcore error as the httpx error of the same name (the most specific one)."""
    try:
        yield
    except Exception as exc:
        mapped = next((_HTTPX_ERRORS[kind] for kind in type(exc).__mro__ if kind in _HTTPX_ERRORS), None)
        if mapped is None:
            raise  # ours (FetchError from the guarded backend) or a bug: as it is
        raise mapped(str(exc)) from exc


class _ResponseStream(httpx.AsyncByteStream):
    """An httpcore response body as httpx reads it, its errors in httpx's words."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _in_httpx_terms():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class _GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's connection pool, given the guarded backend through
    its public ``network_backend=``: every connection the pool opens (first request and every
    redirect hop) goes through ``_GuardedBackend``. HTTP/1.1 only, no retries, no proxy, no
    Unix socket; ``ssl_context`` checks servers' certificates (httpx's default context)."""

    def __init__(self, allow: tuple[str, ...], *, max_connections: int, max_keepalive_connections: int,
                 verify: ssl.SSLContext | None = None) -> None:
        guard.parse_allow(tuple(allow))  # a malformed REVUE_FETCH_ALLOW fails here, early
        self.backend = _GuardedBackend(_AsyncioBackend(), allow)
        self.ssl_context = verify if verify is not None else httpx.create_ssl_context()
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=self.ssl_context,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            http1=True, http2=False, retries=0,
            network_backend=self.backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _in_httpx_terms():
            response = await self.pool.handle_async_request(core_request)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_ResponseStream(response.stream), extensions=response.extensions)

    async def aclose(self) -> None:
        await self.pool.aclose()


# --- bodies -------------------------------------------------------------------------------


class _Inflater:
    """gzip/deflate decoding in pieces of at most ``DECODE_PIECE`` bytes."""

    def __init__(self, encoding: str) -> None:
        self.gzip = encoding in ("gzip", "x-gzip")
        self._machine = self._new_machine(head=b"")
        self._started = False

    def _new_machine(self, head: bytes):
        if self.gzip:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        # "deflate" is meant to be zlib-wrapped (RFC 9110), but some servers send raw deflate.
        return zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(head) else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data:
            self._started = True
            self._machine = self._new_machine(head=data[:2])
        while data:
            piece = self._machine.decompress(data, DECODE_PIECE)
            if piece:
                yield piece
            data = self._machine.unconsumed_tail
            if self._machine.eof:
                data = self._next_member(self._machine.unused_data)

    def _next_member(self, rest: bytes) -> bytes:
        """Concatenated gzip members are one body; anything else after the end is ignored."""
        if self.gzip and rest.startswith(b"\x1f\x8b"):
            self._machine = self._new_machine(head=b"")
            return rest
        return b""

    def flush(self) -> Iterator[bytes]:
        if not self._machine.eof:
            piece = self._machine.flush()
            if piece:
                yield piece


def _zlib_wrapped(head: bytes) -> bool:
    """Whether a deflate body starts with a zlib header (RFC 1950) rather than raw deflate."""
    if len(head) < 2:
        return True
    return (head[0] & 0x0F) == 8 and (head[0] << 8 | head[1]) % 31 == 0


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _body_decoder(content_encoding: str, url: str):
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0])
    raise FetchError(
        "protocol", f"unsupported Content-Encoding {content_encoding!r} from {url}", url=url
    )


def _too_large(url: str, max_bytes: int, what: str = "the decoded body") -> FetchError:
    return FetchError(
        "too_large",
        f"response from {url} is too large: {what} exceeds the limit of {max_bytes} bytes "
        "(REVUE_FETCH_MAX_BYTES)",
        url=url,
    )


async def _read_body(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes, f"its Content-Length {declared}")
    decoder = _body_decoder(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    wire = 0
    try:
        async for chunk in response.aiter_raw():
            wire += len(chunk)
            if wire > max_bytes:
                raise _too_large(url, max_bytes, "the body on the wire")
            _append_bounded(body, decoder.feed(chunk), url, max_bytes)
        _append_bounded(body, decoder.flush(), url, max_bytes)
    except zlib.error as exc:
        raise FetchError("protocol", f"corrupt compressed body from {url}: {exc}", url=url) from None
    return bytes(body)


def _append_bounded(body: bytearray, pieces: Iterator[bytes], url: str, max_bytes: int) -> None:
    for piece in pieces:
        body += piece
        if len(body) > max_bytes:
            raise _too_large(url, max_bytes)


# --- responses ----------------------------------------------------------------------------


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date; None if unusable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _http_error(response: httpx.Response, url: str) -> FetchError:
    status = response.status_code
    reason = response.reason_phrase or _standard_reason(status)
    retry_after = None
    if status in RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(response.headers.get("retry-after", ""))
    label = f"HTTP {status} {reason}" if reason else f"HTTP {status}"
    return FetchError("http", f"{label} for {url}", url=url, status=status, retry_after=retry_after)


def _standard_reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _lower_headers(response: httpx.Response) -> Mapping[str, str]:
    return types.MappingProxyType({key.lower(): value for key, value in response.headers.items()})


_TIMEOUTS = (  # which limit a timeout hit, in an operator's words
    (httpx.ConnectTimeout, "connecting to", "connect_timeout", "REVUE_FETCH_CONNECT_TIMEOUT"),
    (httpx.ReadTimeout, "waiting for data from", "read_timeout", "REVUE_FETCH_READ_TIMEOUT"),
    (httpx.WriteTimeout, "sending the request to", "read_timeout", "REVUE_FETCH_READ_TIMEOUT"),
    (httpx.PoolTimeout, "waiting for a free connection to", "total_timeout", "REVUE_FETCH_TOTAL_TIMEOUT"),
)


def _timeout_error(exc: httpx.TimeoutException, url: str, limits: FetchLimits) -> FetchError:
    for kind, doing, limit, setting in _TIMEOUTS:
        if isinstance(exc, kind):
            seconds = getattr(limits, limit)
            return FetchError("timeout", f"timed out after {seconds:g} s {doing} {url} ({setting})", url=url)
    return _map_transport_error(exc, url)


def _map_transport_error(exc: httpx.HTTPError, url: str) -> FetchError:
    detail = _detail(exc)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", f"timed out fetching {url}: {detail}", url=url)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return FetchError("invalid_url", f"cannot fetch {url}: {detail}", url=url)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError)):
        return FetchError("protocol", f"malformed response from {url}: {detail}", url=url)
    return FetchError("connect", f"connection to {url} failed: {detail}", url=url)


def _detail(exc: BaseException) -> str:
    """The most telling words for a transport error: the OS error at the bottom of the chain
    ("Connection refused") rather than a wrapper's ("All connection attempts failed")."""
    text = str(exc) or type(exc).__name__
    cause, depth = exc, 0
    while cause is not None and depth < 10:
        if isinstance(cause, ssl.SSLCertVerificationError):  # its errno is OpenSSL's, not the OS's
            return f"TLS certificate verify failed: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        if isinstance(cause, OSError) and cause.errno:
            text = os.strerror(cause.errno)
        cause, depth = cause.__cause__ or cause.__context__, depth + 1
    return text


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


# --- the fetcher --------------------------------------------------------------------------


class Fetcher:
    """One crawl's HTTP client: ``async with Fetcher(limits) as f: await f.fetch(url)``."""

    def __init__(self, limits: FetchLimits, *, max_connections: int = 100,
                 verify: ssl.SSLContext | None = None) -> None:
        """``verify``: the TLS context that checks servers' certificates (default: the
        system's trust store, as httpx builds it); the tests pass one trusting their own CA."""
        self.limits = limits
        self._transport = _GuardedTransport(
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

    async def _request(self, url: httpx.URL, headers: dict[str, str]) -> _Hop:
        """One GET through the transport itself: an ``httpx.AsyncClient`` would add its
        cookies, auth and redirect layers (a fifth of a request's CPU) for nothing, as
        redirects are followed here and no cookie is ever kept."""
        text = str(url)
        request = httpx.Request("GET", url, headers={**self._headers, **headers},
                                extensions={"timeout": self._timeout})
        try:
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                return await self._judge(response, text)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise _timeout_error(exc, text, self.limits) from None
        except httpx.HTTPError as exc:
            raise _map_transport_error(exc, text) from None

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
            return _Hop(response, body=await _read_body(response, url, self.limits.max_bytes))
        raise _http_error(response, url)


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
