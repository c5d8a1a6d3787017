"""What readers see: report buttons on every image, placeholders for blocked ones, everywhere."""

from __future__ import annotations

import re

import pytest

from revue.moderation.body import rewrite_images, without_blocked_images
from revue.moderation.services import block_image
from revue.news.models import Image, url_hash

from .conftest import LEAD_URL, inline_of, lead_of

BUTTON = re.compile(r'<button type="submit" class="report-image" form="signalement-image" formaction="/signaler/image/(\d+)/"')


def body_of(html: str) -> str:
    return re.search(r'<div class="article__body">(.*?)</div>\s*<p class="article__source-link"', html, re.S).group(1)


def lead_area(html: str) -> str:
    """The article's lead image area: its figure, or the placeholder in its place."""
    return re.search(r'<(figure|div) class="article__image[^"]*".*?</\1>', html, re.S).group(0)


def card_of(html: str, article) -> str:
    """The card of ``article`` in a list page."""
    cards = re.findall(r'<article class="card">.*?</article>', html, re.S)
    return next(card for card in cards if f'href="{article.get_absolute_url()}"' in card)


def is_placeholder(fragment: str) -> bool:
    return 'image-placeholder' in fragment and 'aria-label="Image retirée"' in fragment and "<img" not in fragment


@pytest.mark.django_db
def test_every_image_of_an_article_has_a_report_button(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    assert sorted(int(pk) for pk in BUTTON.findall(html)) == sorted([lead_of(article).pk, inline_of(article).pk])
    assert html.count(">Signaler cette image</button>") == 2
    assert "<img" in lead_area(html) and BUTTON.search(lead_area(html))
    # the same page for every reader (cacheable): no CSRF token; the script asks /signaler/csrf/ for
    # one, the plain form leads to a confirmation page that carries its own
    assert re.search(r'<form id="signalement-image" class="report-form" method="get" hidden data-csrf-url="/signaler/csrf/"[^>]*>', html)
    assert 'name="csrfmiddlewaretoken"' not in html
    assert f'name="next" value="{article.get_absolute_url()}"' in html
    assert "/static/moderation/report.js" in html
    inline = inline_of(article).pk  # its button right after it
    assert re.search(rf'<img\b[^>]*\sdata-image-id="{inline}"[^>]*><button[^>]*formaction="/signaler/image/{inline}/"', body_of(html))


@pytest.mark.django_db
def test_an_article_without_images_has_no_report_form(client, make_article):
    article = make_article(lead=None, inline=())
    html = client.get(article.get_absolute_url()).content.decode()
    assert "signalement-image" not in html and "csrfmiddlewaretoken" not in html


@pytest.mark.django_db
def test_a_blocked_inline_image_is_replaced_in_the_article_body(client, article):
    block_image(inline_of(article))

    body = body_of(client.get(article.get_absolute_url()).content.decode())

    assert "<img" not in body and "cdn.example" not in body
    assert 'class="image-placeholder image-placeholder--inline" role="img" aria-label="Image retirée"' in body
    assert "Paragraphe 0" in body and "Paragraphe 1" in body


@pytest.mark.django_db
def test_a_blocked_lead_image_is_a_placeholder_without_button(client, article):
    block_image(lead_of(article))
    html = client.get(article.get_absolute_url()).content.decode()
    assert is_placeholder(lead_area(html)) and LEAD_URL not in html
    assert [int(pk) for pk in BUTTON.findall(html)] == [inline_of(article).pk]


@pytest.mark.django_db
def test_a_blocked_image_is_a_placeholder_on_list_cards(client, make_article):
    article, other = make_article(), make_article(lead="https://img.example/other.jpg", inline=())
    block_image(lead_of(article))
    for path in ("/", "/barlamane/", "/categorie/maroc/"):
        html = client.get(path).content.decode()
        assert is_placeholder(card_of(html, article)), path
        assert "<img" in card_of(html, other), path


@pytest.mark.django_db(transaction=True)
def test_the_third_report_takes_the_image_off_the_cached_front_page(client, make_article, reader):
    article = make_article()
    image = lead_of(article)
    assert "<img" in card_of(client.get("/").content.decode(), article)  # the front page is now cached
    reader(1).report(image)
    reader(2).report(image)
    assert "<img" in card_of(client.get("/").content.decode(), article)

    reader(3).report(image)

    assert is_placeholder(card_of(client.get("/").content.decode(), article))
    assert is_placeholder(lead_area(client.get(article.get_absolute_url()).content.decode()))


# --- the body rewrite, on its own (also what feeds and the API use) ---------------------------------


def image(pk: int, url: str, blocked: bool = False) -> Image:
    state = Image.State.BLOCKED if blocked else Image.State.VISIBLE
    return Image(pk=pk, url=url, url_hash=url_hash(url), state=state)


def test_an_image_alone_in_its_link_gets_its_button_after_the_link():
    html = '<p>Voir <a href="https://x.example/big.jpg" rel="noopener"><img src="https://x.example/a.jpg" alt="a > b"></a> ici</p>'
    out = rewrite_images(html, [image(7, "https://x.example/a.jpg")], report_buttons=True)
    # written back as nh3 writes HTML: the '>' inside the quoted value escaped
    assert '<img data-image-id="7" src="https://x.example/a.jpg" alt="a &gt; b"></a><button type="submit" class="report-image"' in out
    assert out.startswith("<p>Voir <a href=") and out.endswith(" ici</p>")


def test_a_blocked_image_takes_its_link_with_it():
    html = '<p><a href="https://x.example/big.jpg"><img src="https://x.example/a.jpg?x=1&amp;y=2"></a></p>'
    out = rewrite_images(html, [image(7, "https://x.example/a.jpg?x=1&y=2", blocked=True)], report_buttons=True)
    assert "x.example" not in out and "Image retirée" in out and "report-image" not in out


def test_unknown_images_and_other_markup_are_left_alone():
    html = "<p>Texte <em>riche</em></p><img src='https://other.example/z.jpg'><p>Fin</p>"
    assert rewrite_images(html, [image(7, "https://x.example/a.jpg", blocked=True)], report_buttons=True) == html


def test_feeds_and_the_api_get_the_body_without_blocked_images_and_without_buttons(db, article):
    block_image(inline_of(article))
    article.refresh_from_db()
    out = without_blocked_images(article)
    assert "cdn.example" not in out and "Image retirée" in out and "<button" not in out
