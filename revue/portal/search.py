"""The search page, ``/recherche?q=…``: results ranked by relevance and recency, with filters.

Query parameters, in the reader's words: ``q`` (the search), ``source`` (an outlet's slug, or
its name as typed), ``rubrique`` (a category's slug), ``langue`` (fr, ar …), ``du`` and ``au``
(AAAA-MM-JJ) and ``page``. A bad filter or page number gets a 400 page saying what to fix;
whatever is typed in ``q`` gets results or a message (``revue.news.search.query``), never an error.

The outlet filter is a menu while the portal follows at most ``REVUE_SEARCH_OUTLET_MENU_MAX``
outlets, and a text field beyond (a menu of 10,000 outlets took most of a search page's time and
weight). The page reads the database only, and is kept like the other pages
(``revue.portal.cache``): a search never writes.

A search never asked before is rendered on the reader's time (#17): each result is made here as
a row of ready strings (``result_rows``: its links, language attributes, dates, category), so the
template only prints them, where per-result tags, filters and attribute lookups took a third of
the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Case, Q, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from revue.news import search as engine
from revue.news.search.engine import warm_up
from revue.news.search.params import InvalidSearch, search_filters
from revue.news.search.query import SearchFilters
from revue.portal import queries
from revue.portal.cache import cached
from revue.portal.pagination import InvalidPageNumber, page_number
from revue.portal.templatetags.portal_tags import lang_attrs, reading_time
from revue.sources.models import Source

# built as the URLconf imports this module, not on a reader's first search (revue serve: once, before forking)
warm_up()

FILTER_PARAMS = ("source", "rubrique", "langue", "du", "au")
LANGUAGE_CHOICES = settings.LANGUAGES


@dataclass(frozen=True)
class SearchRequest:
    """What the reader asked: the query text, the filters, the raw values to refill the form."""

    text: str
    filters: SearchFilters
    values: dict


def outlet_slug(typed: str) -> str:
    """The slug of the outlet a reader typed: its slug, or else its name (whatever the case);
    what was typed when none matches (``search_filters`` then says no outlet has that name)."""
    if not typed:
        return typed
    found = (Source.objects.filter(is_active=True).filter(Q(slug=typed) | Q(name__iexact=typed))
             .order_by(Case(When(slug=typed, then=0), default=1), "id").values_list("slug", flat=True).first())
    return found or typed


def outlet_menu() -> list[tuple[str, str]] | None:
    """The search form's outlets as (slug, name), or None when they are more than
    ``REVUE_SEARCH_OUTLET_MENU_MAX`` (the form then has a text field)."""
    if queries.active_source_count() > settings.REVUE_SEARCH_OUTLET_MENU_MAX:
        return None
    return cached("search-outlets", lambda: list(
        Source.objects.filter(is_active=True).order_by("name").values_list("slug", "name")))


def read_request(request) -> SearchRequest:
    """The search asked for by ``request.GET``; raises ``InvalidSearch`` on a bad filter."""
    values = {name: request.GET.get(name, "").strip()[:100] for name in FILTER_PARAMS}
    filters = search_filters(
        outlet=outlet_slug(values["source"]), category=values["rubrique"], lang=values["langue"],
        since=values["du"], until=values["au"],
    )
    return SearchRequest(text=request.GET.get("q", ""), filters=filters, values=values)


def query_string(search: SearchRequest, **extra) -> str:
    """``q=…&source=…`` for links that keep the search (pages, feeds)."""
    params = {"q": search.text[: settings.REVUE_SEARCH_MAX_QUERY_CHARS], **search.values, **extra}
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def bad_request(request, message: str):
    return render(request, "portal/bad_request.html", {"message": message}, status=400)


TOO_LONG = ("Cette recherche a pris trop de temps : précisez-la (plus de mots, une période, une source) "
            "ou réessayez dans un instant.")


def too_long(request):
    """A search past ``REVUE_SEARCH_TIME_LIMIT_MS``: 503, with what to do, and when to try again."""
    response = render(request, "portal/bad_request.html", {"message": TOO_LONG}, status=503)
    response["Retry-After"] = "5"
    return response


def result_rows(hits: list[engine.Hit]) -> list[dict]:
    """Each hit as the template prints it: what ``{% url %}``, ``{% lang_attrs … auto=True %}``,
    ``|date:'c'``, ``|reading_time`` and ``{% translate category.name %}`` would give."""
    # one reverse() each for the page: outlet slugs are [-a-zA-Z0-9_] (the slug converter), so a
    # slug and an id fill a path as they are, the way reverse() would write them
    article_path = reverse("portal:article", args=[PATH_SLUG, PATH_ID])
    outlet_path = reverse("portal:outlet", args=[PATH_SLUG])
    rows = []
    for hit in hits:
        article, source = hit.article, hit.article.source
        rows.append({
            "url": article_path.replace(PATH_SLUG, source.slug).replace(str(PATH_ID), str(article.pk)),
            "outlet_url": outlet_path.replace(PATH_SLUG, source.slug),
            "outlet": source.name,
            "lang": lang_attrs(article, auto=True),
            "published": timezone.localtime(article.published_at).isoformat(),
            "when": reading_time(article.published_at),
            "category": gettext(article.category.name) if article.category else "",
            "title_html": hit.title_html,
            "snippet_html": hit.snippet_html,
        })
    return rows


PATH_SLUG = "revue-slug-placeholder"
PATH_ID = 9_876_543_210


def search_page(request):
    """Results for ``?q=``, a page at a time, or the empty form."""
    try:
        search = read_request(request)
        number = page_number(request.GET.get("page"))
    except (InvalidSearch, InvalidPageNumber) as exc:
        return bad_request(request, str(exc))
    size = settings.REVUE_SEARCH_PAGE_SIZE
    try:
        results = engine.search(search.text, search.filters, offset=(number - 1) * size, size=size)
    except engine.SearchTimeout:
        return too_long(request)
    context = {
        "search": search,
        "results": results,
        "rows": result_rows(results.hits),
        "number": number,
        "asked": bool(search.text.strip()),
        "page_query": query_string(search),
        "outlets": outlet_menu(),
        "categories": queries.categories(),
        "languages": LANGUAGE_CHOICES,
    }
    return render(request, "portal/search.html", context)
