"""The proxy's disk cache, under ``REVUE_IMAGE_CACHE_DIR``: a diskcache ``Cache`` (SQLite for the
index and small values, one file per large value) of at most ``REVUE_IMAGE_CACHE_MAX_BYTES``.

Keys are ``<url hash>/original`` (the bytes fetched from the outlet, once checked),
``<url hash>/w640`` & co. (resized copies, made on first request) and, after a failed fetch,
``<url hash>/failed`` (when and why; its age says when to try again). diskcache writes each value
whole (a reader never sees half a file), is safe across threads and processes, and evicts the
least recently *served* entries as soon as the cache grows past its size. No Django here: paths
and limits come in as arguments.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import diskcache

_HASH = re.compile(r"^[0-9a-f]{64}$")
CULL_LIMIT = 16  # entries evicted at most per write once over the limit (diskcache's unit of work)

_open: dict[tuple[int, str, int], diskcache.Cache] = {}
_open_lock = threading.Lock()


class ImageStore:
    """The cache folder and its size limit; instances over one folder share one open cache."""

    def __init__(self, root: Path, max_bytes: int):
        self.root, self.max_bytes = Path(root), int(max_bytes)
        key = (os.getpid(), str(self.root), self.max_bytes)  # a forked process opens its own
        with _open_lock:
            cache = _open.get(key)
            if cache is None:
                cache = _open[key] = diskcache.Cache(
                    str(self.root), size_limit=self.max_bytes, cull_limit=CULL_LIMIT,
                    eviction_policy="least-recently-used")
        self.cache = cache

    @staticmethod
    def key(url_hash: str, name: str) -> str:
        if not _HASH.match(url_hash):
            raise ValueError(f"not an image URL hash: {url_hash!r}")
        return f"{url_hash}/{name}"

    def read(self, url_hash: str, name: str) -> bytes | None:
        """A cached file's bytes (the entry is marked as just served), or None."""
        data = self.cache.get(self.key(url_hash, name))
        return data if isinstance(data, bytes) else None

    def write(self, url_hash: str, name: str, data: bytes) -> None:
        self.cache.set(self.key(url_hash, name), bytes(data))

    def failure(self, url_hash: str, within_seconds: float) -> str:
        """The reason of a fetch that failed less than ``within_seconds`` ago, else ""."""
        failed = self.cache.get(self.key(url_hash, "failed"))
        if isinstance(failed, tuple) and time.time() - failed[0] < within_seconds:
            return failed[1]
        return ""

    def record_failure(self, url_hash: str, reason: str) -> None:
        self.cache.set(self.key(url_hash, "failed"), (time.time(), reason or "échec"))

    def clear_failure(self, url_hash: str) -> None:
        self.cache.delete(self.key(url_hash, "failed"))
