"""End to end: the demo press crawled into a fresh database, read as a reader reads the portal."""

from __future__ import annotations

import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache

from revue.demo.lexicon import LEXICONS
from revue.news import search
from revue.news.models import Article

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    """The page's text as a reader reads it: a highlighted word runs on into the characters
    beside it (« <mark>17</mark>.<mark>5</mark> % » reads « 17.5 % »), other tags part words."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?mark>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def article_body(html: str) -> str:
    match = re.search(r'<div class="article__body">(.*?)</div>\s*<p class="article__source-link"', html, re.S)
    assert match, "the article page has no body"
    return match.group(1)


def stored(press_article, outlet) -> Article:
    """Our article for one article of the press (found by its title at that outlet)."""
    return Article.objects.select_related("source").get(source__slug=outlet.slug, title=press_article.title)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def test_the_crawl_takes_in_every_article_of_every_outlet_once(crawled_press):
    press, summary = crawled_press.press, crawled_press.summary
    assert summary.errors == 0, summary.failures
    expected = {(o.slug, a.title) for o in press.outlets for a in o.articles[: o.feed_size]}
    got = set(Article.objects.values_list("source__slug", "title"))
    assert expected <= got
    assert Article.objects.count() == len(got)  # one row per article, even when two feeds carry it
    assert summary.pages_failed == 0 and summary.pages_fetched > 100


def test_the_crawl_settles_what_it_stores(client, crawled_press):
    """Stories and the search index of every crawled article, written into this (test) database."""
    assert not Article.objects.filter(story__isnull=True).exists()
    assert search.pending_ids() == []
    article = Article.objects.order_by("id").first()
    html = client.get("/recherche", {"q": f'"{article.title}"'}).content.decode()  # a pasted headline
    assert article.title in visible_text(html)


def test_home_ticker_lists_the_50_latest_stories_newest_first(client, crawled_press):
    html = client.get("/").content.decode()
    ticker = re.search(r'<ol class="ticker__list[^"]*"[^>]*>(.*?)</ol>', html, re.S)
    assert ticker, "no ticker on the home page"
    titles = [visible_text(t) for t in re.findall(r"<a [^>]*>(.*?)</a>", ticker.group(1), re.S)]
    latest, stories = [], set()
    for title, story in Article.objects.published().filter(duplicate_of=None).values_list("title", "story_id"):
        if story is None or story not in stories:
            latest.append(title)
            stories.add(story)
        if len(latest) == 50:
            break
    assert titles == latest  # newest first, one headline per story, copies left out
    assert len(titles) == 50


def test_home_shows_sections_by_category(client, crawled_press):
    text = visible_text(client.get("/").content.decode())
    for section in ("Maroc", "Économie", "Sport", "Monde", "Culture", "Société"):
        assert section in text


def test_article_page_credits_and_links_the_outlet_and_drops_the_boilerplate(client, crawled_press):
    """A summary-only outlet (page fetched and extracted), in windows-1252."""
    outlet = crawled_press.press.outlet("gazette-oriental")
    assert not outlet.full_content
    source_article = outlet.articles[0]
    article = stored(source_article, outlet)
    response = client.get(f"/{outlet.slug}/{article.id}")
    assert response.status_code == 200
    html = response.content.decode()
    day = source_article.published_at.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%d - %m - %Y")
    assert f"Publié dans {outlet.name} le {day}" in visible_text(html)
    assert re.search(rf'Publié dans <a href="/{outlet.slug}/"[^>]*>{re.escape(outlet.name)}</a>', html)
    link = re.search(r'<a href="([^"]+)" rel="noopener noreferrer">Cliquez ici pour lire l\'article depuis sa source\.</a>', html)
    assert link and link.group(1) == article.url
    assert "utm_" not in article.url and article.url.startswith(crawled_press.running.base_url)
    body = visible_text(article_body(html))
    for paragraph in source_article.paragraphs:
        assert " ".join(paragraph.split())[:80] in body
    labels = LEXICONS[outlet.language].labels
    for boilerplate in (labels["cookie"], labels["share"], labels["read_also"], labels["ad"]):
        assert boilerplate not in body
    for _reader, comment in source_article.comments:
        assert comment not in body
    assert "<script" not in article_body(html) and "onclick" not in article_body(html)


def test_arabic_article_reads_right_to_left(client, crawled_press):
    outlet = crawled_press.press.outlet("sada-atlas")
    article = stored(outlet.articles[0], outlet)
    html = client.get(f"/{outlet.slug}/{article.id}").content.decode()
    assert re.search(r'<article class="article"[^>]*lang="ar"[^>]*dir="rtl"', html)
    assert article.language == "ar"


def test_full_content_feeds_are_stored_without_fetching_pages(crawled_press):
    outlet = crawled_press.press.outlet("veilleur-rabat")
    assert outlet.full_content
    page_hits = [p for p in crawled_press.running.hits if p.startswith(f"/{outlet.slug}/") and p.endswith(".html")]
    assert page_hits == []
    article = stored(outlet.articles[1], outlet)
    assert " ".join(outlet.articles[1].paragraphs[-1].split())[:60] in " ".join(article.text.split())


def test_outlet_page_lists_its_articles_newest_first_with_pages(client, crawled_press):
    outlet = crawled_press.press.outlet("echo-detroit")
    first = visible_text(client.get(f"/{outlet.slug}/").content.decode())
    second = visible_text(client.get(f"/{outlet.slug}/?page=2").content.decode())
    newest = list(Article.objects.filter(source__slug=outlet.slug).order_by("-published_at", "-id").values_list("title", flat=True))
    size = settings.REVUE_PAGE_SIZE
    assert newest[0] in first and newest[size - 1] in first and newest[size] not in first
    assert newest[size] in second
    assert first.index(newest[0]) < first.index(newest[1])


def test_category_page_lists_only_that_category(client, crawled_press):
    html = client.get("/categorie/sport/").content.decode()
    sport = list(Article.objects.filter(category__slug="sport").order_by("-published_at", "-id").values_list("title", flat=True)[:5])
    other = Article.objects.exclude(category__slug="sport").exclude(category=None).order_by("-published_at").first()
    text = visible_text(html)
    assert sport and all(title in text for title in sport)
    assert other.title not in text


def test_tracking_parameters_are_stripped_from_stored_urls(crawled_press):
    tracked = [o for o in crawled_press.press.outlets if o.tracking_params]
    assert tracked
    assert not Article.objects.filter(url__contains="utm_").exists()
