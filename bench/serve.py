"""Benchmark: pages through the real server beside a static file through the same server, same run.

    python bench/serve.py --quick                     # the demo press's archive, home and an article
    python bench/serve.py --quick --before /tmp/old   # first a checkout of an older commit, then this one
    python bench/serve.py --full                      # 1,000,000 articles, SQLite then PostgreSQL + Redis
    python bench/serve.py --full --articles 100000 --keep build/serve-100k   # smaller, kept
    python bench/serve.py --full --from build/serve-100k                     # measure a kept archive again

``--full``: for each of ``--databases`` (SQLite with the in-memory cache; PostgreSQL on
127.0.0.1:5432, database ``--pg-database`` made and dropped, with Redis as the cache), a fresh
database migrated by ``revue init`` and filled by ``bench/bigpress.py`` (``--articles``,
``--outlets``; written straight into the database, the search index and the stories included;
its docstring says how), its size per article, then requests/s and p50/p95/p99 of a static file,
the home page, an article, an outlet, a story, a search, an API list and an API article at
``--clients``, the search again from one client; then what a kept page cannot hide: searches
never asked before (a word each, of the archive's four languages: « new search », one client and
``--clients``) and API lists never asked before (« new API list », one client); and the first
view of each kept page just after a renewal (median and slowest of 10). ``--keep DIR`` keeps the archives (and the PostgreSQL database), ``--from
DIR`` measures them again without generating.

``--quick``: builds,
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
import itertools
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = "/static/portal/revue.css"


# --- the load, in its own process ------------------------------------------------------------


async def _client(host: str, port: int, paths: Iterator[str], until: float, latencies: list, sizes: list,
                  errors: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < until:
            request = (f"GET {next(paths)} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html\r\n"
                       "Accept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n").encode()
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


async def _load(host: str, port: int, path: str | list[str], clients: int, seconds: float) -> tuple[list, list, list]:
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[int] = []
    until = time.perf_counter() + seconds
    paths = itertools.cycle([path] if isinstance(path, str) else path)  # shared: each request asks the next
    await asyncio.gather(*(_client(host, port, paths, until, latencies, sizes, errors) for _ in range(clients)))
    return latencies, sizes, errors


def _load_process(host: str, port: int, path: str | list[str], clients: int, seconds: float, results) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.perf_counter()
    latencies, sizes, errors = asyncio.run(_load(host, port, path, clients, seconds))
    results.put((latencies, sizes, errors, time.perf_counter() - started))


def load(host: str, port: int, path: str | list[str], clients: int, seconds: float) -> dict:
    """``clients`` connections asking ``path`` for ``seconds``, from another process (a list of
    paths: each request asks the next one, round the list)."""
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
        "p95": latencies[max(int(len(latencies) * 0.95) - 1, 0)] * 1000 if latencies else float("nan"),
        "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000 if latencies else float("nan"),
        "bytes": statistics.median(sizes) if sizes else 0,
        "errors": len(errors),
    }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(data: Path, database: dict | None = None) -> dict:
    """The server's environment: the data folder, and ``database``'s ``REVUE_DATABASE_URL`` and
    ``REVUE_CACHE_URL`` when given (else SQLite in the data folder and the in-memory cache)."""
    env = {**os.environ, "REVUE_DATA_DIR": str(data), "REVUE_LOG_LEVEL": "WARNING"}
    for name in ("REVUE_DATABASE_URL", "REVUE_CACHE_URL"):
        env.pop(name, None)
    env.update(database or {})
    return env


def build_archive(data: Path) -> None:
    if (data / "revue.sqlite3").exists():
        return
    print(f"building the demo press's archive in {data} (once) …", flush=True)
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "revue", "demo", "--no-serve"], cwd=ROOT, env=environment(data), check=True,
                   stdout=subprocess.DEVNULL)


def start_server(root: Path, data: Path, port: int, threads: int, server_args: tuple = (),
                 database: dict | None = None) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "revue", "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads),
         "--no-migrate", *server_args],
        cwd=root, env=environment(data, database), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,
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


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (the graceful stop), then SIGKILL if it is still there after 10 s."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


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
    parser.add_argument("--full", action="store_true",
                        help="a generated archive (bench/bigpress.py) on SQLite and PostgreSQL, every kind of page")
    parser.add_argument("--articles", type=int, default=1_000_000, help="--full: articles generated")
    parser.add_argument("--outlets", type=int, default=10_000, help="--full: outlets generated")
    parser.add_argument("--processes", type=int, help="--full: bench/bigpress.py --processes (its default unless given)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="--full: sqlite, postgresql or both")
    parser.add_argument("--pg-database", default="revue_bench",
                        help="--full: the PostgreSQL database made (and dropped) on 127.0.0.1:5432")
    parser.add_argument("--redis", default=REDIS_CACHE, help="--full: the cache beside PostgreSQL (flushed)")
    parser.add_argument("--keep", type=Path, help="--full: keep the generated archives in this folder")
    parser.add_argument("--from", dest="source", type=Path, help="--full: measure the archives kept there by --keep")
    parser.add_argument("--rows", help="--full: only the rows whose name starts with one of these, comma-separated "
                                       "(e.g. 'static,new search'), and no cold views")
    options = parser.parse_args()
    if options.full:
        full(options)
        return
    if not options.quick:
        parser.error("choose --quick or --full")

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
        stop_server(server)


# --- --full: a big generated archive on SQLite and on PostgreSQL -------------------------------

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_CACHE = "redis://127.0.0.1:6379/3"
SEARCH = "/recherche?q=gouvernement"
API_LIST = "/api/articles?limit=20"
COLD_PAGES = ("home", "article", "outlet", "story")
GOALS = ("goals: home and article >= 50 % of the static file's rate with p99 < 100 ms; search p95 < 50 ms "
         "(« new search, 1 »: words never asked before); cold < 200 ms")


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAc", sql],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def database_of(kind: str, options) -> dict:
    """The environment naming ``kind``'s database and cache (SQLite: the data folder's file and
    the in-memory cache; PostgreSQL: ``--pg-database`` and Redis)."""
    if kind == "sqlite":
        return {}
    return {"REVUE_DATABASE_URL": f"{PG_SERVER}/{options.pg_database}", "REVUE_CACHE_URL": options.redis}


def generated(kind: str, data: Path, options) -> dict:
    """Make ``kind``'s archive in ``data`` (migrate a fresh database, then ``bench/bigpress.py``),
    or read the one ``--from`` kept; returns what ``bench.json`` says of it."""
    about = data / "bench.json"
    if options.source:
        if not about.exists():
            raise SystemExit(f"{about} is missing: --from needs a folder made with --keep")
        return json.loads(about.read_text())
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    database = database_of(kind, options)
    if kind == "postgresql":
        psql(f'DROP DATABASE IF EXISTS "{options.pg_database}"')
        psql(f'CREATE DATABASE "{options.pg_database}"')
    env = environment(data, database)
    print(f"\n{kind}: migrating a fresh database, then generating {options.articles:,} articles "
          f"({options.outlets:,} outlets) …", flush=True)
    subprocess.run([sys.executable, "-m", "revue", "init"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "bigpress.py"), "--articles", str(options.articles),
                    "--outlets", str(options.outlets),
                    *(["--processes", str(options.processes)] if options.processes is not None else [])],
                   cwd=ROOT, env=env, check=True)
    facts = {"articles": options.articles, "outlets": options.outlets, "seconds": time.perf_counter() - started,
             "pg_database": options.pg_database if kind == "postgresql" else None}
    about.write_text(json.dumps(facts))
    return facts


def database_bytes(kind: str, data: Path, options) -> int:
    if kind == "sqlite":
        return sum(path.stat().st_size for path in data.glob("revue.sqlite3*"))
    return int(psql("SELECT pg_database_size(current_database())", options.pg_database))


def renew(data: Path, database: dict) -> None:
    """Renew the reader generation as a settle does: the token file with the in-memory cache; on
    Redis, ``invalidate_reader_caches()`` in a process of its own (it writes the token and tells
    every server process, which keep their own copy of it: ``revue.news.cache``)."""
    if "REVUE_CACHE_URL" in database:
        subprocess.run([sys.executable, "-c", "import django; django.setup(); from revue.news.cache import "
                        "invalidate_reader_caches; invalidate_reader_caches()"],
                       cwd=ROOT, env={**environment(data, database), "DJANGO_SETTINGS_MODULE": "revue.settings"}, check=True)
    else:
        (data / "reader-generation").write_text(str(time.time_ns()))


def cold_views(port: int, data: Path, database: dict, path: str, times: int = 10) -> tuple[float, float]:
    """Median and slowest of ``times`` requests each made alone just after a renewal, ms."""
    spent = []
    for _ in range(times):
        renew(data, database)
        started = time.perf_counter()
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"})
        urllib.request.urlopen(request, timeout=30).read()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), max(spent)


def full_urls(port: int) -> dict[str, str]:
    home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read().decode()
    article = re.search(r'href="(/[-a-z0-9_]+/[0-9]+)"', home).group(1)
    story = re.search(r'href="(/histoire/[0-9]+/)"', home)
    return {"static file": STATIC, "home": "/", "article": article, "outlet": article.rsplit("/", 1)[0] + "/",
            "story": story.group(1) if story else "/histoire/1/", "search": SEARCH, "API list": API_LIST,
            "API article": f"/api/articles/{article.rsplit('/', 1)[1]}"}


def search_words(count: int = 4000) -> list[str]:
    """Searches a reader might type, each once: words of the four languages the archive is
    written in (``bench/bigpress.py`` draws its text from the same lists), past the commonest."""
    import wordfreq

    lists = [[w for w in wordfreq.top_n_list(language, 6000)[300:] if w.isalpha() and len(w) >= 4]
             for language in ("fr", "ar", "es", "en")]
    words = [word for group in itertools.zip_longest(*lists) for word in group if word]
    return [f"/recherche?q={urllib.parse.quote(word)}" for word in words[:count]]


def api_lists(days: int) -> list[str]:
    """API lists that no one asked for before: the 20 to 100 articles before each of the
    archive's last ``days`` days (``bench/bigpress.py`` spreads them over ``articles / 2,700`` days)."""
    today = time.time()
    return [f"/api/articles?limit={limit}&until={time.strftime('%Y-%m-%d', time.gmtime(today - n * 86400))}"
            for limit in range(20, 101) for n in range(1, max(days, 1) + 1)]


