"""Fixtures for the API tests: outlets and articles made through the ORM."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from revue.news.models import Article
from revue.sources.models import Source

_serial = itertools.count(1)


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
        return Article.objects.create(source=source, title=title or f"Article {n}", **fields)

    return make
