"""Discoverability: sitemap index, Google News and day sitemaps, robots.txt, article page metadata."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from revue.news.image_links import unsign

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_the_index_lists_the_news_sitemap_and_each_day(client, barlamane, make_article):
    make_article(barlamane, published_at=datetime(2025, 12, 8, 10, tzinfo=CASABLANCA))
    make_article(barlamane, published_at=datetime(2025, 12, 10, 10, tzinfo=CASABLANCA))
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [e.text for e in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert locations == [
        "http://testserver/sitemap-actualites.xml",
        "http://testserver/sitemap-2025-12-10.xml",
        "http://testserver/sitemap-2025-12-08.xml",
    ]


def test_the_news_sitemap_has_the_last_48_hours_in_the_google_news_namespace(client, barlamane, make_article):
    fresh = make_article(barlamane, "Tout frais", published_at=timezone.now() - timedelta(hours=3))
    make_article(barlamane, "Trop vieux", published_at=timezone.now() - timedelta(hours=49))
    tree = ET.fromstring(client.get("/sitemap-actualites.xml").content)
    urls = tree.findall(f"{SITEMAP}url")
    assert [u.findtext(f"{SITEMAP}loc") for u in urls] == [f"http://testserver/barlamane/{fresh.pk}"]
    news = urls[0].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}title") == "Tout frais"
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "Barlamane"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "fr"


def test_a_day_sitemap_lists_that_day(client, barlamane, make_article):
    that_day = make_article(barlamane, published_at=datetime(2025, 12, 8, 23, 30, tzinfo=CASABLANCA))
    make_article(barlamane, published_at=datetime(2025, 12, 9, 0, 30, tzinfo=CASABLANCA))
    tree = ET.fromstring(client.get("/sitemap-2025-12-08.xml").content)
    assert [e.text for e in tree.iter(f"{SITEMAP}loc")] == [f"http://testserver/barlamane/{that_day.pk}"]
    assert client.get("/sitemap-2025-02-30.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap(client, db):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.fixture
def blinken(barlamane, make_article, make_image, category):
    return make_article(
        barlamane,
        'Blinken : le pacte "de Marrakech" </script><b>',
        url="https://www.barlamane.com/fr/migration-blinken/",
        author="Rédaction",
        summary="Le secrétaire d'État américain a indiqué…",
        image=make_image("https://www.barlamane.com/img/blinken.jpg"),
        category=category("monde"),
    )


def test_the_canonical_link_is_the_original_article(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    assert '<link rel="canonical" href="https://www.barlamane.com/fr/migration-blinken/">' in html
    assert html.count('rel="canonical"') == 1


def shared_at_the_proxy(url: str) -> int | None:
    """The image id of an absolute image-proxy address at its largest width (None if it is not one)."""
    match = re.fullmatch(rf"http://testserver/img/([^/]+)/{settings.REVUE_IMAGE_WIDTHS[-1]}", url)
    return unsign(match[1]) if match else None


def test_opengraph_credits_the_outlet(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    assert '<meta property="og:site_name" content="Barlamane">' in html
    assert '<meta property="og:url" content="https://www.barlamane.com/fr/migration-blinken/">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]*)">', html)[1]
    assert shared_at_the_proxy(og_image) == blinken.image.pk, og_image  # never the outlet's address
    assert '<meta property="og:type" content="article">' in html


def test_json_ld_news_article_credits_the_outlet_and_cannot_break_out(client, blinken):
    html = client.get(f"/barlamane/{blinken.pk}").content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1 and "</script><b>" not in scripts[0]
    data = json.loads(scripts[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == 'Blinken : le pacte "de Marrakech" </script><b>'
    assert data["publisher"] == {"@type": "Organization", "name": "Barlamane", "url": "https://www.barlamane.com/"}
    assert data["author"] == [{"@type": "Person", "name": "Rédaction"}]
    assert data["isBasedOn"] == "https://www.barlamane.com/fr/migration-blinken/"
    [image] = data["image"]
    assert shared_at_the_proxy(image) == blinken.image.pk, image


def test_a_blocked_image_is_in_neither_opengraph_nor_json_ld(client, barlamane, make_article, make_image):
    article = make_article(barlamane, image=make_image("https://www.barlamane.com/img/bad.jpg", blocked=True))
    head = client.get(f"/barlamane/{article.pk}").content.decode().split("</head>")[0]
    assert "bad.jpg" not in head


XHTML = "{http://www.w3.org/1999/xhtml}"


def alternates(url) -> dict[str, str]:
    return {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}


@pytest.mark.parametrize("sitemap", ["/sitemap-2025-12-08.xml", "/sitemap-actualites.xml"])
def test_each_article_is_listed_once_in_its_own_languages_edition_with_the_others_as_alternates(
        client, barlamane, hespress, make_article, sitemap):
    when = min(datetime(2025, 12, 8, 10, tzinfo=CASABLANCA), timezone.now() - timedelta(hours=1))
    if sitemap == "/sitemap-actualites.xml":
        when = timezone.now() - timedelta(hours=1)
    french = make_article(barlamane, "Le pacte", published_at=when)
    arabic = make_article(hespress, "الميثاق", published_at=when)
    urls = ET.fromstring(client.get(sitemap).content).findall(f"{SITEMAP}url")
    listed = {u.findtext(f"{SITEMAP}loc"): alternates(u) for u in urls}
    root = "http://testserver"
    assert set(listed) == {f"{root}/barlamane/{french.pk}", f"{root}/ar/hespress/{arabic.pk}"}
    assert listed[f"{root}/ar/hespress/{arabic.pk}"] == {
        "fr": f"{root}/hespress/{arabic.pk}", "ar": f"{root}/ar/hespress/{arabic.pk}",
        "es": f"{root}/es/hespress/{arabic.pk}", "en": f"{root}/en/hespress/{arabic.pk}",
        "x-default": f"{root}/hespress/{arabic.pk}",
    }
    for location, links in listed.items():  # every alternate is a page a reader gets
        for href in links.values():
            assert client.get(href.removeprefix(root)).status_code == 200, href


@pytest.mark.parametrize("path", ["/ar/sitemap.xml", "/es/sitemap-actualites.xml", "/en/sitemap-2025-12-08.xml",
                                  "/ar/robots.txt"])
def test_an_editions_copy_of_a_root_file_redirects_to_the_roots(client, db, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == path[3:]
