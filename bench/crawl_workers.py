"""Benchmark: N crawler worker processes on one database, against the naive loop, in one run.

    .venv/bin/python bench/crawl_workers.py --workers 1,2,4            # PostgreSQL h_scale + Redis db 9
    .venv/bin/python bench/crawl_workers.py --workers 1 --database sqlite
    .venv/bin/python bench/crawl_workers.py --memory --feeds 1000 --items 100   # RSS over 100,000 entries
    .venv/bin/python bench/crawl_workers.py --settle-terms --feeds 40   # the settle's search entries, before/now
    .venv/bin/python bench/crawl_workers.py --workers 1 --feeds 2000 --items 5 --profile 2   # cProfile of round 2

(``bench/crawl.py --workers 1,2,4`` runs this script.)  The press is ``bench/crawlpress.py``'s
loopback press (20–50 ms per answer, ETag/304).  For each N of ``--workers``, the database is
made afresh from a seeded copy (PostgreSQL: ``CREATE DATABASE … TEMPLATE <name>_seed``; SQLite: a
file copy), Redis's db emptied (the host slots every worker shares), then:

- round 1, the cold import: every feed answers 200 with all its entries;
- round 2: every feed made due again; 10 % of them have 3 new entries, the others answer 304.

Each round starts N processes that do what ``revue worker`` does (``Crawler().run_once``
with the default settings, or those given), each set up, its modules imported and its CPU and
settle processes started (as a running worker keeps them) before a common start signal; the wall time runs from that signal to the last
worker's end.  Each worker's peak RSS is its own high-water mark (reset at the signal) and that
of its CPU and settle processes (``VmHWM`` sampled from /proc).  Checked after each round: every
feed crawled once in all (the workers' summaries), the articles stored are the entries served.

The naive loop (``bench/crawl.py``'s baseline: one feed after another, feedparser, one commit per
entry) runs on ``--baseline-feeds`` feeds (the press's share of changed ones) of the same
database kind, extrapolated to all feeds (marked ``*``).  The network floor of a round is the
latencies the press slept, summed, ÷ (N × concurrency): what N workers' requests in flight
could do at best.  On PostgreSQL the CPU the database server used in each round is printed
apart (« DB CPU s »: every ``postgres`` process of the machine, read from /proc), since the
workers' own CPU does not show what they wait for there.  ``--profile R``: the first worker's
process under cProfile in round R, every thread.  ``--memory``: one worker's cold import only, its RSS (and its children's)
printed every ``--interval`` seconds beside the entries stored so far, then its PSS and its
children's (each page shared by N processes counted 1/N: the fork server's preloaded pages once,
not once per process), and the slopes of the second half (MB per 10,000 entries).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import crawl  # noqa: E402
from crawlpress import PressSpec, RunningPress, stratified_subset  # noqa: E402

MB = 1024 * 1024
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/h_scale"
REDIS_DEFAULT = "redis://127.0.0.1:6379/9"


# --- inside a child process ---------------------------------------------------------------------


def _env(job: dict) -> None:
    os.environ["REVUE_DATABASE_URL"] = job["database_url"]
    os.environ["REVUE_CACHE_URL"] = job["cache_url"]
    for name, value in job.get("settings", {}).items():
        os.environ[name] = str(value)


def child_seed(job: dict) -> dict:
    """Migrate the seed database and follow the press's feeds (``bench/crawl.py``'s set-up)."""
    _env(job)
    return crawl.child_setup(job)


def child_due(job: dict) -> dict:
    """Every feed due now (between rounds); with ``keep``, only those feeds are left."""
    _env(job)
    crawl._django(job)
    from django.utils import timezone

    from revue.sources.models import Feed

    if job.get("keep_urls") is not None:
        Feed.objects.exclude(url__in=job["keep_urls"]).delete()
    return {"feeds": Feed.objects.update(next_fetch_at=timezone.now())}


def child_count(job: dict) -> dict:
    _env(job)
    crawl._django(job)
    from revue.news.models import Article, Story

    return {"articles": Article.objects.count(), "stories": Story.objects.count(),
            "unclustered": Article.objects.filter(story__isnull=True).count()}


def child_baseline(job: dict) -> dict:
    _env(job)
    return crawl.child_round(dict(job, side="baseline"))


def child_worker(job: dict) -> dict:
    """One crawler worker: set up, wait for the start signal, ``run_once``, report."""
    _env(job)
    crawl._django(job)
    import resource

    from django.conf import settings

    import revue.crawl.worker as worker

    stored = [0]

    def done(outcome) -> None:
        stored[0] += len(outcome.article_ids)

    crawler = worker.Crawler(concurrency=job.get("concurrency"), on_feed_done=done)
    # a running worker's CPU and settle processes are up already (run_forever keeps them)
    crawler.cpu.submit(int).result()
    if crawler.pools.settles_apart:
        crawler.settler.submit(int).result()
    Path(job["ready"]).write_text("ready")
    go = Path(job["go"])
    while not go.exists():
        time.sleep(0.005)
    crawl._reset_peak_rss()
    before = resource.getrusage(resource.RUSAGE_SELF)
    sampler = crawl._DescendantSampler()
    sampler.start()
    memory = _MemoryLog(stored, sampler, job["interval"]) if job.get("interval") else None
    profiler = crawl._ThreadProfiler() if job.get("profile_out") else None
    if profiler:
        profiler.start()
    started = time.time()
    summary = crawler.run_once(keep_pool=True)
    ended = time.time()
    if profiler:
        profiler.stop(job["profile_out"])
    crawler.close()
    sampler.stop()
    if memory:
        memory.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "started": started, "ended": ended, "feeds": summary.feeds, "fetched": summary.fetched,
        "not_modified": summary.not_modified, "errors": summary.errors, "new_entries": summary.new_articles,
        "deferred": summary.deferred, "cpu": crawl._cpu(after) - crawl._cpu(before), "cpu_children": sum(sampler.cpu.values()),
        "rss_peak": after.ru_maxrss * 1024, "children_hwm": sorted(sampler.hwm.values(), reverse=True),
        "memory": memory.rows if memory else [], "failures": sorted({f.error for f in summary.failures})[:3],
        "concurrency": crawler.concurrency, "processes": crawler.processes,
        "host_delay": float(os.environ.get("REVUE_HOST_DELAY") or settings.REVUE_HOST_DELAY),
    }


class _MemoryLog:
    """Every ``interval`` s: seconds, entries stored so far, this process's RSS, its children's
    summed, and the same as PSS (``_pss``)."""

    def __init__(self, stored: list[int], sampler, interval: float) -> None:
        self.rows: list[tuple[float, int, int, int, int, int]] = []
        self._stored, self._sampler, self._interval = stored, sampler, interval
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="bench-memory", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._row()

    def _row(self) -> None:
        each, pss = [], 0  # each child's RSS (CPU processes, the settle process, the fork server …)
        for pid in self._sampler._descendants():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        each.append(int(line.split()[1]) * 1024)
            except OSError:
                continue
            pss += _pss(pid)
        children = sum(each)
        self.rows.append((time.monotonic() - self._started, self._stored[0], crawl._rss_now(), children,
                          _pss("self"), pss))
        seconds, entries, own, _, own_pss, _ = self.rows[-1]  # (as it goes: a run stopped early still shows its rows)
        print(f"  memory: {seconds:.0f} s, {entries} entries, crawler {own / MB:.1f} MB, children {children / MB:.1f} MB "
              f"({' / '.join(f'{rss / MB:.0f}' for rss in sorted(each, reverse=True))}); PSS crawler "
              f"{own_pss / MB:.1f} MB, children {pss / MB:.1f} MB", flush=True)

    def stop(self) -> None:  # (no row now: the run's end, its processes winding down, is no sample of a run)
        self._stop.set()
        self._thread.join()


def child_terms(job: dict) -> dict:
    """The settle process's search entries of ``job["articles"]`` press articles stored as the
    crawler stores them (``make_drafts`` then ``store_drafts``): made there from each row
    (``index_entry``, as before) against checked from the terms the drafts carried
    (``store.search_entry``), interleaved, ``job["repeat"]`` times; seconds of each."""
    crawl._django(job)
    import pickle
    from datetime import datetime, timezone

    from django.core.management import call_command

    from crawlpress import Content
    from revue.crawl import pipeline
    from revue.crawl.drafts import FeedContext
    from revue.crawl.feeds import parse
    from revue.crawl.store import search_entry, settle_inputs, store_drafts
    from revue.news import search
    from revue.news.search.words import index_entry
    from revue.news.stories import StoryParams
    from revue.sources.models import Feed, Source

    call_command("migrate", verbosity=0, interactive=False)
    spec = crawl._spec(job)
    content, params, ids, carried = Content(spec), StoryParams.from_settings(), [], {}
    for n in range(spec.feeds):
        source = Source.objects.create(name=f"o{n}", slug=f"o{n}", language="fr")
        feed = Feed.objects.create(source=source, url=spec.feed_url(1, n))
        document, _newest = content.feed(n, 0, f"http://{spec.host_ip(n % spec.hosts)}:1")
        ctx = FeedContext(outlet_name=source.name, outlet_language="fr", feed_language="fr", category_hint="",
                          fetched_at=datetime.now(timezone.utc), source_id=source.pk)
        result = store_drafts(source.pk, feed.pk, pipeline.make_drafts(
            list(parse(document, feed.url).entries), {}, ctx, params).drafts)
        ids += result.created
        carried.update(result.features)
    options = search.entry_options()
    _items, rows = settle_inputs(ids)
    terms = {i: pickle.loads(blob)[1] for i, blob in carried.items()}
    made, checked = [], []
    for _ in range(job["repeat"]):
        started = time.perf_counter()
        before = [index_entry(row, **options) for row in rows]
        made.append(time.perf_counter() - started)
        started = time.perf_counter()
        after = [search_entry(row, options, terms.get(row["id"])) for row in rows]
        checked.append(time.perf_counter() - started)
        assert before == after, "the carried terms gave another entry"
    return {"articles": len(rows), "made": made, "checked": checked}


CHILDREN = {"terms": child_terms, "seed": child_seed, "due": child_due, "count": child_count, "baseline": child_baseline,
            "worker": child_worker}


# --- the orchestrator (no Django here) ----------------------------------------------------------


def _child_command(job: dict) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(job)]


def run_child(kind: str, job: dict, scratch: Path) -> dict:
    out = scratch / f"{kind}-{time.monotonic_ns()}.json"
    subprocess.run(_child_command(dict(job, kind=kind, out=str(out))), check=True, cwd=ROOT)
    return json.loads(out.read_text())


class Database:
    """The bench's database: made once with the feeds (the seed), then afresh from it per run."""

    def __init__(self, kind: str, url: str, scratch: Path) -> None:
        self.kind, self.scratch = kind, scratch
        if kind == "postgresql":
            self.url = url
            self.name = url.rsplit("/", 1)[1]
            self.server = url.rsplit("/", 1)[0]
            self.seed_url = f"{self.server}/{self.name}_seed"
        else:
            self.url = f"sqlite:///{scratch / 'run' / 'revue.sqlite3'}"
            self.seed_url = f"sqlite:///{scratch / 'seed' / 'revue.sqlite3'}"

    def _psql(self, sql: str) -> None:
        subprocess.run(["psql", f"{self.server}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, stdout=subprocess.DEVNULL)

    def create_seed(self) -> None:
        if self.kind == "postgresql":
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}_seed" WITH (FORCE)')
            self._psql(f'CREATE DATABASE "{self.name}_seed"')
        else:
            (self.scratch / "seed").mkdir(parents=True, exist_ok=True)

    def fresh(self) -> None:
        """The run's database as the seed left it."""
        if self.kind == "postgresql":
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._psql(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.name}_seed"')
        else:
            shutil.rmtree(self.scratch / "run", ignore_errors=True)
            shutil.copytree(self.scratch / "seed", self.scratch / "run")

    def drop(self) -> None:
        if self.kind == "postgresql":
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}_seed" WITH (FORCE)')


