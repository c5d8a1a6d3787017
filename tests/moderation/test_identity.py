"""Who a reader is: the address behind proxies, IPv6 prefixes, keyed hashes, the signed cookie."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from revue.moderation.identity import REPORTER_COOKIE, client_address, identify, parse_address

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


def test_the_trusted_entry_is_counted_from_the_right(settings):
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXY_COUNT = 2  # a CDN, then our proxy
    request = request_from("127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 192.0.2.99")
    assert str(client_address(request)) == "198.51.100.7"


def test_a_missing_or_garbled_header_falls_back_to_the_connection(settings):
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    assert str(client_address(request_from("192.0.2.10"))) == "192.0.2.10"
    assert str(client_address(request_from("192.0.2.10", HTTP_X_REAL_IP="n'importe quoi"))) == "192.0.2.10"


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
