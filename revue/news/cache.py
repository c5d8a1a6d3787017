"""The generation of every cache that shows readers the archive, and the switch that renews it.

Readers' caches (the portal's pages, front page and navigation, and any list the feeds or the
API keep) put the *generation* token in their keys. ``invalidate_reader_caches()`` replaces the
token, so every key built before it is never read again and simply expires. It works the same on
the in-memory cache and on a shared Redis cache, and needs no list of keys.

Where the token lives: in the cache itself when the cache is shared (Redis); when it is each
process's own memory (``locmem://``, the default), in a small file of the data folder
(``reader-generation``), so that the crawler's settle process, or a moderator's block in one
server process, renews the pages every other process on the machine keeps.

With Redis, each process keeps its own copy of the token, so that a kept page costs no round
trip: a thread per process (started by its first reader, again in each forked process) is
subscribed to a channel on which every renewal is published, in the same step as it is written
(a Lua script: Redis runs it whole, so messages come in the order of the writes). While the
subscription is healthy, ``reader_generation()`` answers from memory; before it is, or once its
connection is lost or has been silent past ``SUBSCRIPTION_LEASE_SECONDS`` (it pings every
``SUBSCRIPTION_PING_SECONDS``), every call reads Redis, as before. A new subscription first
asks for the current token to be published on it (the *echo*, marked with a nonce of this
process): what came on the channel before the echo is older than it, so a renewal missed while
disconnected is never kept. A renewal made by this process is its own token at once (the
moderator's next page), and a message older than it, still on its way, does not take it back.
Each ping also compares the token with the key: a writer that does not publish (a Revue of
before, in a rolling upgrade; a key flushed or evicted) gets the key published for everyone.

It lives here, beside ``Image``, because what readers may see changes in the apps above
``news``: moderation calls it when an image gets blocked or restored, the crawl when a settle
brings new articles into stories, and the portal builds its keys from ``reader_generation()`` —
none needs to import another.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

GENERATION_KEY = "portal:generation"  # the key the portal has always used: warm caches stay valid
GENERATION_FILE = "reader-generation"  # in REVUE_DATA_DIR, when the cache is each process's own
LOCAL_MEMORY = (  # each process's own memory (the second shares only its counters: revue.portal.sharedcache)
    "django.core.cache.backends.locmem.LocMemCache",
    "revue.portal.sharedcache.LocalMemoryWithSharedCounters",
)


def _new_generation() -> str:
    # a fresh token, never a counter: a counter evicted and restarted at 1 could revive old keys
    return str(time.time_ns())


def _generation_file() -> Path | None:
    """The file that holds the token when the cache is this process's own memory, else None."""
    return Path(settings.DATA_DIR) / GENERATION_FILE if settings.CACHES["default"]["BACKEND"] in LOCAL_MEMORY else None


