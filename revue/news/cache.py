"""The generation of every cache that shows readers the archive, and the switch that renews it.

Readers' caches (the portal's pages, front page and navigation, and any list the feeds or the
API keep) put the *generation* token in their keys. ``invalidate_reader_caches()`` replaces the
token, so every key built before it is never read again and simply expires. It works the same on
the in-memory cache and on a shared Redis cache, and needs no list of keys.

Where the token lives: in the cache itself when the cache is shared (Redis); when it is each
process's own memory (``locmem://``, the default), in a small file of the data folder
(``reader-generation``), so that the crawler's settle process, or a moderator's block in one
server process, renews the pages every other process on the machine keeps.

It lives here, beside ``Image``, because what readers may see changes in the apps above
``news``: moderation calls it when an image gets blocked or restored, the crawl when a settle
brings new articles into stories, and the portal builds its keys from ``reader_generation()`` —
none needs to import another.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "portal:generation"  # the key the portal has always used: warm caches stay valid
GENERATION_FILE = "reader-generation"  # in REVUE_DATA_DIR, when the cache is each process's own
LOCAL_MEMORY = (  # each process's own memory (the second shares only its counters: revue.portal.sharedcache)
    "django.core.cache.backends.locmem.LocMemCache",
    "revue.portal.sharedcache.LocalMemoryWithSharedCounters",
)


def _new_generation() -> str:
    # a fresh token, never a counter: a counter evicted and restarted at 1 could revive old keys
    return str(time.time_ns())


def _generation_file() -> Path | None:
    """The file that holds the token when the cache is this process's own memory, else None."""
    return Path(settings.DATA_DIR) / GENERATION_FILE if settings.CACHES["default"]["BACKEND"] in LOCAL_MEMORY else None


def _write(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    temporary.write_text(token)
    os.replace(temporary, path)  # readers see the old token or the new one, never half of one


def _read(path: Path) -> str:
    descriptor = os.open(path, os.O_RDONLY)  # a few microseconds: read on every page view
    try:
        return os.read(descriptor, 64).decode("ascii", "replace")
    finally:
        os.close(descriptor)


def reader_generation() -> str:
    """The current generation token, created on first use."""
    path = _generation_file()
    if path is not None:
        try:
            token = _read(path)
        except FileNotFoundError:
            token = ""
        if not token:
            token = _new_generation()
            _write(path, token)
        return token
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        token = cache.get(GENERATION_KEY) or _new_generation()
    return token


def invalidate_reader_caches() -> None:
    """Forget everything cached for readers (pages, front page, navigation, counts, feeds, API lists)."""
    path = _generation_file()
    if path is not None:
        _write(path, _new_generation())
    else:
        cache.set(GENERATION_KEY, _new_generation(), None)
