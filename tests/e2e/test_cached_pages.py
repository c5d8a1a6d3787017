"""Readers' pages through the real server (issue #17): cacheable, conditional, compressed, kept.

``revue serve`` runs as an operator starts it (a subprocess on the test database, its cache in
its own memory, as by default) and httpx reads it as a browser or a shared cache would:

* an anonymous reader's page sets no cookie and does not vary on cookies, says how long it may
  be kept (``public, max-age``: short for fronts, longer for articles), carries an ETag and a
  Last-Modified that answer a repeated request with a 304, and comes gzipped when asked;
* a logged-in moderator's pages are ``private``, never the public copy;
* the server's page cache is renewed by the real flows that change what readers see: three
  readers' reports block an image (the next view shows the placeholder) and a crawl's settle
  brings new articles (the next view of the home page lists them), whatever the page's max-age.
"""

from __future__ import annotations

import gzip
import re

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from revue.news.models import Article, Image, Story
from tests.e2e.conftest import crawl, empty_archive, follow_press
from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_reports_behind_a_proxy import reader, revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FRONT_SECONDS, ARTICLE_SECONDS = "60", "300"  # the defaults, as the README documents them


def in_a_story(article: Article) -> Story:
    story = Story.objects.create(title=article.title, lead=article, article_count=1, outlet_count=1, languages="fr")
    Article.objects.filter(pk=article.pk).update(story=story)
    return story


def reader_pages(article: Article, story: Story) -> dict[str, str]:
    """Every kind of reader's page, with the max-age it must carry."""
    day = timezone.localtime(article.published_at)
    return {
        "/": FRONT_SECONDS,
        article.get_absolute_url(): ARTICLE_SECONDS,
        f"/{article.source.slug}/": FRONT_SECONDS,
        f"/categorie/{article.category.slug}/": FRONT_SECONDS,
        story.get_absolute_url(): FRONT_SECONDS,
        f"/archives/{day:%Y}/{day:%m}/{day:%d}/": FRONT_SECONDS,
        f"/archives/{day:%Y}/{day:%m}/": FRONT_SECONDS,
        "/recherche?q=migration": FRONT_SECONDS,
    }


def cache_control(response: httpx.Response) -> dict[str, str]:
    return {
        name.strip().lower(): value
        for name, _, value in (part.partition("=") for part in response.headers.get("Cache-Control", "").split(","))
    }


def varies_on(response: httpx.Response) -> set[str]:
    return {value.strip().lower() for value in response.headers.get("Vary", "").split(",") if value.strip()}


def test_an_anonymous_readers_pages_are_cacheable_conditional_and_compressed():
    article = publish("http://127.0.0.1:9")
    pages = reader_pages(article, in_a_story(article))
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20) as browser:
        for path, seconds in pages.items():
            first = browser.get(path, headers={"Accept-Encoding": "identity"})
            assert first.status_code == 200, path
            assert "set-cookie" not in first.headers, (path, first.headers.get("set-cookie"))
            assert "cookie" not in varies_on(first), path
            assert cache_control(first) == {"public": "", "max-age": seconds}, (path, first.headers["Cache-Control"])
            etag = first.headers["ETag"]
            assert "csrfmiddlewaretoken" not in first.text, path

            again = browser.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
            assert again.status_code == 304 and again.content == b"", path
            assert again.headers["ETag"] == etag and cache_control(again)["max-age"] == seconds, path
            # a kept page (a search too) also says when it was made
            since = browser.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"], "Accept-Encoding": "identity"})
            assert since.status_code == 304, path

            zipped = browser.get(path, headers={"Accept-Encoding": "gzip"})
            assert zipped.headers["Content-Encoding"] == "gzip", path
            assert "accept-encoding" in varies_on(zipped) and "cookie" not in varies_on(zipped), path
            assert int(zipped.headers["Content-Length"]) < len(first.content) / 2, path
            assert zipped.text == first.text, path  # httpx decompressed it: the same page
            revalidated = browser.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
            assert revalidated.status_code == 304, path

        # a query parameter the page does not read is the same page (and no new cache entry)
        tracked = browser.get(f"{article.get_absolute_url()}?utm_source=x", headers={"Accept-Encoding": "identity"})
        assert tracked.headers["ETag"] == browser.get(article.get_absolute_url(), headers={"Accept-Encoding": "identity"}).headers["ETag"]


