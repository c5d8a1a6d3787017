"""What one crawl run holds (``CrawlRun``), made fresh at the start of each ``run_once`` and
dropped at its end, and the way from the event loop to the one database thread (``on_db``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from asgiref.sync import sync_to_async

from revue.crawl.crawler.values import CrawlSummary
from revue.net.fetch import Fetcher
from revue.net.robots import RobotsRules
from revue.news.stories import StoryParams


def on_db(func):
    """Run an ORM function from the event loop, on the one database thread.

    That thread keeps its connection for the whole run (a lease checks it, the run closes it at
    its end): opening a SQLite connection per call costs a WAL checkpoint each time.
    """
    return sync_to_async(func, thread_sensitive=True)


@dataclass
class CrawlRun:
    """One run's state: nothing here outlives the run (the pools, the host gate and outcomes
    not written yet belong to the ``Crawler``, which runs again and again)."""

    fetcher: Fetcher
    feed_ids: list[int] | None  # the feeds asked for, or None for every due feed
    due_before: datetime  # feeds falling due during the run wait for the next one
    requests: asyncio.Semaphore  # requests in flight
    robots: RobotsRules  # robots.txt read during this run
    story_params: StoryParams  # read from the settings once a run
    summary: CrawlSummary = field(default_factory=CrawlSummary)
    options: dict[str, dict] = field(default_factory=dict)  # extraction options by host (a rule edited applies next run)
