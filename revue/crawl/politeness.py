"""Per-host politeness that holds across every worker sharing the cache.

At most ``REVUE_FETCH_PER_HOST`` requests in flight to one host, and at most one request to
it per ``REVUE_HOST_DELAY`` seconds, counted in Django's cache: in memory for one process, in
Redis (``REVUE_CACHE_URL``) for many workers on many machines. A slot is a cache key taken with
``add`` (atomic in both backends) and given back when the request ends; a slot whose worker died
expires by itself after ``REVUE_FETCH_TOTAL_TIMEOUT``. The delay claims one time window per
request, so two workers never both take the same window.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from contextlib import asynccontextmanager

from asgiref.sync import sync_to_async
from django.core.cache import cache

POLL_SECONDS = 0.02


class HostGate:
    def __init__(self, *, per_host: int, delay: float, hold_seconds: float):
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self.hold_seconds = max(1, math.ceil(hold_seconds))
        self.token = uuid.uuid4().hex

    @asynccontextmanager
    async def slot(self, host: str):
        key = await self._take_slot(host)
        try:
            await self._wait_turn(host)
            yield
        finally:
            await sync_to_async(cache.delete, thread_sensitive=False)(key)

    async def _take_slot(self, host: str) -> str:
        wait = POLL_SECONDS
        while True:
            key = await sync_to_async(self._try_slots, thread_sensitive=False)(host)
            if key:
                return key
            await asyncio.sleep(wait)
            wait = min(wait * 2, 0.5)

    def _try_slots(self, host: str) -> str:
        for index in range(self.per_host):
            key = f"crawl:host:{host}:slot:{index}"
            if cache.add(key, self.token, timeout=self.hold_seconds):
                return key
        return ""

    async def _wait_turn(self, host: str) -> None:
        if not self.delay:
            return
        while True:
            window = int(time.time() / self.delay)
            key = f"crawl:host:{host}:turn:{window}"
            taken = await sync_to_async(cache.add, thread_sensitive=False)(key, self.token, max(1, math.ceil(2 * self.delay)))
            if taken:
                return
            await asyncio.sleep(max(POLL_SECONDS, (window + 1) * self.delay - time.time()))
