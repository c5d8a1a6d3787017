"""The article page: credit line, link to the original, language direction, images, escaping."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from revue.portal.templatetags.portal_tags import proxy_url

from revue.sources.models import Source

CASABLANCA = ZoneInfo("Africa/Casablanca")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


@pytest.fixture
def blinken(barlamane, make_article, category):
    return make_article(
        barlamane,
        "Migration : Antony Blinken considère que le pacte de Marrakech servira de base",
        url="https://www.barlamane.com/fr/migration-blinken/",
        published_at=datetime(2022, 5, 20, 10, 0, tzinfo=CASABLANCA),
        content_html="<p>Le secrétaire d'Etat américain <strong>Antony Blinken</strong> a indiqué…</p>",
        category=category("monde"),
    )


@pytest.mark.django_db
def test_article_page_credits_its_outlet_and_date(client, blinken):
    response = client.get(f"/barlamane/{blinken.pk}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Antony Blinken considère que le pacte de Marrakech" in html
    assert re.search(r'Publié dans <a href="/barlamane/" dir="auto">Barlamane</a> le <a class="article__date" href="/archives/2022/05/20/">20 - 05 - 2022</a></p>', html)
    assert "Publié dans Barlamane le 20 - 05 - 2022" in text_of(html)


@pytest.mark.django_db
def test_date_is_on_the_portal_clock(client, barlamane, make_article):
    # 23:30 UTC on 19 May is 00:30 on 20 May in Casablanca (UTC+1)
    article = make_article(barlamane, published_at=datetime(2022, 5, 19, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert "Publié dans Barlamane le 20 - 05 - 2022" in text_of(client.get(f"/barlamane/{article.pk}").content.decode())


@pytest.mark.django_db
def test_link_to_the_original_article(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    assert (
        '<a href="https://www.barlamane.com/fr/migration-blinken/" rel="noopener noreferrer">'
        "Cliquez ici pour lire l&#x27;article depuis sa source.</a>"
    ) in html or (
        '<a href="https://www.barlamane.com/fr/migration-blinken/" rel="noopener noreferrer">'
        "Cliquez ici pour lire l'article depuis sa source.</a>"
    ) in html


@pytest.mark.django_db
def test_content_html_is_rendered_but_the_title_is_escaped(client, barlamane, make_article):
    article = make_article(barlamane, "Alerte <script>alert(1)</script>", content_html="<p>Corps <em>riche</em></p>")
    html = client.get(f"/barlamane/{article.pk}").content.decode()
    assert "<p>Corps <em>riche</em></p>" in html
    assert "<script>alert(1)</script>" not in html
    assert "Alerte &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_summary_is_shown_as_text_when_there_is_no_content(client, barlamane, make_article):
    article = make_article(barlamane, summary="Résumé <b>brut</b>\n\nSecond paragraphe")
    html = client.get(f"/barlamane/{article.pk}").content.decode()
    assert "Résumé &lt;b&gt;brut&lt;/b&gt;" in html
    assert "<p>Second paragraphe</p>" in html


@pytest.mark.django_db
def test_arabic_article_is_right_to_left(client, hespress, make_article):
    article = make_article(hespress, "المغرب يحتضن المنتدى", language="ar")
    html = client.get(f"/hespress/{article.pk}").content.decode()
    assert re.search(r'<article class="article" lang="ar" dir="rtl">', html)


@pytest.mark.django_db
def test_french_article_is_left_to_right(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    assert '<article class="article" lang="fr" dir="ltr">' in html


@pytest.mark.django_db
def test_lead_image_comes_first_and_sends_no_referrer(client, barlamane, make_article, make_image):
    article = make_article(barlamane, "Avec image", image=make_image("https://img.example/lead.jpg"))
    html = client.get(f"/barlamane/{article.pk}").content.decode()
    img = re.search(r'<img src="/img/[^"]+"[^>]*>', html).group(0)
    assert proxy_url(article.image) in img
    assert 'alt="Avec image"' in img and 'referrerpolicy="no-referrer"' in img
    assert 'loading="lazy"' not in img and 'fetchpriority="high"' in img  # the page's largest paint, asked for first


@pytest.mark.django_db
def test_blocked_image_is_replaced_by_a_placeholder(client, barlamane, make_article, make_image):
    image = make_image("https://img.example/blocked.jpg", blocked=True)
    article = make_article(barlamane, image=image)
    make_article(barlamane, image=image)  # also in "Autres articles"
    html = client.get(f"/barlamane/{article.pk}").content.decode()
    assert "img.example/blocked.jpg" not in html
    assert "image-placeholder" in html


@pytest.mark.django_db
def test_unsafe_urls_are_never_links(client, barlamane, make_article, make_image):
    article = make_article(barlamane, url="javascript:alert(1)", image=make_image("javascript:alert(2)"))
    html = client.get(f"/barlamane/{article.pk}").content.decode()
    assert "javascript:" not in html
    assert "Cliquez ici" not in html


@pytest.mark.django_db
def test_other_articles_of_the_outlet(client, barlamane, hespress, make_article):
    current = make_article(barlamane, "Article courant")
    for n in range(8):
        make_article(barlamane, f"Autre {n}")
    make_article(hespress, "D'un autre média")
    html = client.get(f"/barlamane/{current.pk}").content.decode()
    others = html.split("Autres articles de Barlamane", 1)[1]
    assert re.findall(r">(Autre \d)</a>", others) == [f"Autre {n}" for n in range(6)]
    assert "Article courant" not in others
    assert "autre média" not in others


@pytest.mark.django_db
def test_wrong_outlet_slug_redirects_permanently(client, blinken, hespress):
    response = client.get(f"/hespress/{blinken.pk}?x=1")
    assert response.status_code == 301
    assert response["Location"] == f"/barlamane/{blinken.pk}"


@pytest.mark.django_db
def test_trailing_slash_redirects_to_the_article(client, blinken):
    response = client.get(f"/barlamane/{blinken.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/barlamane/{blinken.pk}"


@pytest.mark.django_db
def test_unknown_article_is_a_french_404(client, barlamane):
    response = client.get("/barlamane/999999")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html and '<html lang="fr"' in html


@pytest.mark.django_db
def test_article_of_an_inactive_outlet_is_not_shown(client, make_article):
    gone = Source.objects.create(name="Disparu", slug="disparu", is_active=False)
    article = make_article(gone)
    assert client.get(f"/disparu/{article.pk}").status_code == 404


@pytest.mark.django_db
def test_article_page_query_count(client, blinken, make_article, barlamane, django_assert_max_num_queries):
    for _ in range(6):
        make_article(barlamane)
    client.get("/")  # warm the navigation and footer caches
    with django_assert_max_num_queries(2):  # the article, the others
        assert client.get(f"/barlamane/{blinken.pk}").status_code == 200


def test_500_page_is_french_and_standalone():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert '<html lang="fr"' in html and "Une erreur est survenue" in html
