"""What Revue's metrics cost (``revue.metrics``, issue #20).

1. One counter increment and one histogram observation, as the crawler and every page view make
   them, in prometheus-client's multiprocess mode (what ``REVUE_METRICS_TOKEN`` turns on: each
   process writes to its memory-mapped files) and in its in-memory mode, beside the baseline of an
   empty Python function call, in the same run (medians of ``--rounds``, ns per call).
2. Reading every process's values as ``/metrics`` does (``MultiProcessCollector``) when
   ``--processes`` ended processes left their files, before and after ``revue.metrics.compact``
   folds them into one file per kind (medians, ms per read).

    .venv/bin/python bench/metrics.py [--calls 200000] [--rounds 5] [--processes 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PER_CALL = """
import json, sys, time
from revue.metrics import FETCH_SECONDS, PAGE_CACHE
calls, rounds = int(sys.argv[1]), int(sys.argv[2])
counter = PAGE_CACHE.labels(kind="front", result="hit")
def nothing():
    pass
def timed(step):
    found = []
    for _ in range(rounds):
        started = time.perf_counter_ns()
        for _ in range(calls):
            step()
        found.append((time.perf_counter_ns() - started) / calls)
    return sorted(found)[len(found) // 2]
print(json.dumps({"empty call": timed(nothing), "counter inc": timed(counter.inc),
                  "histogram observe": timed(lambda: FETCH_SECONDS.observe(0.05))}))
"""

WRITER = """
from revue.metrics import FEED_FETCHES, FETCH_SECONDS, PAGE_CACHE, count_articles
for outcome in ("ok", "not_modified", "error"):
    FEED_FETCHES.labels(outcome=outcome).inc(3)
for kind in ("front", "article", "outlet"):
    PAGE_CACHE.labels(kind=kind, result="hit").inc(7)
FETCH_SECONDS.observe(0.2)
count_articles(["fr", "ar", "en"])
"""

READ = """
import json, sys, time
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
rounds = int(sys.argv[1])
found = []
for _ in range(rounds):
    started = time.perf_counter()
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    size = len(generate_latest(registry))
    found.append((time.perf_counter() - started) * 1000)
print(json.dumps({"ms": sorted(found)[len(found) // 2], "bytes": size}))
"""


def run(code: str, *args, directory: str | None = None) -> dict | None:
    env = {**os.environ}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if directory:
        env["PROMETHEUS_MULTIPROC_DIR"] = directory
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout) if done.stdout.strip() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--processes", type=int, default=100)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        shared = run(PER_CALL, options.calls, options.rounds, directory=folder)
    alone = run(PER_CALL, options.calls, options.rounds)
    print(f"per call, ns (median of {options.rounds} rounds of {options.calls:,})")
    print(f"  {'':20} {'multiprocess':>13} {'in memory':>10}")
    for name in ("empty call", "counter inc", "histogram observe"):
        print(f"  {name:20} {shared[name]:13.0f} {alone[name]:10.0f}")

    with tempfile.TemporaryDirectory() as folder:
        for _ in range(options.processes):
            run(WRITER, directory=folder)
        files = len(list(Path(folder).glob("*.db")))
        before = run(READ, options.rounds, directory=folder)
        sys.path.insert(0, str(ROOT))
        from revue.metrics import compact

        folded = compact(folder)
        after = run(READ, options.rounds, directory=folder)
    print(f"reading every value as /metrics does (median of {options.rounds}), after {options.processes} ended processes")
    print(f"  {files} files: {before['ms']:.1f} ms ({before['bytes']:,} bytes)")
    print(f"  compacted ({folded} folded, {files - folded + 2} left): {after['ms']:.1f} ms ({after['bytes']:,} bytes)")


if __name__ == "__main__":
    main()
