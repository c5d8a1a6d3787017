"""Benchmark: Revue's crawler against a naive crawler, on the same loopback press, in one run.

    .venv/bin/python bench/crawl.py                 # 400 feeds, baseline on 150 of them (extrapolated)
    .venv/bin/python bench/crawl.py --feeds 2000 --baseline-feeds 2000    # the issue's full case
    .venv/bin/python bench/crawl.py --feeds 500 --concurrency 32 --host-delay 0 --profile 2
    .venv/bin/python bench/crawl.py --feeds 2000 --keep     # then, to try a change to round 2 alone:
    .venv/bin/python bench/crawl.py --round2-from /tmp/revue-bench-crawl-…
    .venv/bin/python bench/crawl.py --workers 1,2,4     # N worker processes on PostgreSQL: bench/crawl_workers.py

The press (bench/crawlpress.py, its own process) serves ``--feeds`` RSS feeds of ``--items``
full-content entries on ``--hosts`` loopback addresses (default: 4 feeds per outlet, so per-host
politeness acts as it would on real outlets), with a seeded 20–50 ms delay on each response,
ETag/Last-Modified and 304.  Two rounds, each side on a fresh SQLite database of its
own (a temp folder, ``call_command("migrate")``, Source/Feed rows bulk-created):

- round 1, the initial load: every feed answers 200 with all its entries;
- round 2: 10 % of the feeds have 3 new entries, the other 90 % answer 304 to the conditional GET.

Revue's side is the public API, whatever revue/crawl/worker.py is today:
``Crawler(concurrency=…, on_feed_done=None).run_once()``, with ``REVUE_FETCH_ALLOW`` opening the
press's loopback network.  Between rounds every feed is made due (``next_fetch_at = now``).
Polling intervals are set to 6 h (``REVUE_FEED_*_INTERVAL``, unless set in the environment) so a
long round never re-leases a feed it already crawled.  The baseline is the naive crawler of the
issue, written below: one feed after another, ``httpx.get`` (a new connection each time),
**with** the conditional headers it stored (so its round 2 gets the same 304s; without them it
would reparse every feed), ``feedparser.parse``, one indexed existence check and one
``Article.objects.create`` per new entry, one ``Feed.save``; it never fetches article pages.

Every round runs in a process of its own, so the figures per round are clean: wall time of
``run_once`` (or of the baseline loop; modules imported before the clock starts), feeds/s, new entries/s, CPU seconds (the process and
its children), peak RSS = the process's ``ru_maxrss`` (Linux, includes Django's ~60 MB; the
high-water mark is reset via /proc/self/clear_refs just before the round when the kernel allows
it), and for Revue the network floor = requests × mean latency ÷ concurrency (the latencies the
press really slept, summed, ÷ concurrency), the politeness floor (the busiest host's requests
spaced by ``REVUE_HOST_DELAY``) and wall ÷ floor.  ``--baseline-feeds K`` runs the
baseline on K feeds drawn with the press's share of changed feeds and extrapolates its wall time
× N/K (marked ``*``).  ``--profile R`` runs Revue's round R under cProfile in every thread and
prints the top functions (``BENCH_PROFILE_CLOCK=cpu``: each thread's CPU time rather than the
wall clock's, so that waits in system calls count for nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawlpress import PressSpec, RunningPress, stratified_subset  # noqa: E402

MB = 1024 * 1024


# --- inside a child process: Django set up on one data folder -----------------------------------


def _django(job: dict) -> None:
    os.environ["REVUE_DATA_DIR"] = job["data_dir"]
    os.environ.setdefault("REVUE_SECRET_KEY", "bench-not-secret")
    os.environ["REVUE_FETCH_ALLOW"] = "127.0.0.0/8"  # the press's hosts are 127.77.x.y
    os.environ["REVUE_LOG_LEVEL"] = os.environ.get("REVUE_LOG_LEVEL", "ERROR")
    os.environ["REVUE_FETCH_PAGES"] = "true" if job["pages"] else "false"
    if job.get("per_host"):
        os.environ["REVUE_FETCH_PER_HOST"] = str(job["per_host"])
    if job.get("host_delay") is not None:
        os.environ["REVUE_HOST_DELAY"] = str(job["host_delay"])
    if job.get("processes") is not None:
        os.environ["REVUE_CRAWL_PROCESSES"] = str(job["processes"])
    # a round that outlasts the polling interval would re-lease feeds it already crawled (run_once
    # crawls whatever is due until nothing is): 6 h intervals keep it to one fetch per feed a round
    for name in ("REVUE_FEED_MIN_INTERVAL", "REVUE_FEED_DEFAULT_INTERVAL", "REVUE_FEED_MAX_INTERVAL"):
        os.environ.setdefault(name, "21600")
    os.environ["DJANGO_SETTINGS_MODULE"] = "revue.settings"
    import django

    django.setup()


def child_setup(job: dict) -> dict:
    """Migrate a fresh database and follow the press's feeds (rows bulk-created)."""
    _django(job)
    from django.core.management import call_command

    from revue.sources.models import Feed, Source

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    spec = _spec(job)
    numbers = job["feed_numbers"]
    hosts = sorted({n % spec.hosts for n in numbers})
    Source.objects.bulk_create(
        [Source(name=f"Bench outlet {h}", slug=f"bench-outlet-{h}", language="fr", country="MA",
                homepage=f"http://{spec.host_ip(h)}:{job['port']}/") for h in hosts],
        batch_size=500,
    )
    source_ids = dict(Source.objects.filter(slug__startswith="bench-outlet-").values_list("slug", "id"))
    Feed.objects.bulk_create(
        [Feed(source_id=source_ids[f"bench-outlet-{n % spec.hosts}"], url=spec.feed_url(job["port"], n))
         for n in numbers],
        batch_size=500,
    )
    return {"feeds": Feed.objects.count(), "seconds": time.perf_counter() - started}


