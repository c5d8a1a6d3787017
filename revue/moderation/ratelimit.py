"""How many reports one address may send: ``REVUE_REPORT_RATE_LIMIT`` per ``REVUE_REPORT_RATE_WINDOW``.

A fixed-window counter in Django's cache (``add`` then ``incr``, both atomic on the in-memory
cache and on Redis), keyed by the address *hash* and the window's number, so every web server
sharing a Redis cache shares the count. Nothing is stored in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class RateDecision:
    """Whether one more report is allowed, and when the window reopens if not."""

    allowed: bool
    retry_after: int  # seconds until the current window ends


def _window() -> int:
    return max(1, settings.REVUE_REPORT_RATE_WINDOW)


def take_report_slot(address_hash: str, now: float | None = None) -> RateDecision:
    """Count one report for ``address_hash`` and say whether it is within the limit."""
    window = _window()
    now = time.time() if now is None else now
    number = int(now // window)
    key = f"moderation:report-rate:{address_hash}:{number}"
    cache.add(key, 0, window + 60)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this report opens a new count
        cache.add(key, 1, window + 60)
        sent = 1
    retry_after = max(1, int((number + 1) * window - now))
    return RateDecision(allowed=sent <= settings.REVUE_REPORT_RATE_LIMIT, retry_after=retry_after)


def too_many_reports_message(retry_after: int) -> str:
    """The French message of a 429, with the wait in words a reader understands."""
    minutes = max(1, round(retry_after / 60))
    wait = f"{minutes} minute{'s' if minutes > 1 else ''}"
    return (
        "Trop de signalements depuis votre connexion. "
        f"Merci de patienter environ {wait} avant d'en envoyer d'autres."
    )
