"""The front page: the headline ticker, the category sections, its cache and its query count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing

from revue.portal.templatetags.portal_tags import proxy_url
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from revue.news.models import Category
from revue.portal.cache import invalidate_portal


def ticker_html(response) -> str:
    html = response.content.decode()
    match = re.search(r'<ol class="ticker__list"[^>]*>(.*?)</ol>', html, re.S)
    assert match, "no ticker on the page"
    return match.group(1)


def section_html(response, slug: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<section class="section" aria-labelledby="rubrique-{slug}">(.*?)</section>', html, re.S)
    assert match, f"no section {slug}"
    return match.group(1)


@pytest.mark.django_db
def test_ticker_lists_the_newest_headlines_in_order_and_no_more(client, barlamane, hespress, make_article):
    now = timezone.now()
    size = settings.REVUE_TICKER_SIZE
    assert size == 50
    # 51 headlines, alternating outlets, made oldest-first so ids do not match the order
    for n in range(size + 1, 0, -1):
        make_article(barlamane if n % 2 else hespress, f"Dépêche n°{n:03d}", published_at=now - timedelta(minutes=n))

    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    titles = re.findall(r"Dépêche n°(\d{3})", ticker_html(response))
    assert titles == [f"{n:03d}" for n in range(1, size + 1)]
    assert "Dépêche n°051" not in response.content.decode()


@pytest.mark.django_db
def test_ticker_links_each_headline_to_its_article_page(client, barlamane, make_article):
    article = make_article(barlamane, "Sahara marocain : nouvel élan")
    html = ticker_html(client.get("/"))
    assert f'<a href="/barlamane/{article.pk}" lang="fr" dir="auto">Sahara marocain : nouvel élan</a>' in html


@pytest.mark.django_db
def test_ticker_pauses_on_hover_and_respects_reduced_motion(client):
    css = b"".join(client.get("/static/portal/revue.css").streaming_content).decode()
    assert "animation-play-state: paused" in css
    assert "prefers-reduced-motion: reduce" in css
    assert "http" not in re.sub(r"/\*.*?\*/", "", css, flags=re.S), "no external resources"


@pytest.mark.django_db
def test_sections_follow_category_order_with_latest_six(client, barlamane, hespress, make_article, category, make_image):
    sport, maroc, economie = category("sport"), category("maroc"), category("economie")
    for n in range(8):
        make_article(barlamane, f"Sport {n}", category=sport)
    maroc_image = make_image("https://img.example/maroc.jpg")
    make_article(hespress, "Maroc 0", category=maroc, image=maroc_image)
    make_article(barlamane, "Bloquée 0", category=maroc, image=make_image("https://img.example/bad.jpg", blocked=True))

    response = client.get("/")
    html = response.content.decode()

    assert html.index('id="rubrique-maroc"') < html.index('id="rubrique-sport"')
    assert 'id="rubrique-economie"' not in html, "a category without articles has no section"
    assert economie.name not in re.sub(r'<nav class="category-nav".*?</nav>', "", html, flags=re.S)
    sport_titles = re.findall(r">(Sport \d)</a>", section_html(response, "sport"))
    assert sport_titles == [f"Sport {n}" for n in range(6)]
    maroc = section_html(response, "maroc")
    assert 'href="/hespress/"' in maroc and "><bdi>Hespress</bdi></a>" in maroc
    assert f'src="{proxy_url(maroc_image, 320)}"' in maroc and 'loading="lazy"' in maroc
    assert "bad.jpg" not in html
    assert "il y a" in maroc


@pytest.mark.django_db
def test_home_without_articles_says_so(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Aucun article pour le moment" in response.content.decode()
    assert 'class="ticker' not in response.content.decode()


@pytest.mark.django_db
def test_base_template_is_french_with_nav_and_footer(client, barlamane, make_article):
    make_article(barlamane)
    html = client.get("/").content.decode()
    assert '<html lang="fr"' in html
    assert '<a class="brand" href="/">Revue</a>' in html
    for section in Category.objects.all():
        assert f'href="/categorie/{section.slug}/"' in html
    assert "Revue agrège les titres de 1 source." in html
    assert '/static/portal/revue.css' in html


@pytest.mark.django_db
def test_home_query_count_is_bounded(client, barlamane, hespress, make_article, category, make_image,
                                     django_assert_max_num_queries, django_assert_num_queries):
    for slug in ("maroc", "economie", "sport", "culture"):
        for n in range(10):
            make_article(barlamane if n % 2 else hespress, category=category(slug),
                         image=make_image(f"https://img.example/{slug}/{n}.jpg"))
    sections = Category.objects.count()

    # cold cache: the ticker's choice, the categories, one choice per section, then the ticker's and
    # the sections' articles read at once, and the footer's source count
    with django_assert_max_num_queries(sections + 4):
        assert client.get("/").status_code == 200
    # warm cache: nothing
    with django_assert_num_queries(0):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_invalidate_portal_drops_the_cached_front_page(client, barlamane, make_article):
    make_article(barlamane, "Premier titre")
    assert "Premier titre" in client.get("/").content.decode()
    make_article(barlamane, "Titre tout frais")
    assert "Titre tout frais" not in client.get("/").content.decode(), "served from the cache"

    invalidate_portal()

    assert "Titre tout frais" in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_blocked_image_leaves_the_front_page_on_invalidation(client, barlamane, make_article, make_image, category):
    image = make_image("https://img.example/photo.jpg")
    make_article(barlamane, category=category("maroc"), image=image)
    assert proxy_url(image, 640) in client.get("/").content.decode()

    image.state = image.State.BLOCKED
    image.save()
    invalidate_portal()

    assert signing.Signer(salt=settings.REVUE_IMAGE_URL_SALT).sign(str(image.pk)) not in client.get("/").content.decode()
