"""Fixtures for the portal tests: outlets, feeds and articles built directly through the ORM.

The categories (maroc, economie, sport …) come from the news app's data migration.
The portal's cache is emptied around every test so that no page is served from another's data.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from revue.news import search
from revue.news.models import Article, Category, Image
from revue.sources.models import Feed, Source

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def barlamane(db):
    return Source.objects.create(
        name="Barlamane", slug="barlamane", homepage="https://www.barlamane.com/", language="fr"
    )


@pytest.fixture
def hespress(db):
    return Source.objects.create(
        name="Hespress", slug="hespress", homepage="https://www.hespress.com/", language="ar"
    )


@pytest.fixture
def category(db):
    def get(slug: str) -> Category:
        return Category.objects.get(slug=slug)

    return get


@pytest.fixture
def make_article(db):
    """``make_article(source, title=…, **fields)``: one stored article, newest by default."""

    def make(source: Source, title: str | None = None, **fields) -> Article:
        n = next(_serial)
        feed, _ = Feed.objects.get_or_create(source=source, url=f"https://feeds.example/{source.slug}.xml")
        fields.setdefault("url", f"https://{source.slug}.example/articles/{n}")
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=n))
        fields.setdefault("language", source.language)
        article = Article.objects.create(source=source, feed=feed, title=title or f"Article {n}", **fields)
        search.index_articles([article.pk])  # as the crawler's settle does: searches only read the index
        return article

    return make


@pytest.fixture
def make_image(db):
    def make(url: str, *, blocked: bool = False) -> Image:
        state = Image.State.BLOCKED if blocked else Image.State.VISIBLE
        return Image.objects.create(url=url, state=state)

    return make

