"""The page cache and the readers' private pages, on their own (``revue.portal.cache``; issue #17).

What a reader sees through the real server is in ``tests/e2e/test_cached_pages.py``; here, each
rule of ``page()`` with Django's test client: a kept page is served again until the reader
generation is renewed, its key reads only the path and ``?page=``, whatever belongs to one reader
is private and never kept, one request renders a missing page while the others wait for it, and
the two private pages of the report flow (the CSRF token, the confirmation) hold their ground.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from revue.moderation.tokens import token_for
from revue.news.models import Image
from revue.portal.cache import FRONT, invalidate_portal, local_copies, page, page_key

pytestmark = pytest.mark.django_db


def test_a_kept_page_is_served_again_until_the_generation_is_renewed(client, barlamane, make_article):
    first = make_article(barlamane, title="Le premier titre")
    seen = client.get("/")
    assert first.title in seen.content.decode()
    make_article(barlamane, title="Un titre arrivé depuis")  # stored, not settled: nothing renewed

    again = client.get("/")
    assert again.content == seen.content and again["ETag"] == seen["ETag"]
    assert again["Last-Modified"] == seen["Last-Modified"]

    invalidate_portal()  # what a settle and a block do
    assert "Un titre arrivé depuis" in client.get("/").content.decode()


def test_the_key_reads_the_path_and_the_page_number_only():
    factory = RequestFactory()
    key = page_key(factory.get("/barlamane/"), FRONT)
    assert page_key(factory.get("/barlamane/?utm_source=x&fbclid=y"), FRONT) == key
    assert page_key(factory.get("/barlamane/?page=2"), FRONT) != key
    assert page_key(factory.get("/hespress/"), FRONT) != key


def test_a_reader_with_a_session_or_a_message_gets_a_private_page_never_kept(client, barlamane, make_article):
    make_article(barlamane)
    for cookie in ("sessionid", "messages"):
        personal = Client()
        personal.cookies[cookie] = "something"
        answer = personal.get("/")
        assert "private" in answer["Cache-Control"] and "no-cache" in answer["Cache-Control"], cookie
        assert "public" not in answer["Cache-Control"], cookie
    assert cache.get(page_key(RequestFactory().get("/"), FRONT)) is None, "nothing kept for them"
    public = client.get("/")
    assert public["Cache-Control"] == "public, max-age=60"


def test_a_render_that_touches_a_csrf_token_is_private_and_not_kept():
    def view(request):
        return HttpResponse(f"<form>{get_token(request)}</form>" * 20)

    request = RequestFactory().get("/quelque-part/")
    answer = page(FRONT)(view)(request)
    assert "private" in answer["Cache-Control"]
    assert cache.get(page_key(request, FRONT)) is None


def test_one_request_renders_a_missing_page_while_another_waits_for_its_copy(settings):
    settings.REVUE_PAGE_RENDER_WAIT_MS = 5000
    renders = []

    def slow_view(request):
        renders.append(threading.get_ident())
        time.sleep(0.3)
        return HttpResponse("<p>une page</p>" * 50)

    view = page(FRONT)(slow_view)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(view(RequestFactory().get("/lent/")))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 1, "rendered once for the four requests"
    assert len({answer["ETag"] for answer in answers}) == 1 and all(a.status_code == 200 for a in answers)


def test_a_waiting_request_stops_waiting_when_the_render_keeps_nothing(settings):
    """A 404 (or a 400) is not kept: those waiting for it render it themselves at once, so many
    requests for one missing page never hold server threads for the whole wait."""
    settings.REVUE_PAGE_RENDER_WAIT_MS = 5000
    request = RequestFactory().get("/nulle-part/")
    lock = f"{page_key(request, FRONT)}:rendering"
    cache.add(lock, True, 30)
    threading.Timer(0.1, cache.delete, args=[lock]).start()  # the other render ends, keeping nothing

    started = time.monotonic()
    answer = page(FRONT)(lambda request: HttpResponse("introuvable", status=404))(request)

    assert answer.status_code == 404 and time.monotonic() - started < 1
    assert "Cache-Control" not in answer


# --- the report flow's private pages ---------------------------------------------------------------


@pytest.fixture
def image(db):
    return Image.objects.create(url="https://img.example/photo.jpg")


def test_the_csrf_token_page_is_private_and_read_only(client):
    answer = client.get("/signaler/csrf/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and len(answer.json()["csrf"]) >= 32
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    assert "csrftoken" in answer.cookies
    assert client.post("/signaler/csrf/").status_code == 405


def test_the_confirmation_page_carries_its_own_csrf_token_and_is_private(image):
    browser = Client(enforce_csrf_checks=True)
    answer = browser.get(f"/signaler/image/{image.pk}/", {"jeton": token_for(image.pk), "next": "/barlamane/1"})
    html = answer.content.decode()
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    assert re.search(rf'<form method="post" action="/signaler/image/{image.pk}/">', html)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    jeton = re.search(r'name="jeton" value="([^"]+)"', html).group(1)
    assert 'name="next" value="/barlamane/1"' in html

    sent = browser.post(f"/signaler/image/{image.pk}/", {"csrfmiddlewaretoken": csrf, "jeton": jeton, "next": "/barlamane/1"})
    assert sent.status_code == 302 and sent["Location"] == "/barlamane/1"
    assert image.reports.count() == 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"])
def test_the_confirmation_page_never_sends_the_reader_elsewhere(client, image, target):
    html = client.get(f"/signaler/image/{image.pk}/", {"jeton": token_for(image.pk), "next": target}).content.decode()
    assert "evil.example" not in html and "javascript:" not in html
    assert 'name="next"' not in html and '<a href="/">' in html


def test_the_confirmation_page_wants_the_images_own_token(client, image, settings):
    other = Image.objects.create(url="https://img.example/autre.jpg")
    assert client.get(f"/signaler/image/{image.pk}/", {"jeton": token_for(other.pk)}).status_code == 403
    assert client.get(f"/signaler/image/{image.pk}/", {"jeton": "x" * 5000}).status_code == 403
    assert client.get(f"/signaler/image/{image.pk}/").status_code == 405  # no token: not a way to the page
    assert client.get("/signaler/image/987654/", {"jeton": token_for(987654)}).status_code == 404
    settings.REVUE_REPORT_TOKEN_MAX_AGE = 1
    stale = token_for(image.pk)
    time.sleep(2.1)
    answer = client.get(f"/signaler/image/{image.pk}/", {"jeton": stale})
    assert answer.status_code == 403 and "rechargez-la" in answer.content.decode()
    assert not image.reports.exists()


def test_a_kept_page_answering_a_malformed_csrf_cookie_is_private(client, barlamane, make_article):
    """The CSRF middleware answers a malformed cookie with a fresh one: that answer is the
    reader's own, even when the page itself comes from the cache."""
    make_article(barlamane)
    assert client.get("/")["Cache-Control"] == "public, max-age=60"  # now kept
    odd = Client()
    odd.cookies["csrftoken"] = "not a token"
    answer = odd.get("/")
    assert "csrftoken" in answer.cookies and "private" in answer["Cache-Control"]
    well_formed = Client()
    well_formed.cookies["csrftoken"] = get_token(RequestFactory().get("/"))
    assert well_formed.get("/")["Cache-Control"] == "public, max-age=60"


