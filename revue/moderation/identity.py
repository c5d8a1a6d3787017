"""Who is reporting: a reader recognised by a signed cookie *and* by their network address.

A ``Reporter`` carries three opaque values, never a raw address:

* ``reporter_id`` — a random id kept in a signed first-party cookie (``revue_lecteur``); a
  request without a valid one gets a fresh id, which the view then sets;
* ``address_hash`` — a keyed hash (HMAC with the secret key) of the reader's address; for IPv6,
  of its /64, since one connection can pick any address inside it;
* ``network_hash`` — the same for the wider network (IPv4 /24, IPv6 /48), to see a burst of
  reports coming from one network on the moderators' desk.

Behind a proxy, the address is read from the header named by ``REVUE_CLIENT_ADDRESS_HEADER``
(``X-Forwarded-For``, ``X-Real-IP`` …), taking the ``REVUE_TRUSTED_PROXY_COUNT``-th entry from the
right: the one our own proxy wrote, not one a client made up. By default no header is trusted.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
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


def _header_address(request) -> str:
    """The address our proxy wrote in the configured header, or '' when absent."""
    header = settings.REVUE_CLIENT_ADDRESS_HEADER.strip()
    if not header:
        return ""
    raw = request.headers.get(header, "")
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    hops = max(1, settings.REVUE_TRUSTED_PROXY_COUNT)
    if len(entries) < hops:
        return ""
    return entries[-hops]


def parse_address(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
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


def client_address(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The reader's address: the trusted proxy header if configured and usable, else the socket's."""
    for raw in (_header_address(request), request.META.get("REMOTE_ADDR", "")):
        address = parse_address(raw) if raw else None
        if address is not None:
            return address
    return ipaddress.ip_address(UNKNOWN_ADDRESS)


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
