"""The read-only JSON API as a client uses it: lists with cursors, details, search, errors, schema."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from revue.news.image_links import sign
from revue.news.models import Image, Story

pytestmark = pytest.mark.django_db
CASABLANCA = ZoneInfo("Africa/Casablanca")


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def walk(client, url: str) -> list[dict]:
    """Every item of a list, following ``next_cursor``."""
    items, page = [], get(client, url)
    while True:
        items += page["items"]
        if not page["next_cursor"]:
            return items
        page = get(client, f"{url}{'&' if '?' in url else '?'}cursor={page['next_cursor']}")


def test_articles_newest_first_with_outlet_and_links(client, barlamane, make_article):
    article = make_article(barlamane, "Un titre", summary="Un résumé")
    item = get(client, "/api/articles")["items"][0]
    assert item["id"] == article.pk and item["title"] == "Un titre" and item["summary"] == "Un résumé"
    assert item["url"] == article.url
    assert item["portal_url"] == f"http://testserver/barlamane/{article.pk}"
    assert item["outlet"] == {"slug": "barlamane", "name": "Barlamane"}


def test_cursors_walk_every_article_once_even_with_equal_dates(client, barlamane, make_article):
    moment = datetime(2025, 12, 8, 10, tzinfo=CASABLANCA)
    ids = {make_article(barlamane, published_at=moment).pk for _ in range(7)}
    ids |= {make_article(barlamane).pk for _ in range(3)}
    seen = [item["id"] for item in walk(client, "/api/articles?limit=3")]
    assert len(seen) == len(set(seen)) == 10 and set(seen) == ids


def test_article_filters(client, barlamane, hespress, make_article):
    make_article(barlamane, "Le 8", published_at=datetime(2025, 12, 8, 10, tzinfo=CASABLANCA))
    make_article(hespress, "التاسع", language="ar", published_at=datetime(2025, 12, 9, 10, tzinfo=CASABLANCA))
    assert [i["title"] for i in get(client, "/api/articles?outlet=hespress")["items"]] == ["التاسع"]
    assert [i["title"] for i in get(client, "/api/articles?language=ar")["items"]] == ["التاسع"]
    assert [i["title"] for i in get(client, "/api/articles?since=2025-12-08&until=2025-12-08")["items"]] == ["Le 8"]


@pytest.mark.parametrize(
    "url, words",
    [
        ("/api/articles?limit=0", "limit"),
        ("/api/articles?limit=1000", "limit"),
        ("/api/articles?limit=beaucoup", "limit"),
        ("/api/articles?cursor=nimportequoi", "curseur"),
        ("/api/articles?since=hier", "since"),
        ("/api/articles?outlet=inconnue", "inconnue"),
        ("/api/search", "q"),
        ("/api/search?q=maroc&cursor=abc", "curseur"),
        ("/api/articles?until=9999-12-31", "until"),
        ("/api/search?q=maroc&until=9999-12-31", "until"),
    ],
)
def test_bad_parameters_get_a_400_with_a_message(client, db, url, words):
    body = get(client, url, status=400)
    assert words in body["message"]


def test_a_cursor_from_another_list_is_refused(client, barlamane, make_article):
    for _ in range(3):
        make_article(barlamane)
    cursor = get(client, "/api/articles?limit=1")["next_cursor"]
    assert "autre liste" in get(client, f"/api/stories?cursor={cursor}", status=400)["message"]


def test_unknown_things_are_404(client, db):
    assert get(client, "/api/articles/999999", status=404)["message"]
    assert get(client, "/api/outlets/inconnue", status=404)["message"]
    assert get(client, "/api/stories/999999", status=404)["message"]


def test_a_blocked_image_never_leaves_through_the_api(client, barlamane, make_article):
    bad = Image.objects.create(url="https://barlamane.example/bad.jpg", state=Image.State.BLOCKED)
    good = Image.objects.create(url="https://barlamane.example/good.jpg")
    article = make_article(
        barlamane, "Deux images", image=bad,
        content_html='<p><img src="https://barlamane.example/bad.jpg"> <img src="https://barlamane.example/good.jpg"></p>',
    )
    article.images.add(bad, good)
    other = make_article(barlamane, "Une image", image=good)
    listed = {i["id"]: i for i in get(client, "/api/articles")["items"]}
    assert listed[article.pk]["image_url"] is None
    largest = settings.REVUE_IMAGE_WIDTHS[-1]
    assert listed[other.pk]["image_url"] == f"http://testserver/img/{sign(good.pk)}/{largest}"  # never the outlet's
    detail = get(client, f"/api/articles/{article.pk}")
    assert "bad.jpg" not in str(detail) and "good.jpg" not in str(detail)  # no outlet's address at all
    assert f'src="http://testserver/img/{sign(good.pk)}/' in detail["content_html"]
    assert "bad.jpg" not in str(get(client, "/api/search?q=image"))


def test_search_ranks_highlights_and_pages(client, barlamane, make_article):
    for n in range(3):
        make_article(barlamane, f"La résolution {n}", text="Le Conseil a voté la résolution <b>hier</b>.")
    make_article(barlamane, "Le match")
    first = get(client, "/api/search?q=resolution&limit=2")
    assert len(first["items"]) == 2
    assert first["items"][0]["snippet_html"] == "Le Conseil a voté la <mark>résolution</mark> &lt;b&gt;hier&lt;/b&gt;."
    rest = get(client, f"/api/search?q=resolution&limit=2&cursor={first['next_cursor']}")
    titles = [i["title"] for i in first["items"] + rest["items"]]
    assert sorted(titles) == ["La résolution 0", "La résolution 1", "La résolution 2"] and rest["next_cursor"] is None


def test_search_of_only_syntax_says_so(client, db):
    body = get(client, "/api/search?q=%22%20*%20-")
    assert body["items"] == [] and body["notices"]


def test_stories_and_their_articles(client, barlamane, hespress, make_article):
    story = Story.objects.create(title="La COP à Marrakech", article_count=2, outlet_count=2, languages="fr,ar")
    make_article(barlamane, "COP : ouverture", story=story)
    make_article(hespress, "افتتاح", story=story)
    listed = get(client, "/api/stories")["items"]
    assert listed[0]["title"] == "La COP à Marrakech" and listed[0]["languages"] == ["fr", "ar"]
    detail = get(client, f"/api/stories/{story.pk}")
    assert sorted(a["title"] for a in detail["articles"]) == ["COP : ouverture", "افتتاح"]


def test_outlets_categories_and_an_outlets_articles(client, barlamane, hespress, make_article):
    make_article(hespress, "خبر")
    assert [o["slug"] for o in walk(client, "/api/outlets?limit=1")] == ["barlamane", "hespress"]
    assert get(client, "/api/outlets/hespress")["name"] == "Hespress"
    assert [a["title"] for a in get(client, "/api/outlets/hespress/articles")["items"]] == ["خبر"]
    assert "maroc" in [c["slug"] for c in get(client, "/api/categories")]


def test_the_openapi_schema_and_its_docs_are_served(client, db):
    schema = get(client, "/api/openapi.json")
    assert {"/api/articles", "/api/search", "/api/stories", "/api/outlets", "/api/categories"} <= set(schema["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn." not in docs.content  # served from our own static files


# --- kept and conditional, like the portal's pages (issue #17) ------------------------------------


def test_answers_are_public_conditional_and_kept_until_the_generation_is_renewed(client, barlamane, make_article, settings):
    from revue.portal.cache import invalidate_portal

    article = make_article(barlamane, "Un titre")
    listed = client.get("/api/articles?limit=5&utm_source=x")
    assert listed["Cache-Control"] == f"public, max-age={settings.REVUE_FRONT_CACHE_SECONDS}"
    assert "Cookie" not in listed.get("Vary", "") and not listed.cookies
    detail = client.get(f"/api/articles/{article.pk}")
    assert detail["Cache-Control"] == f"public, max-age={settings.REVUE_ARTICLE_CACHE_SECONDS}"
    for url, seen in (("/api/articles?limit=5", listed), (f"/api/articles/{article.pk}", detail)):
        again = client.get(url, HTTP_IF_NONE_MATCH=seen["ETag"])
        assert again.status_code == 304 and again.content == b"", url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=seen["Last-Modified"]).status_code == 304, url

    from django.utils import timezone

    make_article(barlamane, "Arrivé depuis", published_at=timezone.now())  # stored, not settled: the kept answer stays
    assert client.get("/api/articles?limit=5").content == listed.content
    assert [i["title"] for i in client.get("/api/articles?limit=1").json()["items"]] == ["Arrivé depuis"]  # another list
    invalidate_portal()  # what a settle and a block do
    assert [i["title"] for i in client.get("/api/articles?limit=5").json()["items"]] == ["Arrivé depuis", "Un titre"]


def test_a_big_answer_comes_gzipped_and_an_error_is_not_kept(client, barlamane, make_article):
    import gzip
    import json

    for n in range(30):
        make_article(barlamane, f"Article numéro {n}", summary="Un résumé assez long pour peser. " * 5)
    plain = client.get("/api/articles?limit=30")
    zipped = client.get("/api/articles?limit=30", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 3
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    bad = client.get("/api/articles?limit=1000")
    assert bad.status_code == 400 and "public" not in bad.get("Cache-Control", "")
    missing = client.get("/api/articles/999999")
    assert missing.status_code == 404 and "public" not in missing.get("Cache-Control", "")
