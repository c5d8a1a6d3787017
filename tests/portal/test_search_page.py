"""The search page as a reader uses it: results, highlights, filters, pages, odd input."""

from __future__ import annotations

import html

import re
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_search_finds_and_highlights_without_accents(client, barlamane, make_article):
    article = make_article(barlamane, "La résolution du Conseil de sécurité", text="Une résolution adoptée hier.")
    html = client.get("/recherche?q=resolution").content.decode()
    assert f'href="/barlamane/{article.pk}"' in html
    assert "La <mark>résolution</mark> du Conseil de sécurité" in html
    assert "Une <mark>résolution</mark> adoptée hier." in html
    assert "1 résultat" in text_of(html)


def test_the_header_has_a_search_box(client, db):
    html = client.get("/").content.decode()
    assert 'action="/recherche"' in html and 'name="q"' in html


def test_no_results_says_so(client, barlamane, make_article):
    make_article(barlamane, "Le budget")
    assert "Aucun article ne correspond à « tramway »" in client.get("/recherche?q=tramway").content.decode()


@pytest.mark.parametrize("query", ['"', "AND", "*", "-", "(((", ":", "'", "x" * 10_000, "maroc " * 2_000])
def test_odd_queries_get_a_page_not_an_error(client, barlamane, make_article, query):
    make_article(barlamane, "Le Maroc avance")
    response = client.get("/recherche?q=" + quote(query))
    assert response.status_code == 200


def test_a_query_of_only_syntax_gets_a_hint(client, db):
    html = client.get("/recherche?q=" + quote('" * -')).content.decode()
    assert "Aucun mot à chercher" in html


def test_a_very_long_query_is_cut_with_a_notice(client, barlamane, make_article):
    make_article(barlamane, "Le Maroc avance")
    html = client.get("/recherche?q=" + quote("maroc " * 2_000)).content.decode()
    assert "premiers mots" in html or "coupée" in html
    assert "<mark>Maroc</mark>" in html


def test_the_query_is_escaped_everywhere(client, db):
    html = client.get("/recherche?q=" + quote('<script>alert("x")</script>')).content.decode()
    assert "<script>alert" not in html


def test_filters_narrow_the_results(client, barlamane, hespress, make_article, category):
    make_article(barlamane, "Match de football", category=category("sport"))
    make_article(hespress, "Match مباراة", category=category("sport"))
    html = client.get("/recherche?q=match&source=hespress").content.decode()
    assert "مباراة" in html and "football" not in html
    html = client.get("/recherche?q=match&langue=fr").content.decode()
    assert "football" in html and "مباراة" not in html


