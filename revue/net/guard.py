"""The outbound address policy: which IP addresses Revue may connect to (the crawler's feeds and
pages, the image proxy's pictures, an operator's feed check: every outbound fetch).

A news crawler fetches whatever URL a feed or an article points at, so a hostile feed could
point it at the machine's own services (``http://127.0.0.1:6379/``), the private network, or
a cloud metadata endpoint (``http://169.254.169.254/``).  This module decides, address by
address, whether a connection is acceptable; :mod:`revue.net.transport` applies the decision to
the addresses a host actually resolves to, right before it connects to one of them.

Pure functions over strings and :mod:`ipaddress` values; no network, no Django.

Rules:

- Only globally routable unicast addresses pass.  Refused: unspecified (``0.0.0.0``, ``::``),
  loopback, link-local (169.254/16, fe80::/10), multicast, shared address space (100.64/10),
  unique-local IPv6 (fc00::/7), site-local, RFC 1918 and every other private, reserved or
  non-global range :mod:`ipaddress` knows.
- IPv6 forms that carry an IPv4 address are judged by that IPv4 address: IPv4-mapped
  (``::ffff:127.0.0.1`` is treated exactly as ``127.0.0.1``, for refusal *and* for the allow
  list) and NAT64 (64:ff9b::/96).  A 6to4 address (2002::/16) must pass both as itself and
  through the IPv4 address it embeds.
- Legacy numeric hosts (``2130706433``, ``0x7f.1``, ``017700000001``, ``127.1``) are IPv4
  addresses, read the way browsers and ``inet_aton`` read them: a host whose last label is a
  number is an IPv4 address, never a name.
- The operator's allow list (``REVUE_FETCH_ALLOW``) holds host names (``localhost``: every
  address that name resolves to passes), addresses (``127.0.0.1``) or networks
  (``10.0.0.0/8``).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")

_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)
_HOSTNAME = re.compile(r"[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?", re.IGNORECASE)


@dataclass(frozen=True)
class AllowList:
    """The parsed ``REVUE_FETCH_ALLOW``: host names and networks that pass the guard."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    def allows_host(self, host: str) -> bool:
        return normalize_hostname(host) in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        candidates = {address, judged_address(address)}
        return any(ip in network for ip in candidates for network in self.networks)


@lru_cache(maxsize=64)
def parse_allow(entries: tuple[str, ...]) -> AllowList:
    """Parse allow-list entries; raise ValueError naming a malformed entry."""
    hosts: set[str] = set()
    networks: list[IPNetwork] = []
    for raw in entries:
        entry = raw.strip().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if not _HOSTNAME.fullmatch(entry):
            raise ValueError(
                f"REVUE_FETCH_ALLOW entry {raw!r} is not a host name, an IP address or a network"
            )
        hosts.add(normalize_hostname(entry))
    return AllowList(frozenset(hosts), tuple(networks))


def normalize_hostname(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def literal_address(host: str) -> IPAddress | None:
    """The IP address a URL host denotes by itself, or None when it is a name to resolve.

    Raises ValueError for a host that looks numeric but is no valid address
    (``1.2.3.4.5``, ``0x7g.1``), which must not be handed to DNS either.
    """
    host = normalize_hostname(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    last_label = host.rsplit(".", 1)[-1]
    if not _NUMERIC_LABEL.fullmatch(last_label):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        raise ValueError(f"{host!r} is neither a host name nor a valid IPv4 address") from None


def judged_address(address: IPAddress) -> IPAddress:
    """The address that really is the destination: the IPv4 inside a mapped or NAT64 form."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64_WELL_KNOWN:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def connect_address(address: IPAddress) -> str:
    """The address to open the socket to: an IPv4-mapped address is its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def refusal_reason(address: IPAddress) -> str | None:
    """Why connecting to ``address`` is refused ("a private address"), or None if it is global."""
    judged = judged_address(address)
    reason = _category(judged)
    if reason is None and isinstance(judged, ipaddress.IPv6Address) and judged.sixtofour:
        inner = _category(judged.sixtofour)
        if inner is not None:
            reason = f"a 6to4 address wrapping {judged.sixtofour}, {inner}"
    return reason


def _category(ip: IPAddress) -> str | None:
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip in SHARED_ADDRESS_SPACE, "a shared (carrier-grade NAT) address"),
        (ip in UNIQUE_LOCAL, "a unique-local address"),
        (getattr(ip, "is_site_local", False), "a site-local address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a globally routable address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def refusals(host: str, addresses: Iterable[IPAddress], allow: AllowList) -> list[str]:
    """One operator-readable sentence per refused address; empty when all may be connected to."""
    if allow.allows_host(host):
        return []
    found = []
    for address in addresses:
        reason = None if allow.allows_address(address) else refusal_reason(address)
        if reason is not None:
            found.append(_sentence(host, address, reason))
    return found


def _sentence(host: str, address: IPAddress, reason: str) -> str:
    if normalize_hostname(host) == str(address):
        return f"{address} is {reason}"
    return f"{host} resolves to {address}, {reason}"