def child_round(job: dict) -> dict:
    """One crawl round of one side, measured."""
    _django(job)
    from django.utils import timezone

    from revue.news.models import Article
    from revue.sources.models import Feed

    Feed.objects.update(next_fetch_at=timezone.now())  # every feed is due now
    articles_before = Article.objects.count()
    from django.db import connections

    connections.close_all()
    run = _revue_round if job["side"] == "revue" else _baseline_round
    # imports happen once in a worker's life, not per round: done before the clock starts
    if job["side"] == "revue":
        import revue.crawl.worker  # noqa: F401
    else:
        import feedparser  # noqa: F401
        import httpx  # noqa: F401
    rss_start = _rss_now()
    hwm_reset = _reset_peak_rss()
    self_before, kids_before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler = _DescendantSampler()
    sampler.start()
    started = time.perf_counter()
    result = run(job)
    result["wall"] = time.perf_counter() - started
    sampler.stop()
    self_after, kids_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(
        cpu=_cpu(self_after) - _cpu(self_before),
        cpu_children=max(_cpu(kids_after) - _cpu(kids_before), sum(sampler.cpu.values())),
        rss_start=rss_start,
        rss_peak=self_after.ru_maxrss * 1024,
        rss_peak_children=max([kids_after.ru_maxrss * 1024, *sampler.hwm.values()]),
        rss_peak_children_sum=sum(sampler.hwm.values()),
        children=len(sampler.hwm),
        settings=_crawl_settings(),
        hwm_reset=hwm_reset,
        articles=Article.objects.count() - articles_before,
    )
    return result


def _revue_round(job: dict) -> dict:
    from revue.crawl.worker import Crawler

    crawler = Crawler(concurrency=job["concurrency"], on_feed_done=None)
    profiler = _ThreadProfiler() if job.get("profile") else None
    if profiler:
        profiler.start()
    summary = crawler.run_once()
    if profiler:
        profiler.stop(job["profile_out"])
    failures = [f"{getattr(f, 'url', '')}: {getattr(f, 'error', '')}" for f in getattr(summary, "failures", [])[:5]]
    return {
        "feeds": summary.feeds,
        "fetched": summary.fetched,
        "not_modified": summary.not_modified,
        "errors": summary.errors,
        "new_entries": summary.new_articles,
        "pages": getattr(summary, "pages_fetched", 0),
        "failures": failures,
    }


