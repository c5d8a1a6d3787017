"""The portal's reads: every list a page shows, as one indexed query with a limit.

Views, template tags and (later) syndication feeds share these, built on
``Article.objects.for_list()`` so that each list comes back in one query with its outlet,
category and image. Nothing here counts rows of the article table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from revue.news.models import Article, Category
from revue.portal.cache import cached
from revue.sources.models import Source

SECTION_SIZE = 6  # articles per category section on the front page
OTHER_ARTICLES_SIZE = 6  # "Autres articles de …" under an article


@dataclass(frozen=True)
class Section:
    """One category's block on the front page."""

    category: Category
    articles: list[Article]


@dataclass(frozen=True)
class FrontPage:
    """Everything the front page shows: the ticker and the category sections."""

    ticker: list[Article]
    sections: list[Section]


def latest_headlines(limit: int | None = None) -> list[Article]:
    """The newest headlines from all outlets, newest first (the ticker)."""
    limit = settings.REVUE_TICKER_SIZE if limit is None else limit
    return list(Article.objects.for_list()[:limit])


def category_articles(category: Category):
    """A category's articles, newest first (a queryset: slice it)."""
    return Article.objects.for_list().filter(category=category)


def outlet_articles(source: Source):
    """An outlet's articles, newest first (a queryset: slice it)."""
    return Article.objects.for_list().filter(source=source)


def other_articles(article: Article, limit: int = OTHER_ARTICLES_SIZE) -> list[Article]:
    """Recent articles of the same outlet, without ``article`` itself."""
    return list(outlet_articles(article.source).exclude(pk=article.pk)[:limit])


def sections(categories: list[Category], size: int = SECTION_SIZE) -> list[Section]:
    """For each category in order, its latest articles; categories without any are left out."""
    found = (Section(category, list(category_articles(category)[:size])) for category in categories)
    return [section for section in found if section.articles]


def categories() -> list[Category]:
    """The portal's sections in their order (cached briefly: the navigation reads it on every page)."""
    return cached("categories", lambda: list(Category.objects.order_by("position", "name")))


def active_source_count() -> int:
    """How many outlets the portal follows (cached briefly; the sources table is small)."""
    return cached("source-count", lambda: Source.objects.filter(is_active=True).count())


def front_page() -> FrontPage:
    """The ticker and the sections, cached briefly under the portal's generation."""
    return cached("front-page", lambda: FrontPage(latest_headlines(), sections(categories())))
