"""The ticker's open event streams: taken from gunicorn's threads, fed by one thread per process.

gunicorn's workers (``gthread``, or ``sync``) give each request a thread until its answer ends,
so an event stream answered as a long streaming response would hold one of a process's
``REVUE_SERVE_THREADS`` threads per reader: a few readers would leave none for the pages. Here
the request is answered by Django as usual (``revue.portal.live.stream``: the headers and the
first event, written through gunicorn), then ``live_streams`` keeps a duplicate of the
connection's socket and tells gunicorn it is done: gunicorn closes its own descriptor (the
connection stays open on ours), writes no last chunk, and its thread serves the next request.

Each process then has one ``Broadcaster`` thread that holds every kept connection. Every
``REVUE_TICKER_CHECK_SECONDS`` it reads the reader generation (``revue.news.cache``: a file or
one Redis key; the same whatever the number of readers); when a settle has renewed it, it builds
the event once and writes it to every connection; every ``REVUE_TICKER_HEARTBEAT_SECONDS`` it
writes a comment line, so that proxies keep idle connections. A reader who leaves (the socket
turns readable at end of file) or cannot take an event at once (its buffer full) is dropped; its
browser reconnects by itself. Past ``REVUE_TICKER_MAX_STREAMS`` connections in a process (never
more than half its open-file limit), or outside gunicorn, the stream is not kept: it ends after
its first event and the browser comes back after ``retry`` (the poll interval).
"""

from __future__ import annotations

import logging
import os
import resource
import selectors
import socket
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

STREAM_PATH = "/direct/flux"
HEARTBEAT = b": \n\n"  # a comment line: readers ignore it


@dataclass(eq=False)
class Stream:
    """One reader's kept connection: our duplicate of its socket, chunked or not."""

    sock: socket.socket
    chunked: bool
    generation: str  # the generation of the last event it was sent

    def frame(self, data: bytes) -> bytes:
        return b"%x\r\n%s\r\n" % (len(data), data) if self.chunked else data

    def send(self, data: bytes) -> bool:
        """Write ``data`` whole at once, or say the reader is lost (never blocks)."""
        framed = self.frame(data)
        try:
            return self.sock.send(framed) == len(framed)
        except OSError:
            return False


