"""Report rate limits per address and per network, on the in-memory cache and on a real Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache import cache

from revue.moderation.ratelimit import take_report_slot

REDIS = ("127.0.0.1", 6379)


def redis_is_running() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
    except OSError:
        return False
    return True


CACHES = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-test"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://{REDIS[0]}:{REDIS[1]}/0",
    },
}


@pytest.fixture(params=sorted(CACHES))
def report_cache(request, settings):
    if request.param == "redis" and not redis_is_running():
        pytest.skip("no Redis on 127.0.0.1:6379 (make test starts it)")
    # a prefix of this test's own on Redis: its keys only, whoever else uses the server
    settings.CACHES = {"default": {**CACHES[request.param], "KEY_PREFIX": f"revue-test-{uuid.uuid4().hex}"}}
    settings.REVUE_REPORT_RATE_LIMIT, settings.REVUE_REPORT_NETWORK_RATE_LIMIT = 2, 3
    settings.REVUE_REPORT_RATE_WINDOW = 3600
    yield request.param
    if request.param == "locmem":
        cache.clear()  # (a Redis clear() would empty the whole database: this run's keys expire instead)


def test_addresses_of_one_network_share_its_limit(report_cache):
    now = 7_200_000.0  # the start of a window
    decisions = [take_report_slot(f"address-{n}", "network-a", now=now + n).allowed for n in range(4)]
    assert decisions == [True, True, True, False]
    assert take_report_slot("address-9", "network-b", now=now).allowed, "another network has its own count"


def test_one_address_keeps_its_own_limit_and_the_window_reopens(report_cache):
    now = 7_200_000.0
    assert [take_report_slot("address-1", f"network-{n}", now=now).allowed for n in range(3)] == [True, True, False]
    refused = take_report_slot("address-1", "network-9", now=now + 600)
    assert not refused.allowed and refused.retry_after == 3000
    assert take_report_slot("address-1", "network-9", now=now + 3600).allowed