def measure_full(kind: str, data: Path, facts: dict, options) -> None:
    database = database_of(kind, options)
    if kind == "postgresql":
        import redis

        redis.Redis.from_url(options.redis).flushdb()  # the bench's own Redis database
    size = database_bytes(kind, data, options)
    print(f"\n{kind}: {facts['articles']:,} articles, {facts['outlets']:,} outlets "
          f"(generated in {facts['seconds']:.0f} s); database {size / 1e9:.2f} GB, "
          f"{size / facts['articles'] / 1000:.1f} kB per article", flush=True)
    port = free_port()
    name, _, kind = (options.server or [""])[0].partition(":")  # the first --server, as measure() reads it
    server_args = ("--server", name) if name else ()
    threads = 1 if kind == "sync" else options.threads
    server = start_server(options.root.resolve(), data, port, threads, server_args, database)
    try:
        urls = full_urls(port)
        print(f"revue serve{''.join(' ' + a for a in server_args)}, {options.clients} clients, {options.seconds:g} s per URL after {options.warmup:g} s "
              f"of warm-up, Accept-Encoding: gzip")
        print(f"{'URL':<16}{'path':<30}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'bytes':>8}"
              f"{'errors':>7}{'of static':>10}")
        static_rate = None
        words, days = search_words(), api_lists(facts["articles"] // 2700)
        rows = [(name, path, path, options.clients) for name, path in urls.items()] + [
            ("search, 1 client", SEARCH, SEARCH, 1),
            # never asked before, so never kept: what the search itself costs
            ("new search, 1", words[1::2], words[0::2], 1),
            (f"new search, {options.clients}", words[1::2][::-1], words[0::2][::-1], options.clients),
            ("new API list, 1", days[1::2], days[0::2], 1),
        ]
        if options.rows:
            rows = [row for row in rows if row[0].startswith(tuple(w.strip() for w in options.rows.split(",")))]
        for name, path, warm_up, clients in rows:
            load("127.0.0.1", port, warm_up, clients, options.warmup)
            figures = load("127.0.0.1", port, path, clients, options.seconds)
            static_rate = static_rate or figures["rate"]
            shown = path if isinstance(path, str) else path[0].split("=", 1)[0] + "=… (each once)"
            print(f"{name:<16}{shown[:29]:<30}{figures['rate']:>8.0f}{figures['p50']:>8.1f}{figures['p95']:>8.1f}"
                  f"{figures['p99']:>8.1f}{figures['bytes']:>8.0f}{figures['errors']:>7}"
                  f"{figures['rate'] / static_rate:>10.0%}", flush=True)
        if not options.rows:
            cold = {name: cold_views(port, data, database, urls[name]) for name in COLD_PAGES}
            print("cold: one request alone just after the reader generation is renewed, median (slowest) of 10: "
                  + ", ".join(f"{name} {median:.0f} ms ({slowest:.0f})" for name, (median, slowest) in cold.items()))
        print(GOALS, flush=True)
    finally:
        stop_server(server)


def full(options) -> None:
    """``--full``: for each of ``--databases``, a generated archive (or the one ``--from`` kept),
    its size per article, then the pages' figures; the archives are deleted unless ``--keep``."""
    folder = (options.source or options.keep or Path(tempfile.mkdtemp(prefix="revue-bench-serve-"))).resolve()
    try:
        for kind in options.databases.split(","):
            data = folder / kind
            facts = generated(kind, data, options)
            if kind == "postgresql":
                options.pg_database = facts["pg_database"] or options.pg_database
            measure_full(kind, data, facts, options)
    finally:
        if not (options.keep or options.source):
            shutil.rmtree(folder, ignore_errors=True)
            if "postgresql" in options.databases:
                psql(f'DROP DATABASE IF EXISTS "{options.pg_database}"')


if __name__ == "__main__":
    main()
