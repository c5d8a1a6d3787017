"""``/metrics`` through the real ``revue serve`` (two processes) after ``revue crawl`` (its own
processes) took in a loopback press with a dead feed: with ``REVUE_METRICS_TOKEN`` set for both,
every process writes under ``$REVUE_DATA_DIR/metrics`` and the endpoint reports them together —
the crawler's fetches by outcome, its latencies and articles by language beside the servers'
page-cache answers — and only to a request carrying the token."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article
from revue.sources.services import FeedSpec, follow
from tests.crawl.test_workers import start_worker
from tests.e2e.conftest import empty_archive, follow_press
from tests.e2e.test_serve_processes import fresh, revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
TOKEN = "metrics-token-of-the-e2e-test"


def totals(text: str) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted labels: value}}"""
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def test_metrics_of_the_crawler_and_every_server_process_behind_the_token(tmp_path):
    settings = {"REVUE_DATA_DIR": str(tmp_path), "REVUE_METRICS_TOKEN": TOKEN}
    with serve_press(DemoPress(outlets=3)) as running:
        press_feeds = follow_press(running)
        follow(FeedSpec(feed_url=f"{running.base_url}/disparu/rss", outlet_name="Disparu"))  # 404: a dead feed
        crawler = start_worker(**settings)
        output = crawler.communicate(timeout=300)[0]
    assert crawler.returncode == 0, output
    stored = Article.objects.count()
    assert stored > 0

    with revue_serve(**settings) as (base, _server):
        for _ in range(6):  # fresh connections: both processes answer some
            assert fresh(base, "/").status_code == 200
        refused = [httpx.get(f"{base}/metrics", headers=headers, timeout=20)
                   for headers in ({}, {"Authorization": "Bearer nope"})]
        answer = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=20)

    assert [r.status_code for r in refused] == [401, 401] and all(b"revue_" not in r.content for r in refused)
    assert answer.status_code == 200, answer.text[:500]
    found = totals(answer.text)
    fetches = found["revue_feed_fetches_total"]
    assert fetches[(("outcome", "ok"),)] == len(press_feeds) and fetches[(("outcome", "error"),)] == 1
    assert found["revue_fetch_seconds_count"][()] >= 4
    assert found["revue_settle_seconds_count"][()] >= 1
    # extraction runs in the crawler's CPU process: its counts reach the endpoint too, one per page read
    pages = found["revue_page_fetches_total"][(("outcome", "ok"),)]
    assert pages > 0 and found["revue_extraction_seconds_count"][()] == pages
    assert sum(found["revue_articles_ingested_total"].values()) == stored
    assert found["revue_feeds"][(("state", "active"),)] == len(press_feeds) + 1
    assert found["revue_queue_articles"][(("queue", "stories"),)] == 0
    cache = found["revue_page_cache_total"]
    assert sum(v for labels, v in cache.items() if ("result", "miss") in labels) >= 1
    assert sum(cache.values()) == 6
    assert (tmp_path / "metrics").is_dir() and any((tmp_path / "metrics").glob("counter_*.db"))
    empty_archive()