@pytest.mark.parametrize(
    "params, message",
    [
        ("source=inconnue", "Aucune source ne s&#x27;appelle « inconnue »"),
        ("rubrique=nulle-part", "Aucune rubrique"),
        ("du=2025-02-30", "n&#x27;est pas une date valide"),
        ("du=demain", "n&#x27;est pas une date valide"),
        ("du=2025-12-09&au=2025-12-08", "La date de début doit précéder la date de fin."),
        ("langue=français", "n&#x27;est pas un code de langue"),
        ("page=deux", "n&#x27;est pas un numéro de page"),
    ],
)
def test_bad_filters_get_a_400_saying_what_to_fix(client, db, params, message):
    response = client.get(f"/recherche?q=maroc&{params}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_pages_link_to_each_other_and_keep_the_search(client, barlamane, make_article, settings):
    settings.REVUE_SEARCH_PAGE_SIZE = 2
    for n in range(5):
        make_article(barlamane, f"Marché numéro {n}")
    first = client.get("/recherche?q=march%C3%A9&source=barlamane").content.decode()
    assert 'href="?q=march%C3%A9&amp;source=barlamane&amp;page=2"' in first
    third = client.get("/recherche?q=march%C3%A9&source=barlamane&page=3").content.decode()
    assert text_of(third).count("Marché numéro") == 1 and 'rel="next"' not in third


def test_a_date_at_the_end_of_the_calendar_is_refused_with_a_message(client, db):
    response = client.get("/recherche", {"q": "maroc", "au": "9999-12-31"})
    assert response.status_code == 400
    assert "n'est pas une date valide" in html.unescape(response.content.decode())


# --- the outlet filter with many outlets, and a search that only reads (issue #17) ---------------


def test_past_the_menus_size_the_outlet_is_typed_and_still_filters(client, barlamane, hespress, make_article, settings):
    """With more outlets than ``REVUE_SEARCH_OUTLET_MENU_MAX`` the form has a text field instead of
    one <option> per outlet (10,000 of them made a search page 478,000 characters long); the reader
    types the outlet's name, in any case, or its address, and the results are that outlet's only."""
    make_article(barlamane, "Match de football")
    make_article(hespress, "Match مباراة")
    menu = client.get("/recherche?q=match").content.decode()
    assert '<select id="recherche-source"' in menu and '<option value="hespress">Hespress</option>' in menu

    settings.REVUE_SEARCH_OUTLET_MENU_MAX = 1
    for typed in ("hespress", "HESPRESS", "Hespress"):
        html = client.get("/recherche", {"q": "match", "source": typed}).content.decode()
        assert '<select id="recherche-source"' not in html and "<option value=\"barlamane\"" not in html
        assert f'<input id="recherche-source" type="text" name="source" value="{typed}"' in html  # refilled
        assert "مباراة" in html and "football" not in html, typed
    unknown = client.get("/recherche", {"q": "match", "source": "Le Monde"})
    assert unknown.status_code == 400 and "Aucune source ne s&#x27;appelle « Le Monde »" in unknown.content.decode()


def test_a_search_writes_nothing_and_finds_what_is_indexed(client, barlamane, make_article, django_capture_on_commit_callbacks):
    """A reader's search only reads: an article edited outside the crawler stays queued (the crawl
    run indexes it), and the search answers from the index as it is, without one write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from revue.news import search
    from revue.news.models import Article

    article = make_article(barlamane, "Le port de Tanger")
    Article.objects.filter(pk=article.pk).update(title="Le port de Nador")  # an edit in the admin: queued
    with CaptureQueriesContext(connection) as seen:
        page = client.get("/recherche?q=tanger")
        api = client.get("/api/search?q=tanger")
    assert page.status_code == api.status_code == 200
    writes = [q["sql"] for q in seen.captured_queries
              if re.match(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", q["sql"], re.I)]
    assert writes == []
    assert search.pending_ids() == [article.pk]
    assert f'href="/barlamane/{article.pk}"' in page.content.decode()  # found as indexed
    assert [item["id"] for item in api.json()["items"]] == [article.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert search.index_queued() == 1  # what each crawl run ends with (kept pages renewed)
    assert search.pending_ids() == []
    assert f'href="/barlamane/{article.pk}"' in client.get("/recherche?q=nador").content.decode()
    assert "Aucun article ne correspond" in client.get("/recherche?q=tanger").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_crawl_run_indexes_what_is_queued(barlamane, make_article):
    from datetime import timedelta

    from django.utils import timezone

    from revue.crawl.worker import Crawler
    from revue.sources.models import Feed
    from revue.news import search
    from revue.news.models import Article

    article = make_article(barlamane, "Le port de Tanger")
    Article.objects.filter(pk=article.pk).update(title="Le port de Nador")
    Feed.objects.update(next_fetch_at=timezone.now() + timedelta(days=1))
    Crawler(processes=0).run_once()  # nothing due: the run still ends with the queue
    assert search.pending_ids() == []
    assert [hit.article.pk for hit in search.search("nador").hits] == [article.pk]


def test_search_pages_are_kept_by_their_parameters(client, barlamane, hespress, make_article):
    from revue.portal.cache import invalidate_portal

    make_article(barlamane, "Match de football")
    first = client.get("/recherche?q=match&utm_source=x")
    assert "public" in first["Cache-Control"] and first["ETag"]
    make_article(hespress, "Match مباراة")  # indexed, not settled: the kept page stays
    assert client.get("/recherche?q=match").content == first.content
    assert "مباراة" in client.get("/recherche?q=match&langue=ar").content.decode()  # another search
    invalidate_portal()  # what a settle does
    assert "مباراة" in client.get("/recherche?q=match").content.decode()


def test_a_page_of_results_costs_the_same_queries_however_many_results(client, barlamane, hespress, make_article, category):
    """Each result's outlet, category and language come with the page's one read of its articles:
    twenty results cost no more queries than one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from revue.portal.cache import invalidate_portal

    make_article(barlamane, "Le port de Tanger", category=category("economie"))
    client.get("/recherche?q=tanger")  # the header's and the form's lists, kept for every page
    with CaptureQueriesContext(connection) as one:
        assert client.get("/recherche?q=port").content.decode().count('class="search-result"') == 1
    for n in range(19):
        make_article(hespress if n % 2 else barlamane, f"Le port numéro {n}", category=category("sport") if n % 3 else None)
    invalidate_portal()  # what a settle does: the kept page of « port » goes
    client.get("/recherche?q=tanger")
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/recherche?q=port").content.decode().count('class="search-result"') == 20
    assert len(twenty.captured_queries) == len(one.captured_queries)
