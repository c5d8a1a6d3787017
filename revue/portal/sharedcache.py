"""The default cache on one machine: this process's own memory, but counters that every process shares.

``revue serve`` runs one process per core, and a crawler beside them; Django's in-memory cache is
each process's own. That is right for kept pages (each process keeps its copies, renewed by the
reader generation in the data folder: ``revue.news.cache``), and wrong for the counters that
guard the portal: a report's rate limit per address and network (``moderation.ratelimit``) and
the admin login's failures and locks (``moderation.login_throttle``) would each be counted once
per process, so a lock after five failures would come after five *per process*.

So this backend is Django's ``LocMemCache`` for everything but the keys that start with one of
``OPTIONS["SHARED_KEY_PREFIXES"]``: those live in a ``diskcache`` (SQLite) in
``OPTIONS["SHARED_DIRECTORY"]``, whose ``add``, ``incr`` and ``set`` are atomic across processes
and threads, with the same meaning and expiry as Django's. With Redis (``REVUE_CACHE_URL``) the
whole cache is shared and this backend is not used; ``RedisCacheRenewedOnClear`` is then the
backend (Django's, whose ``clear()`` also renews the reader generation).
"""

from __future__ import annotations

import os
import time

import diskcache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from revue.news.cache import invalidate_reader_caches


class LocalMemoryWithSharedCounters(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS", {})
        self._directory = str(options["SHARED_DIRECTORY"])
        self._prefixes = tuple(options.get("SHARED_KEY_PREFIXES", ()))
        self._opened: tuple[int, diskcache.Cache] | None = None

    # --- which store ---------------------------------------------------------------------

    def _shared(self, key) -> bool:
        return isinstance(key, str) and key.startswith(self._prefixes)

    def _store(self) -> diskcache.Cache:
        """This process's handle on the shared store (opened again in a forked child)."""
        if self._opened is None or self._opened[0] != os.getpid():
            self._opened = (os.getpid(), diskcache.Cache(self._directory, timeout=30, eviction_policy="none"))
        return self._opened[1]

    def _expire(self, timeout) -> float | None:
        ends = self.get_backend_timeout(timeout)
        return None if ends is None else max(0.001, ends - time.time())

    # --- the cache's interface, routed -----------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._shared(key):
            return super().add(key, value, timeout, version)
        return self._store().add(self.make_and_validate_key(key, version), value, expire=self._expire(timeout))

    def get(self, key, default=None, version=None):
        if not self._shared(key):
            return super().get(key, default, version)
        return self._store().get(self.make_and_validate_key(key, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._shared(key):
            return super().set(key, value, timeout, version)
        self._store().set(self.make_and_validate_key(key, version), value, expire=self._expire(timeout))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        if not self._shared(key):
            return super().touch(key, timeout, version)
        return self._store().touch(self.make_and_validate_key(key, version), expire=self._expire(timeout))

    def incr(self, key, delta=1, version=None):
        if not self._shared(key):
            return super().incr(key, delta, version)
        try:
            return self._store().incr(self.make_and_validate_key(key, version), delta, default=None)
        except KeyError:
            raise ValueError(f"Key '{key}' not found") from None

    def has_key(self, key, version=None):
        if not self._shared(key):
            return super().has_key(key, version)
        return self.make_and_validate_key(key, version) in self._store()

    def delete(self, key, version=None):
        if not self._shared(key):
            return super().delete(key, version)
        return self._store().delete(self.make_and_validate_key(key, version))

    def clear(self):
        super().clear()
        self._store().clear()


class RedisCacheRenewedOnClear(RedisCache):
    """Django's Redis cache, whose ``clear()`` (a FLUSHDB) also renews the reader generation: each
    server process keeps its own copy of the token (``revue.news.cache``), which a flush alone
    would leave in place (with the pages it copied) until its subscriber next compares it."""

    def clear(self):
        super().clear()
        invalidate_reader_caches()
