"""This process's copy of the reader generation beside Redis, and how it hears of renewals (issue #17).

With the cache on Redis (the PostgreSQL run; skipped otherwise), ``reader_generation()`` answers
from this process's memory while its subscription to the renewals is healthy
(``revue.news.cache``). Here, in this test process: its own renewal is its token at once; another
process's renewal (a real ``python`` process) reaches it through the subscription; a key written
without being published (as a Revue of before writes it, in a rolling upgrade) is taken up; a
``cache.clear()`` (a FLUSHDB) renews the generation, so that no page kept here under the old one
is served again. Through the real server, with its connections cut: ``tests/e2e/test_generation_pubsub.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.utils.module_loading import import_string

from revue.news.cache import GENERATION_KEY, invalidate_reader_caches, reader_generation

pytestmark = [pytest.mark.django_db, pytest.mark.cache]

RENEW_ELSEWHERE = (
    "import django; django.setup(); from revue.news.cache import invalidate_reader_caches as renew; "
    "from django.core.cache import cache; renew(); print(cache.get('portal:generation'))"
)


@pytest.fixture(autouse=True)
def on_redis():
    if not issubclass(import_string(settings.CACHES["default"]["BACKEND"]), RedisCache):
        pytest.skip("needs the cache on Redis (REVUE_CACHE_URL=redis://…: the PostgreSQL run)")


def subscribed_copy() -> str | None:
    """The token this process serves from memory, once its subscription is healthy (None before)."""
    from revue.news.cache import _shared_generation

    shared = _shared_generation()
    deadline = time.monotonic() + 10
    while shared.token is None and time.monotonic() < deadline:
        reader_generation()
        time.sleep(0.01)
    return shared.token


def eventually(expected: str, seconds: float = 10) -> str:
    """``reader_generation()`` once it is ``expected`` (or when ``seconds`` are up)."""
    deadline = time.monotonic() + seconds
    seen = reader_generation()
    while seen != expected and time.monotonic() < deadline:
        time.sleep(0.01)
        seen = reader_generation()
    return seen


def test_a_renewal_here_is_this_processs_token_at_once():
    before = subscribed_copy()
    assert before is not None and before == str(cache.get(GENERATION_KEY))
    invalidate_reader_caches()
    after = reader_generation()
    assert after != before and after == str(cache.get(GENERATION_KEY))
    assert subscribed_copy() == after


def test_another_processs_renewal_reaches_this_one_through_its_subscription():
    before = subscribed_copy()
    renewed = subprocess.run(
        [sys.executable, "-c", RENEW_ELSEWHERE], env={**os.environ, "DJANGO_SETTINGS_MODULE": "revue.settings"},
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    assert renewed and renewed != before
    assert eventually(renewed) == renewed
    assert subscribed_copy() == renewed, "held in memory, not read from Redis"


def test_a_key_written_without_being_published_is_taken_up():
    before = subscribed_copy()
    cache.set(GENERATION_KEY, "written-by-a-revue-of-before", None)  # as an older Revue renews: no message
    assert eventually("written-by-a-revue-of-before") == "written-by-a-revue-of-before"
    assert before != "written-by-a-revue-of-before"


def test_clearing_the_cache_renews_the_generation(client, barlamane, make_article):
    make_article(barlamane, title="Le premier titre")
    assert "Le premier titre" in client.get("/").content.decode()  # kept, a copy in this process too
    before = subscribed_copy()
    make_article(barlamane, title="Un titre arrivé depuis")  # stored, not settled: nothing renewed
    assert "Un titre arrivé depuis" not in client.get("/").content.decode()

    cache.clear()
    assert reader_generation() != before
    assert "Un titre arrivé depuis" in client.get("/").content.decode()
