"""``revue serve`` on every core (issue #17): processes that answer, stop together and agree.

``revue serve`` runs as an operator starts it (a subprocess on the test database, its cache in
each process's own memory, as by default), with ``REVUE_SERVE_WORKERS=2``:

* the master forks that many worker processes (read from the process tree, ``/proc``), and one
  SIGTERM to the master stops every one of them, the master exiting cleanly;
* a block made through one worker (three readers' reports behind the trusted proxy) is seen by
  every worker at once: each request on a fresh connection (which any worker may accept) shows
  the placeholder, though every worker kept the page with the image a moment before;
* a burst of keep-alive connections is spread over the workers (counted from ``/proc``), not
  kept almost all by the one that woke first;
* readers and the crawler at once, on SQLite: while ``revue crawl`` (its own processes) takes in
  a cold import from a loopback press, readers' requests (fronts, an outlet, an article, a
  search, the API) all answer 200, none sees "database is locked", and the p99 is printed.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from revue.demo import DemoPress
from revue.demo.server import serve_press
from revue.news.models import Article, Image
from tests.crawl.test_workers import database_url, start_worker
from tests.e2e.conftest import empty_archive, follow_press
from tests.e2e.test_cached_pages import report_through_the_proxy
from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_reports_behind_a_proxy import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


@contextmanager
def revue_serve(**settings: str):
    """``revue serve`` with ``WORKERS`` processes on a free port; yields (base URL, the master's Popen)."""
    port = free_port()
    env = {**os.environ, "REVUE_DATABASE_URL": database_url(), "REVUE_LOG_LEVEL": "WARNING",
           "REVUE_SERVE_WORKERS": str(WORKERS), **settings}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "revue", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(children(server.pid)) < WORKERS or not answers(base):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"revue serve did not start:\n{server.communicate()[0] if server.poll() is not None else ''}")
            time.sleep(0.2)
        yield base, server
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/robots.txt", timeout=2).status_code in (200, 301)  # 301: REVUE_HTTPS
    except httpx.TransportError:
        return False