def _write(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    temporary.write_text(token)
    os.replace(temporary, path)  # readers see the old token or the new one, never half of one


def _read(path: Path) -> str:
    descriptor = os.open(path, os.O_RDONLY)  # a few microseconds: read on every page view
    try:
        return os.read(descriptor, 64).decode("ascii", "replace")
    finally:
        os.close(descriptor)


def reader_generation() -> str:
    """The current generation token, created on first use."""
    path = _generation_file()
    if path is not None:
        try:
            token = _read(path)
        except FileNotFoundError:
            token = ""
        if not token:
            token = _new_generation()
            _write(path, token)
        return token
    shared = _shared_generation()
    if shared is not None:
        return shared.current()
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        token = cache.get(GENERATION_KEY) or _new_generation()
    return token


def invalidate_reader_caches() -> None:
    """Forget everything cached for readers (pages, front page, navigation, counts, feeds, API lists)."""
    path = _generation_file()
    if path is not None:
        _write(path, _new_generation())
        return
    shared = _shared_generation()
    if shared is not None:
        shared.renew()
    else:
        cache.set(GENERATION_KEY, _new_generation(), None)


# --- with Redis: the token published, and each process's copy --------------------------------

SUBSCRIPTION_PING_SECONDS = 1.0  # the subscriber pings (and compares its token with the key) this often
SUBSCRIPTION_LEASE_SECONDS = 3.0  # silent this long, the subscription is not trusted: Redis is read again
RESUBSCRIBE_SECONDS = (0.5, 5.0)  # the wait before subscribing again after a loss: first, at most (Redis is read meanwhile)
NONCE_BYTES = 16  # a message is this many bytes of nonce (an echo's, else dashes), then the key's value
RENEWAL = b"-" * NONCE_BYTES

# KEYS[1] the generation's key; ARGV[1] the channel, ARGV[2] a new token (stored as Django stores
# it), ARGV[3] "renew" (store it) or "echo" (store it only if the key is missing), ARGV[4] the
# nonce. The key's value is published as it is after the call, so that every subscriber sees the
# values in the order they were written.
PUBLISH_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if ARGV[3] == 'renew' or not value then
  value = ARGV[2]
  redis.call('SET', KEYS[1], value)
end
redis.call('PUBLISH', ARGV[1], ARGV[4] .. value)
return value
"""


def _decoded(value: bytes | int | str) -> str:
    """A token as Django's Redis cache reads the key (an int stays digits, else a pickled str)."""
    if isinstance(value, bytes):
        try:
            value = int(value)
        except ValueError:
            value = pickle.loads(value)  # noqa: S301  (our own key, written by us or by Django)
    return str(value)


class SharedGeneration:
    """The token in Redis, and this process's copy of it, kept by a thread subscribed to renewals."""

    def __init__(self, config: dict):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.config = config
        location = config["LOCATION"]
        # the primary (the first server), which Django writes to
        server = re.split("[;,]", location)[0] if isinstance(location, str) else location[0]
        self.key = cache.make_and_validate_key(GENERATION_KEY)
        self.client = redis.Redis.from_url(server)
        self.channel = f"{self.key}:renewals:{self.client.connection_pool.connection_kwargs.get('db', 0)}"
        self.script = self.client.register_script(PUBLISH_SCRIPT)
        # the subscriber's own connection: no silent reconnection (a loss must be seen, then read again)
        self.listener = redis.Redis.from_url(
            server, retry=Retry(NoBackoff(), 0, supported_errors=()), socket_keepalive=True, socket_connect_timeout=5,
            client_name=f"revue-generation-{os.getpid()}",
        )  # fmt: skip
        self.lock = threading.Lock()
        self.epoch = 0  # counts subscriptions made and lost
        self.subscribed = False  # the current epoch's subscription is confirmed by Redis
        self.token: str | None = None  # the copy served; None until this subscription's echo came back
        self.awaiting: list[str] = []  # this process's renewals made on this subscription, not yet back on it
        self.heard: deque[str] = deque(maxlen=64)  # the tokens last heard on this subscription
        self.heard_at = 0.0  # time.monotonic() when the subscription last said something
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._follow_forever, name="revue-generation", daemon=True)
        # started by the first reader: a process that only renews (the crawler's) needs no subscriber

    # --- what readers and writers call --------------------------------------------------------

    def current(self) -> str:
        token = self.token
        if token is not None and time.monotonic() - self.heard_at < SUBSCRIPTION_LEASE_SECONDS:
            return token
        if self.thread.ident is None:
            with self.lock:
                if self.thread.ident is None:
                    self.thread.start()
        found = cache.get(GENERATION_KEY)  # not subscribed: Redis says
        return str(found) if found is not None else self.publish("echo", RENEWAL)

    def renew(self) -> str:
        with self.lock:
            epoch = self.epoch if self.subscribed else None
        token = self.publish("renew", RENEWAL)
        with self.lock:
            # made while subscribed, its message comes on this subscription (unless already heard):
            # until then, ours is newer than what comes before it
            if epoch == self.epoch and token not in self.heard:
                self.awaiting.append(token)
                if self.token is not None:
                    self.token = token
        return token

    def publish(self, action: str, nonce: bytes) -> str:
        value = self.script(keys=[self.key], args=[self.channel, pickle.dumps(_new_generation()), action, nonce])
        return _decoded(value)

    def stop(self) -> None:
        self.stopped.set()

    # --- the subscriber -------------------------------------------------------------------------

    def _follow_forever(self) -> None:
        wait = RESUBSCRIBE_SECONDS[0]
        try:
            while not self.stopped.is_set():
                started = time.monotonic()
                try:
                    self._follow()
                except Exception as error:  # noqa: BLE001  (any loss: read Redis meanwhile, subscribe again)
                    logger.warning("reader generation: subscription lost (%r), Redis is read until it is back", error)
                finally:
                    self._lost()
                if time.monotonic() - started > SUBSCRIPTION_LEASE_SECONDS:
                    wait = RESUBSCRIBE_SECONDS[0]  # it had been working: try again soon
                self.stopped.wait(wait)
                wait = min(wait * 2, RESUBSCRIBE_SECONDS[1])
        finally:
            self._lost()

    def _lost(self) -> None:
        with self.lock:
            self.epoch += 1
            self.subscribed, self.token = False, None
            self.awaiting.clear()
            self.heard.clear()

    def _follow(self) -> None:
        nonce = secrets.token_hex(NONCE_BYTES // 2).encode()
        pubsub = self.listener.pubsub()
        try:
            pubsub.subscribe(self.channel)
            pinged = time.monotonic()
            while not self.stopped.is_set():
                message = pubsub.get_message(timeout=max(0.0, pinged + SUBSCRIPTION_PING_SECONDS - time.monotonic()))
                now = time.monotonic()
                if message is not None:
                    self.heard_at = now
                    if message["type"] == "subscribe":
                        with self.lock:
                            self.epoch += 1
                            self.subscribed = True
                        self.publish("echo", nonce)  # what came before it is older: only from it on is a copy kept
                    elif message["type"] == "message":
                        self._heard(message["data"], nonce)
                if now - pinged >= SUBSCRIPTION_PING_SECONDS:
                    pubsub.ping()
                    pinged = now
                    self._compare()
        finally:
            pubsub.close()

    def _heard(self, data: bytes, nonce: bytes) -> None:
        token = _decoded(data[NONCE_BYTES:])
        with self.lock:
            self.heard.append(token)
            if token in self.awaiting:  # our own renewal is back: what follows is newer
                self.awaiting.remove(token)
                if self.token is not None and not self.awaiting:
                    self.token = token
            elif self.token is None:  # waiting for our echo: anything before it is older
                if data[:NONCE_BYTES] == nonce:
                    self.token = self.awaiting[-1] if self.awaiting else token  # ours came after the echo
            elif not self.awaiting:
                self.token = token
            # else: a renewal made before ours, still on its way: ours is newer

    def _compare(self) -> None:
        """A token unlike the key (and no renewal of ours on its way): the key was written without
        being published (a Revue of before) or lost (flushed, evicted). Publish it for everyone (a
        renewal on its way meanwhile only costs a message)."""
        token = self.token
        if token is None or self.awaiting:
            return
        found = self.client.get(self.key)
        if found is None or _decoded(found) != token:
            self.publish("echo", RENEWAL)


_shared: tuple[dict, SharedGeneration | None] | None = None  # (the cache's settings, its SharedGeneration)
_shared_lock = threading.Lock()


def _shared_generation() -> SharedGeneration | None:
    """This process's SharedGeneration when the cache is Redis, else None (made on first use, in
    each process: a forked child starts its own subscriber)."""
    global _shared
    config = settings.CACHES["default"]
    found = _shared
    if found is not None and found[0] is config:
        return found[1]
    with _shared_lock:
        if _shared is not None and _shared[0] is config:
            return _shared[1]
        if _shared is not None and _shared[1] is not None:
            _shared[1].stop()  # the settings changed (tests)
        from django.core.cache.backends.redis import RedisCache

        is_redis = issubclass(import_string(config["BACKEND"]), RedisCache)
        _shared = (config, SharedGeneration(config) if is_redis else None)
        return _shared[1]


def _forget_in_child() -> None:
    global _shared, _shared_lock
    _shared, _shared_lock = None, threading.Lock()  # the parent's subscriber thread is not here


os.register_at_fork(after_in_child=_forget_in_child)