def _baseline_round(job: dict) -> dict:
    """The naive crawler: one feed after another, feedparser, one ORM save per entry."""
    import calendar
    from datetime import datetime, timezone as tz

    import feedparser
    import httpx
    from django.utils import timezone

    from revue.news.models import Article, url_hash
    from revue.sources.models import Feed

    out = {"feeds": 0, "fetched": 0, "not_modified": 0, "errors": 0, "new_entries": 0, "pages": 0, "failures": []}
    for feed in Feed.objects.order_by("id"):
        out["feeds"] += 1
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            response = httpx.get(feed.url, headers=headers, timeout=30)
        except httpx.HTTPError as error:
            out["errors"] += 1
            out["failures"].append(f"{feed.url}: {error}")
            continue
        feed.last_fetched_at = timezone.now()
        feed.last_status = response.status_code
        if response.status_code == 304:
            out["not_modified"] += 1
            feed.save()
            continue
        if response.status_code != 200:
            out["errors"] += 1
            feed.save()
            continue
        out["fetched"] += 1
        parsed = feedparser.parse(response.content)
        for entry in parsed.entries:
            link = entry.get("link")
            if not link or Article.objects.filter(url_hash=url_hash(link)).exists():
                continue
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            published = datetime.fromtimestamp(calendar.timegm(stamp), tz.utc) if stamp else timezone.now()
            content = entry.content[0].value if entry.get("content") else entry.get("summary", "")
            Article.objects.create(
                source_id=feed.source_id, feed=feed, url=link, guid=entry.get("id", "")[:1000],
                title=entry.get("title", "")[:1000], summary=entry.get("summary", ""),
                content_html=content, author=entry.get("author", "")[:300], language="fr",
                published_at=published,
            )
            out["new_entries"] += 1
        feed.etag = response.headers.get("etag", "")
        feed.last_modified = response.headers.get("last-modified", "")
        feed.save()
    return out


class _ThreadProfiler:
    """cProfile in every thread (the crawler's event loop, its database thread, its CPU pool)."""

    def __init__(self) -> None:
        import cProfile
        import threading

        self._cprofile, self._threading = cProfile, threading
        self.profiles: list = []

    def start(self) -> None:
        # BENCH_PROFILE_CLOCK=cpu: each thread's CPU time (time.thread_time), not the wall clock's
        clock = {"timer": time.thread_time} if os.environ.get("BENCH_PROFILE_CLOCK") == "cpu" else {}
        main = self._cprofile.Profile(**clock)
        self.profiles.append(main)

        def bootstrap(*_):  # first event in a new thread: hand the thread to a profiler of its own
            profile = self._cprofile.Profile(**clock)
            self.profiles.append(profile)
            profile.enable()

        self._threading.setprofile(bootstrap)
        main.enable()

    def stop(self, path: str) -> None:
        import pstats

        self._threading.setprofile(None)
        for profile in self.profiles:
            profile.disable()
        stats = pstats.Stats(self.profiles[0])
        for profile in self.profiles[1:]:
            try:
                stats.add(profile)
            except (TypeError, ValueError):  # a thread that recorded nothing
                pass
        stats.dump_stats(path)


class _DescendantSampler:
    """Samples the CPU time and peak RSS of this process's descendants (e.g. a process pool).

    ``getrusage(RUSAGE_CHILDREN)`` cannot see them: a forkserver's workers are its children,
    not ours, and nothing is reaped before the round ends.  /proc is read every ``interval``
    seconds; a worker's last fraction of an interval before it exits can be missed.
    """

    def __init__(self, interval: float = 0.2) -> None:
        import threading

        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.hwm: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-sampler", daemon=True)
        self._ticks = os.sysconf("SC_CLK_TCK")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _descendants(self) -> list[int]:
        found, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                    for child in map(int, children):
                        found.append(child)
                        todo.append(child)
            except OSError:
                continue
        return found

    def _sample(self) -> None:
        for pid in self._descendants():
            try:
                _name, fields = proc_stat(pid)
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self._ticks  # utime + stime
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.hwm[pid] = max(self.hwm.get(pid, 0), int(line.split()[1]) * 1024)
            except (OSError, IndexError, ValueError):
                continue