def test_an_article_is_never_kept_longer_than_half_its_report_tokens_life(settings):
    from revue.portal.cache import ARTICLE, max_age

    assert max_age(ARTICLE) == 300 and max_age(FRONT) == 60
    settings.REVUE_REPORT_TOKEN_MAX_AGE = 120
    assert max_age(ARTICLE) == 60


@pytest.mark.skipif(local_copies() is None, reason="a process's own copies are kept only beside a shared cache (Redis)")
def test_beside_a_shared_cache_a_process_serves_its_own_copy_until_a_renewal(client, barlamane, make_article):
    """With Redis, a page served again comes from the process's own copy (one round trip for the
    generation, none for the page): it is served even once Redis has lost it, and never after a
    renewal."""
    make_article(barlamane, title="Le premier titre")
    seen = client.get("/")
    key = page_key(RequestFactory().get("/"), FRONT)
    assert cache.get(key) is not None and local_copies().get(key) is not None
    cache.delete(key)  # Redis evicted it
    again = client.get("/")
    assert again.content == seen.content and again["Last-Modified"] == seen["Last-Modified"]
    assert cache.get(key) is None  # served from the copy, not rendered again

    make_article(barlamane, title="Un titre arrivé depuis")
    invalidate_portal()  # what a settle and a block do
    assert "Un titre arrivé depuis" in client.get("/").content.decode()