def database_cpu() -> float:
    """CPU seconds the machine's PostgreSQL server has used so far: every process named
    ``postgres``, the backends that ended counted in their parent's children's time (a round's
    share is the difference; other databases' work on the server counts too). 0 without one."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = crawl.proc_stat(entry.name)
        except OSError:  # (ended meanwhile)
            continue
        if name == "postgres":
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def flush_redis(url: str) -> None:
    if not url.startswith("redis://"):  # (locmem:// for one worker: nothing shared to empty)
        return
    import redis

    redis.Redis.from_url(url).flushdb()


def run_workers(count: int, base_job: dict, scratch: Path, press: RunningPress, round_: int) -> dict:
    """``count`` worker processes through one round, started together; the round's figures."""
    press.set_round(round_)
    press.warm()
    press.reset()
    signal = scratch / f"go-{round_}-{count}-{time.monotonic_ns()}"
    processes, outs = [], []
    for index in range(count):
        ready = scratch / f"ready-{signal.name}-{index}"
        out = scratch / f"worker-{signal.name}-{index}.json"
        job = dict(base_job, kind="worker", out=str(out), ready=str(ready), go=str(signal))
        if index == 0 and round_ == base_job.get("profile"):
            job["profile_out"] = str(scratch / f"profile-{signal.name}.prof")
        processes.append((subprocess.Popen(_child_command(job), cwd=ROOT), ready))
        outs.append(out)
    for process, ready in processes:
        while not ready.exists():
            if process.poll() is not None:
                raise RuntimeError(f"a worker exited before it was ready ({process.returncode})")
            time.sleep(0.02)
    db_cpu = database_cpu()
    signal.write_text("go")
    for process, _ in processes:
        if process.wait() != 0:
            raise RuntimeError(f"a worker failed ({process.returncode})")
    db_cpu = database_cpu() - db_cpu
    workers = [json.loads(out.read_text()) for out in outs]
    if base_job.get("profile") == round_:
        print(f"  --- profile of the first worker's process, round {round_}, every thread (cProfile) ---")
        crawl.show_profile(str(scratch / f"profile-{signal.name}.prof"), top=30)
    started = min(w["started"] for w in workers)
    return {"workers": workers, "wall": max(w["ended"] for w in workers) - started, "press": press.stats(),
            "feeds": sum(w["feeds"] for w in workers), "new_entries": sum(w["new_entries"] for w in workers),
            "not_modified": sum(w["not_modified"] for w in workers), "errors": sum(w["errors"] for w in workers),
            "deferred": sum(w["deferred"] for w in workers), "db_cpu": db_cpu}


