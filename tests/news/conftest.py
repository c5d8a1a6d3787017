"""Fixtures for the stories tests: the labelled set, and articles stored like the crawler does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from revue.news.models import Article
from revue.sources.models import Feed, Source

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "data" / "stories_labelled.jsonl"


@dataclass(frozen=True)
class Labelled:
    """One article of the labelled set (bench/stories_corpus.py), with its true story."""

    id: int
    outlet: str
    language: str
    published_at: datetime
    title: str
    text: str
    story: str
    kind: str
    copy_of: int | None


@pytest.fixture(scope="session")
def labelled() -> list[Labelled]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    return [Labelled(r["id"], r["outlet"], r["language"], datetime.fromisoformat(r["published_at"]), r["title"],
                     r["text"], r["story"], r["kind"], r["copy_of"]) for r in rows]


@pytest.fixture
def store_labelled(db):
    """``store_labelled(rows)``: the rows stored as articles of their outlets, in order; returns
    {labelled id: article id}. Nothing is clustered yet."""

    def store(rows: list[Labelled]) -> dict[int, int]:
        ids = {}
        for row in rows:
            source, _ = Source.objects.get_or_create(slug=row.outlet, defaults={"name": row.outlet.replace("-", " ").title(),
                                                                                  "language": row.language})
            feed, _ = Feed.objects.get_or_create(source=source, url=f"https://{row.outlet}.example/rss")
            article = Article.objects.create(
                source=source, feed=feed, url=f"https://{row.outlet}.example/{row.id}", title=row.title,
                text=row.text, language=row.language, published_at=row.published_at)
            ids[row.id] = article.pk
        return ids

    return store
