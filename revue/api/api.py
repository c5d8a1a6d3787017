"""The read-only JSON API at ``/api/``: articles, stories, outlets, categories and search.

Lists are paginated with opaque cursors (``?cursor=`` from the previous answer's
``next_cursor``; ``?limit=`` up to ``REVUE_API_MAX_PAGE_SIZE``, default ``REVUE_API_PAGE_SIZE``).
The OpenAPI schema is at ``/api/openapi.json`` and its readable form at ``/api/docs``. A bad
parameter gets a 400 whose ``message`` says what to fix (in French, like the portal); an unknown
article, story or outlet a 404. Nothing here writes.

Answers are kept and served like the portal's pages (``revue.portal.cache.page``): rendered once
per reader generation, with ``Cache-Control: public, max-age`` (lists and search:
``REVUE_FRONT_CACHE_SECONDS``; one article, story or outlet: ``REVUE_ARTICLE_CACHE_SECONDS``), an
``ETag`` and ``Last-Modified`` (a conditional request gets a 304) and their gzip form.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.decorators import decorate_view
from ninja.errors import ValidationError

from revue.api import cursors, schemas
from revue.news import search as engine
from revue.news.models import Article, Category, Story
from revue.news.search import SearchTimeout
from revue.news.search.params import InvalidSearch, search_filters
from revue.portal.cache import API, API_ITEM, page
from revue.sources.models import Source

api = NinjaAPI(
    title="Revue",
    version="1",
    description=(
        "L'API de Revue, en lecture seule : articles, histoires, sources, rubriques et recherche. "
        "Les listes se lisent page à page avec `cursor` (le `next_cursor` de la réponse précédente)."
    ),
    urls_namespace="api",
)

ERRORS = {400: schemas.Message, 404: schemas.Message}


class BadParameter(ValueError):
    """A parameter the client must fix; the message says how."""


@api.exception_handler(BadParameter)
@api.exception_handler(InvalidSearch)
@api.exception_handler(cursors.InvalidCursor)
def bad_parameter(request, exc):
    return api.create_response(request, {"message": str(exc)}, status=400)


@api.exception_handler(SearchTimeout)
def search_too_long(request, exc):
    response = api.create_response(
        request, {"message": "Cette recherche a pris trop de temps : précisez-la (plus de mots, une période, "
                             "une source) ou réessayez dans un instant."}, status=503)
    response["Retry-After"] = "5"
    return response


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    where = ", ".join(
        str(error.get("loc", ["?"])[-1]) for error in exc.errors if isinstance(error, dict)
    ) or "?"
    return api.create_response(
        request, {"message": f"Paramètre invalide : {where}.", "errors": exc.errors}, status=400
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"message": "Introuvable."}, status=404)


def page_size(limit: int | None) -> int:
    if limit is None:
        return settings.REVUE_API_PAGE_SIZE
    highest = settings.REVUE_API_MAX_PAGE_SIZE
    if not 1 <= limit <= highest:
        raise BadParameter(f"« limit » doit être compris entre 1 et {highest}.")
    return limit


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def articles_list(queryset, kind: str, cursor: str | None, size: int, request) -> dict:
    """One page of ``queryset`` (newest first) after ``cursor``, and the cursor of the next."""
    if cursor:
        queryset = queryset.filter(cursors.older_than("published_at", *cursors.time_and_id(kind, cursor)))
    rows = list(queryset[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = cursors.encode(kind, items[-1].published_at.isoformat(), items[-1].pk) if more else None
    return {"items": [schemas.article_data(request, a) for a in items], "next_cursor": next_cursor}


# --- articles -----------------------------------------------------------------------------------


@api.get("/articles", response={200: schemas.ArticlePage, **ERRORS}, tags=["articles"])
@decorate_view(page(API))
def list_articles(
    request,
    outlet: str = "",
    category: str = "",
    language: str = "",
    since: str = "",
    until: str = "",
    cursor: str | None = None,
    limit: int | None = None,
):
    """Articles, newest first; filter by outlet slug, category slug, language, days (AAAA-MM-JJ)."""
    size = page_size(limit)
    filters = search_filters(
        outlet=outlet, category=category, lang=language, since=since, until=until, date_names=("since", "until")
    )
    queryset = Article.objects.published().defer("content_html", "text")
    if filters.source_ids:
        queryset = queryset.filter(source_id__in=filters.source_ids)
    if filters.category_id is not None:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    if filters.since:
        queryset = queryset.filter(published_at__gte=day_start(filters.since))
    if filters.until:
        queryset = queryset.filter(published_at__lt=day_start(filters.until + timedelta(days=1)))
    return articles_list(queryset, "articles", cursor, size, request)


@api.get("/articles/{article_id}", response={200: schemas.ArticleDetail, **ERRORS}, tags=["articles"])
@decorate_view(page(API_ITEM))
def get_article(request, article_id: int):
    """One article with its content (blocked images replaced by a placeholder)."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    return schemas.article_detail_data(request, article)


