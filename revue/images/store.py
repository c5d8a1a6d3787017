"""The proxy's disk cache: one folder per image URL, under ``REVUE_IMAGE_CACHE_DIR``.

``<dir>/<2 hex>/<url hash>/`` holds ``original`` (the bytes fetched from the outlet, once
checked), ``w640`` & co. (resized copies, made on first request) and, after a failed fetch,
``failed`` (the reason; its age says when to try again). Files are written to a temporary name
and renamed, so a reader never sees half a file and two writers never mix. A folder's time is
touched when served; ``prune`` removes the least recently served folders when the cache grows
past its size. No Django here: paths and limits come in as arguments.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")
PRUNE_TO = 0.9  # prune down to this share of the size limit
PRUNE_INTERVAL_SECONDS = 300.0  # measure the cache at most this often per process


@dataclass(frozen=True)
class ImageStore:
    """The cache folder and its size limit."""

    root: Path
    max_bytes: int

    def folder(self, url_hash: str) -> Path:
        if not _HASH.match(url_hash):
            raise ValueError(f"not an image URL hash: {url_hash!r}")
        return self.root / url_hash[:2] / url_hash

    def read(self, url_hash: str, name: str) -> bytes | None:
        """A cached file's bytes (the folder is marked as just served), or None."""
        folder = self.folder(url_hash)
        try:
            data = (folder / name).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        _touch(folder)
        return data

    def write(self, url_hash: str, name: str, data: bytes) -> None:
        folder = self.folder(url_hash)
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def failure(self, url_hash: str, within_seconds: float) -> str:
        """The reason of a fetch that failed less than ``within_seconds`` ago, else ""."""
        path = self.folder(url_hash) / "failed"
        try:
            if time.time() - path.stat().st_mtime < within_seconds:
                return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        return ""

    def record_failure(self, url_hash: str, reason: str) -> None:
        self.write(url_hash, "failed", (reason or "échec").encode("utf-8"))

    def clear_failure(self, url_hash: str) -> None:
        (self.folder(url_hash) / "failed").unlink(missing_ok=True)


def _touch(folder: Path) -> None:
    try:
        os.utime(folder)
    except OSError:  # removed meanwhile by a prune: the bytes were read already
        return


# --- size limit ---------------------------------------------------------------------------------

_prune_lock = threading.Lock()
_last_prune = {"at": float("-inf")}


def _folders(root: Path) -> list[tuple[float, int, Path]]:
    """(last served, bytes, folder) of every cached image."""
    found = []
    for shard in root.iterdir() if root.is_dir() else ():
        if not shard.is_dir():
            continue
        for folder in shard.iterdir():
            try:
                size = sum(entry.stat().st_size for entry in folder.iterdir())
                found.append((folder.stat().st_mtime, size, folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
    return found


def prune(store: ImageStore, *, force: bool = False) -> int:
    """Remove the least recently served images until the cache is under ``PRUNE_TO`` of its
    limit; runs at most every ``PRUNE_INTERVAL_SECONDS`` unless forced. Bytes freed."""
    now = time.monotonic()
    with _prune_lock:
        if not force and now - _last_prune["at"] < PRUNE_INTERVAL_SECONDS:
            return 0
        _last_prune["at"] = now
        folders = _folders(store.root)
        total = sum(size for _, size, _ in folders)
        if total <= store.max_bytes:
            return 0
        freed = 0
        for _, size, folder in sorted(folders):
            if total - freed <= store.max_bytes * PRUNE_TO:
                break
            shutil.rmtree(folder, ignore_errors=True)
            freed += size
        return freed
