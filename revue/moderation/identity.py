"""Who is reporting: a reader recognised by a signed cookie *and* by their network address.

A ``Reporter`` carries three opaque values, never a raw address:

* ``reporter_id`` — a random id kept in a signed first-party cookie (``revue_lecteur``); a
  request without a valid one gets a fresh id, which the view then sets;
* ``address_hash`` — a keyed hash (HMAC with the secret key) of the reader's address; for IPv6,
  of its /64, since one connection can pick any address inside it;
* ``network_hash`` — the same for the wider network (IPv4 /24, IPv6 /48): one person easily has
  several addresses in one network, so an image is blocked only when several *networks* reported
  it, reports are rate-limited per network too, and the desk sees a burst from one network.

Behind a proxy, the address is read from the header named by ``REVUE_CLIENT_ADDRESS_HEADER``
(``X-Forwarded-For``, ``X-Real-IP`` …), but only when the connection itself comes from one of
``REVUE_TRUSTED_PROXIES`` (addresses or networks): the header is read from the right, skipping
the entries that are trusted proxies too, and the first other address is the reader's — the one
our own proxy wrote, not one a client made up. A client that reaches the server directly is its
connection's address, whatever headers it sends. By default no proxy, hence no header, is trusted.
``revue serve`` also drops the proxy headers of every connection that is not a trusted proxy.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

REPORTER_COOKIE = "revue_lecteur"
REPORTER_COOKIE_SALT = "revue.moderation.reporter"
REPORTER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # a year: the cookie only says "the same reader"
ADDRESS_SALT = "revue.moderation.address"
NETWORK_SALT = "revue.moderation.network"
UNKNOWN_ADDRESS = "0.0.0.0"  # a request whose address cannot be read at all (never on a real server)


@dataclass(frozen=True)
class Reporter:
    """One reader as the moderation rules see them (opaque hashes and a random id)."""

    reporter_id: str
    address_hash: str
    network_hash: str
    is_new: bool = False  # the id was made for this request: the response must set the cookie


def new_reporter_id() -> str:
    return secrets.token_urlsafe(16)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(raw: str) -> Address | None:
    """An IP address from ``raw`` (brackets, a port or an IPv6 zone tolerated), or None."""
    value = raw.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:443
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"REVUE_TRUSTED_PROXIES: {entry!r} is neither an address nor a network "
                "(write e.g. 10.0.0.5,10.1.0.0/16,fd00::/8)"
            ) from None
        if isinstance(network, ipaddress.IPv6Network) and network.network_address.ipv4_mapped:
            # ::ffff:10.0.0.5 is how a dual-stack socket names 10.0.0.5; addresses are compared as IPv4
            mapped = network.network_address.ipv4_mapped
            network = ipaddress.ip_network(f"{mapped}/{max(0, network.prefixlen - 96)}", strict=False)
        networks.append(network)
    return tuple(networks)


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``REVUE_TRUSTED_PROXIES`` as networks (ImproperlyConfigured for an entry that is neither)."""
    return _networks(tuple(settings.REVUE_TRUSTED_PROXIES))


def is_trusted_proxy(address: Address | None) -> bool:
    """Whether ``address`` is one of our proxies (never true for an unreadable address)."""
    return address is not None and any(address in network for network in trusted_proxies())


def forwarded_client(peer: Address, header_value: str) -> Address:
    """The reader behind the trusted proxy ``peer``: the right-most entry of ``header_value`` that
    is not a trusted proxy itself (the left-most entry when every one is). An entry that is not
    an address stops the walk at the last proxy read: what lies left of it is not trustworthy."""
    client = peer
    for raw in reversed(header_value.split(",")):
        address = parse_address(raw)
        if address is None:
            return client
        client = address
        if not is_trusted_proxy(address):
            return address
    return client


def client_address(request) -> Address:
    """The reader's address: the connection's, or what a trusted proxy says it saw (see above)."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return ipaddress.ip_address(UNKNOWN_ADDRESS)
    header = settings.REVUE_CLIENT_ADDRESS_HEADER.strip()
    if not header or not is_trusted_proxy(peer):
        return peer
    return forwarded_client(peer, request.headers.get(header, ""))


def _prefix(address, v4_bits: int, v6_bits: int) -> str:
    bits = v4_bits if address.version == 4 else v6_bits
    return str(ipaddress.ip_network(f"{address}/{bits}", strict=False))


def address_key(address) -> str:
    """What one connection is: the address itself (IPv4) or its /64 (IPv6)."""
    return _prefix(address, 32, 64)


def network_key(address) -> str:
    """The network around it: its /24 (IPv4) or /48 (IPv6)."""
    return _prefix(address, 24, 48)


def keyed_hash(salt: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` with the secret key: comparable, not reversible without the key."""
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()


def reporter_id_from(request) -> str | None:
    """The id in the reader's signed cookie, or None when missing or tampered with."""
    try:
        value = request.get_signed_cookie(REPORTER_COOKIE, salt=REPORTER_COOKIE_SALT)
    except (KeyError, signing.BadSignature):
        return None
    return value if 8 <= len(value) <= 64 else None


def identify(request) -> Reporter:
    """The ``Reporter`` behind ``request`` (a fresh id when the cookie is missing or invalid)."""
    address = client_address(request)
    known_id = reporter_id_from(request)
    return Reporter(
        reporter_id=known_id or new_reporter_id(),
        address_hash=keyed_hash(ADDRESS_SALT, address_key(address)),
        network_hash=keyed_hash(NETWORK_SALT, network_key(address)),
        is_new=known_id is None,
    )


def remember(response, request, reporter: Reporter) -> None:
    """Set the reader's signed cookie on ``response`` when it was made for this request."""
    if not reporter.is_new:
        return
    response.set_signed_cookie(
        REPORTER_COOKIE,
        reporter.reporter_id,
        salt=REPORTER_COOKIE_SALT,
        max_age=REPORTER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


# --- the guard every WSGI entry point wears (revue serve, revue/wsgi.py) ---------------------------


def proxy_header_keys() -> frozenset[str]:
    """The WSGI environ keys of every proxy header: waitress's list and our client address header."""
    from waitress.proxy_headers import PROXY_HEADERS

    own = settings.REVUE_CLIENT_ADDRESS_HEADER.strip().upper().replace("-", "_")
    return frozenset(f"HTTP_{name}" for name in (*PROXY_HEADERS, *([own] if own else [])))


def proxy_headers_from_trusted_proxies_only(app):
    """``app`` behind a guard that drops proxy headers unless the connection is a trusted proxy."""
    keys = proxy_header_keys()

    def guarded(environ, start_response):
        if not is_trusted_proxy(parse_address(environ.get("REMOTE_ADDR", ""))):
            for key in keys:
                environ.pop(key, None)
        return app(environ, start_response)

    return guarded
