"""Fixtures for the API tests: outlets and articles made through the ORM.

The API's answers are kept in the page cache (``revue.portal.cache``): it is emptied around every
test so that no answer is served from another test's data."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from revue.news import search
from revue.news.models import Article
from revue.sources.models import Source

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def barlamane(db):
    return Source.objects.create(name="Barlamane", slug="barlamane", homepage="https://www.barlamane.com/", language="fr")


@pytest.fixture
def hespress(db):
    return Source.objects.create(name="Hespress", slug="hespress", language="ar")


@pytest.fixture
def make_article(db):
    def make(source: Source, title: str | None = None, **fields) -> Article:
        n = next(_serial)
        fields.setdefault("url", f"https://{source.slug}.example/articles/{n}")
        fields.setdefault("published_at", timezone.now() - timedelta(minutes=n))
        article = Article.objects.create(source=source, title=title or f"Article {n}", **fields)
        search.index_articles([article.pk])  # as the crawler's settle does: searches only read the index
        return article

    return make
