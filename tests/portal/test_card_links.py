"""The links of the cards, ticker and stories: each process keeps the paths it made
(``revue.portal.templatetags.portal_tags.portal_path``), so they must still follow the edition and
an outlet's new slug; and the card written in Python says what the page's lists always said."""

from __future__ import annotations

import re

import pytest

from revue.portal.cache import invalidate_portal

pytestmark = pytest.mark.django_db


def card_links(html: str) -> list[str]:
    return re.findall(r'<h3 class="card__title"[^>]*><a href="([^"]+)">', html)


def test_card_links_follow_the_edition(client, barlamane, make_article, category):
    article = make_article(barlamane, "Le port de Tanger s'agrandit", category=category("economie"))

    french = client.get("/categorie/economie/").content.decode()
    arabic = client.get("/ar/categorie/economie/").content.decode()
    french_again = client.get("/").content.decode()

    assert card_links(french) == [f"/barlamane/{article.pk}"]
    assert card_links(arabic) == [f"/ar/barlamane/{article.pk}"]
    assert 'href="/ar/barlamane/"' in arabic and 'href="/barlamane/"' not in arabic
    assert f'<a href="/barlamane/{article.pk}"' in french_again and "/ar/barlamane" not in french_again


def test_card_links_follow_an_outlet_renamed(client, barlamane, make_article, category):
    article = make_article(barlamane, "Le port de Tanger s'agrandit", category=category("economie"))
    assert card_links(client.get("/categorie/economie/").content.decode()) == [f"/barlamane/{article.pk}"]

    barlamane.slug = "barlamane-info"
    barlamane.save()
    invalidate_portal()
    html = client.get("/categorie/economie/").content.decode()

    assert card_links(html) == [f"/barlamane-info/{article.pk}"]
    assert 'href="/barlamane-info/"' in html and "/barlamane/" not in html
    assert client.get(f"/barlamane-info/{article.pk}").status_code == 200


def test_a_card_escapes_what_the_outlet_wrote(client, barlamane, make_article, category):
    barlamane.name = 'Barlamane & "Cie" <b>'
    barlamane.save()
    make_article(barlamane, 'Le <script>alert(1)</script> & « l\'autre »', category=category("economie"))

    html = client.get("/categorie/economie/").content.decode()

    assert "<script>alert(1)</script>" not in html and "<b>" not in html
    assert "Le &lt;script&gt;alert(1)&lt;/script&gt; &amp; « l&#x27;autre »" in html
    assert "<bdi>Barlamane &amp; &quot;Cie&quot; &lt;b&gt;</bdi>" in html
