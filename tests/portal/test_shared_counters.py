"""The default cache on one machine: pages in each process's memory, guard counters shared by all.

``revue serve`` runs one process per core; a report rate limit or the admin login's failures
counted in each process's memory would let five failures *per process* through. Two forked
processes count on the one backend here, as two workers do.
"""

from __future__ import annotations

import multiprocessing

import pytest
from django.conf import settings
from django.core.cache import caches

from revue.portal.sharedcache import LocalMemoryWithSharedCounters


pytestmark = pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].endswith("LocalMemoryWithSharedCounters"), reason="Redis: all shared"
)


def count(key: str, times: int, results) -> None:
    cache = caches["default"]
    for _ in range(times):
        cache.add(key, 0, 60)
        cache.incr(key)
    cache.set("portal:page:mine", "kept here")  # a page: this process's own
    results.put(cache.get(key))


def test_the_default_cache_shares_the_guard_counters_between_processes_and_nothing_else():
    cache = caches["default"]
    assert isinstance(cache, LocalMemoryWithSharedCounters), settings.CACHES["default"]
    cache.clear()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=count, args=("login:failures:address:x", 100, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(results.get(timeout=5) for _ in workers)[-1] == 200
    assert cache.get("login:failures:address:x") == 200  # and this process sees the count too
    assert cache.get("portal:page:mine") is None  # a page kept in another process stays there
    cache.clear()
    assert cache.get("login:failures:address:x") is None
