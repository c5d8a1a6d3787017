"""The fetch stage over TLS, against a real loopback HTTPS server whose certificates come from a
throwaway certificate authority (trustme): the handshake, certificate checks, SNI for the URL's
host name while the socket goes to the vetted address, keep-alive and conditional GETs."""

from __future__ import annotations

import asyncio
import ssl
import threading

import pytest
import trustme

from .conftest import ETAG, FEED, CountingServer, FeedSite, make_limits
from revue.net.fetch import FetchError, Fetcher


class TLSServer(CountingServer):
    """The feed site behind TLS; remembers the server name (SNI) each client asked for."""

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), FeedSite)
        self.names: list[str | None] = []
        context.sni_callback = lambda sock, name, ctx: self.names.append(name)
        self.context = context

    def get_request(self):
        sock, address = super().get_request()
        # the handshake happens in the request's own thread, on its first read
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def serve(authority: trustme.CA, *names: str):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*names).configure_cert(context)
    server = TLSServer(context)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def https_site(authority):
    server = serve(authority, "localhost", "127.0.0.1")
    yield server
    server.shutdown()
    server.server_close()


def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


def fetch_all(urls: list[str], verify: ssl.SSLContext | None, **kw):
    """Fetch each URL in turn with one Fetcher: its results, or the error each raised."""

    async def run():
        out = []
        async with Fetcher(make_limits(allow=("127.0.0.1", "localhost", "::1")), verify=verify) as fetcher:
            for url in urls:
                try:
                    out.append(await fetcher.fetch(url, **kw))
                except FetchError as error:
                    out.append(error)
        return out

    return asyncio.run(run())


def test_a_feed_over_https_is_fetched_and_its_connection_kept(https_site, authority):
    url = f"https://localhost:{https_site.server_address[1]}/feed"
    first, again = fetch_all([url, url], trusting(authority))
    assert first.status == 200 and first.content == FEED and first.final_url == url
    assert first.etag == ETAG
    assert again.status == 200 and again.content == FEED
    assert https_site.connections == 1  # one handshake for both requests
    # the socket went to the vetted address, but the certificate was asked for by host name
    assert https_site.names == ["localhost"]


def test_a_conditional_get_over_https_gets_its_304(https_site, authority):
    url = f"https://localhost:{https_site.server_address[1]}/feed"
    (result,) = fetch_all([url], trusting(authority), etag=ETAG)
    assert result.not_modified and result.content == b"" and result.etag == ETAG


def test_a_certificate_from_an_unknown_authority_is_refused(https_site):
    url = f"https://localhost:{https_site.server_address[1]}/feed"
    (error,) = fetch_all([url], None)  # the system's trust store does not know our CA
    assert isinstance(error, FetchError) and error.kind == "connect"
    assert "certificate verify failed" in str(error), str(error)
    assert https_site.requests == []  # nothing was sent


def test_a_certificate_for_another_name_is_refused(authority):
    server = serve(authority, "other.example")
    try:
        url = f"https://localhost:{server.server_address[1]}/feed"
        (error,) = fetch_all([url], trusting(authority))
        assert isinstance(error, FetchError) and error.kind == "connect"
        assert "certificate verify failed" in str(error) and "localhost" in str(error), str(error)
        assert server.requests == []
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_from_https_to_http_and_back_is_followed(https_site, authority, site):
    """Each hop opens its own kind of connection (TLS or not) through the same guard."""
    https = f"https://localhost:{https_site.server_address[1]}"
    url = f"{https}/to?url={site.url('/to')}%3Furl%3D{https}/feed"
    (result,) = fetch_all([url], trusting(authority))
    assert result.status == 200 and result.content == FEED
    assert result.final_url == f"{https}/feed"


def test_a_server_that_never_answers_the_handshake_times_out(raw_server, clock):
    silent = raw_server(lambda conn, stop: stop.wait(10))  # accepts, then says nothing

    async def run():
        async with Fetcher(make_limits(connect_timeout=0.5, total_timeout=10)) as fetcher:
            return await fetcher.fetch(f"https://127.0.0.1:{silent.port}/feed")

    with pytest.raises(FetchError) as info:
        asyncio.run(run())
    assert info.value.kind == "timeout" and "connecting to" in str(info.value), str(info.value)
    assert clock() < 3
