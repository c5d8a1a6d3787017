"""The portal's short-lived caches, and the one switch that empties them all.

Every cached value lives under a key that embeds a *generation* token kept in the cache itself.
``invalidate_portal()`` replaces that token, so every key built before it is never read again
and simply expires; it works the same on the in-memory cache and on a shared Redis cache, and
needs no list of keys. The moderation app calls it when an image gets blocked, so the front
page stops showing the image at once instead of after the cache timeout.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "portal:generation"

T = TypeVar("T")


def cache_seconds() -> int:
    """How long the front page and the navigation stay cached."""
    return settings.REVUE_PORTAL_CACHE_SECONDS


def _new_generation() -> str:
    # a fresh token, never a counter: a counter evicted and restarted at 1 could revive old keys
    return str(time.time_ns())


def generation() -> str:
    """The current generation token, created on first use."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        token = cache.get(GENERATION_KEY) or _new_generation()
    return token


def portal_key(name: str) -> str:
    """The cache key for ``name`` in the current generation."""
    return f"portal:{generation()}:{name}"


def cached(name: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """``compute()``'s value, kept under ``name`` for ``timeout`` seconds (default: the portal's)."""
    return cache.get_or_set(portal_key(name), compute, cache_seconds() if timeout is None else timeout)


def invalidate_portal() -> None:
    """Forget everything the portal has cached (front page, navigation, counts)."""
    cache.set(GENERATION_KEY, _new_generation(), None)
