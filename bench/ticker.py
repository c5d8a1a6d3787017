"""Benchmark: the live ticker's open event streams and what they cost the server, same run.

    python bench/ticker.py                 # 1,000 open streams on the demo archive
    python bench/ticker.py --streams 3000 --rounds 10

One ``revue serve`` (gunicorn: ``--workers`` processes × ``--threads`` threads, as by default) on
the demo press's archive (built once in ``--data`` by ``revue demo --no-serve``, as
``bench/serve.py --quick`` does). Printed, in order:

1. with no stream open (the server as it was): requests/s and p50/p99 of a static file, the home
   page and the ticker's poll (``/direct/titres.json``, a kept page: what each reader without a
   stream costs every ``REVUE_TICKER_POLL_SECONDS``) at ``--clients`` keep-alive clients from
   another process (``bench/serve.py``'s load);
2. ``--turns`` times in turn: ``--streams`` readers hold ``/direct/flux`` open (another
   process, raw sockets) and the same loads run beside them, then they close and the loads run
   again (a shared machine drifts: in turn, the drift falls on both sides); the medians of each;
3. the server's threads, memory and CPU while no request comes (``/proc``: every worker's
   threads, resident memory, and CPU time over ``--idle`` seconds) with no stream and with the
   streams open;
4. ``--rounds`` settles: an article stored and the reader generation renewed as the crawler's
   settle does (``revue.crawl.store.settle_articles``, in the streams' process), and how long
   until every open stream received the new headline (p50, p99, last), and how many lost theirs.

What a stream held by one of gunicorn's threads would cost is arithmetic, not measured:
``workers × threads`` readers (16 by default) would take every thread, and pages would wait.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

from serve import ROOT, STATIC, build_archive, environment, free_port, load, start_server, stop_server

POLL = "/direct/titres.json"
WORDS = (
    "gouvernement parlement budget élection réforme santé école football tribunal port énergie pluie "
    "sécheresse tourisme banque inflation exportation festival musée université hôpital route train "
    "aéroport agriculture pêche eau électricité entreprise emploi salaire ministre maire région"
).split()
STREAM = "/direct/flux"


# --- the readers, in their own process -----------------------------------------------------------


async def _open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await reader.readuntil(b"event: titres\n")
    await reader.readuntil(b"\n\n")
    return reader, writer


async def _until(reader: asyncio.StreamReader, marker: bytes, started: float) -> float:
    await reader.readuntil(marker)
    return time.perf_counter() - started


def settle_one(serial: int) -> bytes:
    """Store an article and settle it, as the crawler does; its title, to look for in the streams."""
    from django.utils import timezone

    from revue.crawl.store import settle_articles
    from revue.news.models import Article

    model = Article.objects.order_by("-published_at").first()
    words = random.sample(WORDS, 12)  # an article of its own: never a copy of the last round's
    title = f"{' '.join(words[:6]).capitalize()} {serial}"
    article = Article.objects.create(
        source=model.source, feed=model.feed, url=f"https://direct.example/{time.time_ns()}", title=title,
        content_html=f"<p>{' '.join(words * 3)}.</p>", language="fr", published_at=timezone.now(),
    )  # fmt: skip
    settle_articles([article.pk])
    return title.encode()


async def _readers(port: int, streams: int, rounds: int, commands, results) -> None:
    """Open, close and settle as the main process says: "open", "close", "settle", "stop"."""
    loop = asyncio.get_running_loop()
    opened: list = []
    while (command := await loop.run_in_executor(None, commands.get)) != "stop":
        if command == "open":
            for start in range(0, streams, 200):  # in batches, as readers arrive
                opened += await asyncio.gather(*(_open(port) for _ in range(start, min(streams, start + 200))))
            results.put(("open", len(opened)))
        elif command == "close":
            for _, writer in opened:
                writer.close()
            opened = []
            results.put(("closed", None))
        elif command == "settle":
            for serial in range(rounds):
                title = await loop.run_in_executor(None, settle_one, serial)
                started = time.perf_counter()
                waits = [asyncio.wait_for(_until(reader, title, started), 15) for reader, _ in opened]
                done = await asyncio.gather(*waits, return_exceptions=True)
                results.put(
                    ("round", [d for d in done if isinstance(d, float)], sum(not isinstance(d, float) for d in done))
                )
                await asyncio.sleep(0.5)


def _readers_process(data: str, port: int, streams: int, rounds: int, commands, results) -> None:
    os.environ.update(environment(Path(data)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "revue.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    asyncio.run(_readers(port, streams, rounds, commands, results))


# --- the server's side -----------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def workers_cpu(server_pid: int, seconds: float) -> float:
    """CPU seconds every worker spent over ``seconds`` of waiting (no request)."""

    def total() -> float:
        ticks = 0
        for pid in children(server_pid):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    before = total()
    time.sleep(seconds)
    return total() - before


def workers_state(server_pid: int) -> tuple[int, float]:
    """Threads of every worker, and their resident memory in MB."""
    threads, rss = 0, 0
    for pid in children(server_pid):
        status = Path(f"/proc/{pid}/status").read_text()
        threads += int(status.split("Threads:")[1].split()[0])
        rss += int(status.split("VmRSS:")[1].split()[0])
    return threads, rss / 1024


def loads(port: int, options, label: str, paths: dict[str, str], rates: dict[str, list[float]]) -> None:
    for name, path in paths.items():
        load("127.0.0.1", port, path, options.clients, options.warmup)
        figures = load("127.0.0.1", port, path, options.clients, options.seconds)
        rates.setdefault(f"{label} {name}", []).append(figures["rate"])
        print(f"{label:<22}{name:<14}{figures['rate']:>9.0f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
              f"{figures['errors']:>8}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench-serve")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--idle", type=float, default=10.0, help="seconds the workers' idle CPU is read over")
    parser.add_argument("--turns", type=int, default=3, help="loads with, then without, the streams, this many times")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args()

    build_archive(options.data)
    port = free_port()
    os.environ["REVUE_SERVE_WORKERS"] = str(options.workers)
    os.environ["REVUE_TICKER_MAX_STREAMS"] = str(options.streams)  # per process: never the limit here
    server = start_server(ROOT, options.data, port, options.threads)
    try:
        print(f"revue serve ({options.workers} processes × {options.threads} threads) on {options.data}, "
              f"{options.clients} clients, {options.seconds:g} s per URL")  # fmt: skip
        print(f"{'':<22}{'URL':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        rates: dict[str, list[float]] = {}
        loads(port, options, "no stream open", {"static file": STATIC, "home": "/", "ticker poll": POLL}, rates)
        threads, rss = workers_state(server.pid)
        idle = workers_cpu(server.pid, options.idle)

        context = multiprocessing.get_context("spawn")
        commands, results = context.Queue(), context.Queue()
        readers = context.Process(
            target=_readers_process,
            args=(str(options.data), port, options.streams, options.rounds, commands, results),
        )
        readers.start()
        for turn in range(options.turns):  # with and without the streams, in turn: the machine's drift shows
            commands.put("open")
            _, opened = results.get(timeout=300)
            time.sleep(1)
            if turn == 0:
                threads_open, rss_open = workers_state(server.pid)
                idle_open = workers_cpu(server.pid, options.idle)
            loads(port, options, f"{opened} streams open", {"static file": STATIC, "home": "/"}, rates)
            commands.put("close")
            results.get(timeout=60)
            time.sleep(1)
            loads(port, options, "no stream open", {"static file": STATIC, "home": "/"}, rates)
        commands.put("open")
        results.get(timeout=300)
        commands.put("settle")
        latencies, lost = [], 0
        for _ in range(options.rounds):
            _, done, missing = results.get(timeout=120)
            latencies += done
            lost += missing
        commands.put("stop")
        readers.join()
        for name in ("static file", "home"):
            print(f"{name}, median req/s: {statistics.median(rates[f'no stream open {name}']):.0f} with no stream, "
                  f"{statistics.median(rates[f'{opened} streams open {name}']):.0f} with {opened} open")  # fmt: skip
        print(f"\nworkers' threads: {threads} with no stream, {threads_open} with {opened} open; "
              f"resident memory {rss:.0f} MB → {rss_open:.0f} MB "
              f"({(rss_open - rss) * 1024 / max(opened, 1):.1f} kB per open stream)")  # fmt: skip
        print(f"workers' CPU over {options.idle:g} s without a request: {idle:.2f} s with no stream, "
              f"{idle_open:.2f} s with {opened} open")  # fmt: skip
        latencies.sort()
        if latencies:
            print(f"a settle reaches the open streams ({options.rounds} rounds × {opened}): "
                  f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p99 {latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000:.0f} ms, "
                  f"last {latencies[-1] * 1000:.0f} ms; lost {lost}")  # fmt: skip
        print(f"a stream held by a thread instead: {options.workers * options.threads} readers would take every thread")
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
