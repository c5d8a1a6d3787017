"""How Revue's log lines look: one convention for every module, two formats for the operator.

Every module logs through ``logger = logging.getLogger(__name__)`` (so every logger is a child of
``revue`` and its name says where a line comes from) and puts what a line is about in fixed keys,
``logger.info("feed fetched", extra={"stage": "fetch", "feed_id": 12, "url": url, "outcome": "ok",
"ms": 84})``, rather than in the message text. The formatter prints them:

* ``REVUE_LOG_FORMAT=plain`` (the default): ``2026-12-06 03:41:02,114 INFO revue.crawl.worker feed
  fetched stage=fetch feed_id=12 url=https://… outcome=ok ms=84``;
* ``REVUE_LOG_FORMAT=json``: one JSON object a line (``time``, ``level``, ``logger``, ``message``,
  the keys, and ``error`` with the traceback when there is one), for a log collector.

A piece of work that many lines are about binds its keys once (``bound(feed_id=12)``, for the
asyncio task or thread it runs in: a ``ContextVar``), and ``ContextKeys``, a filter on Revue's
handler, adds them to every line logged meanwhile that does not carry them itself: the lines of a
feed's pages, logged deep in its refresh, say which feed they belong to. The crawler's lines
(``revue.crawl``) always carry ``stage`` and ``outcome``, the lines about a feed or a page its
``feed_id`` and ``url`` too, and those that end a feed's refresh or a page's fetch their ``ms``
(``tests/crawl/test_crawl_log_keys.py`` holds every log call and a real crawl's lines to it).
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

KEYS = ("stage", "feed_id", "url", "outcome", "ms")  # the fixed keys, printed first and in this order

# the attributes every LogRecord has: anything else on a record came from ``extra=``
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def fields(record: logging.LogRecord) -> dict:
    """The keys a log call passed with ``extra=``: the fixed ones first, then the others by name."""
    found = {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}
    ordered = {k: found.pop(k) for k in KEYS if k in found}
    return {**ordered, **dict(sorted(found.items()))}


_BOUND: ContextVar[dict] = ContextVar("revue_log_keys", default={})


def bind(**keys) -> None:
    """Add ``keys`` to every line logged from now on in this task or thread (see ``bound``)."""
    _BOUND.set({**_BOUND.get(), **keys})


@contextmanager
def bound(**keys):
    """Add ``keys`` to every line logged within the ``with`` block (that does not set them itself)."""
    token = _BOUND.set({**_BOUND.get(), **keys})
    try:
        yield
    finally:
        _BOUND.reset(token)


class ContextKeys(logging.Filter):
    """Puts the keys bound in the current context on a record that lacks them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _BOUND.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _plain(value) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or any(c.isspace() or c in "\"=" for c in text)) else text


class PlainFormatter(logging.Formatter):
    """The usual line, then ``key=value`` for each key (quoted when it holds spaces)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        keys = fields(record)
        if not keys:
            return line
        head, newline, trace = line.partition("\n")
        return head + " " + " ".join(f"{k}={_plain(v)}" for k, v in keys.items()) + newline + trace


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields(record),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(kind: str) -> logging.Formatter:
    """The formatter ``REVUE_LOG_FORMAT`` names (``plain`` or ``json``)."""
    if kind == "json":
        return JsonFormatter()
    if kind in ("", "plain"):
        return PlainFormatter()
    raise ValueError(f"REVUE_LOG_FORMAT={kind!r}: use 'plain' or 'json'")
