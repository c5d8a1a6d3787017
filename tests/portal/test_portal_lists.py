"""Outlet and category pages: newest first, paginated without COUNT, clear errors on bad pages."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext


def titles(response) -> list[str]:
    return re.findall(r'<h3 class="card__title"[^>]*><a href="[^"]+">([^<]+)</a>', response.content.decode())


@pytest.fixture
def twenty_five(barlamane, hespress, make_article, category):
    """25 Barlamane articles in 'economie', newest first: 'Barlamane 00' … 'Barlamane 24'."""
    for n in range(25):
        make_article(barlamane, f"Barlamane {n:02d}", category=category("economie"))
    make_article(hespress, "Hespress seul", category=category("sport"))


@pytest.mark.django_db
def test_outlet_page_lists_its_articles_newest_first(client, twenty_five):
    response = client.get("/barlamane/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Barlamane</h1>" in html
    assert 'href="https://www.barlamane.com/"' in html
    assert titles(response) == [f"Barlamane {n:02d}" for n in range(20)]
    assert 'href="?page=2"' in html and "Articles plus anciens →" in html
    assert "Plus récents" not in html


@pytest.mark.django_db
def test_outlet_page_two_has_the_next_articles(client, twenty_five):
    response = client.get("/barlamane/?page=2")
    assert response.status_code == 200
    assert titles(response) == [f"Barlamane {n:02d}" for n in range(20, 25)]
    html = response.content.decode()
    assert "← Plus récents" in html and 'href="/barlamane/"' in html
    assert "Articles plus anciens" not in html


@pytest.mark.django_db
def test_category_page_paginates(client, twenty_five):
    first = client.get("/categorie/economie/")
    second = client.get("/categorie/economie/?page=2")
    assert first.status_code == second.status_code == 200
    assert "<h1>Économie</h1>" in first.content.decode()
    assert titles(first) == [f"Barlamane {n:02d}" for n in range(20)]
    assert titles(second) == [f"Barlamane {n:02d}" for n in range(20, 25)]
    assert 'aria-current="page">Économie</a>' in first.content.decode()


@pytest.mark.django_db
def test_empty_category_page(client):
    response = client.get("/categorie/culture/")
    assert response.status_code == 200
    assert "Aucun article pour le moment." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "2e3", " 2"])
def test_bad_page_number_is_a_french_400(client, twenty_five, page):
    for url in ("/barlamane/", "/categorie/economie/"):
        response = client.get(url, {"page": page})
        assert response.status_code == 400
        assert "Requête invalide" in response.content.decode()
        assert "page" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["3", "501", "99999999999999999999999"])
def test_pages_past_the_end_or_the_limit_are_404(client, twenty_five, page):
    assert client.get("/barlamane/", {"page": page}).status_code == 404


@pytest.mark.django_db
@override_settings(REVUE_PAGE_SIZE=1, REVUE_PORTAL_MAX_PAGE=3)
def test_the_last_allowed_page_exists_and_the_next_does_not(client, barlamane, make_article):
    for _ in range(5):
        make_article(barlamane)
    assert client.get("/barlamane/", {"page": "3"}).status_code == 200
    assert client.get("/barlamane/", {"page": "0003"}).status_code == 200
    assert client.get("/barlamane/", {"page": "4"}).status_code == 404


@pytest.mark.django_db
def test_unknown_outlet_and_category_are_404(client):
    assert client.get("/inconnu/").status_code == 404
    assert client.get("/categorie/inconnue/").status_code == 404


@pytest.mark.django_db
def test_outlet_pages_do_not_swallow_the_portals_own_paths(client):
    assert client.get("/admin/").status_code == 302  # the admin's login redirect
    assert client.get("/static/portal/revue.css").status_code == 200
    assert client.get("/static/").status_code == 404


@pytest.mark.django_db
def test_list_query_counts_are_bounded(client, twenty_five, django_assert_max_num_queries):
    client.get("/")  # warm the navigation and footer caches
    with django_assert_max_num_queries(2):  # the outlet, its page of articles
        assert client.get("/barlamane/?page=2").status_code == 200
    with django_assert_max_num_queries(2):  # the category, its page of articles
        assert client.get("/categorie/economie/").status_code == 200


@pytest.mark.django_db
def test_list_queries_have_a_limit_and_no_count(client, twenty_five):
    with CaptureQueriesContext(connection) as captured:
        client.get("/barlamane/?page=2")
        client.get("/categorie/economie/")
    article_queries = [q["sql"] for q in captured.captured_queries if 'FROM "news_article"' in q["sql"]]
    assert len(article_queries) == 2
    assert all("LIMIT 21" in sql for sql in article_queries)
    assert not any("COUNT(" in sql.upper() for sql in article_queries)