# --- stories ------------------------------------------------------------------------------------


@api.get("/stories", response={200: schemas.StoryPage, **ERRORS}, tags=["stories"])
@decorate_view(page(API))
def list_stories(request, cursor: str | None = None, limit: int | None = None):
    """Stories (articles from many outlets about one event), most recently active first."""
    size = page_size(limit)
    queryset = Story.objects.order_by("-last_seen_at", "-id")
    if cursor:
        queryset = queryset.filter(cursors.older_than("last_seen_at", *cursors.time_and_id("stories", cursor)))
    rows = list(queryset[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = cursors.encode("stories", items[-1].last_seen_at.isoformat(), items[-1].pk) if more else None
    return {"items": [schemas.story_data(request, s) for s in items], "next_cursor": next_cursor}


@api.get("/stories/{story_id}", response={200: schemas.StoryDetail, **ERRORS}, tags=["stories"])
@decorate_view(page(API_ITEM))
def get_story(request, story_id: int):
    """One story and its articles (newest first, at most ``REVUE_API_MAX_PAGE_SIZE``)."""
    story = get_object_or_404(Story, pk=story_id)
    articles = Article.objects.for_list().filter(story=story)[: settings.REVUE_API_MAX_PAGE_SIZE]
    return {**schemas.story_data(request, story), "articles": [schemas.article_data(request, a) for a in articles]}


# --- outlets and categories ---------------------------------------------------------------------


@api.get("/outlets", response={200: schemas.OutletPage, **ERRORS}, tags=["outlets"])
@decorate_view(page(API))
def list_outlets(request, cursor: str | None = None, limit: int | None = None):
    """The outlets the portal follows, by slug."""
    size = page_size(limit)
    queryset = Source.objects.filter(is_active=True).order_by("slug", "id")
    if cursor:
        values = cursors.decode("outlets", cursor)
        if len(values) != 2 or not isinstance(values[0], str) or not isinstance(values[1], int):
            raise cursors.InvalidCursor("Ce curseur n'est pas valide.")
        queryset = queryset.filter(cursors.after_text("slug", *values))
    rows = list(queryset[: size + 1])
    items, more = rows[:size], len(rows) > size
    next_cursor = cursors.encode("outlets", items[-1].slug, items[-1].pk) if more else None
    return {"items": [schemas.outlet_data(request, s) for s in items], "next_cursor": next_cursor}


@api.get("/outlets/{slug}", response={200: schemas.OutletOut, **ERRORS}, tags=["outlets"])
@decorate_view(page(API_ITEM))
def get_outlet(request, slug: str):
    return schemas.outlet_data(request, get_object_or_404(Source, slug=slug, is_active=True))


@api.get("/outlets/{slug}/articles", response={200: schemas.ArticlePage, **ERRORS}, tags=["outlets"])
@decorate_view(page(API))
def outlet_articles(request, slug: str, cursor: str | None = None, limit: int | None = None):
    """An outlet's articles, newest first."""
    source = get_object_or_404(Source, slug=slug, is_active=True)
    queryset = Article.objects.published().defer("content_html", "text").filter(source=source)
    return articles_list(queryset, f"outlet-{source.pk}", cursor, page_size(limit), request)


@api.get("/categories", response={200: list[schemas.CategoryOut]}, tags=["categories"])
@decorate_view(page(API))
def list_categories(request):
    """The portal's sections, in their order (a short list: no pagination)."""
    return [schemas.category_data(c) for c in Category.objects.order_by("position", "name")]


# --- search -------------------------------------------------------------------------------------


@api.get("/search", response={200: schemas.SearchPage, **ERRORS}, tags=["search"])
@decorate_view(page(API))
def search(
    request,
    q: str,
    outlet: str = "",
    category: str = "",
    language: str = "",
    since: str = "",
    until: str = "",
    cursor: str | None = None,
    limit: int | None = None,
):
    """Full-text search, best first (relevance and recency); the same engine as ``/recherche``.

    ``q`` takes words, « phrases » in quotes, prefixes (``résol*``), ``-exclusions`` and ``OR``.
    """
    size = page_size(limit)
    filters = search_filters(
        outlet=outlet, category=category, lang=language, since=since, until=until, date_names=("since", "until")
    )
    offset = 0
    if cursor:
        values = cursors.decode("search", cursor)
        if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
            raise cursors.InvalidCursor("Ce curseur n'est pas valide.")
        offset = values[0]
    results = engine.search(q, filters, offset=offset, size=size)
    items = [
        {
            **schemas.article_data(request, hit.article),
            "snippet_html": str(hit.snippet_html),
            "score": hit.score,
        }
        for hit in results.hits
    ]
    next_cursor = cursors.encode("search", offset + size) if results.has_more else None
    notices = list(results.query.notices)
    if q.strip() and results.query.is_empty:
        notices.append("Aucun mot à chercher dans cette recherche.")
    return {"items": items, "next_cursor": next_cursor, "notices": notices}
