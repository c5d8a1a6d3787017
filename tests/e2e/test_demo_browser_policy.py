"""The demo, crawled from the demo press, read in chromium under the Content-Security-Policy: the
home page, an article in each language, an outlet, a story, a category and a search work with no violation,
their pictures come through the image proxy, and the browser asks nothing of the press itself
(issue #15, item 6: the demo still works)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db.models import Count

from revue.news.models import Article, Category, Story
from tests.e2e.test_content_security_policy_browser import visit, watched
from tests.e2e.test_image_reports_browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sqlite_only, pytest.mark.django_db(transaction=True)]

LOADED_PICTURES = "() => [...document.images].filter((img) => img.complete && img.naturalWidth > 0).length"


def demo_paths() -> list[str]:
    articles = [
        Article.objects.published().filter(language=language, image__isnull=False).select_related("source").first()
        for language in ("fr", "ar", "es", "en")
    ]
    story = Story.objects.annotate(size=Count("articles")).filter(size__gt=1).first()
    category = Category.objects.filter(articles__isnull=False).first()  # none after a flush of the sections
    return [
        "/", *(a.get_absolute_url() for a in articles if a is not None), f"/{articles[0].source.slug}/",
        *([story.get_absolute_url()] if story else []), *([category.get_absolute_url()] if category else []),
        f"/recherche?q={articles[0].title.split()[0]}",
    ]  # fmt: skip


def test_the_demo_reads_in_chromium_under_the_policy(crawled_press, live_server):
    cache.clear()
    paths = demo_paths()
    violations: dict[str, list[str]] = {}
    pictures: dict[str, int] = {}
    with chromium() as browser, watched(browser) as (_, page, requested):
        for path in paths:
            violations[path] = visit(page, live_server.url + path)
            pictures[path] = page.evaluate(LOADED_PICTURES)

    assert len(paths) >= 7
    assert {path: found for path, found in violations.items() if found} == {}
    assert sorted({url for url in requested if not url.startswith(live_server.url)}) == []
    assert all(pictures[path] > 0 for path in paths[1:5]), pictures  # each article's pictures, via /img/
