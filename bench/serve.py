"""Benchmark: pages through the real server beside a static file through the same server, same run.

    python bench/serve.py --quick                     # the demo press's archive, home and an article
    python bench/serve.py --quick --before /tmp/old   # first a checkout of an older commit, then this one

``--quick`` (issue #17's first step; the 1,000,000-article generator is still to come): builds,
once, the demo press's archive in ``--data`` (``revue demo --no-serve``, about 400 articles),
starts ``revue serve`` on it (from ``--root``, default this checkout; with ``--before``, a
checkout of an older commit first, on the same data, in the same run), and loads each URL in turn with ``--clients``
concurrent HTTP/1.1 keep-alive connections from *another process* (asyncio, raw sockets): a
static file (WhiteNoise), the home page, an article. Each URL gets a warm-up, then
``--seconds`` of load; printed: requests/s, p50 and p99 latency, bytes per answer, and the rate as
a share of the static file's; then the time of one request alone just after the reader
generation is renewed (the first view after a settle or a block: rendered, then kept). Requests
say ``Accept-Encoding: gzip`` as browsers do.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = "/static/portal/revue.css"


# --- the load, in its own process ------------------------------------------------------------


async def _client(host: str, port: int, path: str, until: float, latencies: list, sizes: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html\r\n"
               "Accept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n").encode()
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            body = await reader.readexactly(int(match.group(1))) if match else b""
            if not match:  # no length: the server closes the connection after the body
                body = await reader.read()
            latencies.append(time.perf_counter() - started)
            sizes.append(len(body))
            if status != 200:
                errors.append(status)
            if not match or re.search(rb"(?i)\r\nconnection:\s*close", head):  # gunicorn's sync workers close
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _load(host: str, port: int, path: str, clients: int, seconds: float) -> tuple[list, list, list]:
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[int] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_client(host, port, path, until, latencies, sizes, errors) for _ in range(clients)))
    return latencies, sizes, errors


def _load_process(host: str, port: int, path: str, clients: int, seconds: float, results) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.perf_counter()
    latencies, sizes, errors = asyncio.run(_load(host, port, path, clients, seconds))
    results.put((latencies, sizes, errors, time.perf_counter() - started))


def load(host: str, port: int, path: str, clients: int, seconds: float) -> dict:
    """``clients`` connections asking ``path`` for ``seconds``, from another process."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    worker = context.Process(target=_load_process, args=(host, port, path, clients, seconds, results))
    worker.start()
    latencies, sizes, errors, elapsed = results.get()
    worker.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan"),
        "bytes": statistics.median(sizes) if sizes else 0,
        "errors": len(errors),
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data: Path) -> dict:
    env = {**os.environ, "REVUE_DATA_DIR": str(data), "REVUE_LOG_LEVEL": "WARNING"}
    for name in ("REVUE_DATABASE_URL", "REVUE_CACHE_URL"):
        env.pop(name, None)
    return env


def build_archive(data: Path) -> None:
    if (data / "revue.sqlite3").exists():
        return
    print(f"building the demo press's archive in {data} (once) …", flush=True)
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "revue", "demo", "--no-serve"], cwd=ROOT, env=environment(data), check=True,
                   stdout=subprocess.DEVNULL)


def start_server(root: Path, data: Path, port: int, threads: int, server_args: tuple = ()) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "revue", "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads),
         "--no-migrate", *server_args],
        cwd=root, env=environment(data), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2).read()
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("revue serve did not start")
            time.sleep(0.2)


def an_article(port: int) -> str:
    home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=20).read().decode()
    return re.search(r'href="(/[-a-z0-9_]+/[0-9]+)"', home).group(1)


def first_view_after_renewal(port: int, data: Path, path: str) -> float:
    """Milliseconds of one request just after a renewal (as ``revue.news.cache`` writes it with the
    in-memory cache: a new token in the data folder), median of 10."""
    times = []
    for _ in range(10):
        (data / "reader-generation").write_text(str(time.time_ns()))
        started = time.perf_counter()
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"})
        urllib.request.urlopen(request, timeout=20).read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the demo archive, home and an article (the only mode yet)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose `revue serve` is measured")
    parser.add_argument("--before", type=Path, help="another checkout measured first, in the same run (e.g. a worktree of an older commit)")
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "bench-serve")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--renew-every", type=float, default=0,
                        help="then load the pages again while the reader generation is renewed every so many seconds")
    parser.add_argument("--threads", type=int, default=8, help="revue serve --threads")
    parser.add_argument("--server", action="append", default=[],
                        help="revue serve --server (gunicorn, waitress); repeat to measure each in the same run; "
                             "'gunicorn:sync' for one thread per process")
    options = parser.parse_args()
    if not options.quick:
        parser.error("only --quick is built yet (the 1,000,000-article run is issue #17's next step)")

    data = options.data.resolve()
    build_archive(data)
    roots = [*([options.before.resolve()] if options.before else []), options.root.resolve()]
    for root in roots:
        for server in options.server or [""]:
            measure(root, data, options, server)


def measure(root: Path, data: Path, options, server_name: str = "") -> None:
    port = free_port()
    name, _, kind = server_name.partition(":")
    threads = 1 if kind == "sync" else options.threads
    server = start_server(root, data, port, threads, ("--server", name) if name else ())
    try:
        urls = {"static file": STATIC, "home": "/", "article": an_article(port)}
        print(f"\nrevue serve {server_name or ''} (--threads {threads}) from {root} on {data}, {options.clients} clients, "
              f"{options.seconds:g} s per URL, Accept-Encoding: gzip")
        print(f"{'URL':<14}{'path':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'bytes':>9}{'errors':>8}{'of static':>11}")
        static_rate = None
        for name, path in urls.items():
            load("127.0.0.1", port, path, options.clients, options.warmup)
            figures = load("127.0.0.1", port, path, options.clients, options.seconds)
            static_rate = static_rate or figures["rate"]
            print(f"{name:<14}{path:<24}{figures['rate']:>9.0f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}"
                  f"{figures['bytes']:>9.0f}{figures['errors']:>8}{figures['rate'] / static_rate:>10.0%}", flush=True)
        if options.renew_every:
            renewing = threading.Event()

            def renew() -> None:
                while not renewing.wait(options.renew_every):
                    (data / "reader-generation").write_text(str(time.time_ns()))

            renewer = threading.Thread(target=renew, daemon=True)
            renewer.start()
            try:
                for name, path in urls.items():
                    if name == "static file":
                        continue
                    figures = load("127.0.0.1", port, path, options.clients, options.seconds)
                    print(f"{name + ' renewed':<14} {'every %gs' % options.renew_every:<24}{figures['rate']:>9.0f}"
                          f"{figures['p50']:>9.1f}{figures['p99']:>9.1f}{figures['bytes']:>9.0f}{figures['errors']:>8}"
                          f"{figures['rate'] / static_rate:>10.0%}", flush=True)
            finally:
                renewing.set()
                renewer.join()
        cold = {name: first_view_after_renewal(port, data, path) for name, path in urls.items() if name != "static file"}
        print("one request alone just after the reader generation is renewed (a settle, a block), median of 10: "
              + ", ".join(f"{name} {ms:.0f} ms" for name, ms in cold.items()))
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
