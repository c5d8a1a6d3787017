"""Who a reader is: the address behind trusted proxies, IPv6 prefixes, keyed hashes, the signed cookie."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from revue.moderation.identity import REPORTER_COOKIE, client_address, identify, parse_address, trusted_proxies

requests = RequestFactory()


def request_from(remote: str, **headers):
    return requests.post("/signaler/image/1/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("203.0.113.5", "203.0.113.5"),
        ("203.0.113.5:51234", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("unknown", None),
        ("", None),
    ],
)
def test_addresses_are_read_leniently(raw, expected):
    parsed = parse_address(raw)
    assert (str(parsed) if parsed else None) == expected


def test_by_default_the_connection_address_is_used(settings):
    settings.REVUE_CLIENT_ADDRESS_HEADER = ""
    request = request_from("192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert str(client_address(request)) == "192.0.2.10"


@pytest.fixture
def behind_proxies(settings):
    """Our proxy on 127.0.0.1 and a CDN in 10.0.0.0/8 in front of it, writing X-Forwarded-For."""
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    return settings


def test_the_reader_is_the_right_most_entry_that_is_no_trusted_proxy(behind_proxies):
    # the client claimed 6.6.6.6, the CDN saw 198.51.100.7, our proxy saw the CDN (10.1.2.3)
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.1.2.3")
    assert str(client_address(request)) == "198.51.100.7"


def test_a_direct_connection_is_itself_whatever_it_claims(behind_proxies):
    request = request_from("192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert str(client_address(request)) == "192.0.2.10"


def test_the_header_is_read_only_when_named(behind_proxies):
    behind_proxies.REVUE_CLIENT_ADDRESS_HEADER = ""
    assert str(client_address(request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"))) == "127.0.0.1"


def test_a_garbled_entry_stops_at_the_last_proxy_read(behind_proxies):
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, unknown, 10.1.2.3")
    assert str(client_address(request)) == "10.1.2.3"
    only_proxies = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.9, 10.1.2.3")
    assert str(client_address(only_proxies)) == "10.0.0.9"


def test_a_dual_stack_socket_name_of_a_proxy_is_trusted(behind_proxies):
    behind_proxies.REVUE_TRUSTED_PROXIES = ["::ffff:127.0.0.1"]
    request = request_from("::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:7::1")
    assert str(client_address(request)) == "2001:db8:7::1"


def test_a_wrong_trusted_proxy_is_a_clear_configuration_error(settings):
    settings.REVUE_TRUSTED_PROXIES = ["proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match="REVUE_TRUSTED_PROXIES: 'proxy.internal' is neither"):
        trusted_proxies()


def test_a_missing_or_garbled_header_falls_back_to_the_connection(behind_proxies):
    behind_proxies.REVUE_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    assert str(client_address(request_from("127.0.0.1"))) == "127.0.0.1"
    assert str(client_address(request_from("127.0.0.1", HTTP_X_REAL_IP="n'importe quoi"))) == "127.0.0.1"
    assert str(client_address(request_from("127.0.0.1", HTTP_X_REAL_IP="198.51.100.3"))) == "198.51.100.3"


def test_one_ipv6_connection_is_its_whole_64():
    one = identify(request_from("2001:db8:1:2::1"))
    same_64 = identify(request_from("2001:db8:1:2:aaaa::9"))
    other_64 = identify(request_from("2001:db8:1:3::1"))
    assert one.address_hash == same_64.address_hash != other_64.address_hash
    assert one.network_hash == other_64.network_hash  # same /48


def test_ipv4_neighbours_share_a_network_not_an_address():
    a, b = identify(request_from("198.51.100.1")), identify(request_from("198.51.100.2"))
    assert a.address_hash != b.address_hash and a.network_hash == b.network_hash


def test_hashes_are_keyed_with_the_secret(settings):
    before = identify(request_from("198.51.100.1")).address_hash
    settings.SECRET_KEY = "another secret key for this test only, long enough to be one"
    assert identify(request_from("198.51.100.1")).address_hash != before


def test_a_request_without_cookie_gets_a_fresh_id():
    first, second = identify(request_from("198.51.100.1")), identify(request_from("198.51.100.1"))
    assert first.is_new and second.is_new and first.reporter_id != second.reporter_id


def test_a_forged_cookie_is_not_believed():
    request = request_from("198.51.100.1")
    request.COOKIES[REPORTER_COOKIE] = "chosen-by-me"
    reporter = identify(request)
    assert reporter.is_new and reporter.reporter_id != "chosen-by-me"