def measure(count: int, base_job: dict, db: Database, scratch: Path, press: RunningPress, args) -> list[dict]:
    db.fresh()
    flush_redis(args.redis)
    rounds = []
    for round_ in (1, 2):
        if round_ == 2:
            run_child("due", base_job, scratch)
            flush_redis(args.redis)
        result = run_workers(count, base_job, scratch, press, round_)
        result["stored"] = run_child("count", base_job, scratch)
        rounds.append(result)
        print(f"  {count} worker(s), round {round_}: {result['wall']:.1f} s, {result['feeds']} feeds crawled, "
              f"{result['not_modified']} × 304, {result['errors']} errors, {result['deferred']} given back unfetched "
              f"(waited too long), {result['new_entries']} new entries; "
              f"{result['stored']['articles']} articles, {result['stored']['stories']} stories, "
              f"{result['stored']['unclustered']} without a story; CPU s, the worker processes / their CPU and settle "
              f"processes / the database server: {sum(w['cpu'] for w in result['workers']):.1f} / "
              f"{sum(w['cpu_children'] for w in result['workers']):.1f} / {result['db_cpu']:.1f}", flush=True)
    return rounds


def baseline(base_job: dict, db: Database, scratch: Path, press: RunningPress, spec: PressSpec, args) -> tuple[list, float]:
    numbers = stratified_subset(spec, args.baseline_feeds)
    db.fresh()
    job = dict(base_job, keep_urls=[spec.feed_url(press.port, n) for n in numbers])
    run_child("due", job, scratch)
    rounds = []
    for round_ in (1, 2):
        press.set_round(round_)
        press.warm()
        press.reset()
        db_cpu = database_cpu()
        result = run_child("baseline", dict(base_job, round=round_), scratch)
        result["db_cpu"] = database_cpu() - db_cpu
        result["press"] = press.stats()
        rounds.append(result)
        print(f"  naive loop, round {round_}: {result['wall']:.1f} s on {result['feeds']} feeds, "
              f"{result['new_entries']} new entries", flush=True)
    return rounds, spec.feeds / len(numbers)


