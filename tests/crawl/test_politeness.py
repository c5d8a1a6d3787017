"""Per-host politeness: at most K requests in flight to a host and a minimum spacing between
two requests to it, held across several workers sharing the cache (in-process memory here,
Redis in the PostgreSQL run)."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import uuid

import pytest
from django.core.cache import cache

from revue.crawl.politeness import HostGate
from revue.crawl.worker import SWITCH_INTERVAL

pytestmark = pytest.mark.cache

TOLERANCE = 0.01  # timer resolution and clock reads


class Recorder:
    """What a server would see: when each request to each host started and ended."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.starts: dict[str, list[float]] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    async def request(self, gate: HostGate, host: str, hold: float) -> None:
        async with gate.slot(host):
            with self.lock:
                self.starts.setdefault(host, []).append(time.time())
                self.in_flight[host] = self.in_flight.get(host, 0) + 1
                self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), self.in_flight[host])
            await asyncio.sleep(hold)
            with self.lock:
                self.in_flight[host] -= 1

    def gaps(self, host: str) -> list[float]:
        starts = sorted(self.starts[host])
        return [b - a for a, b in zip(starts, starts[1:])]


def a_host() -> str:
    return f"host-{uuid.uuid4().hex[:8]}.example"  # fresh keys: Redis outlives a test


def gate(per_host: int, delay: float) -> HostGate:
    return HostGate(per_host=per_host, delay=delay, hold_seconds=30)


async def burst(g: HostGate, recorder: Recorder, hosts: list[str], hold: float) -> None:
    await asyncio.gather(*(recorder.request(g, host, hold) for host in hosts))


def test_no_more_than_k_requests_in_flight_to_one_host():
    host, recorder = a_host(), Recorder()
    started = time.monotonic()
    asyncio.run(burst(gate(per_host=2, delay=0), recorder, [host] * 6, hold=0.1))
    assert recorder.max_in_flight[host] == 2
    assert time.monotonic() - started >= 0.3 - TOLERANCE  # 6 requests, 2 at a time, 0.1 s each


def test_two_requests_to_one_host_never_start_closer_than_the_delay():
    host, recorder = a_host(), Recorder()
    asyncio.run(burst(gate(per_host=4, delay=0.15), recorder, [host] * 8, hold=0.01))
    assert len(recorder.starts[host]) == 8
    assert min(recorder.gaps(host)) >= 0.15 - TOLERANCE, recorder.gaps(host)
    assert max(recorder.gaps(host)) < 0.15 * 2 + 0.05  # and no needless waiting either


def test_a_busy_host_does_not_hold_up_another():
    slow, other, recorder = a_host(), a_host(), Recorder()
    started = time.time()
    asyncio.run(burst(gate(per_host=1, delay=0.2), recorder, [slow] * 4 + [other], hold=0.01))
    assert recorder.starts[other][0] - started < 0.1
    assert max(recorder.starts[slow]) - started >= 0.6 - TOLERANCE


# Four event loops and their cache threads share one interpreter lock here: a request whose
# thread waits for it starts later than its turn, and the next one, on time, seems closer. Seen
# in CI on Redis: 21 ms late with the default 5 ms switch interval; 12 ms with 1 ms (the
# crawler's own, which this test uses) and both cores busy elsewhere. A race starts two
# requests together (gaps of 0 to 34 ms seen with the old window scheme; how often depends on
# the threads' timing, so the next test plays the race step by step).
ACROSS_TOLERANCE = 0.025


def test_the_limits_hold_across_workers_sharing_the_cache():
    """Four crawlers (each its own gate, event loop and thread, as worker processes would be)
    fetching from one host: the limits count them all together, even when one worker's claim
    of a turn lands just after another has looked at it."""
    host, recorder = a_host(), Recorder()

    def worker() -> None:
        asyncio.run(burst(gate(per_host=2, delay=0.06), recorder, [host] * 5, hold=0.03))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert len(recorder.starts[host]) == 20
    assert recorder.max_in_flight[host] <= 2
    assert min(recorder.gaps(host)) >= 0.06 - ACROSS_TOLERANCE, recorder.gaps(host)


def test_two_workers_that_both_saw_a_turn_free_cannot_both_claim_it():
    """The race above, step by step (its timing in threads is luck): worker A and worker B
    both look at a host's turn and both see it free; A claims it; B's claim, landing just
    after, must not get the same turn: it looks again and waits a full delay."""
    host = a_host()
    a, b = gate(per_host=2, delay=0.5), gate(per_host=2, delay=0.5)
    assert a._until_turn(host) == 0.0 and b._until_turn(host) == 0.0  # both see it free
    assert a._try_turn(host) == 0.0  # A starts now
    assert b._try_turn(host) is None  # the turn is gone: B must look again
    assert b._until_turn(host) > 0.5 - TOLERANCE  # and wait a full delay after A
    time.sleep(0.5 - 0.015)  # the next turn is less than a poll away: B may claim it now
    wait = b._try_turn(host)
    assert wait is not None and 0 <= wait <= 0.02
    assert a._try_turn(host) is None  # and A cannot take that one again