def test_the_apis_answers_are_cacheable_and_conditional_too():
    """The JSON API through the real server, as a client or a CDN reads it: no cookie, public with
    the fronts' max-age for lists and search, the article's for one article, a 304 to a repeated
    request, JSON still."""
    article = publish("http://127.0.0.1:9")
    answers = {"/api/articles?limit=20": FRONT_SECONDS, f"/api/articles/{article.pk}": ARTICLE_SECONDS,
               "/api/search?q=migration": FRONT_SECONDS, f"/api/outlets/{article.source.slug}/articles": FRONT_SECONDS}
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20) as client:
        for path, seconds in answers.items():
            first = client.get(path)
            assert first.status_code == 200 and first.headers["Content-Type"].startswith("application/json"), path
            assert "set-cookie" not in first.headers and "cookie" not in varies_on(first), path
            assert cache_control(first) == {"public": "", "max-age": seconds}, (path, first.headers["Cache-Control"])
            again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.content == b"", path
            since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
            assert since.status_code == 304, path
        assert client.get(f"/api/articles/{article.pk}").json()["title"] == article.title


def test_the_raw_gzip_body_is_a_gzip_of_the_page():
    article = publish("http://127.0.0.1:9")
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20) as browser:
        plain = browser.get(article.get_absolute_url(), headers={"Accept-Encoding": "identity"})
        with browser.stream("GET", article.get_absolute_url(), headers={"Accept-Encoding": "gzip"}) as raw:
            body = b"".join(raw.iter_raw())
    assert gzip.decompress(body) == plain.content


def login(browser: httpx.Client, username: str, password: str) -> None:
    form = browser.get("/admin/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = browser.post(
        "/admin/login/", data={"csrfmiddlewaretoken": csrf, "username": username, "password": password, "next": "/admin/"}
    )
    assert answer.status_code == 302, answer.text[:500]


def test_a_logged_in_moderators_pages_are_private_and_never_the_public_copy():
    article = publish("http://127.0.0.1:9")
    get_user_model().objects.create_superuser("amina", "amina@revue.example", "un mot de passe solide 42")
    # one keep-alive connection for the anonymous reader: the same server process before and after
    # (each process of revue serve keeps its own copies, and a page says "il y a …")
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20) as anonymous:
        public = {path: anonymous.get(path) for path in ("/", article.get_absolute_url())}
        with httpx.Client(base_url=base, timeout=20) as moderator:
            login(moderator, "amina", "un mot de passe solide 42")
            for path, seen in public.items():
                own = moderator.get(path)
                assert own.status_code == 200
                assert "private" in cache_control(own) and "public" not in cache_control(own), path
                assert "no-cache" in cache_control(own), path
                assert own.headers.get("Last-Modified") != seen.headers["Last-Modified"] or own.headers["ETag"] != seen.headers["ETag"], (
                    "the moderator's page is made for them, not the kept copy"
                )
        later = anonymous.get("/")  # and nothing of theirs was kept for others
        assert later.headers["ETag"] == public["/"].headers["ETag"]


