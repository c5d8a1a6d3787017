"""What went wrong with a fetch, in words the scheduler and an operator can act on.

``FetchError.kind`` is the whole taxonomy (``ERROR_KINDS``): blocked, dns, connect, timeout,
too_large, too_many_redirects, http, invalid_url, protocol.  Here too: how an HTTP error status
becomes one (``http_error``, with ``Retry-After`` read by ``parse_retry_after``), and how
httpx's transport errors do (``timeout_error`` names the ``REVUE_FETCH_*`` limit that was hit,
``transport_error`` the rest, with the OS's words for the cause).
"""

from __future__ import annotations

import http
import os
import ssl
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import httpx

from revue.text.dates import parse_datetime

if TYPE_CHECKING:
    from revue.net.fetch import FetchLimits

ERROR_KINDS = frozenset(
    {"blocked", "dns", "connect", "timeout", "too_large", "too_many_redirects", "http",
     "invalid_url", "protocol"}
)
RETRY_AFTER_STATUSES = frozenset({429, 503})


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


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date; None if unusable."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    when = parse_datetime(value)  # an HTTP-date (RFC 822 form)
    if when is None:
        return None
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def http_error(response: httpx.Response, url: str) -> FetchError:
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


_TIMEOUTS = (  # which limit a timeout hit, in an operator's words
    (httpx.ConnectTimeout, "connecting to", "connect_timeout", "REVUE_FETCH_CONNECT_TIMEOUT"),
    (httpx.ReadTimeout, "waiting for data from", "read_timeout", "REVUE_FETCH_READ_TIMEOUT"),
    (httpx.WriteTimeout, "sending the request to", "read_timeout", "REVUE_FETCH_READ_TIMEOUT"),
    (httpx.PoolTimeout, "waiting for a free connection to", "total_timeout", "REVUE_FETCH_TOTAL_TIMEOUT"),
)


def timeout_error(exc: httpx.TimeoutException, url: str, limits: "FetchLimits") -> FetchError:
    for kind, doing, limit, setting in _TIMEOUTS:
        if isinstance(exc, kind):
            seconds = getattr(limits, limit)
            return FetchError("timeout", f"timed out after {seconds:g} s {doing} {url} ({setting})", url=url)
    return transport_error(exc, url)


def transport_error(exc: httpx.HTTPError, url: str) -> FetchError:
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
