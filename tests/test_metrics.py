"""``revue.metrics.compact``: the files of processes that have ended are folded into one per kind,
the totals the endpoint reports stay the same, and a live process's files are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from revue.metrics import compact

pytestmark = pytest.mark.nodb
ROOT = Path(__file__).resolve().parent.parent
WRITER = """
import sys
from revue.metrics import FEED_FETCHES, FETCH_SECONDS
FEED_FETCHES.labels(outcome="ok").inc({count})
FETCH_SECONDS.observe(0.2)
print("ready", flush=True)
sys.stdin.read()  # until the test closes it
"""


def writer(directory: Path, count: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", WRITER.format(count=count)], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)})
    assert process.stdout.readline().strip() == "ready"
    return process


def totals(directory: Path) -> dict[str, float]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    found = {}
    for family in registry.collect():
        for sample in family.samples:
            if sample.name in ("revue_feed_fetches_total", "revue_fetch_seconds_count", "revue_fetch_seconds_sum"):
                found[sample.name] = found.get(sample.name, 0) + sample.value
    return found


def test_compact_folds_ended_processes_and_keeps_the_totals(tmp_path):
    ended = [writer(tmp_path, 2), writer(tmp_path, 3)]
    for process in ended:
        process.communicate("")
    alive = writer(tmp_path, 5)
    try:
        before = totals(tmp_path)
        assert before == {"revue_feed_fetches_total": 10, "revue_fetch_seconds_count": 3,
                          "revue_fetch_seconds_sum": pytest.approx(0.6)}

        assert compact(str(tmp_path)) == 4  # the counter and histogram files of the two that ended

        files = sorted(path.name for path in tmp_path.glob("*.db"))
        assert files == sorted(["counter_archive.db", "histogram_archive.db",
                                f"counter_{alive.pid}.db", f"histogram_{alive.pid}.db"])
        assert totals(tmp_path) == before
    finally:
        alive.communicate("")
    assert compact(str(tmp_path)) == 2 and totals(tmp_path) == before
    assert compact(str(tmp_path)) == 0
    assert compact("") == 0  # no multiprocess folder: nothing to do
