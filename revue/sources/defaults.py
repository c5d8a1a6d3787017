"""The default outlet list (Moroccan outlets in Arabic, French and English).

``data/outlets.tsv`` lists public feed URLs, unverified live: several outlets answer crawlers
with 403 or a bot challenge, and the crawler parks what keeps failing. Rows of one outlet
(same host and language, e.g. "Hespress" and "Hespress Politique") become one outlet with one
feed per row, the suffix giving the feed's category.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources
from urllib.parse import urlsplit

from revue.text.categories import category_for
from revue.sources.services import FeedSpec


def _rows() -> list[dict[str, str]]:
    text = resources.files("revue.sources").joinpath("data/outlets.tsv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _common_name(names: list[str]) -> str:
    words = [n.split() for n in names]
    prefix = []
    for column in zip(*words):
        if len(set(column)) != 1:
            break
        prefix.append(column[0])
    return " ".join(prefix) or min(names, key=len)


def default_specs() -> list[FeedSpec]:
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in _rows():
        host = (urlsplit(row["feed_url"]).hostname or "").removeprefix("www.")
        groups[(host, row["language"])].append(row)
    names_taken: set[str] = set()
    specs = []
    for (host, language), rows in groups.items():
        common = _common_name([r["outlet"] for r in rows])
        name = f"{common} ({language.upper()})" if common in names_taken else common
        names_taken.add(name)
        for row in rows:
            suffix = row["outlet"][len(common):].strip() if row["outlet"].startswith(common) else ""
            specs.append(
                FeedSpec(
                    feed_url=row["feed_url"],
                    outlet_name=name,
                    homepage=f"https://{urlsplit(row['feed_url']).hostname}/",
                    language=language,
                    country="MA",
                    category_hint=category_for([suffix]) if suffix else "",
                    title=row["outlet"],
                )
            )
    return specs
