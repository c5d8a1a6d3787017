"""The portal's short-lived caches, and the one switch that empties them all.

Every cached value lives under a key that embeds a *generation* token kept in the cache itself.
``invalidate_portal()`` replaces that token, so every key built before it is never read again
and simply expires; it works the same on the in-memory cache and on a shared Redis cache, and
needs no list of keys. The token itself is ``revue.news.cache.reader_generation()``, shared with
the apps below the portal: moderation calls ``invalidate_reader_caches()`` when an image gets
blocked, so the front page stops showing the image at once instead of after the cache timeout.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from django.conf import settings
from django.core.cache import cache

from revue.news.cache import invalidate_reader_caches, reader_generation

T = TypeVar("T")


def cache_seconds() -> int:
    """How long the front page and the navigation stay cached."""
    return settings.REVUE_PORTAL_CACHE_SECONDS


def generation() -> str:
    """The current generation token (shared with every reader-facing cache)."""
    return reader_generation()


def portal_key(name: str) -> str:
    """The cache key for ``name`` in the current generation."""
    return f"portal:{generation()}:{name}"


def cached(name: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """``compute()``'s value, kept under ``name`` for ``timeout`` seconds (default: the portal's)."""
    return cache.get_or_set(portal_key(name), compute, cache_seconds() if timeout is None else timeout)


def invalidate_portal() -> None:
    """Forget everything the portal has cached (front page, navigation, counts)."""
    invalidate_reader_caches()