def proc_stat(pid: int | str) -> tuple[str, list[str]]:
    """A process's name and the fields of /proc/<pid>/stat after it (``fields[11:15]``: utime,
    stime, cutime, cstime, in clock ticks); OSError once it has ended."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def _crawl_settings() -> dict:
    from django.conf import settings

    names = ("REVUE_FETCH_CONCURRENCY", "REVUE_FETCH_PER_HOST", "REVUE_HOST_DELAY", "REVUE_CRAWL_PROCESSES",
             "REVUE_LEASE_BATCH", "REVUE_FETCH_PAGES", "REVUE_CACHE_URL")
    return {name: getattr(settings, name, None) for name in names}


def _rss_now() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak_rss() -> bool:
    """Reset the kernel's RSS high-water mark (``ru_maxrss``) to the current RSS, if allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _spec(job: dict) -> PressSpec:
    config = dict(job["spec"])
    config["latency_ms"] = tuple(config["latency_ms"])
    return PressSpec(**config)


# --- the orchestrator (no Django here) ----------------------------------------------------------


def run_child(kind: str, job: dict, scratch: Path) -> dict:
    out = scratch / f"result-{os.getpid()}-{time.monotonic_ns()}.json"
    job = dict(job, kind=kind, out=str(out))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.run([sys.executable, __file__, "--child", json.dumps(job)], env=env, cwd=str(ROOT))
    if process.returncode != 0:
        raise SystemExit(f"bench: the {job.get('side')} {kind} process failed (exit {process.returncode})")
    return json.loads(out.read_text())


def run_side(side: str, numbers: list[int], args, spec: PressSpec, press: RunningPress, scratch: Path,
             kept: dict | None = None) -> list[dict]:
    """Both rounds of one side; with ``kept`` (a ``--keep`` run's bench.json), round 2 only, on a
    copy of the database that run had after its round 1."""
    data_dir = scratch / side
    job = {
        "side": side, "data_dir": str(data_dir), "spec": spec.__dict__, "port": press.port,
        "feed_numbers": numbers, "concurrency": args.concurrency, "per_host": args.per_host,
        "host_delay": args.host_delay, "processes": args.processes,
        "pages": args.pages > 0,
    }
    rounds = []
    if kept:
        shutil.copytree(Path(kept["folder"]) / f"{side}-after-round1", data_dir)
        rounds.append(dict(kept["round1"][side], reused=True))
        print(f"  {side}: the database after round 1 of {kept['folder']} (round 1 figures are that run's)", flush=True)
    else:
        data_dir.mkdir()
        setup = run_child("setup", job, scratch)
        print(f"  {side}: {setup['feeds']} feeds followed on a fresh database in {setup['seconds']:.1f} s", flush=True)
    for round_ in (2,) if kept else (1, 2):
        press.set_round(round_)
        press.warm()
        press.reset()
        round_job = dict(job, round=round_)
        if side == "revue" and args.profile == round_:
            round_job.update(profile=True, profile_out=str(scratch / f"revue-round{round_}.prof"))
        result = run_child("round", round_job, scratch)
        result["press"] = press.stats()
        result["round"] = round_
        rounds.append(result)
        print(f"  {side} round {round_}: {result['wall']:.1f} s, {result['feeds']} feeds, "
              f"{result['not_modified']} × 304, {result['errors']} errors, {result['new_entries']} new entries",
              flush=True)
        if result["press"].get("misses"):
            print(f"    paths the press does not serve, first ones: {result['press']['misses'][:5]}", flush=True)
        if result["feeds"] > len(numbers):
            print(f"    note: {result['feeds'] - len(numbers)} feeds were crawled twice in this round (they fell due "
                  "again before run_once ended)", flush=True)
        for failure in result["failures"]:
            print(f"    failure: {failure}", flush=True)
        if round_job.get("profile"):
            show_profile(round_job["profile_out"])
        if round_ == 1 and args.keep:  # for --round2-from: round 2 again without redoing round 1
            shutil.copytree(data_dir, scratch / f"{side}-after-round1")
    return rounds


_WAITS = ("'get' of '_queue", "'acquire' of '_thread", "'poll' of 'select", "'select' of 'select",
          "method 'wait'", "'control' of 'select")


