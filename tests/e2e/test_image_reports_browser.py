"""Image reports in a real browser: Debian's chromium, driven by Playwright, on a live server.

A reader clicks « Signaler cette image » and sees the portal's thank-you message; three distinct
readers (three browser contexts, each with its own cookies and its own address, in three
networks) report the same image, and a fresh reader then sees the neutral placeholder on the
article and on the home page. A reader who kept the page open too long is told, in the page, to
reload it. The portal runs behind a pretend proxy: the test trusts the loopback peer
(``REVUE_TRUSTED_PROXIES``), turns on ``REVUE_CLIENT_ADDRESS_HEADER=X-Forwarded-For`` and gives
each browser its own address there, as a real proxy would. Images are served from loopback;
nothing leaves the machine.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect, sync_playwright
from pytest_httpserver import HTTPServer

from revue.news.models import Article, Category, Image
from revue.sources.models import Feed, Source

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
THANKS = (
    "Merci d'avoir signalé! Cette image sera automatiquement bloquée "
    "après qu'elle soit signalée par plusieurs personnes."
)


def png(width: int = 64, height: int = 36, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A small solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@contextmanager
def image_server():
    """An outlet's image server on loopback (pytest-httpserver: a PNG at every path); yields its base URL."""
    with HTTPServer("127.0.0.1") as server:
        server.expect_request(re.compile("/.*")).respond_with_data(png(), content_type="image/png")
        yield server.url_for("").rstrip("/")


def publish(images_base: str) -> Article:
    """An article with a lead image and an inline one, in a category shown on the home page."""
    source = Source.objects.create(name="Barlamane", slug="barlamane", homepage="https://www.barlamane.com/", language="fr")
    feed = Feed.objects.create(source=source, url="https://www.barlamane.com/feed")
    category, _ = Category.objects.get_or_create(slug="monde", defaults={"name": "Monde", "position": 1})
    lead = Image.objects.create(url=f"{images_base}/photos/blinken.png")
    inline = Image.objects.create(url=f"{images_base}/photos/forum.png")
    article = Article.objects.create(
        source=source,
        feed=feed,
        url="https://www.barlamane.com/fr/migration-blinken/",
        title="Migration : Antony Blinken considère que le pacte de Marrakech servira de base",
        content_html=(
            "<p>Le secrétaire d'Etat américain Antony Blinken a indiqué, jeudi à New York…</p>"
            f'<figure><img src="{inline.url}" alt="Le forum" loading="lazy"></figure>'
            "<p>Le 1er Forum d'examen de migrations internationales…</p>"
        ),
        language="fr",
        category=category,
        image=lead,
    )
    article.images.set([lead, inline])
    return article


@contextmanager
def chromium():
    """Debian's chromium under Playwright. Playwright's sync API runs an event loop in this thread,
    so the test touches the database only before entering and after leaving this block."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def behind_a_proxy(settings):
    """The portal behind a (pretend) proxy that writes X-Forwarded-For; images fetched from loopback."""
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXIES = ["127.0.0.1"]  # the live server's peer: the pretend proxy
    settings.REVUE_FETCH_ALLOW = ["127.0.0.1"]  # the outlet's image server of this test
    return settings


def reader_on(browser, address: str | None, **options):
    """A fresh browser context (its own cookies) seen by the portal at ``address``."""
    headers = {"X-Forwarded-For": address} if address else {}
    return browser.new_context(extra_http_headers=headers, locale="fr-FR", **options)


@pytest.mark.django_db(transaction=True)
def test_three_readers_report_and_a_fresh_reader_sees_the_placeholder(live_server, behind_a_proxy):
    cache.clear()
    with image_server() as images_base:
        article = publish(images_base)
        lead_url, page_url = article.image.url, f"{live_server.url}{article.get_absolute_url()}"
        with chromium() as browser:
            for network in ("198.51.100.1", "203.0.113.1", "192.0.2.1"):
                report_the_lead_image(reader_on(browser, network), page_url)
            see_the_placeholder(reader_on(browser, "198.51.100.77"), page_url, live_server.url)

    assert Image.objects.get(url=lead_url).is_blocked


def report_the_lead_image(context, page_url: str) -> None:
    """One reader clicks « Signaler cette image » under the lead image and reads the answer."""
    page = context.new_page()
    page.goto(page_url)
    lead = page.locator(".article__image")
    expect(lead.locator("img")).to_be_visible()  # fetched through the portal's image proxy
    assert page.locator(".article__body figure img ~ .report-image").count() == 1, "inline images have theirs"

    lead.get_by_role("button", name="Signaler cette image").click()

    note = lead.get_by_role("status")
    note.wait_for()
    assert note.text_content() == THANKS
    assert page.url == page_url, "the script reports without leaving the page"
    context.close()


def see_the_placeholder(context, page_url: str, home_url: str) -> None:
    """A reader who never reported anything finds the placeholder on the article and the home page."""
    page = context.new_page()
    page.goto(page_url)
    placeholder = page.locator(".article__image.image-placeholder")
    assert placeholder.is_visible() and placeholder.text_content().strip() == "Image retirée"
    assert page.locator(".article__image img").count() == 0
    assert page.locator(".article__body img").count() == 1, "the inline image is still shown"

    page.goto(f"{home_url}/")
    card = page.locator(".card", has_text="Antony Blinken")
    assert card.locator(".image-placeholder").is_visible()
    assert card.locator("img").count() == 0
    context.close()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_report_comes_back_to_the_article(live_server, behind_a_proxy):
    cache.clear()
    with image_server() as images_base:
        article = publish(images_base)
        page_url = f"{live_server.url}{article.get_absolute_url()}"
        with chromium() as browser:
            context = reader_on(browser, "198.51.100.9", java_script_enabled=False)
            page = context.new_page()
            page.goto(page_url)

            page.locator(".article__body").get_by_role("button", name="Signaler cette image").click()
            page.wait_for_load_state()  # the confirmation page, which carries its own CSRF token
            page.get_by_role("button", name="Confirmer le signalement").click()

            page.wait_for_load_state()
            assert page.url == page_url
            assert page.get_by_role("status").filter(has_text="Merci").text_content() == THANKS
            context.close()

    inline = Image.objects.get(url__endswith="/photos/forum.png")
    assert inline.reports.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_page_kept_open_too_long_asks_to_be_reloaded(live_server, behind_a_proxy):
    behind_a_proxy.REVUE_REPORT_TOKEN_MAX_AGE = 1  # the image's report token, handed out by the page, expires
    cache.clear()
    with image_server() as images_base:
        article = publish(images_base)
        page_url = f"{live_server.url}{article.get_absolute_url()}"
        with chromium() as browser:
            context = reader_on(browser, "198.51.100.10")
            page = context.new_page()
            page.goto(page_url)
            time.sleep(2.2)
            lead = page.locator(".article__image")

            lead.get_by_role("button", name="Signaler cette image").click()

            alert = lead.get_by_role("alert")
            alert.wait_for()
            assert alert.text_content().startswith("Cette page est ouverte depuis trop longtemps : rechargez-la")
            context.close()

    assert not Image.objects.get(pk=article.image_id).reports.exists()
