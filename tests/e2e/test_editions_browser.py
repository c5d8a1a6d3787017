"""The editions in a real browser (issue #19): Debian's chromium, driven by Playwright.

A reader on a French article clicks « العربية » in the header: the same article comes back under
``/ar/``, the whole page flips right to left (the brand moves to the right edge, the switcher to
the left), the interface speaks Arabic while the French article stays left to right, and the date
of the article line still reads 20 - 05 - 2022. A browser set to Arabic that opens ``/`` lands on
the Arabic front page; once the reader picks French, ``/`` stays French for that browser. A
headline that reaches the Arabic front page's ticker live links to the article's Arabic page.
"""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from revue.news.models import Article
from tests.e2e.test_image_reports_browser import chromium, publish

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_switching_to_arabic_flips_the_page(live_server):
    cache.clear()
    article = publish("http://127.0.0.1:9")
    Article.objects.filter(pk=article.pk).update(published_at=datetime(2022, 5, 20, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca")))
    french_url = f"{live_server.url}{article.get_absolute_url()}"
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 800})
        page = context.new_page()
        page.goto(french_url)
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fr", "ltr"]
        width = page.viewport_size["width"]
        assert box(page, ".brand")["x"] < width / 2  # French: the brand on the left

        page.get_by_role("link", name="العربية").click()
        page.wait_for_url(f"{live_server.url}/ar{article.get_absolute_url()}")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        brand, switcher = box(page, ".brand"), box(page, ".language-switcher")
        assert brand["x"] + brand["width"] > width / 2 and switcher["x"] < width / 2  # mirrored
        byline = page.locator(".article__byline")
        assert byline.get_attribute("dir") == "rtl" and byline.inner_text().startswith("نُشر في Barlamane")
        date = page.locator(".article__date")
        assert date.inner_text() == "20 - 05 - 2022" and page.evaluate("getComputedStyle(document.querySelector('.article__date')).direction") == "ltr"
        # the French article itself still reads left to right, in French
        assert page.evaluate("getComputedStyle(document.querySelector('.article__title')).direction") == "ltr"
        assert page.locator("article.article").get_attribute("lang") == "fr"
        assert page.get_by_role("link", name="انقر هنا لقراءة المقال من مصدره.").get_attribute("href") == article.url
        page.screenshot(path=str(screenshot_dir() / "article-ar-desktop.png"), full_page=True)

        page.get_by_role("link", name="Français").click()  # back, and the choice is kept at /
        page.wait_for_url(french_url)
        page.goto(f"{live_server.url}/")
        assert page.url == f"{live_server.url}/" and page.evaluate("document.documentElement.dir") == "ltr"
        context.close()


def test_an_arabic_browser_lands_on_the_arabic_front_page(live_server):
    cache.clear()
    publish("http://127.0.0.1:9")
    with chromium() as browser:
        context = browser.new_context(locale="ar-MA", viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        assert page.url == f"{live_server.url}/ar/"
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
        assert page.get_by_role("searchbox", name="بحث").is_visible()
        page.screenshot(path=str(screenshot_dir() / "home-ar-phone.png"), full_page=True)
        context.close()


def test_a_live_headline_on_the_arabic_front_page_leads_into_the_arabic_edition(live_server, settings):
    settings.REVUE_TICKER_POLL_SECONDS = 1  # the test server ends each stream: the browser comes back after 1 s
    cache.clear()
    first = publish("http://127.0.0.1:9")
    with chromium() as browser:
        page = browser.new_context(locale="ar-MA").new_page()
        page.goto(f"{live_server.url}/ar/")
        page.wait_for_function("document.querySelectorAll('.ticker__item').length === 1")
        # a settle brings a new article (from another thread: Playwright's loop runs in this one)
        worker = threading.Thread(target=publish_another, args=(first,))
        worker.start()
        worker.join()
        fresh = page.locator(".ticker__item--new a")
        fresh.wait_for(timeout=15000)
        href = fresh.get_attribute("href")
    newest = Article.objects.exclude(pk=first.pk).get()
    assert href == f"/ar/{newest.source.slug}/{newest.pk}"


def publish_another(first: Article) -> None:
    from django.db import connection

    from revue.news.cache import invalidate_reader_caches

    try:
        Article.objects.create(source=first.source, feed=first.feed, url="https://www.barlamane.com/fr/nouveau/",
                               title="Un nouveau titre arrive en direct", language="fr", category=first.category)
        invalidate_reader_caches()
    finally:
        connection.close()


def screenshot_dir():
    """Screenshots kept as test artifacts, beside the test data (REVUE_DATA_DIR)."""
    from django.conf import settings

    folder = settings.DATA_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