def report_through_the_proxy(base: str, path: str, image_id: int, network: str) -> None:
    """A reader behind the trusted proxy reports: the page's image token, their own CSRF token."""
    with reader(base, "127.0.0.1", forwarded_for=network) as browser:
        page = browser.get(path)
        assert "set-cookie" not in page.headers
        token = re.search(rf'formaction="/signaler/image/{image_id}/"[^>]*\sname="jeton" value="([^"]+)"', page.text).group(1)
        asked = browser.get("/signaler/csrf/", headers={"Accept": "application/json"})
        assert "no-store" in asked.headers["Cache-Control"] and "private" in asked.headers["Cache-Control"]
        answer = browser.post(
            f"/signaler/image/{image_id}/",
            data={"csrfmiddlewaretoken": asked.json()["csrf"], "jeton": token, "next": path},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 200, answer.text


def test_a_block_renews_the_kept_pages_at_once():
    article = publish("http://127.0.0.1:9")
    image, path = article.image, article.get_absolute_url()
    settings = {"REVUE_CLIENT_ADDRESS_HEADER": "X-Forwarded-For", "REVUE_TRUSTED_PROXIES": "127.0.0.1",
                "REVUE_FRONT_CACHE_SECONDS": "3600", "REVUE_ARTICLE_CACHE_SECONDS": "3600"}  # fmt: skip
    with revue_serve(**settings) as base, httpx.Client(base_url=base, timeout=20) as browser:
        before = {page: browser.get(page) for page in ("/", path)}
        for page, seen in before.items():  # kept: the same copy again
            assert browser.get(page).headers["Last-Modified"] == seen.headers["Last-Modified"]
            assert "/img/" in seen.text
        assert f'formaction="/signaler/image/{image.pk}/"' in before[path].text

        for network in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):
            report_through_the_proxy(base, path, image.pk, network)
        image.refresh_from_db()
        assert image.is_blocked

        after = browser.get(path)
        assert 'aria-label="Image retirée"' in after.text
        assert f'formaction="/signaler/image/{image.pk}/"' not in after.text
        assert after.headers["ETag"] != before[path].headers["ETag"]
        stale = browser.get(path, headers={"If-None-Match": before[path].headers["ETag"]})
        assert stale.status_code == 200, "a reader holding the old page gets the new one"
        home = browser.get("/")
        card = re.search(r'<article class="card">.*?</article>', home.text, re.S).group(0)
        assert "image-placeholder" in card and "<img" not in card


def test_a_settle_renews_the_kept_home_page(allow_loopback):
    """A crawl stores new articles and settles them in its own settle process; the server, in
    another process with its cache in its own memory, shows them at the next view."""
    from revue.demo import DemoPress
    from revue.demo.server import serve_press

    article = publish("http://127.0.0.1:9")
    with revue_serve(REVUE_FRONT_CACHE_SECONDS="3600") as base, httpx.Client(base_url=base, timeout=20) as browser:
        first = browser.get("/")
        assert article.title in first.text
        with serve_press(DemoPress()) as running:
            feed_ids = follow_press(running)
            stored_unsettled = Article.objects.create(
                source=article.source, feed=article.feed, url="https://www.barlamane.com/fr/pas-encore-range/",
                title="Un article rangé sans être installé", content_html="<p>…</p>", language="fr",
            )  # fmt: skip
            assert browser.get("/").headers["ETag"] == first.headers["ETag"], "stored alone: the kept page stays"
            summary = crawl(feed_ids)
        assert summary.new_articles > 0
        newest = Article.objects.exclude(pk__in=[article.pk, stored_unsettled.pk]).order_by("-published_at").first()
        assert newest is not None

        after = browser.get("/")
        assert after.headers["ETag"] != first.headers["ETag"]
        assert newest.title[:40].replace("'", "&#x27;") in after.text or newest.title[:40] in after.text
    empty_archive()
    Image.objects.all().delete()


# --- a reader clicks, in a real browser, on the real server ---------------------------------------