def show_profile(path: str, top: int = 25) -> None:
    """The functions that took the most time of their own, idle waits (queues, locks, polls) left out."""
    import pstats

    stats = pstats.Stats(path).stats
    rows = []
    for (filename, line, name), (_calls, ncalls, tottime, cumtime, _callers) in stats.items():
        label = f"{filename}:{line}({name})" if filename != "~" else name
        label = label.replace(str(ROOT) + "/", "").replace(sys.prefix + "/lib/python3.11/site-packages/", "")
        if not any(w in label for w in _WAITS):
            rows.append((tottime, cumtime, ncalls, label))
    busy = sum(r[0] for r in rows)
    print(f"\n  --- profile of Revue's round, every thread of the crawler process ({path}) ---")
    print(f"  {busy:.2f} s of own time outside idle waits; top {top} by own time:")
    print(f"  {'own s':>8} {'cum s':>8} {'calls':>8}  function")
    for tottime, cumtime, ncalls, label in sorted(rows, reverse=True)[:top]:
        print(f"  {tottime:8.3f} {cumtime:8.3f} {ncalls:8d}  {label[-110:]}")


def politeness_floor(spec: PressSpec, numbers: list[int], delay: float) -> float:
    """Least time per-host spacing allows: the busiest host's feeds, one per ``delay`` seconds."""
    per_host = Counter(n % spec.hosts for n in numbers)
    return (max(per_host.values()) - 1) * delay if per_host and delay else 0.0


