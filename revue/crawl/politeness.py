"""Per-host politeness that holds across every worker sharing the cache.

At most ``REVUE_FETCH_PER_HOST`` requests in flight to one host, and at most one request to
it per ``REVUE_HOST_DELAY`` seconds, counted in Django's cache: in memory for one process, in
Redis (``REVUE_CACHE_URL``) for many workers on many machines. A slot is a cache key taken with
``add`` (atomic in both backends), holding a token of its own, and given back when the request
ends only if it still holds that token (a slot held past its expiry and taken by someone else
stays theirs); a slot whose worker died expires by itself after ``REVUE_FETCH_TOTAL_TIMEOUT``.

On Redis a slot also carries its owner: the token names the worker's gate, and the gate keeps a
mark of its own alive (``crawl:worker:<name>:alive``, for ``REVUE_WORKER_ALIVE_SECONDS``,
renewed every third of it by a thread of its own). A worker that finds a host's slots all taken
takes over, in the same atomic step (a Lua script), a slot whose owner's mark has lapsed: a
worker killed mid-request (``kill -9``) holds its slots for ``REVUE_WORKER_ALIVE_SECONDS``, not
for the whole fetch timeout. A live worker's slot is never taken (its mark is renewed while it
runs); a worker cut off from Redis longer than that may lose its slots, which then count one
request too many for a moment, never more.
The delay is a true minimum spacing: each host has one key holding the earliest moment its
next request may start. A request looks at it and sleeps until then, and only then (inside
``then``, the crawler's semaphore of requests in flight) claims the turn in one atomic step:
if the turn is still free (at most ``POLL_SECONDS`` away) it moves the key one delay on and
starts; if another request took it meanwhile it looks again. On Redis the step is a Lua script
run on the Redis server's clock (so workers whose clocks differ still agree); in one process it
is the same under a lock. Two requests to one host therefore never start closer than the
delay, whichever workers make them, but for the scheduling lag of the earlier one: a request
whose process is starved of CPU after its turn came starts late (milliseconds, not a turn).

Cost: with the in-process cache every call is direct (a dictionary under a lock: no thread
hop); with a networked cache the calls run in a thread so the event loop never waits on the
network: four hops per request (take a slot, look at the turn, claim it, give the slot back),
each one Redis call (a script), and the alive mark's renewal every few seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import threading
import time
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02


class HostGate:
    def __init__(self, *, per_host: int, delay: float, hold_seconds: float, alive_seconds: float | None = None):
        self.per_host = max(1, per_host)
        self.delay = max(0.0, delay)
        self.hold_seconds = max(1, math.ceil(hold_seconds))
        self.in_process = isinstance(caches["default"], (LocMemCache, DummyCache))
        alive = settings.REVUE_WORKER_ALIVE_SECONDS if alive_seconds is None else alive_seconds
        self._alive = _AliveMark(max(0.3, alive)) if not self.in_process else None
        # a slot's token: unique across workers (a random name per gate) and requests (a count),
        # without a system call for randomness on every request
        self._name = os.urandom(8).hex()
        self._count = itertools.count()
        self._scripts: dict = {}
        # a turn's key outlives the moment it holds (at most a poll and a delay away) by a second
        self._turn_ms = math.ceil((self.delay + POLL_SECONDS) * 1000) + 1000

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
            await self._call(self._give_back, key, token)

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
        """A free slot for ``host`` (on Redis, or one whose owner is dead), or ""."""
        keys = [f"crawl:host:{host}:slot:{index}" for index in range(self.per_host)]
        if self._alive is not None:
            self._alive.keep(self._name)
            made = [cache.make_and_validate_key(key) for key in keys]
            before, after = cache.make_and_validate_key(_ALIVE_KEY).split("{name}")
            taken = int(self._script(_TAKE_SLOT, made, [token, self.hold_seconds * 1000, before, after]))
            if taken < 0:
                logger.info("host slot of a dead worker taken over", extra={"stage": "fetch", "url": host,
                                                                              "outcome": "slot_taken_over"})
            return keys[abs(taken) - 1] if taken else ""
        for key in keys:
            if cache.add(key, token, timeout=self.hold_seconds):
                return key
        return ""

    def close(self) -> None:
        """Stop marking this worker alive and drop its mark (its slots were given back)."""
        if self._alive is not None:
            self._alive.stop()

    def _give_back(self, key: str, token: str) -> None:
        """Give ``key`` back if ``token`` still holds it."""
        if self._alive is not None:
            self._script(_GIVE_BACK, [cache.make_and_validate_key(key)], [token])
        else:
            _give_back(key, token)

    def _turn_key(self, host: str) -> str:
        return f"crawl:host:{host}:next"

    def _until_turn(self, host: str) -> float:
        """Seconds until ``host``'s next turn (a look, nothing claimed)."""
        if not self.in_process:
            return float(self._redis_script(_LOOK, host))
        return max(0.0, float(cache.get(self._turn_key(host), 0.0)) - time.time())

    def _try_turn(self, host: str) -> float | None:
        """Claim ``host``'s next turn if it is at most ``POLL_SECONDS`` away: the seconds to
        wait before starting, or None when another request has taken it meanwhile."""
        if not self.delay:
            return 0.0
        if not self.in_process:
            claimed, wait = self._redis_script(_CLAIM, host)
            return float(wait) if int(claimed) else None
        with _LOCAL_TURNS:
            now = time.time()
            wait = max(0.0, float(cache.get(self._turn_key(host), 0.0)) - now)
            if wait > POLL_SECONDS:
                return None
            cache.set(self._turn_key(host), now + wait + self.delay, self._turn_ms / 1000)
            return wait

    def _redis_script(self, script: str, host: str):
        """Run one of the turn's Lua scripts on the cache's Redis: one atomic step on the Redis
        server's clock, so workers on machines whose clocks differ still keep the spacing."""
        key = cache.make_and_validate_key(self._turn_key(host))
        return self._script(script, [key], [repr(self.delay), repr(POLL_SECONDS), self._turn_ms])

    def _script(self, script: str, keys: list[str], args: list):
        """Run a Lua script on the cache's Redis (``keys``: made by the cache already)."""
        client = cache._cache.get_client(keys[0], write=True)  # Django's RedisCache: the redis-py client
        if script not in self._scripts:
            self._scripts[script] = client.register_script(script)  # sent by its hash after once
        return self._scripts[script](keys=keys, args=args, client=client)