class Broadcaster:
    """The process's kept streams and the thread that feeds them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arriving: list[Stream] = []
        self.streams: set[Stream] = set()
        self.reserved = 0  # places taken by streams being answered
        self.selector = selectors.DefaultSelector()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()
        self.generation = ""
        self.data = ""  # the headlines (JSON) last sent
        self.event = b""
        self.wake_reader, self.wake_writer = socket.socketpair()
        self.wake_reader.setblocking(False)
        self.selector.register(self.wake_reader, selectors.EVENT_READ)

    def reserve(self) -> bool:
        """Take a place for a stream about to be answered, if the process has one left (the
        place counts from now, so that readers arriving together never pass the limit)."""
        with self.lock:
            if len(self.streams) + len(self.arriving) + self.reserved >= max_streams():
                return False
            self.reserved += 1
            return True

    def release(self) -> None:
        """Give back a place taken by ``reserve`` for a stream that was not kept."""
        with self.lock:
            self.reserved -= 1

    def add(self, stream: Stream) -> None:
        """Keep ``stream``, in the place ``reserve`` took for it."""
        stream.sock.setblocking(False)
        with self.lock:
            self.reserved -= 1
            self.arriving.append(stream)
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="revue-ticker", daemon=True)
                self.thread.start()
        try:
            self.wake_writer.send(b"\0")
        except OSError:  # the wake-up pipe is full: the thread is awake anyway
            pass

    def drop(self, stream: Stream) -> None:
        with self.lock:
            self.streams.discard(stream)
        try:
            self.selector.unregister(stream.sock)
        except (KeyError, ValueError):
            pass
        stream.sock.close()

    def welcome(self) -> None:
        """Take the streams that arrived; one that missed an event since its first gets it now."""
        with self.lock:  # counted all along (reserve), never between the two
            arriving, self.arriving = self.arriving, []
            self.streams.update(arriving)
        for stream in arriving:
            self.selector.register(stream.sock, selectors.EVENT_READ, stream)
            if self.event and stream.generation != self.generation:
                stream.generation = self.generation
                if not stream.send(self.event):
                    self.drop(stream)

    def broadcast(self, data: bytes) -> None:
        """Write ``data`` to every stream; drop those that cannot take it."""
        for stream in list(self.streams):
            if not stream.send(data):
                self.drop(stream)

    def check(self) -> None:
        """Send the new headlines when the generation changed: built once per change, whatever
        the number of readers; not sent again when they did not change (an image block)."""
        from revue.portal.cache import generation
        from revue.portal.live import event, headlines_json

        token = generation()
        if token == self.generation:
            return
        try:
            data = headlines_json()
        finally:
            connection.close()  # this thread's own connection, if the headlines were read
        previous_token, previous_data = self.generation, self.data
        self.generation, self.data, self.event = token, data, event(token, data)
        for stream in list(self.streams):
            if stream.generation == token:
                continue
            unchanged = stream.generation == previous_token and data == previous_data
            stream.generation = token
            if not unchanged and not stream.send(self.event):
                self.drop(stream)

    def run(self) -> None:
        check_every = settings.REVUE_TICKER_CHECK_SECONDS
        heartbeat_every = settings.REVUE_TICKER_HEARTBEAT_SECONDS
        next_check = next_heartbeat = time.monotonic()
        while True:
            try:
                timeout = max(0.0, min(next_check, next_heartbeat) - time.monotonic())
                for key, _ in self.selector.select(timeout):
                    if key.data is None:  # woken: streams arrived
                        self.wake_reader.recv(4096)
                    else:  # the reader left (end of file) or wrote what it should not: drop it
                        self.drop(key.data)
                self.welcome()
                now = time.monotonic()
                if now >= next_check:
                    next_check = now + check_every
                    self.check()
                if now >= next_heartbeat:
                    next_heartbeat = now + heartbeat_every
                    self.broadcast(HEARTBEAT)
            except Exception:  # never let the thread die: readers would wait forever
                logger.exception("ticker broadcaster failed", extra={"stage": "ticker"})
                time.sleep(check_every)


def max_streams() -> int:
    """``REVUE_TICKER_MAX_STREAMS``, but never more than half the process's open-file limit: each
    kept stream holds a descriptor, and the pages' connections, the database and the cache need theirs."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return (
        settings.REVUE_TICKER_MAX_STREAMS
        if soft == resource.RLIM_INFINITY
        else min(settings.REVUE_TICKER_MAX_STREAMS, soft // 2)
    )


_broadcaster: Broadcaster | None = None
_broadcaster_lock = threading.Lock()


def broadcaster() -> Broadcaster:
    """This process's broadcaster (a fresh one in a forked child)."""
    global _broadcaster
    with _broadcaster_lock:
        if _broadcaster is None or _broadcaster.pid != os.getpid():
            _broadcaster = Broadcaster()
        return _broadcaster


def gunicorn_response(environ, start_response):
    """gunicorn's response object behind ``start_response``, if the connection can be kept."""
    response = getattr(start_response, "__self__", None)
    sock = environ.get("gunicorn.socket")
    if response is None or not isinstance(sock, socket.socket) or type(sock) is not socket.socket:
        return None  # not gunicorn, or TLS (an SSLSocket cannot be shared)
    if not all(hasattr(response, name) for name in ("chunked", "force_close", "write", "headers_sent")):
        return None
    return response


def live_streams(application):
    """Wrap a WSGI application: ``STREAM_PATH`` answers are kept open by this process's
    broadcaster when the server is gunicorn and the process has room (see the module's docstring)."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != STREAM_PATH or environ.get("REQUEST_METHOD") != "GET":
            return application(environ, start_response)
        environ.pop("HTTP_ACCEPT_ENCODING", None)  # events are written raw, later, by the broadcaster
        response = gunicorn_response(environ, start_response)
        if response is None or not broadcaster().reserve():
            return application(environ, start_response)
        kept = False
        try:
            response.force_close()  # "Connection: close": the connection ends with the stream
            body = application(environ, start_response)
            if response.status_code != 200:
                return body
            try:
                for chunk in body:
                    response.write(chunk)  # the headers and the first event, through gunicorn
            finally:
                if hasattr(body, "close"):
                    body.close()
            from revue.portal.live import GENERATION

            stream = Stream(
                environ["gunicorn.socket"].dup(), chunked=response.chunked, generation=environ.get(GENERATION, "")
            )
            response.chunked = False  # the stream goes on: gunicorn must not write the last chunk
            broadcaster().add(stream)
            kept = True
            return []
        finally:
            if not kept:
                broadcaster().release()

    return wrapped