def table(args, spec: PressSpec, revue: list[dict], baseline: list[dict] | None, scale: float) -> None:
    extrapolated = baseline is not None and scale != 1.0
    mark = "*" if extrapolated else ""
    conf = revue[0]["settings"]
    delay = float(conf.get("REVUE_HOST_DELAY") or 0.0)
    polite = politeness_floor(spec, list(range(spec.feeds)), delay)
    print()
    print(f"Crawl benchmark — {spec.feeds} feeds × {spec.items} items on {spec.hosts} loopback hosts "
          f"(≤{-(-spec.feeds // spec.hosts)} feeds/host), latency {spec.latency_ms[0]:g}–{spec.latency_ms[1]:g} ms, "
          f"{os.cpu_count()} CPUs")
    concurrency = args.concurrency or conf.get("REVUE_FETCH_CONCURRENCY")
    print(f"Revue: Crawler(concurrency={concurrency}), per host {conf.get('REVUE_FETCH_PER_HOST')}, "
          f"host delay {delay:g} s, CPU processes {conf.get('REVUE_CRAWL_PROCESSES')}, "
          f"lease batch {conf.get('REVUE_LEASE_BATCH')}, pages {'on' if args.pages else 'off'}")
    print(f"{'':36}" + "".join(f"{'round ' + str(r) + (' (initial load)' if r == 1 else ' (10% changed)'):>36}" for r in (1, 2)))
    print(f"{'':36}" + f"{'Revue':>12}{'baseline':>12}{'ratio':>12}" * 2)

    def row(label, get, fmt="{:.1f}", ratio=None, revue_only=False):
        cells = []
        for i in (0, 1):
            ours = get(revue[i], False)
            theirs = get(baseline[i], True) if baseline and not revue_only else None
            cells.append(fmt.format(ours) if ours is not None else "–")
            cells.append(fmt.format(theirs) + mark if theirs is not None else "–")
            if ratio and ours and theirs:
                cells.append(f"{(theirs / ours if ratio == 'lower' else ours / theirs):.1f}×")
            else:
                cells.append("")
        print(f"{label:36}" + "".join(f"{c:>12}" for c in cells))

    def scaled(b):
        return scale if b else 1.0

    def network_floor(r, b):
        return r["press"]["latency_sum"] / (1 if b else concurrency)

    row("wall time (s)", lambda r, b: r["wall"] * scaled(b), "{:.2f}", ratio="lower")
    row("feeds/s", lambda r, b: r["feeds"] / r["wall"], ratio="higher")
    row("new entries/s", lambda r, b: r["new_entries"] / r["wall"], ratio="higher")
    row("feeds crawled", lambda r, b: r["feeds"] * scaled(b), "{:.0f}")
    row("  of which 304 Not Modified", lambda r, b: r["not_modified"] * scaled(b), "{:.0f}")
    row("  errors", lambda r, b: r["errors"], "{:.0f}")
    row("new entries stored", lambda r, b: r["new_entries"] * scaled(b), "{:.0f}")
    row("requests served by the press", lambda r, b: r["press"]["requests"] * scaled(b), "{:.0f}")
    row("  feeds / article pages / robots.txt", lambda r, b: f"{r['press']['feeds']}/{r['press']['pages']}/{r['press']['robots']}",
        "{}", revue_only=True)
    row("  404 Not Found", lambda r, b: r["press"]["not_found"], "{:.0f}")
    row("mean press latency (ms)", lambda r, b: 1000 * r["press"]["latency_sum"] / max(1, r["press"]["requests"]))
    row("requests in flight at the press, max", lambda r, b: r["press"]["max_in_flight"], "{:.0f}")
    row("network floor (s)", lambda r, b: network_floor(r, b) * scaled(b), "{:.2f}")
    row("wall ÷ network floor", lambda r, b: r["wall"] / network_floor(r, b), "{:.2f}")
    row("politeness floor (s)", lambda r, b: polite, "{:.2f}", revue_only=True)
    row("wall ÷ max(network, politeness floor)", lambda r, b: r["wall"] / max(network_floor(r, b), polite), "{:.2f}",
        revue_only=True)
    row("CPU s, crawler process", lambda r, b: r["cpu"] * scaled(b), ratio="lower")
    row("CPU s, its child processes", lambda r, b: r["cpu_children"] * scaled(b))
    row("CPU s, press process", lambda r, b: r["press"]["cpu_seconds"] * scaled(b))
    row("RSS at start of round (MB)", lambda r, b: r["rss_start"] / MB, "{:.0f}")
    row("peak RSS, crawler process (MB)", lambda r, b: r["rss_peak"] / MB, "{:.0f}")
    row("  peak − start (MB)", lambda r, b: (r["rss_peak"] - r["rss_start"]) / MB, "{:.0f}")
    if any(r["children"] for r in revue):
        row("child processes", lambda r, b: r["children"], "{:.0f}")
        row("  peak RSS of the largest (MB)", lambda r, b: r["rss_peak_children"] / MB, "{:.0f}")
        row("  peak RSS, sum of all (MB)", lambda r, b: r["rss_peak_children_sum"] / MB, "{:.0f}")
    print()
    print("network floor = requests × mean latency ÷ concurrency (latencies the press slept; the baseline's "
          "concurrency is 1).")
    print(f"politeness floor ≈ (feeds on the busiest host − 1) × REVUE_HOST_DELAY = "
          f"({-(-spec.feeds // spec.hosts)} − 1) × {delay:g} s: what per-host spacing alone imposes.")
    if all(r["hwm_reset"] for r in revue):
        print("peak RSS = ru_maxrss of the round's own process, its high-water mark reset (clear_refs) at the start "
              "of the round; child processes: VmHWM sampled from /proc every 0.2 s.")
    else:
        print("peak RSS = ru_maxrss of the round's own process (includes Django start-up: clear_refs was refused); "
              "child processes: VmHWM sampled from /proc every 0.2 s.")
    if revue[0].get("reused"):
        print(f"round 1 figures are those of the run whose databases were reused ({args.round2_from}); only round 2 "
              "was measured now.")
    if extrapolated:
        print(f"* baseline EXTRAPOLATED: run on {baseline[0]['feeds']} of {spec.feeds} feeds (stratified: the same "
              f"share of changed feeds), wall time, counts and CPU × {scale:.2f}; rates are as measured.")
    if baseline:
        r2 = baseline[1]["wall"] * scale / revue[1]["wall"]
        floor = network_floor(revue[1], False)
        print(f"issue 3 goals, round 2: Revue is {r2:.1f}× the baseline (goal ≥ 20×: "
              f"{'met' if r2 >= 20 else 'NOT met'}), {revue[1]['wall'] / floor:.2f}× the network floor "
              f"(goal ≤ 3×: {'met' if revue[1]['wall'] <= 3 * floor else 'NOT met'}).")