def test_a_slot_taken_over_after_expiry_is_not_given_back_by_its_first_holder():
    host = a_host()
    key = f"crawl:host:{host}:slot:0"

    async def hold_past_expiry() -> None:
        async with gate(per_host=1, delay=0).slot(host):
            cache.delete(key)  # our hold ran out...
            assert cache.add(key, "another-worker", timeout=30)  # ...and another worker took the slot

    asyncio.run(hold_past_expiry())
    assert cache.get(key) == "another-worker"
    cache.delete(key)


def test_a_slot_is_given_back_when_the_request_fails():
    host = a_host()

    async def failing() -> None:
        async with gate(per_host=1, delay=0).slot(host):
            raise ConnectionError("reset by peer")

    for _ in range(2):  # the second would wait forever if the first kept its slot
        with pytest.raises(ConnectionError):
            asyncio.run(asyncio.wait_for(failing(), timeout=5))
    assert cache.get(f"crawl:host:{host}:slot:0") is None


def test_waiting_for_a_turn_holds_no_network_slot_and_the_turn_is_kept():
    """``then`` (the crawler's requests-in-flight semaphore) is taken only when the host's
    turn has come: requests to a slow-to-turn host leave it to others, and a request that had
    to wait for it still starts a full delay after the previous one to its host."""
    polite, other, recorder = a_host(), a_host(), Recorder()

    async def run() -> None:
        g, network = gate(per_host=4, delay=0.2), asyncio.Semaphore(1)

        async def request(host: str, hold: float) -> None:
            async with g.slot(host, then=network):
                recorder.starts.setdefault(host, []).append(time.time())
                await asyncio.sleep(hold)

        await asyncio.gather(*(request(polite, 0.01) for _ in range(3)),
                             *(request(other, 0.05) for _ in range(1)))

    started = time.time()
    asyncio.run(run())
    assert min(recorder.gaps(polite)) >= 0.2 - TOLERANCE, recorder.gaps(polite)
    assert recorder.starts[other][0] - started < 0.15  # not stuck behind the polite host's waits


def hold_slots_in_a_process(host: str, slots: int, alive_seconds: float):
    """A worker process (two slots a host) that takes ``slots`` of ``host``'s and keeps them (until killed)."""
    import os
    import subprocess

    code = ("import django, sys, time; django.setup()\n"
            "from revue.crawl.politeness import HostGate\n"
            f"gate = HostGate(per_host=2, delay=0, hold_seconds=60, alive_seconds={alive_seconds})\n"
            f"held = [gate._try_slots({host!r}, f'{{gate._name}}-{{n}}') for n in range({slots})]\n"
            "print(all(held), flush=True)\n"
            "time.sleep(120)\n")
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "DJANGO_SETTINGS_MODULE": "revue.settings"})
    assert worker.stdout.readline().strip() == "True"
    return worker


@pytest.mark.skipif(HostGate(per_host=1, delay=0, hold_seconds=1).in_process,
                    reason="a worker's slots outlive it only in a shared cache (Redis)")
def test_a_killed_workers_slots_are_taken_over_once_its_mark_lapses_and_a_live_workers_never():
    host, alive = a_host(), 1.0
    live = HostGate(per_host=2, delay=0, hold_seconds=60, alive_seconds=alive)
    other = HostGate(per_host=2, delay=0, hold_seconds=60, alive_seconds=alive)
    try:
        assert live._try_slots(host, f"{live._name}-0")  # a live worker holds one slot for long
        dead = hold_slots_in_a_process(host, 1, alive)  # and a worker process the other
        assert other._try_slots(host, f"{other._name}-0") == ""  # both are taken
        dead.kill()  # kill -9: it gives nothing back
        dead.wait()
        killed = time.monotonic()
        while not (slot := other._try_slots(host, f"{other._name}-0")):
            assert time.monotonic() - killed < alive + 1, "the dead worker's slot was not taken over"
            time.sleep(0.05)
        print(f"\na killed worker's slot taken over {time.monotonic() - killed:.2f} s after the kill "
              f"(its mark lasts {alive} s; the slot would be held 60 s)")
        assert slot == f"crawl:host:{host}:slot:1"
        time.sleep(2 * alive)  # the live worker's mark is renewed meanwhile: its slot stays its own
        assert other._try_slots(host, f"{other._name}-1") == ""
        assert live._try_slots(host, f"{live._name}-1") == ""
    finally:
        live.close()
        other.close()