@pytest.fixture
def served_with_images(allow_loopback):
    """``revue serve`` behind a pretend proxy (each browser its own X-Forwarded-For), with an
    outlet's image server on loopback; yields (base URL, the published article)."""
    from tests.e2e.test_image_reports_browser import image_server

    with image_server() as images_base:
        article = publish(images_base)
        settings = {"REVUE_CLIENT_ADDRESS_HEADER": "X-Forwarded-For", "REVUE_TRUSTED_PROXIES": "127.0.0.1",
                    "REVUE_FETCH_ALLOW": "127.0.0.1", "REVUE_ARTICLE_CACHE_SECONDS": "3600"}  # fmt: skip
        with revue_serve(**settings) as base:
            yield base, article


def documents(page) -> list:
    """The page loads (documents) a browser page received, as it received them (``all_headers()``:
    with ``Set-Cookie``, which ``headers`` leaves out)."""
    seen = []
    page.on("response", lambda response: seen.append(response) if response.request.resource_type == "document" else None)
    return seen


@pytest.mark.browser
def test_with_javascript_three_readers_report_from_the_kept_page_and_a_fresh_one_sees_the_placeholder(served_with_images):
    from playwright.sync_api import expect

    from tests.e2e.test_image_reports_browser import THANKS, chromium, reader_on

    base, article = served_with_images
    page_url = f"{base}{article.get_absolute_url()}"
    with chromium() as browser:
        for network in ("198.51.100.1", "203.0.113.1", "192.0.2.1"):
            context = reader_on(browser, network)
            page = context.new_page()
            loads = documents(page)
            page.goto(page_url)
            assert "set-cookie" not in loads[-1].all_headers() and "public" in loads[-1].all_headers()["cache-control"]
            lead = page.locator(".article__image")
            expect(lead.locator("img")).to_be_visible()

            lead.get_by_role("button", name="Signaler cette image").click()

            note = lead.get_by_role("status")
            note.wait_for()
            assert note.text_content() == THANKS and page.url == page_url
            cookies = {cookie["name"] for cookie in context.cookies()}
            assert {"csrftoken", "revue_lecteur"} <= cookies, "the reader's own tokens came with the report"
            context.close()

        fresh = reader_on(browser, "198.51.100.77").new_page()
        fresh.goto(page_url)
        assert fresh.locator(".article__image.image-placeholder").is_visible()
        assert fresh.locator(".article__image img").count() == 0
        fresh.goto(f"{base}/")
        assert fresh.locator(".card", has_text="Antony Blinken").locator(".image-placeholder").is_visible()
    assert Image.objects.get(pk=article.image_id).is_blocked


@pytest.mark.browser
def test_without_javascript_a_reader_confirms_on_a_private_page_and_comes_back_to_the_article(served_with_images):
    from tests.e2e.test_image_reports_browser import THANKS, chromium, reader_on

    base, article = served_with_images
    page_url = f"{base}{article.get_absolute_url()}"
    with chromium() as browser:
        context = reader_on(browser, "198.51.100.9", java_script_enabled=False)
        page = context.new_page()
        loads = documents(page)
        page.goto(page_url)
        assert "set-cookie" not in loads[-1].all_headers() and "public" in loads[-1].all_headers()["cache-control"]

        page.locator(".article__body").get_by_role("button", name="Signaler cette image").click()
        page.wait_for_load_state()
        confirm = loads[-1]
        assert "/signaler/image/" in confirm.url and "no-store" in confirm.all_headers()["cache-control"]
        assert "csrftoken=" in confirm.all_headers().get("set-cookie", "")

        page.get_by_role("button", name="Confirmer le signalement").click()
        page.wait_for_load_state()

        assert page.url == page_url
        assert page.get_by_role("status").filter(has_text="Merci").text_content() == THANKS
        thanked = loads[-1]
        assert "private" in thanked.all_headers()["cache-control"], "a page with a reader's message is theirs alone"
        page.reload()
        assert page.get_by_role("status").filter(has_text="Merci").count() == 0, "the message is shown once"
        assert "public" in loads[-1].all_headers()["cache-control"]
        context.close()
    inline = Image.objects.get(url__endswith="/photos/forum.png")
    assert inline.reports.count() == 1
