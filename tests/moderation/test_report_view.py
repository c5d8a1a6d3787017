"""``POST /signaler/image/<id>/`` as a reader's browser sends it: with or without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from revue.moderation.identity import REPORTER_COOKIE
from revue.moderation.models import ImageReport
from revue.news.models import Image

from .conftest import THANKS, Reader, lead_of

pytestmark = pytest.mark.django_db


def test_the_script_gets_the_exact_thank_you_message(article, reader):
    response = reader(1).report(lead_of(article))
    assert response.status_code == 200
    assert response.json() == {"message": THANKS}


def test_without_javascript_the_form_comes_back_to_the_article_with_the_message(article, reader):
    alice = reader(1)
    path = article.get_absolute_url()

    response = alice.report(lead_of(article), json=False, next_path=path)

    assert response.status_code == 302 and response["Location"] == path
    assert THANKS in alice.client.get(path).content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "\t//evil.example", "relative/path"],
)
def test_next_never_leaves_the_site(article, reader, target):
    response = reader(1).report(lead_of(article), json=False, next_path=target)
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()


def test_a_report_needs_the_csrf_token(article):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/signaler/image/{lead_of(article).pk}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert not ImageReport.objects.exists()


def test_without_javascript_a_form_without_its_token_gets_a_french_page_saying_nothing_was_kept(article):
    """A form posted from a page kept open too long (or with cookies refused): the reader reads,
    in French, in the portal's page, that nothing was recorded and what to do."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/signaler/image/{lead_of(article).pk}/", {"next": article.get_absolute_url()})
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fr"' in html and "Envoi refusé" in html
    assert "Rien n&#x27;a été enregistré" in html or "Rien n'a été enregistré" in html
    assert "Forbidden" not in html and "CSRF verification failed" not in html
    assert not ImageReport.objects.exists()


def test_the_article_page_hands_out_a_working_form_and_image_token(article):
    """What a reader's script sends: the image's report token, from the button under the image on
    the (cacheable) page, and the reader's own CSRF token, from the private /signaler/csrf/."""
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(article.get_absolute_url()).content.decode()
    asked = browser.get("/signaler/csrf/", HTTP_ACCEPT="application/json")
    assert "no-store" in asked["Cache-Control"] and "private" in asked["Cache-Control"]
    csrf = asked.json()["csrf"]
    lead = lead_of(article).pk
    jeton = re.search(rf'formaction="/signaler/image/{lead}/"[^>]*\sname="jeton" value="([^"]+)"', html).group(1)
    response = browser.post(
        f"/signaler/image/{lead}/", {"csrfmiddlewaretoken": csrf, "jeton": jeton}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json()["message"] == THANKS
    assert ImageReport.objects.filter(image_id=lead).count() == 1


def test_the_reader_gets_a_signed_cookie_that_keeps_them_one_person(article, reader):
    alice = reader(1)
    first = alice.report(lead_of(article))
    cookie = first.cookies[REPORTER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert ":" in cookie.value  # signed

    alice.report(Image.objects.get(pk=lead_of(article).pk), address="198.51.100.20")  # same browser, other network
    assert ImageReport.objects.count() == 1


def test_a_tampered_cookie_is_a_new_reader_but_not_a_new_address(article, reader):
    alice = reader(1)
    alice.report(lead_of(article))
    alice.client.cookies[REPORTER_COOKIE] = "forged-id:signature"
    alice.report(lead_of(article))
    assert ImageReport.objects.filter(counted=True).count() == 1


def test_no_raw_address_is_stored(article, reader):
    reader(1).report(lead_of(article))
    report = ImageReport.objects.get()
    values = " ".join([report.reporter_id, report.address_hash, report.network_hash])
    assert "203.0.113" not in values
    assert len(report.address_hash) == 64 and len(report.network_hash) == 64


def test_unknown_image_is_a_clear_404(db, reader):
    response = reader(1).report(Image(pk=987654))
    assert response.status_code == 404
    assert response.json()["message"] == "Cette image n'existe pas ou plus sur Revue."
    html = reader(2).report(Image(pk=987654), json=False).content.decode()
    assert "Cette image n&#x27;existe pas ou plus sur Revue." in html


def test_a_get_is_a_clear_405(article, client):
    response = client.get(f"/signaler/image/{lead_of(article).pk}/")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Signaler cette image" in response.content.decode()


def test_a_bad_image_id_is_not_found(client):
    assert client.post("/signaler/image/abc/").status_code == 404


def test_reports_are_rate_limited_per_address_with_a_french_429(make_article, reader, settings):
    settings.REVUE_REPORT_RATE_LIMIT = 3
    images = [lead_of(make_article(lead=f"https://img.example/{n}.jpg", inline=())) for n in range(5)]
    alice = reader(1)
    assert [alice.report(image).status_code for image in images[:3]] == [200, 200, 200]

    refused = alice.report(images[3])

    assert refused.status_code == 429
    assert refused.json()["message"].startswith("Trop de signalements depuis votre connexion.")
    assert 0 < int(refused["Retry-After"]) <= settings.REVUE_REPORT_RATE_WINDOW
    assert not ImageReport.objects.filter(image=images[3]).exists()
    # a fresh browser on the same connection is refused too; another connection is not
    assert Reader(address=alice.address).report(images[4]).status_code == 429
    assert reader(2).report(images[4]).status_code == 200
    page = Reader(address=alice.address).report(images[4], json=False)
    assert page.status_code == 429 and "Trop de signalements" in page.content.decode()


def test_a_trusted_proxy_header_tells_readers_apart(article, settings):
    image = lead_of(article)
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXIES = ["127.0.0.1"]
    for n in (1, 2, 3):
        # the proxy (127.0.0.1) appends the address it saw; the left part is the client's claim
        Reader(address="127.0.0.1").report(image, HTTP_X_FORWARDED_FOR=f"10.9.9.9, 198.51.{n}.1")
    image.refresh_from_db()
    assert image.is_blocked


def test_without_the_setting_the_header_is_ignored(article, settings):
    settings.REVUE_TRUSTED_PROXIES = ["127.0.0.1"]
    image = lead_of(article)
    for n in (1, 2, 3):
        Reader(address="127.0.0.1").report(image, HTTP_X_FORWARDED_FOR=f"198.51.{n}.1")
    image.refresh_from_db()
    assert not image.is_blocked
    assert ImageReport.objects.filter(counted=True).count() == 1


def test_a_header_from_a_connection_that_is_no_trusted_proxy_is_ignored(article, settings):
    settings.REVUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.REVUE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    image = lead_of(article)
    for n in (1, 2, 3):  # a reader who reaches the server directly, claiming three networks
        Reader(address="192.0.2.44").report(image, HTTP_X_FORWARDED_FOR=f"198.51.{n}.1")
    image.refresh_from_db()
    assert not image.is_blocked
    assert ImageReport.objects.filter(counted=True).count() == 1