def table(spec: PressSpec, counts: list[int], runs: dict, naive: list, scale: float, args) -> None:
    concurrency = runs[counts[0]][0]["workers"][0]["concurrency"]
    processes = runs[counts[0]][0]["workers"][0]["processes"]
    delay = runs[counts[0]][0]["workers"][0]["host_delay"]
    polite = crawl.politeness_floor(spec, list(range(spec.feeds)), delay)
    print()
    print(f"Crawler workers — {spec.feeds} feeds × {spec.items} items on {spec.hosts} loopback hosts, latency "
          f"{spec.latency_ms[0]:g}–{spec.latency_ms[1]:g} ms, {args.database}, {os.cpu_count()} CPUs; each worker "
          f"concurrency {concurrency}, {processes} CPU processes + 1 settle process; host delay {delay:g} s "
          f"(politeness floor {polite:.1f} s)")
    mark = "*" if scale != 1 else ""
    database = args.database == "postgresql"
    for round_, label in ((0, "round 1 (cold import)"), (1, "round 2 (10 % changed)")):
        b = naive[round_]
        b_wall = b["wall"] * scale
        b_cpu = b["cpu"] + b["cpu_children"]
        db = f", the database server {1000 * b['db_cpu'] / max(1, b['new_entries']):.1f} more" if database else ""
        print(f"\n{label}: naive loop {b_wall:.1f} s{mark} ({b['new_entries'] / b['wall']:.0f} entries/s, "
              f"{1000 * b_cpu / max(1, b['new_entries']):.1f} ms of CPU per new entry{db})")
        print(f"{'workers':>8}{'wall s':>9}{'entries/s':>11}{'× naive':>9}{'floor s':>9}{'÷ floor':>9}"
              f"{'× 1 worker':>12}{'CPU s':>8}{'ms/entry':>10}{'DB CPU s' if database else '':>10}  peak RSS per worker, MB: crawler / largest child / "
              f"crawler + children")
        one = runs[counts[0]][round_]["wall"] if counts[0] == 1 else None
        for count in counts:
            r = runs[count][round_]
            floor = max(r["press"]["latency_sum"] / (count * concurrency), polite)
            rss = ", ".join(f"{w['rss_peak'] / MB:.0f}/{(w['children_hwm'] or [0])[0] / MB:.0f}/"
                            f"{(w['rss_peak'] + sum(w['children_hwm'])) / MB:.0f}" for w in r["workers"])
            speedup = f"{one / r['wall']:.2f}×" if one else "–"
            cpu = sum(w["cpu"] + w["cpu_children"] for w in r["workers"])
            db_cpu = f"{r['db_cpu']:.1f}" if database else ""
            print(f"{count:>8}{r['wall']:>9.2f}{r['new_entries'] / r['wall']:>11.0f}{b_wall / r['wall']:>8.1f}×"
                  f"{floor:>9.2f}{r['wall'] / floor:>8.2f}×{speedup:>12}{cpu:>8.1f}"
                  f"{1000 * cpu / max(1, r['new_entries']):>10.1f}{db_cpu:>10}  {rss}")
    print("\nfloor = the latencies the press slept in that round, summed, ÷ (workers × concurrency), or the "
          "politeness floor (the busiest host's feeds spaced by REVUE_HOST_DELAY) when longer; × naive = the naive "
          "loop's wall time ÷ the workers'; CPU s = the workers' processes and their CPU and settle processes"
          + ("; DB CPU s = the PostgreSQL server's, all its processes (not in CPU s)." if database else "."))
    if scale != 1:
        print(f"* naive loop run on {naive[0]['feeds']} of {spec.feeds} feeds (the same share of changed feeds), "
              f"wall time × {scale:.2f}.")


