"""Feeds out: RSS 2.0 and Atom for the front page, each outlet, each category and each search.

Built on Django's syndication framework over the same queries as the pages. Each item links to
the article's page on the portal, names its outlet as author (with the journalist when known),
and carries its lead image as an enclosure only when that image is not blocked — a blocked image
never leaves the portal — at the image proxy's absolute address, never the outlet's (a reader's
feed reader fetches it from Revue). Descriptions are plain text (the summary, or the start of the text),
HTML-escaped, since RSS ``description`` and Atom ``summary type="html"`` are read as HTML (an
outlet's « <img onerror=…> », text in its feed, must stay text in a reader's); characters XML
cannot carry are dropped rather than failing the feed. ``REVUE_FEEDS_OUT_ITEMS``
items per feed.
"""

from __future__ import annotations

import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language, gettext

from revue.news import search as engine
from revue.news.models import Article, Category
from revue.news.search.params import InvalidSearch
from revue.portal import search as search_page
from revue.portal.languages import edition_path
from revue.portal.templatetags.portal_tags import http_url, shared_image_url, visible_image
from revue.sources.models import Source

NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DESCRIPTION_CHARS = 500
FEED_TYPES = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


def xml_text(value) -> str:
    """``value`` as text XML 1.0 can carry."""
    return NOT_XML.sub("", str(value or ""))


def feed_items(queryset) -> list[Article]:
    return list(queryset.defer("content_html")[: settings.REVUE_FEEDS_OUT_ITEMS])


class ArticleFeed(Feed):
    """What every feed of the portal says about an article."""

    feed_type = Rss201rev2Feed
    language = "fr"

    def __init__(self, kind: str = "rss"):
        super().__init__()
        self.feed_type = FEED_TYPES[kind]
        self.request = None

    def get_feed(self, obj, request):
        self.request = request  # one feed object per request: enclosures need the portal's host
        return super().get_feed(obj, request)

    def item_title(self, item: Article) -> str:
        return xml_text(item.title)

    def item_description(self, item: Article) -> str:
        text = item.summary or item.text
        if len(text) > DESCRIPTION_CHARS:
            text = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + " …"
        return escape(xml_text(text))  # plain text in a field readers take as HTML

    def item_link(self, item: Article) -> str:
        return edition_path(item.get_absolute_url(), get_language())  # /ar/flux/… links to /ar/… (the guid stays one)

    def item_guid(self, item: Article) -> str:
        return self.request.build_absolute_uri(item.get_absolute_url())  # a guid is never relative

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.published_at

    def item_author_name(self, item: Article) -> str:
        author = xml_text(item.author).strip()
        return f"{author} ({xml_text(item.source.name)})" if author else xml_text(item.source.name)

    def item_author_link(self, item: Article) -> str:
        return http_url(item.source.homepage) or None

    def item_categories(self, item: Article):
        return [xml_text(item.category.name)] if item.category_id else []

    def item_enclosures(self, item: Article):
        image = visible_image(item)
        if image is None:
            return []
        mime_type = mimetypes.guess_type(image.url.split("?", 1)[0])[0] or "image/jpeg"
        return [Enclosure(shared_image_url(self.request, image), "0", mime_type)]


class LatestFeed(ArticleFeed):
    def title(self) -> str:
        return gettext("Revue — les derniers titres")

    def description(self) -> str:
        return gettext("Les derniers titres de toute la presse suivie par Revue.")

    def link(self) -> str:
        return reverse("portal:home")

    def items(self):
        return feed_items(Article.objects.published())


class OutletFeed(ArticleFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Source, slug=slug, is_active=True)

    def title(self, source: Source) -> str:
        return xml_text(f"{source.name} · Revue")

    def description(self, source: Source) -> str:
        return xml_text(gettext("Les derniers articles de %(outlet)s sur Revue.") % {"outlet": source.name})

    def link(self, source: Source) -> str:
        return reverse("portal:outlet", args=[source.slug])

    def items(self, source: Source):
        return feed_items(Article.objects.published().filter(source=source))


class CategoryFeed(ArticleFeed):
    def get_object(self, request, slug: str):
        return get_object_or_404(Category, slug=slug)

    def title(self, category: Category) -> str:
        return xml_text(f"{gettext(category.name)} · Revue")

    def description(self, category: Category) -> str:
        return xml_text(gettext("Les derniers titres de la rubrique %(name)s sur Revue.") % {"name": gettext(category.name)})

    def link(self, category: Category) -> str:
        return reverse("portal:category", args=[category.slug])

    def items(self, category: Category):
        return feed_items(Article.objects.published().filter(category=category))


class SearchFeed(ArticleFeed):
    """A search as a feed: its first results, best first (the same ranking as the page)."""

    def get_object(self, request):
        return search_page.read_request(request)

    def title(self, search) -> str:
        return xml_text(gettext("« %(text)s » — recherche · Revue") % {"text": search.text[:80]})

    def description(self, search) -> str:
        return xml_text(gettext("Les articles qui répondent à « %(text)s » sur Revue.") % {"text": search.text[:80]})

    def link(self, search) -> str:
        return reverse("portal:search") + "?" + search_page.query_string(search)

    def items(self, search):
        results = engine.search(search.text, search.filters, size=settings.REVUE_FEEDS_OUT_ITEMS)
        return [hit.article for hit in results.hits]


def latest_feed(request, kind: str):
    return LatestFeed(kind)(request)


def outlet_feed(request, slug: str, kind: str):
    return OutletFeed(kind)(request, slug=slug)


def category_feed(request, slug: str, kind: str):
    return CategoryFeed(kind)(request, slug=slug)


def search_feed(request, kind: str):
    """The feed of ``/recherche?…``; a bad filter gets the same 400 as the page."""
    try:
        return SearchFeed(kind)(request)
    except InvalidSearch as exc:
        return render(request, "portal/bad_request.html", {"message": str(exc)}, status=400)
    except engine.SearchTimeout:
        return search_page.too_long(request)
