"""Sitemaps for search engines: an index, a Google News sitemap and one sitemap per day.

* ``/sitemap.xml``: the index — the news sitemap, then one sitemap per day that has articles,
  newest first (found by jumping from day to day down the recency index, one query per day with
  articles, cached briefly);
* ``/sitemap-actualites.xml``: articles of the last ``REVUE_SITEMAP_NEWS_HOURS`` hours (48), in the
  Google News namespace, each naming its outlet as publication (at most 1000, as Google allows);
* ``/sitemap-AAAA-MM-JJ.xml``: every article of that day on the portal's clock, split into pages of
  ``REVUE_SITEMAP_MAX_URLS`` (``?p=2``);
* ``/robots.txt``: points to the index.

Built on ``django.contrib.sitemaps``; the URLs are the portal's article pages. There is one set of
sitemaps for the four editions, at the root: each article is listed once, at its page in the
edition of its own language (an Arabic article at ``/ar/…``, read right to left in an interface
that is too; a French one at the root), and names its page in every edition as an alternate
(``xhtml:link hreflang``, and ``x-default`` for the root), as search engines ask of a site in
several languages. An edition's own ``/ar/sitemap.xml`` or ``/ar/robots.txt`` answers with a
permanent redirect to the root's.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from revue.news.models import Article
from revue.portal.archives import day_bounds
from revue.portal.cache import cached
from revue.portal.languages import codes, edition_of, edition_path, unprefixed

GOOGLE_NEWS_MAX_URLS = 1000  # Google News reads no more than this from one news sitemap
XML = "application/xml"


def sitemap_articles():
    """Articles a reader may see, with only what a sitemap writes, newest first."""
    return (
        Article.objects.filter(source__is_active=True)
        .select_related("source")
        .only("id", "title", "language", "published_at", "source__slug", "source__name", "source__language")
        .order_by("-published_at", "-id")
    )


def own_edition(article: Article) -> str:
    """The edition in the article's own language, when there is one; else the default."""
    language = article.language or article.source.language
    return language if language in codes() else settings.LANGUAGE_CODE


class EditionSitemap(Sitemap):
    """Articles at their own edition's page, each naming its pages in the other editions."""

    def location(self, article: Article) -> str:
        return edition_path(article.get_absolute_url(), own_edition(article))

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            path = self.location(url["item"])
            origin = url["location"][: -len(path)]
            default = url["item"].get_absolute_url()  # the root edition's page
            url["alternates"] = [
                {"lang_code": code, "location": origin + edition_path(default, code)} for code in codes()
            ] + [{"lang_code": "x-default", "location": origin + default}]
        return urls


class NewsSitemap(EditionSitemap):
    """The last hours' articles, for Google News."""

    limit = GOOGLE_NEWS_MAX_URLS

    def items(self):
        since = timezone.now() - timedelta(hours=settings.REVUE_SITEMAP_NEWS_HOURS)
        return sitemap_articles().filter(published_at__gte=since)[:GOOGLE_NEWS_MAX_URLS]

    def lastmod(self, article: Article):
        return article.published_at


class DaySitemap(EditionSitemap):
    """Every article of one day."""

    def __init__(self, day: date):
        self.day = day
        self.limit = settings.REVUE_SITEMAP_MAX_URLS

    def items(self):
        start, end = day_bounds(self.day)
        return sitemap_articles().filter(published_at__gte=start, published_at__lt=end)

    def lastmod(self, article: Article):
        return article.published_at


def days_with_articles() -> list[date]:
    """Every day that has articles, newest first (at most ``REVUE_SITEMAP_MAX_URLS``): one indexed
    query per such day."""
    days, before = [], None
    latest = Article.objects.order_by("-published_at").values_list("published_at", flat=True)
    while len(days) < settings.REVUE_SITEMAP_MAX_URLS - 1:  # the news sitemap takes one entry
        found = (latest.filter(published_at__lt=before) if before else latest).first()
        if found is None:
            return days
        day = timezone.localdate(found)
        days.append(day)
        before = day_bounds(day)[0]
    return days


def day_sitemap_url(day: date) -> str:
    return reverse("portal:sitemap-day", args=[day.isoformat()])


def at_the_root(view):
    """An edition's copy of a root-only file (``/ar/sitemap.xml``) redirects to the root's."""

    def only_at_the_root(request, *args, **kwargs):
        if edition_of(request.path_info) != settings.LANGUAGE_CODE:
            return HttpResponsePermanentRedirect(unprefixed(request.get_full_path()))
        return view(request, *args, **kwargs)

    return only_at_the_root


@at_the_root
def sitemap_index(request):
    """The list of every sitemap: the news one, then one per day."""
    days = cached("sitemap-days", days_with_articles)
    base = f"{request.scheme}://{request.get_host()}"
    items = [SitemapIndexItem(base + reverse("portal:sitemap-news"))]
    items += [SitemapIndexItem(base + day_sitemap_url(day)) for day in days]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type=XML)
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@at_the_root
def news_sitemap(request):
    return sitemap_views.sitemap(
        request, {"actualites": NewsSitemap()}, template_name="portal/sitemap_news.xml", content_type=XML
    )


@at_the_root
def day_sitemap(request, day: str):
    try:
        asked = date.fromisoformat(day)
    except ValueError:
        raise Http404("Cette date n'existe pas.") from None
    if asked > timezone.localdate():
        raise Http404("Cette date est à venir.")
    return sitemap_views.sitemap(request, {"jour": DaySitemap(asked)}, content_type=XML)


@at_the_root
def robots_txt(request):
    """Everything may be crawled but the search results; the sitemaps are listed."""
    lines = [
        "User-agent: *",
        "Disallow: /recherche",
        "Disallow: /admin/",
        f"Sitemap: {request.scheme}://{request.get_host()}{reverse('portal:sitemap-index')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
