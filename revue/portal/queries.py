"""The portal's reads: every list a page shows, as indexed queries with a limit.

Views, template tags and (later) syndication feeds share these, built on
``Article.objects.for_list()`` so that each list comes back with its outlet, category and image.
Nothing here counts rows of the article table. The front page chooses its articles on a few
columns first (the ticker on ``id`` and ``story_id``, each section on ``id``, « À la une » on a
story's ``outlet_count`` and ``last_seen_at``), then reads only those whole, the ticker's and the
sections' in one query: what a first view after a renewal waits for (#17).

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
LEAD_TEXT = ("lead__content_html", "lead__text", "lead__summary")  # a story card shows its lead's outlet and language
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


def one_per_story(articles: Iterable, limit: int) -> list:
    """The first article of each story (articles without a story count as their own), at most
    ``limit``; ``articles``: ``Article`` objects, or rows with their ``story_id``."""
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


def listed(ids: Iterable[int]) -> dict[int, Article]:
    """The articles of ``ids`` as lists show them (``for_list()``), by id, in one query: lists
    choose their articles on a few columns first, then read only those whole."""
    return Article.objects.for_list().order_by().in_bulk(list(ids))


def in_order(ids: Iterable[int], articles: dict[int, Article]) -> list[Article]:
    """The articles of ``ids`` in that order (those gone meanwhile left out)."""
    return [articles[pk] for pk in ids if pk in articles]


def originals():
    """What the ticker and category lists show: newest first, republished copies left out (a
    queryset: filter and slice it)."""
    return Article.objects.for_list().originals()


def headline_rows(limit: int | None = None, newest=None) -> list:
    """The ticker's choice, on two columns: the ``id`` and ``story_id`` of the newest headlines
    from all outlets, newest first, one per story (``newest``: ``originals()``, if made already)."""
    limit = settings.REVUE_TICKER_SIZE if limit is None else limit
    rows = (originals() if newest is None else newest).values_list("id", "story_id", named=True)
    return one_per_story(rows[: limit * TICKER_ROWS_PER_HEADLINE], limit)


def latest_headlines(limit: int | None = None) -> list[Article]:
    """The newest headlines from all outlets, newest first, one per story (the ticker)."""
    ids = [row.id for row in headline_rows(limit)]
    return in_order(ids, listed(ids))


def category_articles(category: Category, newest=None):
    """A category's articles, newest first, republished copies left out (a queryset: slice it;
    ``newest``: ``originals()``, if made already)."""
    return (originals() if newest is None else newest).filter(category=category)


def outlet_articles(source: Source):
    """An outlet's articles, newest first (a queryset: slice it)."""
    return Article.objects.for_list().filter(source=source)


def other_articles(article: Article, limit: int = OTHER_ARTICLES_SIZE) -> list[Article]:
    """Recent articles of the same outlet, without ``article`` itself."""
    return list(outlet_articles(article.source).exclude(pk=article.pk)[:limit])


def section_ids(categories: list[Category], size: int = SECTION_SIZE, newest=None) -> list[tuple[Category, list[int]]]:
    """Each category with the ids of its latest ``size`` articles, newest first (``newest``:
    ``originals()``, if made already)."""
    newest = originals() if newest is None else newest
    return [(c, list(category_articles(c, newest).values_list("id", flat=True)[:size])) for c in categories]


def sections(chosen: list[tuple[Category, list[int]]], articles: dict[int, Article]) -> list[Section]:
    """For each category in order, its articles (``section_ids()``, read by ``listed()``);
    categories without any are left out."""
    found = (Section(category, in_order(ids, articles)) for category, ids in chosen)
    return [section for section in found if section.articles]


def categories() -> list[Category]:
    """The portal's sections in their order (cached briefly: the navigation reads it on every page)."""
    return cached("categories", lambda: list(Category.objects.order_by("position", "name")))


def active_source_count() -> int:
    """How many outlets the portal follows (cached briefly; the sources table is small)."""
    return cached("source-count", lambda: Source.objects.filter(is_active=True).count())


def story_rank(story, now: datetime) -> float:
    """How high a story goes on the front page: more outlets, more recent (``story``: a ``Story``
    or a row with its ``outlet_count`` and ``last_seen_at``)."""
    age = max((now - story.last_seen_at).total_seconds() / 3600, 0.0)
    return story.outlet_count / (age + STORY_AGE_OFFSET_HOURS) ** STORY_GRAVITY


def top_stories(limit: int | None = None, now: datetime | None = None) -> list[Story]:
    """"À la une": the recent stories covered by several outlets, best ranked first.

    The candidates are ranked on the three columns the rank reads; only the few shown are then
    read whole, with their lead article (without its text) and its outlet."""
    limit = settings.REVUE_FRONT_STORIES if limit is None else limit
    now = now or timezone.now()
    since = now - timedelta(hours=settings.REVUE_FRONT_STORY_HOURS)
    candidates = (Story.objects.covered(since).filter(outlet_count__gt=1)
                  .values_list("id", "outlet_count", "last_seen_at", named=True)[:TOP_STORY_CANDIDATES])
    ranked = [row.id for row in sorted(candidates, key=lambda row: (-story_rank(row, now), -row.id))[:limit]]
    shown = Story.objects.select_related("lead__source").defer(*LEAD_TEXT).in_bulk(ranked)
    return [shown[pk] for pk in ranked if pk in shown]


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
    newest = originals()
    headlines = [row.id for row in headline_rows(newest=newest)]
    chosen = section_ids(categories(), newest=newest)
    # the ticker's and the sections' articles read in one query
    articles = listed([*headlines, *(pk for _, ids in chosen for pk in ids)])
    ticker = in_order(headlines, articles)
    # no headline in any story: the archive is not clustered yet, nothing to rank
    stories = top_stories() if any(a.story_id for a in ticker) else []
    return FrontPage(ticker, sections(chosen, articles), stories)


def front_page() -> FrontPage:
    """The ticker, the top stories and the sections, cached briefly under the portal's generation."""
    return cached("front-page", _front_page)
