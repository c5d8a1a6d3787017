"""The guarded transport: httpx's transport interface over httpcore's connection pool, whose
every connection goes through the address guard.

The guard (policy in :mod:`revue.net.guard`) is bound to the connection itself: the pool is
given ``GuardedBackend`` through httpcore's public ``network_backend=``, so that every new TCP
connection, for the first request and for every redirect hop alike, resolves the host with the
event loop's ``getaddrinfo`` (``resolve``), refuses unless *every* address passes
(``check_address``: ``FetchError("blocked")``, before any packet is sent), then opens the socket
to one of those vetted IP addresses, never to the name.  There is no second lookup for a
DNS-rebinding answer to slip into.  TLS still checks the certificate against, and sends SNI for,
the URL's host name.  A pooled keep-alive connection is reused only for the same scheme, host and
port, so it was vetted when it was opened.  Sockets are asyncio's own (``AsyncioBackend``), not
anyio's.  HTTP/1.1 only, no retries, no proxy, no Unix socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import select
import socket
import ssl
from typing import Any, AsyncIterator, Iterable, Iterator

import httpcore
import httpx

from revue.net import guard
from revue.net.errors import FetchError

KEEPALIVE_EXPIRY = 5.0  # seconds an idle pooled connection is kept (httpx's default)


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


class AsyncioStream(httpcore.AsyncNetworkStream):
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


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network on asyncio's own streams rather than through anyio, whose layers (a
    task group for each connect, cancel scopes around each read and write) cost the crawler CPU
    on every request (figures in bench/README.md). Sockets get TCP_NODELAY, as asyncio's do."""

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
        return AsyncioStream(reader, writer)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class GuardedBackend(httpcore.AsyncNetworkBackend):
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


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore's connection pool, given the guarded backend through
    its public ``network_backend=``: every connection the pool opens (first request and every
    redirect hop) goes through ``GuardedBackend``. HTTP/1.1 only, no retries, no proxy, no
    Unix socket; ``ssl_context`` checks servers' certificates (httpx's default context)."""

    def __init__(self, allow: tuple[str, ...], *, max_connections: int, max_keepalive_connections: int,
                 verify: ssl.SSLContext | None = None) -> None:
        guard.parse_allow(tuple(allow))  # a malformed REVUE_FETCH_ALLOW fails here, early
        self.backend = GuardedBackend(AsyncioBackend(), allow)
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
