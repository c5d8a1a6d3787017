"""The outbound address guard: the policy on its own, and bound to real connections.

Only loopback is ever connected to.  Private and public addresses appear solely on the refusal
path, which raises before any socket is opened (asserted with a spy on the inner backend)."""

from __future__ import annotations

import asyncio

import pytest

from revue.net import guard, transport
from revue.net.fetch import FetchError, Fetcher
from revue.net.transport import check_address

from .conftest import make_limits

REFUSED = [
    "127.0.0.1", "127.8.9.10", "::1",                      # loopback
    "10.0.0.1", "172.16.5.4", "192.168.1.1",               # RFC 1918
    "169.254.169.254", "fe80::1", "fe80::1%eth0",          # link-local, cloud metadata
    "224.0.0.1", "ff02::1",                                # multicast
    "0.0.0.0", "::",                                       # unspecified
    "100.64.0.1", "100.127.255.254",                       # shared address space
    "fc00::1", "fd12:3456::1",                             # IPv6 unique-local
    "fec0::1",                                             # IPv6 site-local
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",  # IPv4-mapped
    "64:ff9b::7f00:1", "64:ff9b::a00:1",                   # NAT64 of loopback / private
    "2002:7f00:1::1", "2002:a00:1::",                      # 6to4 wrapping loopback / private
    "::7f00:1",                                            # IPv4-compatible (deprecated)
    "2001::1",                                             # Teredo
    "192.0.2.1", "198.51.100.1", "203.0.113.9", "2001:db8::1",  # documentation
    "198.18.0.1", "240.0.0.1", "255.255.255.255",          # benchmarking, reserved, broadcast
]
GLOBAL = ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
          "2002:808:808::1"]


# --- the policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("address", REFUSED)
def test_non_global_addresses_are_refused(address):
    with pytest.raises(FetchError) as info:
        check_address("feeds.example.test", [address], ())
    assert info.value.kind == "blocked"
    assert str(info.value).startswith("refused: feeds.example.test resolves to ")
    assert str(info.value).endswith("(set REVUE_FETCH_ALLOW to allow it)")


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_pass(address):
    check_address("feeds.example.test", [address], ())


def test_message_names_the_reason():
    with pytest.raises(FetchError) as info:
        check_address("10.0.0.1", ["10.0.0.1"], ())
    assert str(info.value) == (
        "refused: 10.0.0.1 is a private address (set REVUE_FETCH_ALLOW to allow it)"
    )


def test_every_resolved_address_must_pass():
    with pytest.raises(FetchError, match="10.0.0.1"):
        check_address("mixed.example.test", ["93.184.215.14", "10.0.0.1"], ())


def test_no_address_is_refused():
    with pytest.raises(FetchError) as info:
        check_address("empty.example.test", [], ())
    assert info.value.kind == "blocked"


@pytest.mark.parametrize(
    "host, address, allow",
    [
        ("127.0.0.1", "127.0.0.1", ("127.0.0.1",)),
        ("10.1.2.3", "10.1.2.3", ("10.0.0.0/8",)),
        ("::1", "::1", ("[::1]",)),
        ("fd00::5", "fd00::5", ("fd00::/8",)),
        ("localhost", "127.0.0.1", ("localhost",)),
        ("LocalHost.", "::1", ("localhost",)),
        # A mapped address is its IPv4 address, for the allow list as for refusal.
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1", ("127.0.0.1",)),
        ("::ffff:10.9.9.9", "::ffff:10.9.9.9", ("10.0.0.0/8",)),
    ],
)
def test_allow_list(host, address, allow):
    check_address(host, [address], allow)


@pytest.mark.parametrize(
    "host, address, allow",
    [
        ("127.0.0.2", "127.0.0.2", ("127.0.0.1",)),
        ("::1", "::1", ("127.0.0.1",)),
        ("11.0.0.1", "10.0.0.1", ("11.0.0.1",)),   # an allowed *name* must match the host
        ("feeds.test", "10.0.0.1", ("localhost",)),
    ],
)
def test_allow_list_is_exact(host, address, allow):
    with pytest.raises(FetchError):
        check_address(host, [address], allow)


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "*.example.com", "http://x/", "1.2.3.4:80"])
def test_malformed_allow_entries_are_reported(entry):
    with pytest.raises(ValueError, match="REVUE_FETCH_ALLOW"):
        guard.parse_allow((entry,))
    with pytest.raises(ValueError, match="REVUE_FETCH_ALLOW"):
        Fetcher(make_limits(allow=(entry,)))


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "017700000001", "127.1", "0x7f000001", "0177.0.0.1", "127.0.0.1."]
)
def test_numeric_hosts_are_ipv4_addresses(host):
    assert guard.literal_address(host) == guard.literal_address("127.0.0.1")


@pytest.mark.parametrize("host", ["localhost", "feeds.example.test", "0x7f.example", "1a.test"])
def test_names_are_not_literals(host):
    assert guard.literal_address(host) is None


def test_numeric_looking_garbage_is_no_name():
    with pytest.raises(ValueError):
        guard.literal_address("1.2.3.4.5")


# --- bound to the connection --------------------------------------------------------------


