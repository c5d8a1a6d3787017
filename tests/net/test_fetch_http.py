"""The fetch stage against real loopback servers: bodies, validators, compression, caps,
redirects, HTTP errors, timeouts and broken connections."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import tracemalloc
from datetime import datetime, timezone

import pytest

from .conftest import ETAG, FEED, LAST_MODIFIED, drip, garbage, make_limits, reset, stall
from revue.net.fetch import (
    FEED_ACCEPT,
    PAGE_ACCEPT,
    FetchError,
    Fetcher,
    FetchLimits,
    fetch_sync,
    parse_retry_after,
)

MIB = 1024 * 1024


# --- a normal fetch -----------------------------------------------------------------------


def test_normal_feed(site, fetch_one):
    result = fetch_one(site.url("/feed"))
    assert result.status == 200
    assert result.content == FEED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag == ETAG
    assert result.last_modified == LAST_MODIFIED
    assert result.url == result.final_url == site.url("/feed")
    assert result.permanent_redirect == ""
    assert not result.not_modified
    assert result.headers["etag"] == ETAG  # lower-case keys
    assert 0 <= result.elapsed < 5


def test_request_headers(site, fetch_one):
    result = fetch_one(site.url("/headers"))
    sent = {k.lower(): v for k, v in json.loads(result.content).items()}
    assert sent["user-agent"] == "RevueTest/1.0"
    assert sent["accept"] == FEED_ACCEPT
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in sent and "if-modified-since" not in sent
    page = fetch_one(site.url("/headers"), accept=PAGE_ACCEPT)
    assert json.loads(page.content)["Accept"] == PAGE_ACCEPT


def test_keep_alive_reuses_one_connection_and_keeps_no_cookie(site):
    async def twice():
        async with Fetcher(make_limits()) as fetcher:
            await fetcher.fetch(site.url("/headers"))  # sets a cookie
            return await fetcher.fetch(site.url("/headers"))

    second = asyncio.run(twice())
    assert "Cookie" not in json.loads(second.content)
    assert site.connections == 1


def test_a_proxy_named_in_the_environment_is_not_used(site, fetch_one, monkeypatch):
    """Each fetch goes straight to the vetted address of its host; a proxy would be a second
    party the guard never checked (here a dead port: using it would fail)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert fetch_one(site.url("/feed")).content == FEED


def test_a_fragment_is_not_part_of_what_is_fetched(site, fetch_one):
    result = fetch_one(site.url("/feed#derniere-heure"))
    assert result.content == FEED and result.final_url == site.url("/feed")
    assert site.requests[-1][0] == "/feed"


def test_fetch_sync(site):
    result = fetch_sync(site.url("/feed"), make_limits(), etag=ETAG)
    assert result.status == 304


def test_limits_from_settings(settings):
    settings.REVUE_FETCH_ALLOW = ["127.0.0.1", "10.0.0.0/8"]
    settings.REVUE_FETCH_TOTAL_TIMEOUT = 7.5
    limits = FetchLimits.from_settings()
    assert limits.allow == ("127.0.0.1", "10.0.0.0/8")
    assert limits.total_timeout == 7.5
    assert limits.user_agent == settings.REVUE_USER_AGENT
    assert limits.max_bytes == settings.REVUE_FETCH_MAX_BYTES


# --- conditional GET ----------------------------------------------------------------------


def test_etag_match_gives_304(site, fetch_one):
    result = fetch_one(site.url("/feed"), etag=ETAG)
    assert result.status == 304 and result.not_modified
    assert result.content == b""
    assert result.etag == ETAG
    assert site.requests[-1][1]["If-None-Match"] == ETAG


def test_last_modified_match_gives_304(site, fetch_one):
    result = fetch_one(site.url("/feed"), last_modified=LAST_MODIFIED)
    assert result.not_modified
    assert result.last_modified == LAST_MODIFIED
    assert site.requests[-1][1]["If-Modified-Since"] == LAST_MODIFIED


def test_stale_etag_gives_the_body(site, fetch_one):
    result = fetch_one(site.url("/feed"), etag='"old"')
    assert result.status == 200 and result.content == FEED


# --- compression and size caps ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/gzip", "/deflate", "/raw-deflate"])
def test_compressed_bodies_are_decoded(site, fetch_one, path):
    assert fetch_one(site.url(path)).content == FEED


def test_unsupported_encoding_is_a_protocol_error(site, fetch_error):
    assert fetch_error(site.url("/brotli")).kind == "protocol"


