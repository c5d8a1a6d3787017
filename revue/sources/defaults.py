"""The default outlet list (Moroccan outlets in Arabic, French and English), shipped as data.

``data/outlets.tsv`` holds one public feed a row: the outlet's name, its language, the portal
section its entries fall under (empty: read from each entry), the feed's URL and the day a live
check last found it answering (``checked``: ``YYYY-MM-DD``, or ``never``). Several outlets answer
crawlers with 403 or a bot challenge; the crawler parks what keeps failing, and
``revue sources check`` (``revue.crawl.sourcecheck``) says which rows answer, moved or are dead,
and prints the list with the day's dates (``--tsv``). Rows of one outlet (same host and language,
e.g. "Hespress" and "Hespress Politique") become one outlet with one feed per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from importlib import resources
from urllib.parse import urlsplit

from revue.sources.services import FeedSpec
from revue.text.categories import SECTIONS
from revue.text.language import DETECTABLE

COLUMNS = ("outlet", "language", "category", "feed_url", "checked", "seen")
LANGUAGES = frozenset(DETECTABLE)  # the languages Revue tells apart
NEVER = "never"


class OutletListError(ValueError):
    """A row of an outlet list that cannot be used, with its line number."""


@dataclass(frozen=True)
class DefaultRow:
    """One row of the list: one feed of one outlet."""

    outlet: str
    language: str
    category: str
    feed_url: str
    checked: date | None  # the day a live check last found it answering; None: never
    seen: str = ""

    def as_tsv(self) -> str:
        checked = self.checked.isoformat() if self.checked else NEVER
        return "\t".join((self.outlet, self.language, self.category, self.feed_url, checked, self.seen))


def list_text() -> str:
    return resources.files("revue.sources").joinpath("data/outlets.tsv").read_text(encoding="utf-8")


def read_rows(text: str) -> list[DefaultRow]:
    """The rows of an outlet list in the shipped format; ``OutletListError`` names a bad line."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")]
    if not numbered or tuple(numbered[0][1].split("\t")) != COLUMNS:
        raise OutletListError(f"the header must be {' / '.join(COLUMNS)} (tab-separated)")
    sections = {slug for slug, *_ in SECTIONS}
    rows = []
    for number, line in numbered[1:]:
        values = line.split("\t")
        if len(values) != len(COLUMNS):
            raise OutletListError(f"line {number}: {len(values)} columns, {len(COLUMNS)} expected")
        outlet, language, category, feed_url, checked, seen = (v.strip() for v in values)
        if not outlet or urlsplit(feed_url).scheme not in ("http", "https") or not urlsplit(feed_url).hostname:
            raise OutletListError(f"line {number}: an outlet name and an http(s) feed URL are needed")
        if language not in LANGUAGES:
            raise OutletListError(f"line {number}: language {language!r} is not one of {', '.join(sorted(LANGUAGES))}")
        if category and category not in sections:
            raise OutletListError(f"line {number}: category {category!r} is not a section of the portal")
        try:
            day = None if checked == NEVER else date.fromisoformat(checked)
        except ValueError:
            raise OutletListError(f"line {number}: checked {checked!r} is neither YYYY-MM-DD nor {NEVER!r}") from None
        rows.append(DefaultRow(outlet, language, category, feed_url, day, seen))
    return rows


def default_rows() -> list[DefaultRow]:
    return read_rows(list_text())


def _common_name(names: list[str]) -> str:
    words = [n.split() for n in names]
    prefix = []
    for column in zip(*words):
        if len(set(column)) != 1:
            break
        prefix.append(column[0])
    return " ".join(prefix) or min(names, key=len)


def default_specs(rows: list[DefaultRow] | None = None) -> list[FeedSpec]:
    groups: dict[tuple[str, str], list[DefaultRow]] = defaultdict(list)
    for row in default_rows() if rows is None else rows:
        host = (urlsplit(row.feed_url).hostname or "").removeprefix("www.")
        groups[(host, row.language)].append(row)
    names_taken: set[str] = set()
    specs = []
    for (host, language), members in groups.items():
        common = _common_name([r.outlet for r in members])
        name = f"{common} ({language.upper()})" if common in names_taken else common
        names_taken.add(name)
        for row in members:
            specs.append(
                FeedSpec(
                    feed_url=row.feed_url,
                    outlet_name=name,
                    homepage=f"https://{urlsplit(row.feed_url).hostname}/",
                    language=language,
                    country="MA",
                    category_hint=row.category,
                    title=row.outlet,
                )
            )
    return specs
