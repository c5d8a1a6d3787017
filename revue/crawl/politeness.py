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
network: two hops per request in the usual case (a request slot free, a host slot free and
the host's turn due: take the slot and claim the turn in one script, then give the slot back),
four otherwise (take a slot, look at the turn, claim it, give the slot back), each one Redis
call (a script), and the alive mark's renewal every few seconds.
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

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02
REDIS_CONNECTIONS = 64  # a worker's connections to Redis for its host slots and turns, at most


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
        self._redis = _Redis()
        # the alive marks' key around a worker's name, as the cache writes it (the slot scripts' last arguments)
        self._alive_key = cache.make_and_validate_key(_ALIVE_KEY).split("{name}") if self._alive else []
        # a turn's key outlives the moment it holds (at most a poll and a delay away) by a second
        self._turn_ms = math.ceil((self.delay + POLL_SECONDS) * 1000) + 1000

    @asynccontextmanager
    async def slot(self, host: str, then: AbstractAsyncContextManager | None = None):
        """Hold one of ``host``'s slots and its turn for the length of the ``with`` block.

        ``then`` (say, the crawler's semaphore of requests in flight) is entered only once the
        host's turn is near (a waiting request never holds it), and the turn is claimed inside
        it, so the request starts when its turn says, never later. On Redis, when ``then`` has a
        place free, slot and turn are asked for in one step inside it: if either must wait, the
        place is left at once and the request waits as above.
        """
        token, key, wait = f"{self._name}-{next(self._count)}", "", None
        try:
            if self._alive is not None and self.delay and not (then is not None and _busy(then)):
                # the usual case in one call, not three: a free slot, the host's turn due, a free
                # place in ``then``, held for that call (if turn or slot must wait, it is left)
                async with then or nullcontext():
                    key, turn, wait = await self._run(self._take_and_claim_op(host, token))
                    if key and turn is not None:
                        if turn > 0:
                            await asyncio.sleep(turn)
                        yield
                        return
            if not key:
                key = await self._take_slot(host, token)
            while True:
                if wait is None:  # (the first time after a step that took the slot, its answer says)
                    wait = (self._until_turn(host) if self.in_process else await self._run(self._look_op(host))
                            ) if self.delay else 0.0
                if wait > 0:
                    await asyncio.sleep(wait)
                wait = None
                async with then or nullcontext():
                    if self.in_process or not self.delay:
                        turn = self._try_turn(host)
                    else:  # (a claim refused says how long until the turn: no look needed then)
                        claimed, seconds = await self._run(self._claim_op(host))
                        turn, wait = (seconds, None) if claimed else (None, seconds)
                    if turn is None:  # another request took this window meanwhile: wait again
                        continue
                    if turn > 0:  # ours, one delay after the last request to this host
                        await asyncio.sleep(turn)
                    yield
                    return
        finally:
            if key:
                if self.in_process:
                    _give_back(key, token)
                else:
                    await self._run(self._give_back_op(key, token))

    async def _take_slot(self, host: str, token: str) -> str:
        wait = POLL_SECONDS
        while True:
            key = self._try_slots(host, token) if self.in_process else await self._run(self._take_op(host, token))
            if key:
                return key
            await asyncio.sleep(wait)
            wait = min(wait * 2, 0.5)

    # --- the steps, each one Lua script on Redis: (script, keys, arguments, its answer read) ---------
    # run on the event loop by ``_run`` (redis-py's asyncio client), or as they are by ``_run_now``

    def _take_op(self, host: str, token: str) -> tuple:
        """A free slot for ``host``, or one whose owner is dead: its key, or ""."""
        keys = self._slot_keys(host)
        return (_TAKE_SLOT, [cache.make_and_validate_key(key) for key in keys], self._slot_arguments(token),
                lambda taken: self._slot_taken(host, keys, int(taken)))

    def _take_and_claim_op(self, host: str, token: str) -> tuple:
        """One atomic step: a slot (as ``_take_op``) and, if the host's turn is at most
        ``POLL_SECONDS`` away, the turn too (as ``_claim_op``). Answers the slot's key ("" for
        none), the seconds to wait before starting (None when the turn was not claimed), and the
        seconds until the turn (None without a slot)."""
        keys = self._slot_keys(host)
        made = [cache.make_and_validate_key(key) for key in keys] + [cache.make_and_validate_key(self._turn_key(host))]
        arguments = self._slot_arguments(token) + [repr(self.delay), repr(POLL_SECONDS), self._turn_ms]

        def answer(found) -> tuple[str, float | None, float | None]:
            taken, claimed, wait = found
            key = self._slot_taken(host, keys, int(taken))
            return key, float(wait) if int(claimed) else None, float(wait) if key else None

        return _TAKE_AND_CLAIM, made, arguments, answer

    def _look_op(self, host: str) -> tuple:
        """Seconds until ``host``'s next turn (a look, nothing claimed), on Redis's clock."""
        return _LOOK, *self._turn_keys_and_arguments(host), float

    def _claim_op(self, host: str) -> tuple:
        """``_try_turn`` on Redis: one atomic step on the Redis server's clock, so workers on
        machines whose clocks differ still keep the spacing. Answers whether the turn was
        claimed, and the seconds to wait: before starting, or until the turn when refused."""
        return _CLAIM, *self._turn_keys_and_arguments(host), lambda found: (bool(int(found[0])), float(found[1]))

    def _give_back_op(self, key: str, token: str) -> tuple:
        """Give ``key`` back if ``token`` still holds it."""
        return _GIVE_BACK, [cache.make_and_validate_key(key)], [token], lambda _: None

    def _turn_keys_and_arguments(self, host: str) -> tuple[list, list]:
        return [cache.make_and_validate_key(self._turn_key(host))], [repr(self.delay), repr(POLL_SECONDS), self._turn_ms]

    def _slot_keys(self, host: str) -> list[str]:
        return [f"crawl:host:{host}:slot:{index}" for index in range(self.per_host)]

    def _slot_arguments(self, token: str) -> list:
        """A slot script's arguments: the token, how long a slot holds, the alive marks' key around the name."""
        self._alive.keep(self._name)
        return [token, self.hold_seconds * 1000, *self._alive_key]

    def _slot_taken(self, host: str, keys: list[str], taken: int) -> str:
        """The key of the slot a script answered (its number from 1, negative when taken over from a dead worker)."""
        if taken < 0:
            logger.info("host slot of a dead worker taken over", extra={"stage": "fetch", "url": host,
                                                                          "outcome": "slot_taken_over"})
        return keys[abs(taken) - 1] if taken else ""

    async def _run(self, op: tuple):
        """Run a step on the event loop (``_Redis.run``) and read its answer."""
        script, keys, arguments, answer = op
        return answer(await self._redis.run(script, keys, arguments))

    def _run_now(self, op: tuple):
        """Run a step with Django's blocking client and read its answer."""
        script, keys, arguments, answer = op
        return answer(self._redis.run_now(script, keys, arguments))

    async def end_run(self) -> None:
        """The event loop ends: close its Redis connections (the next run opens its own)."""
        await self._redis.end_run()

    # --- the same, one call at a time, blocking (in one process: a dictionary under a lock) ---------

    def _try_slots(self, host: str, token: str) -> str:
        """A free slot for ``host`` (on Redis, or one whose owner is dead), or ""."""
        if self._alive is not None:
            return self._run_now(self._take_op(host, token))
        for key in self._slot_keys(host):
            if cache.add(key, token, timeout=self.hold_seconds):
                return key
        return ""

    def close(self) -> None:
        """Stop marking this worker alive and drop its mark (its slots were given back)."""
        if self._alive is not None:
            self._alive.stop()

    def _turn_key(self, host: str) -> str:
        return f"crawl:host:{host}:next"

    def _until_turn(self, host: str) -> float:
        """Seconds until ``host``'s next turn (a look, nothing claimed)."""
        if not self.in_process:
            return self._run_now(self._look_op(host))
        return max(0.0, float(cache.get(self._turn_key(host), 0.0)) - time.time())

    def _try_turn(self, host: str) -> float | None:
        """Claim ``host``'s next turn if it is at most ``POLL_SECONDS`` away: the seconds to
        wait before starting, or None when another request has taken it meanwhile."""
        if not self.delay:
            return 0.0
        if not self.in_process:
            claimed, wait = self._run_now(self._claim_op(host))
            return wait if claimed else None
        with _LOCAL_TURNS:
            now = time.time()
            wait = max(0.0, float(cache.get(self._turn_key(host), 0.0)) - now)
            if wait > POLL_SECONDS:
                return None
            cache.set(self._turn_key(host), now + wait + self.delay, self._turn_ms / 1000)
            return wait


class _Redis:
    """Runs the gate's Lua scripts on the cache's Redis: on the event loop with redis-py's asyncio
    client (one per loop: a crawl run's loop ends with the run), or blocking with Django's client.
    No thread: a hop to one cost more CPU than the call (a request through the gate, 0.81 ms of
    CPU with a thread a call, 0.39 without: bench/README.md)."""

    def __init__(self) -> None:
        self._scripts: dict = {}  # Django's client's
        self._loop: tuple | None = None  # (event loop, its asyncio client, its scripts)

    async def run(self, script: str, keys: list[str], arguments: list):
        loop = asyncio.get_running_loop()
        if self._loop is None or self._loop[0] is not loop:
            import redis.asyncio

            # Django's RedisCache writes to its first server; a step waits for one of its
            # connections rather than open more than the requests at work could use
            pool = redis.asyncio.BlockingConnectionPool.from_url(cache._cache._servers[0], max_connections=REDIS_CONNECTIONS)
            self._loop = (loop, redis.asyncio.Redis.from_pool(pool), {})
        _, client, scripts = self._loop
        if script not in scripts:
            scripts[script] = client.register_script(script)  # sent by its hash after once
        return await scripts[script](keys=keys, args=arguments)

    def run_now(self, script: str, keys: list[str], arguments: list):
        client = cache._cache.get_client(keys[0], write=True)  # Django's RedisCache: the redis-py client
        if script not in self._scripts:
            self._scripts[script] = client.register_script(script)
        return self._scripts[script](keys=keys, args=arguments, client=client)

    async def end_run(self) -> None:
        if self._loop is None:
            return
        _, client, _ = self._loop
        self._loop = None
        try:
            await client.aclose()
        except Exception:  # (Redis gone meanwhile): the connections go with the loop
            logger.warning("host gate's Redis connections not closed", exc_info=True,
                           extra={"stage": "fetch", "outcome": "error"})


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
_TAKE = """
local function take(keys)
  for i, key in ipairs(keys) do
    if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then return i end
  end
  for i, key in ipairs(keys) do
    local holder = redis.call('GET', key)
    local owner = holder and string.match(holder, '^(%x+)%-%d+$')
    if owner and redis.call('EXISTS', ARGV[3] .. owner .. ARGV[4]) == 0 then
      redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
      return -i
    end
  end
  return 0
end
"""
_TAKE_SLOT = _TAKE + "return take(KEYS)"
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
# A slot and the turn in one step (``HostGate._take_and_claim_op``): KEYS are the slots then the turn;
# ARGV those of _TAKE_SLOT then those of _CLAIM. Answers {slot as _TAKE_SLOT, 1 if the turn was claimed, wait}.
_TAKE_AND_CLAIM = _NOW + _TAKE + """
local slots = {}
for i = 1, #KEYS - 1 do slots[i] = KEYS[i] end
local taken = take(slots)
if taken == 0 then return {0, 0, '0'} end
local turn = KEYS[#KEYS]
local wait = tonumber(redis.call('GET', turn) or '0') - now
if wait > tonumber(ARGV[6]) then return {taken, 0, tostring(wait)} end
if wait < 0 then wait = 0 end
redis.call('SET', turn, string.format('%.6f', now + wait + tonumber(ARGV[5])), 'PX', ARGV[7])
return {taken, 1, tostring(wait)}
"""
_LOCAL_TURNS = threading.Lock()  # in one process, the look-and-claim under one lock


def _busy(then: AbstractAsyncContextManager) -> bool:
    """Whether entering ``then`` would wait (a semaphore or lock with no place free); a context
    manager that cannot tell is taken as busy: the gate then takes it only once the turn is near."""
    locked = getattr(then, "locked", None)
    return locked() if callable(locked) else True


def _give_back(key: str, token: str) -> None:
    if cache.get(key) == token:
        cache.delete(key)