def _spy_connects(fetcher: Fetcher) -> list[str]:
    """Record every socket the guarded backend opens (the inner backend's connect_tcp)."""
    backend = fetcher._transport.backend
    assert isinstance(backend, transport.GuardedBackend)
    calls: list[str] = []
    real = backend.inner.connect_tcp

    async def spy(host, port, **kw):
        calls.append(host)
        return await real(host, port, **kw)

    backend.inner.connect_tcp = spy
    return calls


def _run(url: str, **limits_kw):
    """Fetch url; return (result or FetchError, hosts the backend connected to)."""

    async def once():
        async with Fetcher(make_limits(**limits_kw)) as fetcher:
            calls = _spy_connects(fetcher)
            try:
                return await fetcher.fetch(url), calls
            except FetchError as exc:
                return exc, calls

    return asyncio.run(once())


def test_loopback_is_refused_before_connecting(site):
    outcome, calls = _run(site.url("/feed"), allow=())
    assert isinstance(outcome, FetchError) and outcome.kind == "blocked"
    assert str(outcome) == (
        "refused: 127.0.0.1 is a loopback address (set REVUE_FETCH_ALLOW to allow it)"
    )
    assert outcome.url == site.url("/feed")
    assert calls == []
    assert site.connections == 0


def test_loopback_allowed_when_listed(site):
    outcome, calls = _run(site.url("/feed"), allow=("127.0.0.1",))
    assert outcome.status == 200
    assert calls == ["127.0.0.1"]


def test_localhost_allowed_by_name(site):
    outcome, calls = _run(f"http://localhost:{site.port}/feed", allow=("localhost",))
    assert outcome.status == 200
    assert site.connections == 1


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "017700000001", "127.1", "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0"]
)
def test_numeric_and_mapped_urls_are_refused(site, host):
    outcome, calls = _run(f"http://{host}:{site.port}/feed", allow=())
    assert isinstance(outcome, FetchError) and outcome.kind == "blocked", outcome
    assert calls == [] and site.connections == 0


def test_numeric_form_reaches_an_allowed_address(site):
    outcome, calls = _run(f"http://2130706433:{site.port}/feed", allow=("127.0.0.1",))
    assert outcome.status == 200
    assert calls == ["127.0.0.1"]


def test_redirect_to_a_private_address_is_refused_before_connecting(site):
    outcome, calls = _run(site.url("/to?url=http://10.1.2.3/admin"), allow=("127.0.0.1",))
    assert isinstance(outcome, FetchError) and outcome.kind == "blocked"
    assert str(outcome).startswith("redirect to http://10.1.2.3/admin refused: 10.1.2.3 is a private")
    assert calls == ["127.0.0.1"]  # the first hop only


def test_redirect_to_metadata_by_numeric_form_is_refused(site):
    outcome, calls = _run(site.url("/to?url=http://0xa9fea9fe/latest"), allow=("127.0.0.1",))
    assert outcome.kind == "blocked"
    assert "169.254.169.254" in str(outcome)
    assert calls == ["127.0.0.1"]


def test_redirect_to_mapped_loopback_follows_the_ipv4_rule(site):
    """Decision: ``::ffff:127.0.0.1`` *is* 127.0.0.1.  It passes when 127.0.0.1 is allowed, and
    the socket is opened to 127.0.0.1 itself (no dual-stack socket needed)."""
    target = f"http://[::ffff:127.0.0.1]:{site.port}/feed"
    outcome, calls = _run(site.url(f"/to?url={target}"), allow=("127.0.0.1",))
    assert outcome.status == 200
    assert outcome.final_url == target
    assert calls == ["127.0.0.1", "127.0.0.1"]
    refused, _ = _run(target, allow=("::1",))
    assert refused.kind == "blocked"


def test_connection_goes_to_the_vetted_address_not_the_name(site, monkeypatch):
    """The name is resolved once, by the guard; httpx never looks it up again (no rebinding)."""
    lookups: list[str] = []

    async def fake_resolve(host, port, timeout=None):
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(transport, "resolve", fake_resolve)
    outcome, calls = _run(f"http://feeds.rebind.test:{site.port}/headers", allow=("127.0.0.1",))
    assert outcome.status == 200
    assert lookups == ["feeds.rebind.test"]
    assert calls == ["127.0.0.1"]
    assert site.requests[-1][1]["Host"] == f"feeds.rebind.test:{site.port}"


def test_a_name_with_one_private_address_is_refused(site, monkeypatch):
    async def fake_resolve(host, port, timeout=None):
        return ["127.0.0.1", "10.0.0.7"]

    monkeypatch.setattr(transport, "resolve", fake_resolve)
    outcome, calls = _run(f"http://two.example.test:{site.port}/feed", allow=("127.0.0.1",))
    assert outcome.kind == "blocked"
    assert "two.example.test resolves to 10.0.0.7" in str(outcome)
    assert calls == [] and site.connections == 0


def test_resolve_uses_getaddrinfo_for_names():
    addresses = asyncio.run(transport.resolve("localhost", 80))
    assert "127.0.0.1" in addresses


def test_invalid_tld_never_reaches_dns(monkeypatch):
    async def forbidden(*args, **kw):
        raise AssertionError("getaddrinfo called for a .invalid name")

    async def once():
        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", forbidden)
        return await transport.resolve("nonexistent.invalid", 80)

    with pytest.raises(FetchError) as info:
        asyncio.run(once())
    assert info.value.kind == "dns"


def test_tls_verification_stays_on():
    import ssl

    context = Fetcher(make_limits())._transport.ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