def main() -> None:
    if any(arg == "--workers" or arg.startswith("--workers=") for arg in sys.argv[1:]):  # N processes: its own script
        os.execv(sys.executable, [sys.executable, str(ROOT / "bench" / "crawl_workers.py"), *sys.argv[1:]])
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--feeds", type=int, default=400,
                         help="feeds in the press (default 400, to stay near 5 minutes on 2 busy cores: Revue's "
                              "round 1 costs ~0.5 s of CPU per feed today; the issue's case is 2000)")
    options.add_argument("--items", type=int, default=30, help="entries per feed (default 30)")
    options.add_argument("--hosts", type=int,
                         help="loopback hosts (outlets) the feeds spread over, feed n on host n %% hosts "
                              "(default: feeds ÷ 4, i.e. 4 feeds per outlet)")
    options.add_argument("--latency-ms", default="20,50", help="uniform latency range per response, ms (default 20,50)")
    options.add_argument("--concurrency", type=int,
                         help="Revue's Crawler(concurrency=…), requests in flight (default: REVUE_FETCH_CONCURRENCY)")
    options.add_argument("--per-host", type=int, default=0, help="REVUE_FETCH_PER_HOST for Revue (default: the setting's)")
    options.add_argument("--host-delay", type=float, help="REVUE_HOST_DELAY for Revue, s (default: the setting's)")
    options.add_argument("--processes", type=int, help="REVUE_CRAWL_PROCESSES for Revue (default: the setting's)")
    options.add_argument("--baseline-feeds", type=int, default=150,
                         help="run the baseline on this many feeds and extrapolate (default 150; = --feeds for all)")
    options.add_argument("--no-baseline", action="store_true")
    options.add_argument("--pages", type=float, default=0.0,
                         help="share of feeds that are summary-only, so their article pages are fetched (default 0)")
    options.add_argument("--change", type=float, default=0.10, help="share of feeds that change in round 2 (default 0.10)")
    options.add_argument("--seed", type=int, default=20220520)
    options.add_argument("--profile", type=int, choices=(1, 2), help="profile Revue's round 1 or 2 (cProfile, all threads)")
    options.add_argument("--keep", action="store_true",
                         help="keep the scratch folder (databases, profiles, and each side's database after round 1)")
    options.add_argument("--round2-from", metavar="FOLDER",
                         help="run round 2 only, on copies of the databases a --keep run kept after its round 1 (same "
                              "press, same port; round 1 figures are that run's): for trying a change to round 2 quickly")
    options.add_argument("--child", help=argparse.SUPPRESS)
    args = options.parse_args()

    if args.child:
        job = json.loads(args.child)
        result = child_setup(job) if job["kind"] == "setup" else child_round(job)
        Path(job["out"]).write_text(json.dumps(result))
        return

    low, high = (float(x) for x in args.latency_ms.split(","))
    spec = PressSpec(feeds=args.feeds, items=args.items, hosts=min(args.hosts or -(-args.feeds // 4), args.feeds), latency_ms=(low, high),
                     seed=args.seed, change_fraction=args.change, pages_fraction=args.pages)
    kept, port = None, 0
    if args.round2_from:
        kept = json.loads((Path(args.round2_from) / "bench.json").read_text())
        kept["folder"] = args.round2_from
        spec, port = _spec(kept), kept["port"]  # the kept databases name this press's URLs
        args.baseline_feeds = kept["baseline_feeds"]
        args.no_baseline = args.no_baseline or "baseline" not in kept["round1"]
    scratch = Path(tempfile.mkdtemp(prefix="revue-bench-crawl-"))
    started = time.perf_counter()
    load_before = os.getloadavg()
    try:
        with RunningPress(spec, port) as press:
            print(f"press: {spec.feeds} feeds × {spec.items} items on {spec.hosts} hosts 127.77.x.y:{press.port} "
                  f"(pid {press.pid}); scratch {scratch}", flush=True)
            revue = run_side("revue", list(range(spec.feeds)), args, spec, press, scratch, kept)
            baseline, scale = None, 1.0
            if not args.no_baseline:
                numbers = stratified_subset(spec, args.baseline_feeds)
                scale = spec.feeds / len(numbers)
                baseline = run_side("baseline", numbers, args, spec, press, scratch, kept)
            if args.keep and not kept:
                round1 = {"revue": revue[0], **({"baseline": baseline[0]} if baseline else {})}
                (scratch / "bench.json").write_text(json.dumps(
                    {"spec": spec.__dict__, "port": press.port, "baseline_feeds": args.baseline_feeds, "round1": round1}))
        table(args, spec, revue, baseline, scale)
        load_after = os.getloadavg()
        print(f"\n(total bench time {time.perf_counter() - started:.0f} s; load average {load_before[0]:.1f} at the "
              f"start, {load_after[0]:.1f} at the end — other work on the machine skews wall times)")
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