class _AliveMark:
    """A worker's mark in Redis that it is alive, renewed by a thread while the worker runs;
    its host slots carry its name, and are taken over once the mark has lapsed."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._key = ""

    def keep(self, name: str) -> None:
        """Set the mark now (before the first slot is held) and keep it, once."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._key = cache.make_and_validate_key(_ALIVE_KEY.format(name=name))
            self._stopping.clear()
            self._renew()
            self._thread = threading.Thread(target=self._run, name="revue-alive-mark", daemon=True)
            self._thread.start()

    def _renew(self) -> None:
        cache._cache.get_client(self._key, write=True).set(self._key, b"1", px=math.ceil(self.seconds * 1000))

    def _run(self) -> None:
        while not self._stopping.wait(self.seconds / 3):
            try:
                self._renew()
            except Exception:  # (Redis away for a moment: the next renewal may reach it)
                logger.warning("worker's alive mark not renewed", exc_info=True,
                               extra={"stage": "fetch", "outcome": "error"})

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            if thread is None:
                return
            self._stopping.set()
            thread.join()
            try:
                cache._cache.get_client(self._key, write=True).delete(self._key)
            except Exception:  # it lapses by itself
                logger.warning("worker's alive mark not dropped", exc_info=True,
                               extra={"stage": "fetch", "outcome": "error"})


_ALIVE_KEY = "crawl:worker:{name}:alive"
# A host's slots, taken in one step: a free one, else one whose owner (the token's name, before
# its "-count") has no alive mark. Answers the slot's number (from 1), negative when taken over, or 0.
_TAKE_SLOT = """
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then return i end
end
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  local owner = holder and string.match(holder, '^(%x+)%-%d+$')
  if owner and redis.call('EXISTS', ARGV[3] .. owner .. ARGV[4]) == 0 then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    return -i
  end
end
return 0
"""
_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


# A host's turn is one key: the earliest moment (Redis's clock) its next request may start.
# (replicate_commands: Redis 3.2-4 refuse a write after TIME without it; later ones do it anyway)
_NOW = ("redis.replicate_commands() "
        "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 ")
_LOOK = _NOW + """
local wait = tonumber(redis.call('GET', KEYS[1]) or '0') - now
if wait < 0 then wait = 0 end
return tostring(wait)
"""
_CLAIM = _NOW + """
local wait = tonumber(redis.call('GET', KEYS[1]) or '0') - now
if wait > tonumber(ARGV[2]) then return {0, tostring(wait)} end
if wait < 0 then wait = 0 end
redis.call('SET', KEYS[1], string.format('%.6f', now + wait + tonumber(ARGV[1])), 'PX', ARGV[3])
return {1, tostring(wait)}
"""
_LOCAL_TURNS = threading.Lock()  # in one process, the look-and-claim under one lock


def _give_back(key: str, token: str) -> None:
    if cache.get(key) == token:
        cache.delete(key)
