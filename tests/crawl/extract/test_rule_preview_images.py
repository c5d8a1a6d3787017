"""The extraction-rule preview never makes an operator's browser load an outlet's picture: the
article's images are written out as their addresses (they have no row in the archive yet, so no
image-proxy address), on a real page served on loopback."""

from __future__ import annotations

import re

import pytest

from revue.crawl.admin import images_as_text
from revue.sources.models import ExtractionRule, Source
from tests.images.conftest import outlet  # noqa: F401 (the loopback outlet fixture)

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Le port de Tanger Med bat son record</title>
<meta property="og:image" content="http://10.0.0.7/og.jpg"></head><body><main><article>
<h1>Le port de Tanger Med bat son record</h1>
<p>Le port de Tanger Med a traité plus de huit millions de conteneurs l'an dernier, un record depuis son ouverture.</p>
<figure><img src="/photos/quai.jpg?w=800&amp;h=600" alt="Le quai"><figcaption>Le quai est.</figcaption></figure>
<p>L'autorité portuaire attribue cette hausse au transfert de lignes maritimes depuis les ports espagnols voisins.</p>
<p><img src="http://10.0.0.7/interne.png" alt="">Une nouvelle extension doit être lancée l'année prochaine pour accueillir des navires.</p>
<p>Les opérateurs prévoient encore une hausse du trafic de conteneurs et de voitures cette année, selon l'autorité.</p>
</article></main></body></html>"""


@pytest.fixture
def outlet_site(outlet):
    """The outlet's article page on the loopback server of the image proxy's tests."""
    outlet.serve("/eco/record", PAGE.encode("utf-8"), "text/html; charset=utf-8")
    return outlet.base_url


@pytest.mark.django_db
def test_the_preview_writes_the_articles_images_as_addresses(admin_client, outlet, outlet_site):
    phare = Source.objects.create(name="Le Phare", slug="le-phare", homepage="https://www.le-phare.test/", language="fr")
    rule = ExtractionRule.objects.create(source=phare, host="le-phare.test", drop_selectors=".pub")

    response = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/apercu/", {"url": f"{outlet_site}/eco/record"})

    page = response.content.decode()
    assert response.status_code == 200 and "huit millions de conteneurs" in page
    assert not re.search(r"<img\b", page.split('id="avec-regle"', 1)[1]), "the extracted article shows no <img>"
    assert not re.findall(r'\bsrc="(?:https?:)?//[^"]*"', page)  # nothing loaded from outside the portal
    assert page.count(f"[image : {outlet_site}/photos/quai.jpg?w=800&amp;h=600]") == 2  # with and without the rule
    assert page.count("[image : http://10.0.0.7/interne.png]") == 2
    assert dict(outlet.hits) == {"/eco/record": 1}  # only the page was fetched, by Revue


def test_images_as_text_keeps_everything_else():
    html = '<p>Avant <a href="https://x.test/">lien</a><img src="https://x.test/a.jpg" alt="a"> après</p><p>fin</p>'
    assert images_as_text(html) == (
        '<p>Avant <a href="https://x.test/">lien</a><span class="image-address">[image : https://x.test/a.jpg]</span>'
        " après</p><p>fin</p>"
    )
    assert images_as_text("<p>sans image</p>") == "<p>sans image</p>"
    assert images_as_text('texte <img src="https://x.test/&lt;b&gt;.jpg"> seul') == (
        'texte <span class="image-address">[image : https://x.test/&lt;b&gt;.jpg]</span> seul'
    )