def children(pid: int) -> list[int]:
    """The live (not zombie) processes whose parent is ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, parent = stat.rpartition(")")[2].split()[:2]
        if int(parent) == pid and state != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def fresh(base: str, path: str) -> httpx.Response:
    """One request on a connection of its own (any worker process may accept it)."""
    return httpx.get(f"{base}{path}", headers={"Connection": "close"}, timeout=20)


def test_the_master_forks_one_process_per_worker_and_sigterm_stops_them_all():
    with revue_serve() as (base, server):
        workers = children(server.pid)
        assert len(workers) == WORKERS
        assert all(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:4] == [b"-m", b"revue", b"serve"]
                   for pid in workers)  # fmt: skip
        assert all(fresh(base, "/").status_code == 200 for _ in range(10))

        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
        assert server.returncode == 0, output
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "a worker outlived its master"


def test_a_block_through_one_worker_is_seen_by_every_worker_at_once():
    article = publish("http://127.0.0.1:9")
    image, path = article.image, article.get_absolute_url()
    settings = {"REVUE_CLIENT_ADDRESS_HEADER": "X-Forwarded-For", "REVUE_TRUSTED_PROXIES": "127.0.0.1",
                "REVUE_FRONT_CACHE_SECONDS": "3600", "REVUE_ARTICLE_CACHE_SECONDS": "3600"}  # fmt: skip
    with revue_serve(**settings) as (base, _server):
        kept = [fresh(base, path) for _ in range(20)]  # every worker keeps its copy with the image
        assert all("/img/" in page.text and 'aria-label="Image retirée"' not in page.text for page in kept)

        for network in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):
            report_through_the_proxy(base, path, image.pk, network)
        image.refresh_from_db()
        assert image.is_blocked

        after = [fresh(base, path) for _ in range(20)]
        assert all('aria-label="Image retirée"' in page.text for page in after), "a worker still shows the image"
        homes = [fresh(base, "/") for _ in range(20)]
        assert all("image-placeholder" in home.text for home in homes)
    Image.objects.all().delete()


def test_readers_are_answered_while_the_crawler_takes_in_a_cold_import(allow_loopback):
    article = publish("http://127.0.0.1:9")
    paths = ["/", article.get_absolute_url(), f"/{article.source.slug}/", "/recherche?q=maroc",
             "/api/articles?limit=20"]  # fmt: skip
    results: list[tuple[int, float, str]] = []
    crawling = threading.Event()

    def read(base: str, offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as browser:
            n = offset
            while crawling.is_set():
                path = paths[n % len(paths)]
                started = time.perf_counter()
                try:
                    answer = browser.get(path)
                    results.append((answer.status_code, time.perf_counter() - started, path))
                except httpx.HTTPError as error:
                    results.append((0, time.perf_counter() - started, f"{path}: {error!r}"))
                n += 1
                time.sleep(0.02)

    with revue_serve() as (base, server), serve_press(DemoPress(outlets=8)) as running:
        follow_press(running)
        crawling.set()
        readers = [threading.Thread(target=read, args=(base, n)) for n in range(4)]
        for thread in readers:
            thread.start()
        try:
            crawler = start_worker(REVUE_CRAWL_PROCESSES="2")
            crawl_output = crawler.communicate(timeout=300)[0]
        finally:
            crawling.clear()
            for thread in readers:
                thread.join()
        server.terminate()
        server_output = server.communicate(timeout=30)[0]

    assert crawler.returncode == 0, crawl_output
    assert Article.objects.count() > 200, "a cold import of the press"
    failed = [(status, path) for status, _, path in results if status != 200]
    assert len(results) >= 200 and not failed, (failed[:10], server_output[-6000:])
    assert "database is locked" not in server_output, server_output[-3000:]
    latencies = sorted(seconds for _, seconds, _ in results)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"\n{len(results)} readers' requests during a cold import of {Article.objects.count()} articles: "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
    assert p99 < 2.0, "the goal is a second; twice that on a shared test machine"  # fmt: skip
    empty_archive()


@pytest.mark.parametrize("trusted, redirected", [("", True), ("127.0.0.1", False)])
def test_gunicorn_believes_x_forwarded_proto_only_from_a_trusted_proxy(trusted, redirected):
    """With REVUE_HTTPS on, a direct client claiming HTTPS is still sent to HTTPS: gunicorn's own
    trust in X-Forwarded-Proto from 127.0.0.1 (its default) is off; the trusted proxy's word is taken."""
    with revue_serve(REVUE_HTTPS="1", REVUE_TRUSTED_PROXIES=trusted) as (base, _server):
        answer = httpx.get(f"{base}/robots.txt", headers={"X-Forwarded-Proto": "https"}, timeout=20)
        assert (answer.status_code == 301 and answer.headers["Location"].startswith("https://")) is redirected
        assert answer.status_code in (200, 301)


def connections_per_process(port: int, pids: list[int]) -> dict[int, int]:
    """How many established TCP connections to ``port`` each of ``pids`` holds (/proc/net/tcp's
    sockets, matched to the processes' open files by inode)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:  # ESTABLISHED, our side
            inodes.add(fields[9])
    held = {}
    for pid in pids:
        links = []
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                links.append(os.readlink(fd))
            except OSError:
                continue
        held[pid] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in inodes)
    return held


def test_a_burst_of_keep_alive_connections_is_spread_over_the_workers():
    """32 connections made at once and kept (as a proxy's upstream pool, or a load test, makes
    them): each worker takes a fair share, so both cores serve them. With gunicorn's own worker,
    the one that woke first took 29-31 of 32 in most tries here, the other core idle."""
    import socket

    threads = 8
    with revue_serve(REVUE_SERVE_THREADS=str(threads)) as (base, server):
        port = int(base.rsplit(":", 1)[1])
        workers = children(server.pid)
        for attempt in range(6):
            sockets = []
            try:
                for _ in range(32):  # each asks at once, as a load test's clients do
                    sockets.append(socket.create_connection(("127.0.0.1", port), timeout=20))
                    sockets[-1].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                for connection in sockets:
                    assert connection.recv(65536).startswith(b"HTTP/1.1 200"), attempt
                held = connections_per_process(port, workers)
            finally:
                for connection in sockets:
                    connection.close()
            assert sum(held.values()) == 32, held
            assert min(held.values()) >= threads // 2, (attempt, held)
            time.sleep(0.5)
