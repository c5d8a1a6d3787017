"""The web server behind ``revue serve``: gunicorn, one process per core, each with a few threads.

Why processes: Python runs one thread at a time per process, so a threaded server (waitress) uses
one core however many threads it has; gunicorn forks ``REVUE_SERVE_WORKERS`` processes (default:
the cores this process may run on), each with ``REVUE_SERVE_THREADS`` threads (``gthread``
workers), all accepting on one socket. Figures that chose it: README, "Serving readers".

How it is set up:

* **preload**: the application (Django, its apps, URLs, templates' code) is loaded once in the
  master before it forks, so workers share those pages of memory and start at once. Nothing that
  must not cross a fork is opened there: the database connections (``revue serve`` applied the
  migrations first) and the cache clients are closed before forking and after, in each worker.
* **proxy headers**: the application wears ``proxy_headers_from_trusted_proxies_only`` (as
  ``revue/wsgi.py`` does), and gunicorn's own handling of them is switched off
  (``forwarded_allow_ips`` empty, no ``secure_scheme_headers``), so ``REVUE_TRUSTED_PROXIES``
  alone decides who may name the reader's address or HTTPS.
* **timeouts and stopping**: a worker silent for ``REVUE_SERVE_TIMEOUT`` seconds is replaced;
  SIGTERM stops gracefully (requests in flight finish, up to that many seconds), SIGINT (Ctrl-C)
  at once; either way every worker goes with the master.
* **access log**: off unless ``REVUE_SERVE_ACCESS_LOG`` is on; then one line per request through
  the ``revue.portal.server`` logger, in Revue's log format (plain or JSON).
* **the ticker's event streams** (``/direct/flux``) are answered by Django, then taken from
  gunicorn by ``revue.portal.streams``: an open stream holds no thread, only its connection.
* **connections spread over the workers**: all accept on one socket, and with keep-alive a
  connection stays with the worker that took it. Left alone, whichever worker woke first took
  most of a burst (31 of 32 new connections, seen again and again), and one core idled while the
  other served them all: half the rate. A worker holding at least as many connections as it has
  threads lets the others take a new one first (``SharingThreadWorker``).
* **the page cache** stays one across processes: each worker keeps its own copies in memory, but
  under the reader generation that ``revue.news.cache`` keeps in the data folder (or in Redis),
  so a settle or a block renews every worker's pages at once.
"""

from __future__ import annotations

import logging
import os
import time

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

logger = logging.getLogger(__name__)


def cores() -> int:
    """The cores this process may run on (its CPU affinity), at least one."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def close_connections() -> None:
    """Close the database connections and cache clients of this process (around a fork)."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


class AccessLog(Logger):
    """gunicorn's logger, whose access lines go to ``revue.portal.server`` in Revue's format."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        logger.info(
            "request",
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "url": environ.get("RAW_URI") or environ.get("PATH_INFO"),
                "status": resp.status_code if hasattr(resp, "status_code") else str(resp.status).split()[0],
                "bytes": getattr(resp, "sent", None),
                "ms": round(request_time.total_seconds() * 1000, 1),
                "client": environ.get("REMOTE_ADDR"),
                "pid": os.getpid(),
            },
        )

    def setup(self, cfg):
        super().setup(cfg)
        self.access_log.handlers.clear()  # never gunicorn's own access file or stream
        self.access_log.propagate = False
        revue = logging.getLogger("revue")  # gunicorn's own lines (start, workers, signals) in Revue's format too
        self.error_log.handlers = list(revue.handlers)
        self.error_log.propagate = False
        self.error_log.setLevel(revue.level or logging.INFO)  # REVUE_LOG_LEVEL


ACCEPT_YIELD_SECONDS = 0.001  # what a worker waits, per set of connections as many as its threads, before accepting


class SharingThreadWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker that, holding at least as many connections as it has threads,
    waits a moment before accepting one more (a millisecond per such set, four at most): an idle
    or lighter worker, woken by the same connection, takes it meanwhile, and this one finds
    nothing to accept. Alone (one worker) it never waits."""

    def accept(self, server, listener):
        sets = self.nr_conns // max(1, self.cfg.threads)
        if sets and self.cfg.workers > 1:
            time.sleep(ACCEPT_YIELD_SECONDS * min(4, sets))
        super().accept(server, listener)


class RevueServer(BaseApplication):
    """gunicorn run in this process (it becomes the master), on an application loaded here."""

    def __init__(self, application, options: dict):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def options(host: str, port: int, workers: int, threads: int, timeout: int, access_log: bool) -> dict:
    """gunicorn's settings for ``revue serve``."""

    def post_fork(server, worker):  # noqa: ARG001  (gunicorn's hook signature)
        close_connections()

    def worker_exit(server, worker):  # noqa: ARG001
        # A worker that served ends here, without the exit hooks it inherited from the master:
        # `revue demo` crawled first, and multiprocessing's hooks in a fork wait forever on locks
        # held by threads that only the master has (SIGTERM then took the graceful timeout and
        # a SIGKILL). One that failed to boot exits as gunicorn says, with its code.
        if worker.booted and worker.pid == os.getpid():  # gunicorn calls it in the master too, for a dead worker
            logging.shutdown()
            os._exit(0)

    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": SharingThreadWorker if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": timeout,
        "keepalive": 5,
        "preload_app": True,
        "forwarded_allow_ips": "",  # our guard decides (REVUE_TRUSTED_PROXIES), never gunicorn
        "secure_scheme_headers": {},  # HTTPS from a proxy: Django's SECURE_PROXY_SSL_HEADER, guarded
        "proxy_allow_ips": "",
        "accesslog": "-" if access_log else None,
        "logger_class": AccessLog,
        "post_fork": post_fork,
        "worker_exit": worker_exit,
        "proc_name": "revue",
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
    }


def serve(application, host: str, port: int, workers: int, threads: int, timeout: int, access_log: bool) -> None:
    """Serve ``application`` with gunicorn until SIGTERM or SIGINT (returns when every worker is gone)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (import every view now, in the master: shared by the workers)
    close_connections()
    from revue.portal.streams import live_streams

    # the ticker's event streams leave gunicorn's threads for one thread per process (revue.portal.streams)
    RevueServer(live_streams(application), options(host, port, workers, threads, timeout, access_log)).run()
