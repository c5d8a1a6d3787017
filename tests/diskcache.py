"""Figures that do not depend on Revue's code (plain trafilatura's texts, the TF-IDF baseline's
score), kept on disk between runs under ``build/cache/<kind>/``, one JSON file per environment:
Python's version and every installed distribution's but Revue's. A key names its input (a page's
hash, a data set's and the baseline code's); what is missing is made and stored."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / "build" / "cache"


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class DiskCache:
    def __init__(self, kind: str) -> None:
        installed = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions() if dist.metadata["Name"] != "revue")
        self.path = CACHE / kind / f"{digest(sys.version, *installed)[:20]}.json"
        try:
            self.values = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.values = {}
        self.changed = False

    def get(self, key: str, make):
        if key not in self.values:
            self.values[key], self.changed = make(), True
        return self.values[key]

    def save(self) -> None:
        """Written whole then renamed: a reader never sees half a file."""
        if self.changed:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(self.values, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, self.path)
            self.changed = False
