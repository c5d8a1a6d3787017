"""Several worker processes share the crawl through leases; a killed worker loses nothing.

Real ``revue crawl`` processes against the demo press on loopback and the test database
(SQLite file or PostgreSQL), as an operator runs them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news import search
from revue.news.models import Article
from revue.sources.models import Feed
from tests.e2e.conftest import follow_press

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database, as a worker process started by the test must reach it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(**settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "REVUE_DATABASE_URL": database_url(),
        "REVUE_FETCH_ALLOW": "127.0.0.1",
        "REVUE_HOST_DELAY": "0",
        "REVUE_CRAWL_PROCESSES": "1",
        "REVUE_LOG_LEVEL": "WARNING",
        **{key: str(value) for key, value in settings.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-m", "revue", "crawl"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )


def expected_articles(press: DemoPress) -> set[tuple[str, str]]:
    return {(o.slug, a.title) for o in press.outlets for a in o.articles[: o.feed_size]}


def stored_articles() -> set[tuple[str, str]]:
    return set(Article.objects.values_list("source__slug", "title"))


@pytest.fixture
def running():
    # five outlets (166 articles, seven feeds): enough to share and to kill midway, in less
    # than half the default press's crawl time
    with serve_press(DemoPress(outlets=5)) as running:
        yield running


def test_two_workers_share_the_feeds_and_never_fetch_one_twice(running):
    follow_press(running)
    running.latency = 0.02
    # two requests in flight each: a worker leases a few feeds ahead, not all seven before
    # the other one has started
    workers = [start_worker(REVUE_LEASE_BATCH=2, REVUE_FETCH_CONCURRENCY=2) for _ in range(2)]
    outputs = [w.communicate(timeout=180)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    feed_paths = [url.split(running.base_url, 1)[1] for _o, url, _h in running.feed_urls()]
    assert {path: running.hits[path] for path in feed_paths} == {path: 1 for path in feed_paths}
    fetched = [int(out.split(" flux en ")[0].split()[-1]) for out in outputs]
    assert sum(fetched) == len(feed_paths) and min(fetched) > 0, outputs
    assert stored_articles() == expected_articles(running.press)
    assert Article.objects.count() == len(expected_articles(running.press))
    # settled by each worker as it went: every article has its story and is found
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []
    title = Article.objects.order_by("id").values_list("title", flat=True).first()
    assert search.search(max(title.split(), key=len)).matches > 0


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(running):
    follow_press(running)
    running.latency = 0.15  # slow answers, so that the kill lands in the middle of the crawl
    # its leases, and on Redis its host slots (the alive mark they carry), end 2 s after its death
    worker = start_worker(REVUE_LEASE_SECONDS=2, REVUE_WORKER_ALIVE_SECONDS=2)
    deadline = time.monotonic() + 60
    while Article.objects.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker, its CPU processes: all at once, no clean-up
    worker.wait(timeout=10)
    partial = Article.objects.count()
    assert 0 < partial < len(expected_articles(running.press))
    assert Feed.objects.exclude(lease_owner="").exists()  # it died holding leases
    time.sleep(2.5)  # the leases and the alive mark expire
    running.latency = 0
    rescue = start_worker()
    output = rescue.communicate(timeout=180)[0]
    assert rescue.returncode == 0, output
    assert stored_articles() == expected_articles(running.press)
    assert Article.objects.count() == len(expected_articles(running.press))
    assert not Feed.objects.exclude(lease_owner="").exists()


def processes_of_session(session: int) -> set[int]:
    """The processes of a session (a worker started with ``start_new_session``: it and its CPU,
    settle, fork server and resource tracker processes)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_worker_killed_alone_leaves_no_process_behind(running):
    """``kill -9`` of the worker process alone, not its group: its CPU processes and its settle
    process (which holds a database connection) end with it instead of waiting forever."""
    follow_press(running)
    running.latency = 0.15
    worker = start_worker(REVUE_CRAWL_PROCESSES="2")
    deadline = time.monotonic() + 60
    while Article.objects.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    helpers = processes_of_session(worker.pid) - {worker.pid}
    assert len(helpers) >= 4, helpers  # two CPU processes, the settle process, the fork server …
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    deadline = time.monotonic() + 15
    while processes_of_session(worker.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of_session(worker.pid) == set()


def kill_processes_of(pool) -> None:
    """Start the pool's processes, then kill them as the OS would (memory, a huge page)."""
    pool.submit(int).result()
    for process in list(pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)


def test_a_dead_cpu_process_is_replaced_and_charged_to_no_feed(running, allow_loopback):
    """The OS may kill a CPU worker: the crawl starts a new pool, and the settle process goes on."""
    from revue.crawl.worker import Crawler

    feed_ids = follow_press(running)
    crawler = Crawler(processes=1)
    settler = crawler.settler
    kill_processes_of(crawler.cpu)
    try:
        summary = crawler.run_once(feed_ids=feed_ids, keep_pool=True)
        assert crawler.settler is settler
    finally:
        crawler.close()
    assert summary.errors == 0, summary.failures
    assert stored_articles() == expected_articles(running.press)


def test_articles_are_settled_in_a_process_of_its_own_on_the_test_database(running, allow_loopback):
    """Clustering and indexing run in the settle process, not in the crawler's: the crawler
    process files no story fingerprint, yet every article it stored has its story and is found."""
    from revue.crawl.worker import Crawler
    from revue.news.stories import store as story_store

    feed_ids = follow_press(running)
    story_store.RECENT.clear()
    crawler = Crawler(processes=1)
    try:
        summary = crawler.run_once(feed_ids=feed_ids, keep_pool=True)
        settlers = [process.pid for process in crawler.settler._processes.values()]
    finally:
        crawler.close()
    assert summary.errors == 0 and summary.new_articles == len(expected_articles(running.press))
    assert len(settlers) == 1 and settlers[0] != os.getpid()
    assert story_store.RECENT.get(Article.objects.order_by("id").values_list("id", flat=True).first()) is None
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []


def test_a_dead_settle_process_is_replaced_and_nothing_is_left_unsettled(running, allow_loopback):
    """The OS may kill the settle process: the crawl starts a new one and settles everything."""
    from revue.crawl.worker import Crawler

    feed_ids = follow_press(running)
    crawler = Crawler(processes=1)
    kill_processes_of(crawler.settler)
    summary = crawler.run_once(feed_ids=feed_ids)
    assert summary.errors == 0, summary.failures
    assert stored_articles() == expected_articles(running.press)
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []


def test_the_settle_process_clusters_with_the_crawlers_story_settings(running, allow_loopback, settings):
    """Settings changed in the crawler's process (here: no two articles similar enough to share
    a story) hold in the settle process, whose own settings come from the environment."""
    from revue.crawl.worker import Crawler
    from revue.news.models import Story

    from revue.news.stories.store import rebuild_stories

    names = ("REVUE_STORY_SIMILARITY", "REVUE_STORY_CROSS_LANGUAGE_SIMILARITY", "REVUE_STORY_DUPLICATE_SIMILARITY")
    defaults = {name: getattr(settings, name) for name in names}
    for name in names:
        setattr(settings, name, 2.0)
    Crawler(processes=1).run_once(feed_ids=follow_press(running))
    assert not Article.objects.filter(story__isnull=True).exists()
    assert Story.objects.count() == Article.objects.count()
    for name, value in defaults.items():  # the same articles clustered again with the defaults
        setattr(settings, name, value)
    rebuild_stories()
    assert Story.objects.count() < Article.objects.count()


def test_a_feed_that_waited_too_long_for_a_slot_is_given_back_unfetched(running, allow_loopback):
    """A leased feed stuck behind slow ones until half its lease is gone is not started (it
    could not finish in time): its lease is given back untouched and the next lease takes it."""
    import asyncio

    from revue.crawl import schedule
    from revue.net.fetch import Fetcher
    from revue.crawl.worker import CrawlSummary, Crawler, FeedJob

    feed_ids = follow_press(running)
    crawler = Crawler(processes=1)
    leased = schedule.lease_due_feeds(crawler.owner, fields=FeedJob.FIELDS, limit=1, lease_seconds=600, ids=feed_ids[:1])
    job = FeedJob.of(leased[0], leased_at=time.monotonic() - 10_000)  # leased long ago

    async def crawl_it():
        async with Fetcher(crawler.limits) as fetcher:
            refresh = crawler.refresh(crawler.new_run(fetcher, feed_ids[:1]))
            outcome = await refresh.refresh_safely(job, asyncio.Semaphore(1))
        await crawler.outcomes.flush()
        return outcome

    outcome = asyncio.run(crawl_it())
    summary = CrawlSummary()
    summary.add(outcome)
    assert outcome.status == "deferred" and summary.feeds == 0 and summary.deferred == 1
    assert "rendus sans être lus" in summary.line()
    assert sum(running.hits.values()) == 0  # nothing was fetched
    feed = Feed.objects.get(id=job.id)
    assert feed.lease_owner == "" and feed.last_fetched_at is None and feed.last_error == ""
    assert crawler.run_once(feed_ids=feed_ids[:1]).feeds == 1  # the next lease crawls it
    assert Feed.objects.get(id=job.id).last_fetched_at is not None


def test_a_run_stopped_midway_gives_its_leases_back_at_once(running, allow_loopback):
    """Ctrl-C or an error in the middle of a run: what finished is written, and the feeds it
    had leased but not finished are due again at once, not after REVUE_LEASE_SECONDS."""
    from revue.crawl.worker import Crawler

    feed_ids = follow_press(running)
    running.latency = 0.05
    done = []

    def stop_after_two(outcome):
        done.append(outcome.feed_id)
        if len(done) == 2:
            raise KeyboardInterrupt  # what Ctrl-C raises in the loop

    with pytest.raises(KeyboardInterrupt):
        Crawler(processes=1, concurrency=2, on_feed_done=stop_after_two).run_once()
    assert not Feed.objects.exclude(lease_owner="").exists()
    crawled = set(Feed.objects.filter(last_fetched_at__isnull=False).values_list("id", flat=True))
    assert set(done) <= crawled and len(crawled) < len(feed_ids)
    assert Feed.objects.due().count() == len(feed_ids) - len(crawled)


def test_what_piles_up_unsettled_is_settled_a_batch_at_a_time_and_all_of_it(running, allow_loopback, settings):
    """Settling slower than the crawl: the articles stored meanwhile are settled in batches of
    REVUE_CRAWL_SETTLE_EVERY (never read into memory all at once), and none is left out."""
    from revue.crawl.worker import Crawler

    settings.REVUE_CRAWL_SETTLE_EVERY = 7
    follow_press(running)
    summary = Crawler(processes=1).run_once()
    assert summary.new_articles > 7 * 10
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []


def test_feeds_leased_ahead_of_a_settle_are_crawled_once_and_counted(running, allow_loopback, settings):
    """Before each settle's write holds the database thread, the crawler leases feeds ahead (here
    two a lease, a settle every three articles, so that happens again and again): every feed is
    still fetched exactly once, counted in the summary, released, and its articles settled."""
    from revue.crawl.worker import Crawler

    settings.REVUE_LEASE_BATCH = 2
    settings.REVUE_CRAWL_SETTLE_EVERY = 3
    follow_press(running)
    running.latency = 0.02
    summary = Crawler(concurrency=2, processes=1).run_once()
    feed_paths = [url.split(running.base_url, 1)[1] for _o, url, _h in running.feed_urls()]
    assert {path: running.hits[path] for path in feed_paths} == {path: 1 for path in feed_paths}
    assert summary.feeds == len(feed_paths) == Feed.objects.exclude(last_fetched_at=None).count()
    assert not Feed.objects.exclude(lease_owner="").exists()
    assert stored_articles() == expected_articles(running.press)
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []


def story_partition() -> set[frozenset[str]]:
    """Each story as the set of its articles' URLs (ids and story numbers aside)."""
    stories: dict[int, set[str]] = {}
    for story_id, url in Article.objects.values_list("story_id", "url"):
        stories.setdefault(story_id, set()).add(url)
    return {frozenset(urls) for urls in stories.values()}


def test_four_workers_one_killed_mid_crawl_fetch_every_feed_once_at_a_time(running):
    """Issue 18's case on PostgreSQL: four ``revue worker`` processes over the loopback press, one
    killed with SIGKILL (with its CPU and settle processes) while it holds leases. Every feed is
    fetched, never by two workers at once, and only the dead worker's feeds a second time; no
    article is lost or stored twice; and the stories are those one process makes of the same
    articles in the same order (``rebuild_stories``): two workers never clustered at once."""
    from revue.news.models import Story
    from revue.news.stories.store import rebuild_stories

    if connection.vendor != "postgresql":
        pytest.skip("several workers share a PostgreSQL database; on SQLite one runs")
    running.press = DemoPress(outlets=10)
    follow_press(running)
    feed_paths = [url.split(running.base_url, 1)[1] for _o, url, _h in running.feed_urls()]
    expected = expected_articles(running.press)
    running.latency = 0.1
    settings = {"REVUE_LEASE_SECONDS": 2, "REVUE_WORKER_ALIVE_SECONDS": 2, "REVUE_LEASE_BATCH": 2,
                "REVUE_FETCH_CONCURRENCY": 2}
    workers = [subprocess.Popen(
        [sys.executable, "-m", "revue", "worker", "--idle", "0.3"], cwd=ROOT, text=True, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, "REVUE_DATABASE_URL": database_url(), "REVUE_FETCH_ALLOW": "127.0.0.1", "REVUE_HOST_DELAY": "0",
             "REVUE_CRAWL_PROCESSES": "1", "REVUE_LOG_LEVEL": "WARNING", **{k: str(v) for k, v in settings.items()}})
        for _ in range(4)]
    try:
        deadline = time.monotonic() + 90
        while not (Article.objects.exists() and Feed.objects.exclude(lease_owner="").exists()) and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = workers[0]
        os.killpg(victim.pid, signal.SIGKILL)  # the worker, its CPU and settle processes: no clean-up
        victim.wait(timeout=10)
        leased_at_kill = {path for path in feed_paths
                          if Feed.objects.filter(url=running.base_url + path).exclude(lease_owner="").exists()}
        assert Article.objects.count() < len(expected)  # killed mid-crawl
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
                Article.objects.count() >= len(expected) and not Feed.objects.exclude(lease_owner="").exists()
                and not Article.objects.filter(story__isnull=True).exists()):
            time.sleep(0.2)
    finally:
        for worker in workers[1:]:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        outputs = [worker.communicate(timeout=60)[0] for worker in workers[1:]]
    assert all(worker.returncode == 0 for worker in workers[1:]), outputs
    hits = {path: running.hits[path] for path in feed_paths}
    assert all(count >= 1 for count in hits.values()), hits  # every feed fetched
    assert running.overlapping_visits(feed_paths) == {}  # never two workers at once
    assert {path for path, count in hits.items() if count > 1} <= leased_at_kill, (hits, leased_at_kill)
    assert stored_articles() == expected and Article.objects.count() == len(expected)
    # what the dead worker stored and never settled, another worker's next run settled
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []
    made = story_partition()
    assert any(len(story) > 1 for story in made)  # stories that gather several outlets' articles
    rebuild_stories()  # one process, the order they were clustered in
    assert story_partition() == made
    assert Story.objects.count() == len(made)


def test_a_run_settles_what_a_dead_worker_stored_and_never_settled(running, allow_loopback, settings):
    """Articles a worker stored and died before settling (no story) are settled by the next run of
    any worker once they are older than a lease; younger ones may be a live worker's batch, and
    wait for it."""
    from datetime import timedelta

    from django.utils import timezone

    from revue.crawl.worker import Crawler
    from revue.news.stories.store import _forget_stories

    Crawler(processes=1).run_once(feed_ids=follow_press(running))
    _forget_stories()  # as the dead worker left them: stored, in no story
    ids = list(Article.objects.order_by("id").values_list("id", flat=True))
    old, young = ids[: len(ids) // 2], ids[len(ids) // 2 :]
    Article.objects.filter(id__in=old).update(fetched_at=timezone.now() - timedelta(seconds=settings.REVUE_LEASE_SECONDS + 60))
    summary = Crawler(processes=1).run_once()  # nothing is due: the run only looks after what was left
    assert summary.feeds == 0
    assert not Article.objects.filter(id__in=old, story__isnull=True).exists()
    assert Article.objects.filter(id__in=young, story__isnull=True).count() == len(young)
