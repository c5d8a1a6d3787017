"""The generation of every cache that shows readers the archive, and the switch that renews it.

Readers' caches (the portal's front page and navigation, and any list the feeds or the API keep)
put the *generation* token in their keys. ``invalidate_reader_caches()`` replaces the token, so
every key built before it is never read again and simply expires. It works the same on the
in-memory cache and on a shared Redis cache, and needs no list of keys.

It lives here, beside ``Image``, because what readers may see changes in the apps above
``news``: moderation calls it when an image gets blocked or restored, and the portal builds its
keys from ``reader_generation()`` — neither needs to import the other.
"""

from __future__ import annotations

import time

from django.core.cache import cache

GENERATION_KEY = "portal:generation"  # the key the portal has always used: warm caches stay valid


def _new_generation() -> str:
    # a fresh token, never a counter: a counter evicted and restarted at 1 could revive old keys
    return str(time.time_ns())


def reader_generation() -> str:
    """The current generation token, created on first use."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        token = cache.get(GENERATION_KEY) or _new_generation()
    return token


def invalidate_reader_caches() -> None:
    """Forget everything cached for readers (front page, navigation, counts, feeds, API lists)."""
    cache.set(GENERATION_KEY, _new_generation(), None)