def _pss(pid: int | str) -> int:
    """A process's proportional set size: its private pages, and each page it shares with N
    processes counted 1/N (``/proc/<pid>/smaps_rollup``, Linux 4.14+; 0 where unreadable). The
    fork server's preloaded model and word lists are shared by every process forked from it:
    RSS counts them in each, PSS once in all."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def memory_table(rows: list, interval: float) -> None:
    print(f"\nOne worker's memory during the cold import, every {interval:g} s:")
    print(f"{'s':>8}{'entries':>10}{'crawler RSS MB':>16}{'children RSS MB':>17}{'crawler PSS MB':>16}"
          f"{'children PSS MB':>17}")
    for seconds, entries, own, children, own_pss, children_pss in rows:
        print(f"{seconds:>8.0f}{entries:>10}{own / MB:>16.1f}{children / MB:>17.1f}{own_pss / MB:>16.1f}"
              f"{children_pss / MB:>17.1f}")
    half = [r for r in rows if r[1] >= rows[-1][1] / 2]
    if len(half) >= 3 and half[-1][1] > half[0][1]:
        for label, total in (("crawler RSS", lambda r: r[2]), ("crawler + children RSS", lambda r: r[2] + r[3]),
                             ("crawler + children PSS", lambda r: r[4] + r[5])):
            xs = [r[1] for r in half]
            ys = [total(r) / MB for r in half]
            slope = statistics.linear_regression(xs, ys).slope * 10_000
            print(f"slope over the second half ({half[0][1]:,}–{half[-1][1]:,} entries), {label}: "
                  f"{slope:+.2f} MB per 10,000 entries")


def settle_terms(spec: PressSpec, args) -> None:
    with tempfile.TemporaryDirectory(prefix="revue-bench-terms-") as scratch:
        out = run_child("terms", {"data_dir": scratch, "spec": spec.__dict__, "pages": False, "repeat": args.repeat},
                        Path(scratch))
    made, checked = statistics.median(out["made"]), statistics.median(out["checked"])
    print(f"search entries of {out['articles']} stored press articles, median of {args.repeat} (interleaved; the same "
          f"entries both ways, checked):\n  made from each row in the settle process (before): {1000 * made / out['articles']:.3f} "
          f"ms per article\n  checked from the terms the draft carried (now): {1000 * checked / out['articles']:.3f} ms per "
          f"article — {made / checked:.1f}× less of the settle process's time")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--workers", default="1,2,4", help="worker counts to measure (default 1,2,4)")
    options.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    options.add_argument("--pg", default=PG_DEFAULT, help=f"PostgreSQL URL, its database made and dropped (default {PG_DEFAULT}; "
                         "its <name>_seed too)")
    options.add_argument("--redis", default=REDIS_DEFAULT, help=f"REVUE_CACHE_URL, flushed (default {REDIS_DEFAULT}; locmem:// for one worker)")
    options.add_argument("--feeds", type=int, default=400)
    options.add_argument("--items", type=int, default=30)
    options.add_argument("--hosts", type=int, help="loopback hosts (default feeds ÷ 4)")
    options.add_argument("--latency-ms", default="20,50")
    options.add_argument("--concurrency", type=int, help="each worker's REVUE_FETCH_CONCURRENCY (default: the setting's)")
    options.add_argument("--processes", type=int, help="each worker's REVUE_CRAWL_PROCESSES (default: the setting's)")
    options.add_argument("--host-delay", type=float, help="REVUE_HOST_DELAY, s (default: the setting's)")
    options.add_argument("--baseline-feeds", type=int, default=100, help="the naive loop's feeds, extrapolated (default 100)")
    options.add_argument("--profile", type=int, choices=(1, 2), help="profile the first worker's process in round 1 or 2 (cProfile, all threads)")
    options.add_argument("--memory", action="store_true", help="one worker's cold import, its RSS every --interval s")
    options.add_argument("--interval", type=float, default=10.0)
    options.add_argument("--settle-terms", action="store_true",
                         help="the settle's search entries made from each row against checked from the terms the "
                              "drafts carried (SQLite, --feeds × --items articles, --repeat times)")
    options.add_argument("--repeat", type=int, default=5)
    options.add_argument("--seed", type=int, default=20220520)
    options.add_argument("--child", help=argparse.SUPPRESS)
    args = options.parse_args()

    if args.child:
        job = json.loads(args.child)
        Path(job["out"]).write_text(json.dumps(CHILDREN[job["kind"]](job)))
        return

    low, high = (float(x) for x in args.latency_ms.split(","))
    spec = PressSpec(feeds=args.feeds, items=args.items, hosts=min(args.hosts or -(-args.feeds // 4), args.feeds),
                     latency_ms=(low, high), seed=args.seed)
    if args.settle_terms:
        settle_terms(spec, args)
        return
    counts = [1] if args.memory else [int(n) for n in args.workers.split(",")]
    scratch = Path(tempfile.mkdtemp(prefix="revue-bench-workers-"))
    db = Database(args.database, args.pg, scratch)
    settings = {}
    if args.processes is not None:
        settings["REVUE_CRAWL_PROCESSES"] = args.processes
    load = os.getloadavg()
    started = time.perf_counter()
    try:
        with RunningPress(spec) as press:
            print(f"press: {spec.feeds} feeds × {spec.items} items on {spec.hosts} hosts (port {press.port}); "
                  f"{args.database}; scratch {scratch}; load average {load[0]:.1f}", flush=True)
            base_job = {"data_dir": str(scratch / "data"), "database_url": db.url, "cache_url": args.redis,
                        "spec": spec.__dict__, "port": press.port, "concurrency": args.concurrency,
                        "host_delay": args.host_delay, "per_host": 0, "processes": args.processes,
                        "pages": False, "settings": settings, "interval": args.interval if args.memory else 0,
                        "profile": args.profile}
            (scratch / "data").mkdir()
            db.create_seed()
            seed = run_child("seed", dict(base_job, database_url=db.seed_url, feed_numbers=list(range(spec.feeds))),
                             scratch)
            print(f"  seed: {seed['feeds']} feeds in {seed['seconds']:.1f} s", flush=True)
            if args.memory:
                db.fresh()
                flush_redis(args.redis)
                result = run_workers(1, base_job, scratch, press, 1)
                print(f"  cold import: {result['wall']:.1f} s, {result['feeds']} feeds crawled ({result['errors']} errors), "
                      f"{result['deferred']} given back unfetched (waited too long), {result['new_entries']} entries "
                      f"of {spec.feeds * spec.items} served", flush=True)
                for error in result["workers"][0]["failures"]:
                    print(f"    e.g. {error}", flush=True)
                memory_table(result["workers"][0]["memory"], args.interval)
                return
            naive, scale = baseline(base_job, db, scratch, press, spec, args)
            runs = {count: measure(count, base_job, db, scratch, press, args) for count in counts}
        table(spec, counts, runs, naive, scale, args)
        after = os.getloadavg()
        print(f"\n(total {time.perf_counter() - started:.0f} s; load average {load[0]:.1f} at the start, "
              f"{after[0]:.1f} at the end)")
    finally:
        db.drop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
