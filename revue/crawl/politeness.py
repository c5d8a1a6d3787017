"""Per-host politeness that holds across every worker sharing the cache.

At most ``REVUE_FETCH_PER_HOST`` requests in flight to one host, and at most one request to
it per ``REVUE_HOST_DELAY`` seconds, counted in Django's cache: in memory for one process, in
Redis (``REVUE_CACHE_URL``) for many workers on many machines. A slot is a cache key taken with
``add`` (atomic in both backends), holding a token of its own, and given back when the request
ends only if it still holds that token (a slot held past its expiry and taken by someone else
stays theirs); a slot whose worker died expires by itself after ``REVUE_FETCH_TOTAL_TIMEOUT``.
The delay is a true minimum spacing: time is cut into windows of ``REVUE_HOST_DELAY``; a request
claims its window with ``add`` (one request per window, whoever wins) and stores there the moment
it will start, at least one delay after the start stored in the window before it, waiting
until then if need be. Two requests to one host therefore never start closer than the delay,
whichever workers make them.

Cost: with the in-process cache every call is direct (a dictionary under a lock: no thread
hop); with a networked cache the calls run in a thread so the event loop never waits on the
network: four hops per request (slot, look at the turn, claim it, give the slot back).
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import time
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from asgiref.sync import sync_to_async
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

POLL_SECONDS = 0.02


class HostGate:
    def __init__(self, *, per_host: int, delay: float, hold_seconds: float):
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self.hold_seconds = max(1, math.ceil(hold_seconds))
        self.in_process = isinstance(caches["default"], (LocMemCache, DummyCache))
        # a slot's token: unique across workers (a random name per gate) and requests (a count),
        # without a system call for randomness on every request
        self._name = os.urandom(8).hex()
        self._count = itertools.count()

    async def _call(self, func, *args):
        if self.in_process:
            return func(*args)
        return await sync_to_async(func, thread_sensitive=False)(*args)

    @asynccontextmanager
    async def slot(self, host: str, then: AbstractAsyncContextManager | None = None):
        """Hold one of ``host``'s slots and its turn for the length of the ``with`` block.

        ``then`` (say, the crawler's semaphore of requests in flight) is entered only once the
        host's turn is near (a waiting request never holds it), and the turn is claimed inside
        it, so the request starts when its turn says, never later.
        """
        key, token = await self._take_slot(host)
        try:
            while True:
                wait = await self._call(self._until_turn, host) if self.delay else 0.0
                if wait > 0:
                    await asyncio.sleep(wait)
                async with then or nullcontext():
                    turn = await self._call(self._try_turn, host)
                    if turn is None:  # another request took this window meanwhile: wait again
                        continue
                    if turn > 0:  # ours, one delay after the last request to this host
                        await asyncio.sleep(turn)
                    yield
                    return
        finally:
            await self._call(_give_back, key, token)

    async def _take_slot(self, host: str) -> tuple[str, str]:
        wait = POLL_SECONDS
        token = f"{self._name}-{next(self._count)}"
        while True:
            key = await self._call(self._try_slots, host, token)
            if key:
                return key, token
            await asyncio.sleep(wait)
            wait = min(wait * 2, 0.5)

    def _try_slots(self, host: str, token: str) -> str:
        """A free slot for ``host``, or ""."""
        for index in range(self.per_host):
            key = f"crawl:host:{host}:slot:{index}"
            if cache.add(key, token, timeout=self.hold_seconds):
                return key
        return ""

    def _turn_key(self, host: str, window: int) -> str:
        return f"crawl:host:{host}:turn:{window}"

    def _until_turn(self, host: str) -> float:
        """Seconds until ``host`` could have its next turn (a look, nothing claimed)."""
        now = time.time()
        window = int(now / self.delay)
        taken = cache.get_many([self._turn_key(host, window - 1), self._turn_key(host, window)])
        starts = [float(start) + self.delay for start in taken.values()]
        if self._turn_key(host, window) in taken:  # this window is used: the next one at best
            starts.append((window + 1) * self.delay)
        return max([0.0, *(start - now for start in starts)])

    def _try_turn(self, host: str) -> float | None:
        """Claim this time window for ``host``: the seconds to wait before starting, or None
        when another request has it."""
        if not self.delay:
            return 0.0
        now = time.time()
        window = int(now / self.delay)
        # the previous window's start is always before this window ends (by induction), so it
        # is the only one that can be less than a delay ago
        previous = cache.get(self._turn_key(host, window - 1))
        start = max(now, float(previous) + self.delay) if previous is not None else now
        if cache.add(self._turn_key(host, window), start, max(1, math.ceil(2 * self.delay))):
            return start - now
        return None


def _give_back(key: str, token: str) -> None:
    if cache.get(key) == token:
        cache.delete(key)
