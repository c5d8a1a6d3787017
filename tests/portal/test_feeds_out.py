"""Feeds out: RSS 2.0 and Atom for the front page, outlets, categories and searches."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from revue.news.image_links import unsign

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ET.fromstring(response.content).findall("./channel/item")


def atom_entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content).findall(f"./{ATOM}entry")


def test_the_latest_feed_lists_articles_newest_first_with_their_outlet(client, barlamane, hespress, make_article):
    old = make_article(barlamane, "Le plus ancien", author="Nadia Tazi")
    new = make_article(hespress, "الأحدث")
    new.published_at, old.published_at = old.published_at, new.published_at
    new.save(), old.save()
    items = rss_items(client.get("/flux/rss/"))
    assert [i.findtext("title") for i in items] == ["الأحدث", "Le plus ancien"]
    assert items[0].findtext("link") == f"http://testserver/hespress/{new.pk}"
    assert "Nadia Tazi (Barlamane)" in ET.tostring(items[1], encoding="unicode")


def test_atom_says_the_same(client, barlamane, make_article):
    make_article(barlamane, "Un titre")
    entries = atom_entries(client.get("/flux/atom/"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Un titre"]


def test_an_outlet_feed_has_only_its_articles(client, barlamane, hespress, make_article):
    make_article(barlamane, "De Barlamane")
    make_article(hespress, "من هسبريس")
    assert [i.findtext("title") for i in rss_items(client.get("/flux/source/barlamane/rss/"))] == ["De Barlamane"]
    assert client.get("/flux/source/inconnue/rss/").status_code == 404


def test_a_category_feed_has_only_its_articles(client, barlamane, make_article, category):
    make_article(barlamane, "Le match", category=category("sport"))
    make_article(barlamane, "Le budget", category=category("economie"))
    titles = [e.findtext(f"{ATOM}title") for e in atom_entries(client.get("/flux/categorie/sport/atom/"))]
    assert titles == ["Le match"]


def test_a_search_feed_follows_the_search(client, barlamane, make_article):
    make_article(barlamane, "La résolution adoptée")
    make_article(barlamane, "Le match")
    assert [i.findtext("title") for i in rss_items(client.get("/flux/recherche/rss/?q=resolution"))] == ["La résolution adoptée"]
    assert client.get("/flux/recherche/rss/?q=x&du=hier").status_code == 400


def enclosure_urls(body: str) -> list[str]:
    root = ET.fromstring(body)
    rss = [e.get("url") for e in root.iter("enclosure")]
    atom = [e.get("href") for e in root.iter(f"{ATOM}link") if e.get("rel") == "enclosure"]
    return rss + atom


def test_a_visible_lead_image_is_an_enclosure_at_the_proxy_and_a_blocked_one_never_appears(
    client, barlamane, make_article, make_image, settings
):
    visible = make_image("https://barlamane.example/ok.jpg")
    make_article(barlamane, "Avec image", image=visible)
    make_article(barlamane, "Image bloquée", image=make_image("https://barlamane.example/bad.jpg", blocked=True))
    largest = settings.REVUE_IMAGE_WIDTHS[-1]
    for url in ("/flux/rss/", "/flux/atom/", "/flux/source/barlamane/rss/", "/flux/recherche/atom/?q=image"):
        body = client.get(url).content.decode()
        assert "barlamane.example" not in body, url  # neither the blocked image nor the outlet's address
        [enclosure] = enclosure_urls(body)
        match = re.fullmatch(rf"http://testserver/img/([^/]+)/{largest}", enclosure)
        assert match and unsign(match.group(1)) == visible.pk, (url, enclosure)


def test_items_are_identified_by_their_absolute_address(client, barlamane, make_article):
    article = make_article(barlamane, "Un titre")
    [item] = rss_items(client.get("/flux/rss/"))
    assert item.findtext("guid") == f"http://testserver{article.get_absolute_url()}"


def test_pages_point_to_their_feeds(client, barlamane, make_article):
    make_article(barlamane, "Un titre")
    assert 'href="/flux/rss/"' in client.get("/").content.decode()
    assert 'href="/flux/source/barlamane/rss/"' in client.get("/barlamane/").content.decode()
    assert 'href="/flux/categorie/sport/rss/"' in client.get("/categorie/sport/").content.decode()


def test_characters_xml_cannot_carry_are_dropped(client, barlamane, make_article):
    make_article(barlamane, "Titre\x0bavec\x01contrôle", summary="Résumé\x1f")
    assert [i.findtext("title") for i in rss_items(client.get("/flux/rss/"))] == ["Titreaveccontrôle"]
