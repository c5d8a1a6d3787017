"""Revue's Prometheus counters and histograms (prometheus-client), below every app.

The crawler, its CPU and settle processes and every process of ``revue serve`` count here; the
portal's ``/metrics`` (``revue.portal.metrics``) adds what the database knows at the moment of
the scrape (feeds due and overdue, leases, reports and blocks) and serves them all.

Several processes report together through prometheus-client's multiprocess mode: when
``REVUE_METRICS_TOKEN`` is set, ``revue.settings`` points ``PROMETHEUS_MULTIPROC_DIR`` at
``$REVUE_DATA_DIR/metrics`` before anything imports prometheus-client, every process writes its
values to its own small memory-mapped files there, and the endpoint sums them (the files of
processes that have ended keep counting: counters never go back). ``compact`` folds the files of
ended processes into one file per kind (``revue prune`` runs it), so that a crawl started by a
timer every few minutes leaves no trail of files. Without the token each process counts in its
own memory and nothing is served. This module needs no Django: the crawler's CPU processes import
it before Django is set up.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from glob import glob

from prometheus_client import Counter, Histogram
from prometheus_client.mmap_dict import MmapedDict

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's own variable
# seconds: a loopback fetch takes milliseconds, an outlet's slow page tens of seconds
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

FEED_FETCHES = Counter("revue_feed_fetches", "Feed refreshes by outcome (ok, not_modified, error, parked, …)",
                       ["outcome"])
PAGE_FETCHES = Counter("revue_page_fetches", "Article page fetches by outcome (ok, error, robots)", ["outcome"])
FETCH_SECONDS = Histogram("revue_fetch_seconds", "Time of one HTTP fetch (feed, page or robots.txt), redirects included",
                          buckets=LATENCY_BUCKETS)
EXTRACTION_SECONDS = Histogram("revue_extraction_seconds", "Time to extract one article page", buckets=LATENCY_BUCKETS)
SETTLE_SECONDS = Histogram("revue_settle_seconds", "Time of one settle (search index and stories) of new articles",
                           buckets=LATENCY_BUCKETS)
ARTICLES_INGESTED = Counter("revue_articles_ingested", "New articles stored, by language", ["language"])
PAGE_CACHE = Counter("revue_page_cache", "Readers' page views by the page cache's answer (hit, waited, miss)",
                     ["kind", "result"])


def multiprocess_dir() -> str:
    """Where the processes write their values ("" when each counts alone)."""
    return os.environ.get(MULTIPROCESS_DIR, "")


@contextmanager
def timed(histogram: Histogram):
    """Observe the time of the ``with`` block (only when it ends without an error)."""
    started = time.monotonic()
    yield
    histogram.observe(time.monotonic() - started)


def count_articles(languages) -> None:
    """One stored article per item of ``languages`` (ISO 639-1 codes; see ``_language_label``)."""
    counts: dict[str, int] = {}
    for language in languages:
        label = _language_label(language)
        counts[label] = counts.get(label, 0) + 1
    for language, count in counts.items():
        ARTICLES_INGESTED.labels(language=language).inc(count)


def _language_label(language: str) -> str:
    """An ISO 639-1 code as is, anything else (a feed's ``fr-FR``, ``français``) bounded to one
    label: an outlet's odd declarations must not make series without end."""
    code = (language or "").strip().lower()
    if not code:
        return "unknown"
    return code if len(code) == 2 and code.isascii() and code.isalpha() else "other"


def compact(directory: str = "") -> int:
    """Fold the counter and histogram files of processes that have ended into
    ``counter_archive.db`` and ``histogram_archive.db`` (summed, as the endpoint sums them), and
    delete them; returns how many files were folded. One compaction at a time (a file lock)."""
    directory = directory or multiprocess_dir()
    if not directory or not os.path.isdir(directory):
        return 0
    folded = 0
    with open(os.path.join(directory, ".compact.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for kind in ("counter", "histogram"):
            ended = [path for path in sorted(glob(os.path.join(directory, f"{kind}_*.db"))) if _ended(path)]
            if not ended:
                continue
            archive = MmapedDict(os.path.join(directory, f"{kind}_archive.db"))
            try:
                for path in ended:
                    for key, value, timestamp, _position in MmapedDict.read_all_values_from_file(path):
                        archive.write_value(key, archive.read_value(key)[0] + value, timestamp)
                    os.remove(path)
                    folded += 1
            finally:
                archive.close()
    return folded


def _ended(path: str) -> bool:
    """Whether the process that wrote ``kind_<pid>.db`` has ended (the archive never has)."""
    pid = os.path.basename(path)[:-3].partition("_")[2]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
