"""The quality gate on real feeds: revue.crawl.feeds.parse against feedparser, file by file.

The feeds in ``../shared/dev-data/feeds`` (``REVUE_DEV_DATA`` names another folder) were
collected by four feed readers' test suites (NetNewsWire, Feeder, node-feedparser, Miniflux):
real documents nobody here wrote, odd encodings and broken markup included. On every one,
``parse`` raises nothing, finds at least the entries feedparser finds, and gives a complete
entry (a title, a web link, a date) wherever feedparser's entry at the same place is
complete. ``FEEDPARSER_COUNTS_MORE`` names the files where feedparser's count is not the one
to meet, and why. ``bench/feeds.py`` prints the same figures, per half, with speeds.
"""

from __future__ import annotations

import importlib.util
import io
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser
import pytest

from revue.crawl.feeds import parse

URL = "https://feeds.example.net/real"


def _devdata() -> Any:
    where = Path(__file__).resolve().parents[3] / "bench" / "devdata.py"
    spec = importlib.util.spec_from_file_location("bench_devdata", where)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


devdata = _devdata()
ABSENT = devdata.missing("feeds")
FILES = [] if ABSENT else sorted(path for path in devdata.path("feeds").iterdir() if path.is_file())

# file name -> (the entries Revue must find, why feedparser's count is not the one to meet)
FEEDPARSER_COUNTS_MORE = {
    "danmactough-node-feedparser__illegally-nested.xml": (
        10,
        "each of the 10 items holds an empty <item/> (the file is node-feedparser's test of "
        "illegal nesting); feedparser counts each as an entry of its own, with no title, "
        "link or date: 20 entries, 10 of them empty",
    ),
}


def complete(title: Any, link: Any, date: Any) -> bool:
    """A title, an http(s) link (absolute against the feed's URL) and a date."""
    if not (isinstance(title, str) and title.strip() and isinstance(link, str) and link.strip() and date):
        return False
    return urljoin(URL, link.strip()).startswith(("http://", "https://"))


def feedparser_reading(data: bytes) -> list[bool]:
    """For each of feedparser's entries, whether it is complete."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = feedparser.parse(io.BytesIO(data)).entries
    return [
        complete(e.get("title"), e.get("link"), e.get("published_parsed") or e.get("updated_parsed"))
        for e in entries
    ]


@pytest.mark.parametrize(
    "path",
    FILES or [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT or "no real feeds"))],
    ids=lambda path: path.name if path else "absent",
)
def test_real_feed_has_every_entry_feedparser_has(path):
    data = path.read_bytes()
    revue = [complete(e.title, e.link, e.published_at) for e in parse(data, URL).entries]  # raises nothing
    theirs = feedparser_reading(data)
    if path.name in FEEDPARSER_COUNTS_MORE:
        expected, _why = FEEDPARSER_COUNTS_MORE[path.name]
        assert len(revue) == expected
        assert sum(revue) >= sum(theirs)
        return
    assert len(revue) >= len(theirs)
    if len(revue) == len(theirs):  # both in document order: compare entry by entry
        incomplete = [index for index, (ours, fp) in enumerate(zip(revue, theirs)) if fp and not ours]
        assert incomplete == [], f"entries complete in feedparser's reading, not in ours: {incomplete}"
    assert sum(revue) >= sum(theirs)


def test_the_documented_exceptions_are_real_files():
    if ABSENT:
        pytest.skip(ABSENT)
    names = {path.name for path in FILES}
    assert set(FEEDPARSER_COUNTS_MORE) <= names
