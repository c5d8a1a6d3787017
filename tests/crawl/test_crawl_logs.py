"""What an operator reads from ``revue crawl`` with ``REVUE_LOG_FORMAT=json``: one JSON line per
failed feed with the fixed keys (``stage``, ``feed_id``, ``url``, ``outcome``, ``ms``), a skipped
entry with its own — from a real crawl process over a loopback site."""

from __future__ import annotations

import json

import pytest

from revue.sources.models import Feed, Source
from tests.crawl.test_poisoned_entries import Site, poisoned_rss
from tests.crawl.test_workers import start_worker

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(httpserver_ipv4):
    return Site(httpserver_ipv4)


def test_a_crawl_logs_json_lines_with_the_fixed_keys(site):
    site.serve("/feed.xml", "application/rss+xml; charset=utf-8", poisoned_rss(site.base))
    source = Source.objects.create(name="La Gazette", slug="la-gazette", homepage=f"{site.base}/", language="fr")
    good = Feed.objects.create(source=source, url=f"{site.base}/feed.xml")
    broken = Feed.objects.create(source=source, url=f"{site.base}/missing.xml")  # a 404
    worker = start_worker(REVUE_LOG_FORMAT="json", REVUE_LOG_LEVEL="INFO", REVUE_FETCH_PAGES="0")
    output = worker.communicate(timeout=120)[0]
    assert worker.returncode == 0, output
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines, output
    failed = [line for line in lines if line.get("feed_id") == broken.id and line.get("stage") == "feed"]
    assert len(failed) == 1, lines
    assert failed[0]["level"] == "WARNING" and failed[0]["outcome"] == "error"
    assert failed[0]["url"] == broken.url and "404" in failed[0]["message"]
    assert isinstance(failed[0]["ms"], int) and failed[0]["ms"] >= 0
    skipped = [line for line in lines if line.get("outcome") == "skipped"]
    assert skipped and all(line["feed_id"] == good.id and line["url"].endswith("/articles/poison-2")
                           for line in skipped)
    # the run's summary is the command's own output, for the person who ran it
    assert any(line.startswith("2 flux ") for line in output.splitlines() if not line.startswith("{")), output
    assert not [line for line in lines if line.get("feed_id") == good.id and line.get("outcome") == "error"]
