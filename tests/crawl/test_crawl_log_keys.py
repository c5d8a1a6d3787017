"""The crawler's log lines carry the fixed keys (``revue.logs``): ``stage`` and ``outcome`` on every
one, ``feed_id`` and ``url`` on those about a feed or a page, ``ms`` on those that end a feed's
refresh or a page's fetch — held two ways: every log call of ``revue/crawl`` and ``revue/net``
read from the source, and every JSON line of a real ``revue crawl`` (``REVUE_LOG_FORMAT=json``,
``DEBUG``) over a loopback outlet with a dead feed, a page instead of a feed, a skipped entry,
a page that fails and one that robots.txt refuses."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from revue.sources.models import Feed, Source
from tests.crawl.test_poisoned_entries import Site, poisoned_rss
from tests.crawl.test_workers import ROOT, database_url

LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
CRAWLER = [ROOT / "revue" / "crawl", ROOT / "revue" / "net"]


def log_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS
                and isinstance(node.func.value, ast.Name) and node.func.value.id.lower() in {"logger", "log"}):
            yield node


def missing_keys(call: ast.Call) -> str:
    """What the call's ``extra=`` lacks of stage and outcome ("" when it has both, or builds them)."""
    extra = next((k.value for k in call.keywords if k.arg == "extra"), None)
    if extra is None:
        return "no extra= keys"
    if isinstance(extra, ast.Call) or isinstance(extra, ast.Name):  # _keys(job, outcome) or a dict made from it
        return ""
    if isinstance(extra, ast.Dict):
        named = {k.value for k in extra.keys if isinstance(k, ast.Constant)}
        spread = any(k is None for k in extra.keys)  # {**keys, "outcome": …}
        lacking = {"outcome"} - named if spread else {"stage", "outcome"} - named
        return f"lacks {sorted(lacking)}" if lacking else ""
    return "extra= is not a dict"


@pytest.mark.nodb
def test_every_log_call_of_the_crawler_names_its_stage_and_outcome():
    calls = [(path, call) for folder in CRAWLER for path in sorted(folder.rglob("*.py")) for call in log_calls(path)]
    assert len(calls) > 20, "the walk reads the real tree"
    wrong = [f"{path.relative_to(ROOT)}:{call.lineno} {why}" for path, call in calls if (why := missing_keys(call))]
    assert not wrong, wrong


ARTICLE = "<html><body><article><h1>{0}</h1>" + "<p>Le conseil municipal a voté le budget de la ville. </p>" * 30 + "</article></body></html>"


def short_rss(base: str) -> bytes:
    items = "".join(f"<item><title>Brève {name}</title><link>{base}{path}</link><description>Court.</description></item>"
                    for name, path in (("a", "/articles/a"), ("b", "/articles/b"), ("c", "/private/c")))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Brèves</title><link>{base}/</link>'
            f"{items}</channel></rss>").encode()


@pytest.mark.django_db(transaction=True)
def test_every_line_of_a_real_crawl_carries_the_fixed_keys(httpserver_ipv4, tmp_path):
    site = Site(httpserver_ipv4)
    site.serve("/feed.xml", "application/rss+xml; charset=utf-8", poisoned_rss(site.base))  # a skipped entry
    site.serve("/short.xml", "application/rss+xml; charset=utf-8", short_rss(site.base))  # pages to fetch
    site.serve("/articles/a", "text/html; charset=utf-8", ARTICLE.format("Le budget").encode())
    site.serve("/robots.txt", "text/plain", b"User-agent: *\nDisallow: /private/\n")
    site.serve("/une-page", "text/html", f'<html><head><link rel="alternate" type="application/rss+xml" '
                                         f'href="{site.base}/short.xml"></head><body>Bonjour</body></html>'.encode())
    source = Source.objects.create(name="La Gazette", slug="la-gazette", homepage=f"{site.base}/", language="fr")
    feeds = {path: Feed.objects.create(source=source, url=f"{site.base}{path}").id
             for path in ("/feed.xml", "/short.xml", "/missing.xml", "/une-page")}
    env = {**os.environ, "REVUE_DATABASE_URL": database_url(), "REVUE_DATA_DIR": str(tmp_path),
           "REVUE_FETCH_ALLOW": "127.0.0.1", "REVUE_HOST_DELAY": "0", "REVUE_CRAWL_PROCESSES": "1",
           "REVUE_LOG_FORMAT": "json", "REVUE_LOG_LEVEL": "DEBUG",
           # robots.txt is kept in the cache for REVUE_ROBOTS_TTL, and on the PostgreSQL run the
           # cache is Redis, shared with the tests before this one on the same loopback port:
           # this crawl must read this test's own robots.txt
           "REVUE_CACHE_URL": "locmem://"}
    done = subprocess.run([sys.executable, "-m", "revue", "crawl"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]

    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    crawler = [line for line in lines if line["logger"].startswith("revue.crawl")]
    assert len(crawler) >= 8, done.stderr[-3000:]
    for line in crawler:
        assert {"stage", "outcome"} <= set(line), line
        if line["stage"] in ("feed", "page"):
            assert {"feed_id", "url"} <= set(line), line
        if line["stage"] == "page" or (line["stage"] == "feed" and line["message"].startswith(("feed failed", "feed refreshed"))):
            assert isinstance(line.get("ms"), int) and line["ms"] >= 0, line
    by = {(line["stage"], line["outcome"], line.get("feed_id")) for line in crawler}
    assert ("feed", "error", feeds["/missing.xml"]) in by  # the dead feed
    assert ("parse", "followed", feeds["/une-page"]) in by  # a page instead of a feed, followed
    assert ("store", "skipped", feeds["/feed.xml"]) in by  # an entry with no title and no text, left out
    # /une-page is followed to /short.xml, so either of the two feeds may be the first to take a
    # page of it (the other finds it stored): the line names the feed that fetched it
    short = {feeds["/short.xml"], feeds["/une-page"]}
    pages = {(line["url"].rsplit("/", 1)[1], line["outcome"]) for line in crawler
             if line["stage"] == "page" and line["feed_id"] in short}
    assert {("b", "error"), ("c", "robots")} <= pages
    settled = [line for line in crawler if line["stage"] == "settle"]
    assert settled and all(isinstance(line["ms"], int) for line in settled if line["outcome"] == "ok")


@pytest.mark.nodb
def test_bound_keys_reach_the_lines_of_their_block_only():
    import logging

    from revue.logs import ContextKeys, bound

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    handler.addFilter(ContextKeys())
    logger = logging.getLogger("revue.tests.bound")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with bound(feed_id=7, stage="feed"):
            logger.info("inside")
            logger.info("its own", extra={"feed_id": 8})
        logger.info("after")
    finally:
        logger.removeHandler(handler)
    assert [(r.getMessage(), getattr(r, "feed_id", None)) for r in records] == [("inside", 7), ("its own", 8), ("after", None)]