@pytest.mark.parametrize("path", ["/bomb", "/bomb-stream"])
def test_gzip_bomb_is_cut_without_inflating_it(site, fetch_error, clock, path):
    from .conftest import gzip_bomb

    gzip_bomb()  # build (and cache) it before measuring
    tracemalloc.start()
    try:
        error = fetch_error(site.url(path), max_bytes=2 * MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind == "too_large"
    assert "the decoded body exceeds the limit of 2097152 bytes" in str(error)
    assert peak < 12 * MIB
    assert clock() < 5


def test_oversized_plain_body(site, fetch_error):
    error = fetch_error(site.url("/big?size=3145728"), max_bytes=1 * MIB)
    assert error.kind == "too_large"
    assert error.url == site.url("/big?size=3145728")


def test_body_at_the_cap_passes(site, fetch_one):
    assert len(fetch_one(site.url("/feed"), max_bytes=len(FEED)).content) == len(FEED)
    with pytest.raises(FetchError, match="limit"):
        fetch_one(site.url("/feed"), max_bytes=len(FEED) - 1)


def test_declared_content_length_over_the_cap_is_refused_before_reading(site, fetch_error):
    error = fetch_error(site.url("/declared-huge"), max_bytes=1 * MIB)
    assert error.kind == "too_large"
    assert "Content-Length" in str(error)


def test_wire_bytes_are_capped_too(site, fetch_error):
    # A gzip body whose compressed size alone passes the cap is cut on the wire count.
    error = fetch_error(site.url("/gzip"), max_bytes=len(gzip.compress(FEED)) - 1)
    assert error.kind == "too_large"


# --- redirects ----------------------------------------------------------------------------


def test_redirect_chain_301_302_200(site, fetch_one):
    result = fetch_one(site.url("/chain"))
    assert result.status == 200 and result.content == FEED
    assert result.url == site.url("/chain")
    assert result.final_url == site.url("/feed")
    assert result.permanent_redirect == ""  # one hop was a 302


def test_all_permanent_hops_with_relative_location(site, fetch_one):
    result = fetch_one(site.url("/permanent"))
    assert result.final_url == site.url("/feed")
    assert result.permanent_redirect == site.url("/feed")


def test_redirect_loop(site, fetch_error):
    error = fetch_error(site.url("/loop/a"))
    assert error.kind == "too_many_redirects"
    assert "loop" in str(error)


def test_max_redirects_is_allowed_one_more_is_not(site, fetch_one, fetch_error):
    assert fetch_one(site.url("/hops/3"), max_redirects=3).status == 200
    error = fetch_error(site.url("/hops/4"), max_redirects=3)
    assert error.kind == "too_many_redirects"
    assert "more than 3 redirects" in str(error)


def test_conditional_headers_follow_redirects(site, fetch_one):
    assert fetch_one(site.url("/hops/2?code=301"), etag=ETAG).not_modified


def test_redirect_to_another_scheme_is_invalid(site, fetch_error):
    error = fetch_error(site.url("/to?url=file:///etc/passwd"))
    assert error.kind == "invalid_url"


def test_redirect_without_location(site, fetch_error):
    assert fetch_error(site.url("/no-location")).kind == "http"
    assert fetch_error(site.url("/multiple-choices")).status == 300


# --- HTTP errors --------------------------------------------------------------------------


@pytest.mark.parametrize("code, phrase", [(404, "Not Found"), (410, "Gone"), (500, "Internal Server Error")])
def test_http_errors(site, fetch_error, code, phrase):
    error = fetch_error(site.url(f"/status/{code}"))
    assert error.kind == "http"
    assert error.status == code
    assert error.retry_after is None
    assert str(error) == f"HTTP {code} {phrase} for {site.url(f'/status/{code}')}"


def test_429_with_retry_after_seconds(site, fetch_error):
    error = fetch_error(site.url("/status/429?retry=120"))
    assert (error.kind, error.status, error.retry_after) == ("http", 429, 120.0)


def test_503_with_retry_after_http_date(site, fetch_error):
    error = fetch_error(site.url("/status/503?retry=Fri,%2031%20Dec%202100%2023:59:59%20GMT"))
    assert error.status == 503
    assert error.retry_after > 365 * 24 * 3600


def test_parse_retry_after():
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:01:30 GMT", now) == 90.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("") is None


# --- timeouts and broken connections ------------------------------------------------------


def test_drip_is_cut_at_the_total_deadline(raw_server, fetch_error, clock):
    server = raw_server(drip)
    error = fetch_error(server.url("/feed"), total_timeout=2.0)
    assert error.kind == "timeout"
    assert "2 s" in str(error)
    assert 1.8 < clock() < 4


def test_read_timeout(raw_server, fetch_error, clock):
    server = raw_server(stall)
    assert fetch_error(server.url(), read_timeout=0.3).kind == "timeout"
    assert clock() < 3


def test_connection_reset(raw_server, fetch_error):
    error = fetch_error(raw_server(reset).url())
    assert error.kind == "connect"


def test_connection_refused(closed_port, fetch_error):
    error = fetch_error(f"http://127.0.0.1:{closed_port}/feed")
    assert error.kind == "connect"
    assert str(error) == f"connection to http://127.0.0.1:{closed_port}/feed failed: Connection refused"


def test_malformed_response(raw_server, fetch_error):
    assert fetch_error(raw_server(garbage).url()).kind == "protocol"


def test_dns_failure(fetch_error):
    error = fetch_error("http://nonexistent.invalid/feed", allow=())
    assert error.kind == "dns"
    assert error.url == "http://nonexistent.invalid/feed"
    assert "nonexistent.invalid" in str(error)


@pytest.mark.parametrize(
    "url", ["ftp://example.test/feed", "file:///etc/passwd", "http:///feed", "not a url", "http://1.2.3.4.5/"]
)
def test_invalid_urls(fetch_error, url):
    assert fetch_error(url).kind == "invalid_url"
