"""Progress for long crawls: a bar on a terminal, a log line every few seconds elsewhere."""

from __future__ import annotations

import sys
import time

from tqdm import tqdm

from revue.crawl.crawler.values import FeedOutcome


class CrawlProgress:
    """``on_feed_done`` callback for ``Crawler`` that shows how far a crawl has gone."""

    def __init__(self, total: int, *, stream=None, label: str = "Collecte", log_every: float = 5.0):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.new = 0
        self.errors = 0
        self.log_every = log_every
        self._last_log = time.monotonic()
        interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.bar = tqdm(total=total, desc=label, unit=" flux", file=self.stream, dynamic_ncols=True) if interactive else None

    def __call__(self, outcome: FeedOutcome) -> None:
        self.done += 1
        self.new += outcome.new_articles
        self.errors += outcome.status in {"error", "parked"}
        if self.bar is not None:
            if self.done > self.bar.total:
                self.bar.total = self.done
            self.bar.update(1)
            self.bar.set_postfix(nouveaux=self.new, erreurs=self.errors, refresh=False)
        elif time.monotonic() - self._last_log >= self.log_every:
            self._last_log = time.monotonic()
            self.stream.write(f"collecte : {self.done}/{self.total} flux, {self.new} nouveaux articles, {self.errors} erreurs\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
