"""Where the real development data is, and the split we keep inside it.

The real pages, feeds and labelled stories nobody here wrote live in ``../shared/dev-data``
beside the repository (see its README); ``REVUE_DEV_DATA`` names another folder. Benchmarks and
quality tests read them through this module, so that every one of them uses the same split:

* ``tune`` — the half we look at and tune on;
* ``held-out`` — the half we only measure, so that the figure predicts pages nobody has seen.

An item's half is a pure function of its name (a page folder, a feed file, a document or group
id): adding or removing items never moves the others.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUNE, HELD_OUT = "tune", "held-out"
HALVES = (TUNE, HELD_OUT)


def folder() -> Path:
    """The dev-data folder (it may not exist: see ``missing``)."""
    named = os.environ.get("REVUE_DEV_DATA")
    return Path(named) if named else ROOT.parent / "shared" / "dev-data"


def path(*parts: str) -> Path:
    return folder().joinpath(*parts)


def missing(*parts: str) -> str | None:
    """A clear message when that part of the dev data is absent, else None (for skips)."""
    where = path(*parts)
    if where.exists():
        return None
    return f"real development data not found at {where} (set REVUE_DEV_DATA or lay ../shared/dev-data beside the repository)"


def half(name: str) -> str:
    """``tune`` or ``held-out``, stable for a name."""
    digest = hashlib.sha1(str(name).encode("utf-8")).digest()
    return TUNE if digest[0] % 2 == 0 else HELD_OUT
