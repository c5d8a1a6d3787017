"""The portal's reads: every list a page shows, as one indexed query with a limit.

Views, template tags and (later) syndication feeds share these, built on
``Article.objects.for_list()`` so that each list comes back in one query with its outlet,
category and image. Nothing here counts rows of the article table.

Stories (``revue.news.stories``): the ticker shows one headline per story, category lists leave
republished copies out, the front page ranks stories by outlets and recency ("À la une"), a
story page lists every outlet's article, an article page the other outlets' coverage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from revue.news.models import Article, Category, Story
from revue.portal.cache import cached
from revue.sources.models import Source
from revue.text.language import language_code

SECTION_SIZE = 6  # articles per category section on the front page
OTHER_ARTICLES_SIZE = 6  # "Autres articles de …" under an article
TICKER_ROWS_PER_HEADLINE = 3  # rows read per ticker headline, so that one per story still fills it
COVERAGE_SIZE = 6  # other outlets' articles of the same story under an article
TOP_STORY_CANDIDATES = 500  # recent multi-outlet stories ranked for "À la une"
STORY_AGE_OFFSET_HOURS = 2.0  # "À la une": outlets / (age in hours + offset) ** gravity
STORY_GRAVITY = 1.5
LANGUAGE_NAMES = {"fr": gettext_noop("français"), "ar": gettext_noop("arabe"), "es": gettext_noop("espagnol"), "en": gettext_noop("anglais")}


@dataclass(frozen=True)
class Section:
    """One category's block on the front page."""

    category: Category
    articles: list[Article]


@dataclass(frozen=True)
class FrontPage:
    """Everything the front page shows: the ticker, the top stories and the category sections."""

    ticker: list[Article]
    sections: list[Section]
    stories: list[Story] = field(default_factory=list)  # "À la une"


@dataclass(frozen=True)
class StoryEntry:
    """One article on a story page, with its language in the words of the edition."""

    article: Article
    language: str


@dataclass(frozen=True)
class StoryPage:
    """A story and every outlet's article about it, first published first."""

    story: Story
    entries: list[StoryEntry]
    outlets: int
    languages: list[str]  # in the words of the edition


def one_per_story(articles: Iterable[Article], limit: int) -> list[Article]:
    """The first article of each story (articles without a story count as their own), at most ``limit``."""
    seen: set[int] = set()
    kept = []
    for article in articles:
        if article.story_id is not None:
            if article.story_id in seen:
                continue
            seen.add(article.story_id)
        kept.append(article)
        if len(kept) == limit:
            break
    return kept


def latest_headlines(limit: int | None = None) -> list[Article]:
    """The newest headlines from all outlets, newest first, one per story (the ticker)."""
    limit = settings.REVUE_TICKER_SIZE if limit is None else limit
    rows = Article.objects.for_list().originals()[: limit * TICKER_ROWS_PER_HEADLINE]
    return one_per_story(rows, limit)


def category_articles(category: Category):
    """A category's articles, newest first, republished copies left out (a queryset: slice it)."""
    return Article.objects.for_list().originals().filter(category=category)


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


def story_rank(story: Story, now: datetime) -> float:
    """How high a story goes on the front page: more outlets, more recent."""
    age = max((now - story.last_seen_at).total_seconds() / 3600, 0.0)
    return story.outlet_count / (age + STORY_AGE_OFFSET_HOURS) ** STORY_GRAVITY


def top_stories(limit: int | None = None, now: datetime | None = None) -> list[Story]:
    """"À la une": the recent stories covered by several outlets, best ranked first."""
    limit = settings.REVUE_FRONT_STORIES if limit is None else limit
    now = now or timezone.now()
    since = now - timedelta(hours=settings.REVUE_FRONT_STORY_HOURS)
    candidates = Story.objects.covered(since).filter(outlet_count__gt=1)[:TOP_STORY_CANDIDATES]
    return sorted(candidates, key=lambda story: (-story_rank(story, now), -story.pk))[:limit]


def story_page(story: Story) -> StoryPage:
    """Every article of the story that readers may see, the first published first."""
    articles = list(
        Article.objects.for_list().filter(story=story).order_by("published_at", "id")[
            : settings.REVUE_STORY_PAGE_MAX_ARTICLES
        ]
    )
    languages = sorted({a.language for a in articles if a.language}, key=lambda code: (code != "fr", code))
    return StoryPage(story, [StoryEntry(a, language_name(a.language)) for a in articles],
                     len({a.source_id for a in articles}), [language_name(code) for code in languages])


def language_name(code: str) -> str:
    """"arabe" for "ar": a language as the edition's readers name it."""
    name = LANGUAGE_NAMES.get(language_code(code))
    return gettext(name) if name else (code or gettext("langue inconnue"))


def coverage(article: Article, limit: int = COVERAGE_SIZE) -> list[Article]:
    """The other outlets' articles about the same story, one per outlet, the first published first."""
    if article.story_id is None:
        return []
    others = (Article.objects.for_list().filter(story_id=article.story_id).exclude(source_id=article.source_id)
              .order_by("published_at", "id")[: limit * TICKER_ROWS_PER_HEADLINE])
    kept, outlets = [], set()
    for other in others:
        if other.source_id not in outlets:
            outlets.add(other.source_id)
            kept.append(other)
    return kept[:limit]


def _front_page() -> FrontPage:
    ticker = latest_headlines()
    # no headline in any story: the archive is not clustered yet, nothing to rank
    stories = top_stories() if any(a.story_id for a in ticker) else []
    return FrontPage(ticker, sections(categories()), stories)


def front_page() -> FrontPage:
    """The ticker, the top stories and the sections, cached briefly under the portal's generation."""
    return cached("front-page", _front_page)
