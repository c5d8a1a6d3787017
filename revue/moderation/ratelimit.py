"""How many reports one reader may send: per address and per network, per window.

``REVUE_REPORT_RATE_LIMIT`` reports per address (IPv4 /32, IPv6 /64) and
``REVUE_REPORT_NETWORK_RATE_LIMIT`` per network (IPv4 /24, IPv6 /48) in every
``REVUE_REPORT_RATE_WINDOW`` seconds: one person with many addresses in one network shares the
network's count. Fixed-window counters in Django's cache (``add`` then ``incr``, both atomic on
the in-memory cache and on Redis), keyed by the keyed *hash* and the window's number, so every
web server sharing a Redis cache shares the count. Nothing is stored in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import ngettext
from django.core.cache import cache


@dataclass(frozen=True)
class RateDecision:
    """Whether one more report is allowed, and when the window reopens if not."""

    allowed: bool
    retry_after: int  # seconds until the current window ends


def _window() -> int:
    return max(1, settings.REVUE_REPORT_RATE_WINDOW)


def _take(key: str, limit: int, now: float) -> RateDecision:
    """Count one report under ``key`` in the current window; allowed while within ``limit``."""
    window = _window()
    number = int(now // window)
    key = f"{key}:{number}"
    cache.add(key, 0, window + 60)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this report opens a new count
        cache.add(key, 1, window + 60)
        sent = 1
    retry_after = max(1, int((number + 1) * window - now))
    return RateDecision(allowed=sent <= limit, retry_after=retry_after)


def take_report_slot(address_hash: str, network_hash: str, now: float | None = None) -> RateDecision:
    """Count one report for the address and for its network; allowed only if both are within their limits."""
    now = time.time() if now is None else now
    network = _take(f"moderation:report-rate:net:{network_hash}", settings.REVUE_REPORT_NETWORK_RATE_LIMIT, now)
    address = _take(f"moderation:report-rate:{address_hash}", settings.REVUE_REPORT_RATE_LIMIT, now)
    return RateDecision(allowed=network.allowed and address.allowed, retry_after=address.retry_after)


def too_many_reports_message(retry_after: int) -> str:
    """The message of a 429 in the edition's language, with the wait in words a reader understands."""
    minutes = max(1, round(retry_after / 60))
    return ngettext(
        "Trop de signalements depuis votre connexion. Merci de patienter environ %(minutes)d minute avant d'en envoyer d'autres.",
        "Trop de signalements depuis votre connexion. Merci de patienter environ %(minutes)d minutes avant d'en envoyer d'autres.",
        minutes,
    ) % {"minutes": minutes}
