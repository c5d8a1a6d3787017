"""Tests of the offline demo press: its ground truth, its feeds and pages, and its HTTP server.

No database: the press is pure standard library. Feeds are checked with the standard library's
XML and JSON parsers only, so these tests say nothing about Revue's own feed parser.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from revue.demo import DemoPress
from revue.demo.content import DEFAULT_NOW
from revue.demo.headlines import SEED_HEADLINES
from revue.demo.lexicon import CATEGORY_SLUGS, LEXICONS
from revue.sources.models import reserved_slugs
from revue.demo.server import serve_press
from revue.demo.site import DemoSite

# shared/ sits beside the checkout (locally and in CI)
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
SEEDS_FILE = next(iter(sorted(SEEDS_DIR.glob("000_*.txt"))), None) if SEEDS_DIR.is_dir() else None
BASE = "http://press.test"
NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/",
      "rss1": "http://purl.org/rss/1.0/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


@pytest.fixture(scope="module")
def press() -> DemoPress:
    return DemoPress()


@pytest.fixture(scope="module")
def site(press) -> DemoSite:
    return DemoSite(press, BASE)


@pytest.fixture()
def running():
    with serve_press(DemoPress()) as server:
        yield server


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """(status, headers, body) without raising on 3xx/4xx; urllib never follows here."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def page_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# -- ground truth ------------------------------------------------------------------------------

def test_same_seed_renders_the_same_bytes(press):
    twin = DemoSite(DemoPress(), BASE)
    ours = DemoSite(press, BASE)
    sample = [path for path in ours.paths() if not path.endswith(".png")][::7]
    assert len(sample) > 50
    for path in sample:
        assert ours.document(path).body == twin.document(path).body, path


def test_another_seed_writes_another_press(press):
    other = DemoPress(seed=7)
    assert [o.slug for o in other.outlets] == [o.slug for o in press.outlets]
    assert {a.title for a in other.articles()} != {a.title for a in press.articles()}


def test_outlets_cover_four_languages_layouts_and_formats(press):
    outlets = press.outlets
    assert len(outlets) >= 12
    assert {o.language for o in outlets} == {"fr", "ar", "es", "en"}
    assert len({o.layout for o in outlets}) >= 4
    assert {o.feed_format for o in outlets} == {"rss2", "atom", "jsonfeed", "rss1"}
    assert len({o.slug for o in outlets}) == len(outlets)
    for outlet in outlets:
        assert re.fullmatch(r"[a-z0-9-]+", outlet.slug) and outlet.slug not in reserved_slugs()
        assert outlet.country and outlet.name


def test_every_outlet_has_thirty_articles_in_its_feed(press):
    for outlet in press.outlets:
        assert len(outlet.feed_articles(outlet.feeds[0])) >= 30, outlet.slug
        assert {a.category for a in outlet.articles} <= set(CATEGORY_SLUGS)


def test_articles_are_well_formed(press):
    articles = press.articles()
    for article in articles:
        assert 4 <= len(article.paragraphs) <= 10, article.url_path
        assert article.url_path.startswith(f"/{article.outlet_slug}/20")
        assert article.lead_image_path.endswith(".png")
        assert article.author and article.summary and article.guid
        assert 2 <= len(article.comments) <= 4
    assert any("<a href=" in a.body_html for a in articles)
    assert any("<figcaption>" in a.body_html for a in articles)
    assert len({(a.outlet_slug, a.guid) for a in articles}) == len(articles)


def test_arabic_outlets_write_arabic(press):
    for outlet in press.outlets:
        if outlet.language == "ar":
            assert all(re.search("[\u0600-\u06ff]", a.paragraphs[0]) for a in outlet.articles)


def test_all_48_seed_headlines_are_published(press):
    titles = {a.title: a for a in press.articles()}
    assert len(SEED_HEADLINES) == 48
    for headline in SEED_HEADLINES:
        assert headline.title in titles, headline.title
        outlet = press.outlet(titles[headline.title].outlet_slug)
        assert outlet.language == headline.language


@pytest.mark.skipif(SEEDS_FILE is None, reason="shared/seeds is not on this machine")
def test_seed_headlines_match_the_shared_ticker():
    ticker = SEEDS_FILE.read_text(encoding="utf-8").split("\n", 1)[0]
    headlines = [h.strip() for h in re.split(r"[ \u00a0]{4,}", ticker) if h.strip()]
    assert sorted(headlines) == sorted(h.title for h in SEED_HEADLINES)


def test_one_story_twice(press):
    rhn = [a for a in press.articles() if a.story_key == "rhn-maroc-espagne"]
    assert len(rhn) == 2 and rhn[0].outlet_slug != rhn[1].outlet_slug
    shorter, longer = sorted(rhn, key=lambda a: len(a.text))
    assert longer.title.endswith("[INTEGRAL]")
    caftan = {a.language: a for a in press.articles() if a.story_key == "unesco-caftan"}
    assert set(caftan) == {"fr", "es"}


def test_dates_are_aware_recent_and_newest_first(press):
    for outlet in press.outlets:
        moments = [a.published_at for a in outlet.articles]
        assert moments == sorted(moments, reverse=True)
        for moment in moments:
            assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
            assert DEFAULT_NOW - timedelta(days=3, hours=1) < moment < DEFAULT_NOW


def test_now_moves_the_dates():
    later = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    shifted = DemoPress(now=later)
    assert all(later - timedelta(days=3) < a.published_at < later for a in shifted.articles())
    with pytest.raises(ValueError):
        DemoPress(now=datetime(2026, 3, 1))


def test_an_edition_adds_only_new_articles(press):
    second = press.with_edition(2)
    old = {(a.outlet_slug, a.index): a for a in press.articles()}
    new = {(a.outlet_slug, a.index): a for a in second.articles()}
    assert all(new[key] == article for key, article in old.items())
    added = [new[key] for key in set(new) - set(old)]
    publishing = {a.outlet_slug for a in added}
    assert len(publishing) >= len(press.outlets) // 3
    assert len(added) == 6 * len(publishing)
    for slug in publishing:
        outlet = second.outlet(slug)
        assert {a.edition for a in outlet.articles[:6]} == {1, 2}
        assert outlet.articles[0].edition == 2
        assert len(outlet.feed_articles(outlet.feeds[0])) >= 30


def test_more_outlets_are_numbered_clones():
    big = DemoPress(outlets=30)
    slugs = [o.slug for o in big.outlets]
    assert len(slugs) == len(set(slugs)) == 30
    assert {h.title for h in SEED_HEADLINES} <= {a.title for a in big.articles()}


def test_lexicons_are_aligned():
    french = LEXICONS["fr"]
    for lexicon in LEXICONS.values():
        for name in ("cities", "first_names", "last_names", "roles", "titles", "leads",
                     "sentences", "closings", "captions", "comments"):
            assert len(getattr(lexicon, name)) == len(getattr(french, name)), (lexicon.language, name)
        for category in CATEGORY_SLUGS:
            assert len(lexicon.topics[category]) == len(french.topics[category])
            assert len(lexicon.organisations[category]) == len(french.organisations[category])


def test_the_press_needs_no_django():
    code = ("import sys; import revue.demo.server, revue.demo.content; "
            "assert not any(m.startswith('django') for m in sys.modules), 'django imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- feeds -------------------------------------------------------------------------------------

def feeds_of(press, feed_format):
    return [(o, f) for o in press.outlets for f in o.feeds if f.format == feed_format]


def test_rss2_feeds_parse_and_carry_the_item_fields(press, site):
    for outlet, feed in feeds_of(press, "rss2"):
        root = ET.fromstring(site.document(feed.path).body)
        items = root.findall("./channel/item")
        assert len(items) == len(outlet.feed_articles(feed))
        for item in items:
            for tag in ("title", "link", "guid", "pubDate", "category", "description"):
                assert item.findtext(tag), (feed.path, tag)
            assert item.find("enclosure") is not None or \
                item.find("{http://search.yahoo.com/mrss/}content") is not None
            full = item.find("content:encoded", NS)
            assert (full is not None) == outlet.full_content
            if not outlet.full_content:
                assert len(item.findtext("description")) <= 201


def test_atom_feeds_parse(press, site):
    for outlet, feed in feeds_of(press, "atom"):
        root = ET.fromstring(site.document(feed.path).body)
        entries = root.findall("atom:entry", NS)
        assert len(entries) >= 30
        content = entries[0].find("atom:content", NS)
        assert (content is not None) == outlet.full_content
        if content is not None:
            assert content.get("type") == "html" and "<p>" in content.text


def test_json_feeds_parse(press, site):
    for outlet, feed in feeds_of(press, "jsonfeed"):
        document = json.loads(site.document(feed.path).body)
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert len(document["items"]) >= 30
        key = "content_html" if outlet.full_content else "content_text"
        assert all(key in item and item["date_published"] for item in document["items"])


def test_rss1_feeds_parse(press, site):
    for outlet, feed in feeds_of(press, "rss1"):
        root = ET.fromstring(site.document(feed.path).body)
        assert root.tag == "{%s}RDF" % NS["rdf"]
        assert len(root.findall("rss1:item", NS)) >= 30


def test_one_feed_is_really_windows_1252(press, site):
    outlet = next(o for o in press.outlets if o.encoding == "windows-1252")
    raw = site.document(outlet.feed_path).body
    assert raw.startswith(b'<?xml version="1.0" encoding="windows-1252"?>')
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "é" in text and "’" in text
    assert ET.fromstring(raw).find("./channel/item/title") is not None


def test_a_category_feed_repeats_main_feed_items(press, site):
    outlet = next(o for o in press.outlets if len(o.feeds) > 1)
    main, category = outlet.feeds[0], outlet.feeds[1]
    assert category.category_hint in CATEGORY_SLUGS
    def guids(feed):
        return [item.findtext("guid") for item in ET.fromstring(site.document(feed.path).body).iter("item")]

    assert guids(category) and set(guids(category)) <= set(guids(main))


def test_tracking_parameters_stay_out_of_canonical_urls(press, site):
    outlet = next(o for o in press.outlets if o.tracking_params)
    root = ET.fromstring(site.document(outlet.feed_path).body)
    assert "utm_source=rss" in root.findtext("./channel/item/link")
    page = site.document(outlet.articles[0].url_path).body.decode(outlet.encoding)
    assert f'<link rel="canonical" href="{BASE}{outlet.articles[0].url_path}">' in page


# -- pages -------------------------------------------------------------------------------------

def test_article_pages_carry_boilerplate_and_the_text(press, site):
    for outlet in press.outlets:
        lexicon = LEXICONS[outlet.language]
        for article in outlet.articles[:3]:
            page = site.document(article.url_path).body.decode(outlet.encoding)
            assert f"<title>{html.escape(article.title)} - {html.escape(outlet.name)}</title>" in page
            for marker in ('property="og:title"', 'property="og:image"', "article:published_time",
                           'rel="canonical"', "<script", "onclick=", "<nav", "<footer"):
                assert marker in page, (outlet.slug, marker)
            assert len(re.findall(r"<nav\b.*?</nav>", page, re.S)[0].split("<a ")) > 10
            text = page_text(page)
            for key in ("cookie", "ad", "read_also", "comments", "rights"):
                assert lexicon.labels[key] in text, (outlet.slug, key)
            assert f"{lexicon.labels['share']} Facebook" in text
            for paragraph in article.paragraphs:
                assert paragraph in text
            assert article.body_html in page


def test_french_and_arabic_pages_speak_their_language(press, site):
    french = next(o for o in press.outlets if o.language == "fr" and o.encoding == "utf-8")
    page = site.document(french.articles[0].url_path).body.decode()
    assert "Nous utilisons des cookies" in page and "Partager sur Facebook" in page
    assert "Publicité" in page and "Lire aussi" in page
    arabic = next(o for o in press.outlets if o.language == "ar")
    assert '<html lang="ar" dir="rtl">' in site.document(arabic.articles[0].url_path).body.decode()


def test_homepage_points_to_its_feeds(press, site):
    for outlet in press.outlets:
        page = site.document(outlet.home_path).body.decode(outlet.encoding)
        assert 'rel="alternate"' in page and f'href="{BASE}{outlet.feed_path}"' in page


def test_images_are_png(press, site):
    article = press.outlets[0].articles[0]
    document = site.document(article.lead_image_path)
    assert document.content_type == "image/png" and document.body.startswith(b"\x89PNG\r\n\x1a\n")


# -- over HTTP ---------------------------------------------------------------------------------

def test_feed_urls_and_unknown_paths(running):
    urls = running.feed_urls()
    assert len(urls) >= 12 and all(url.startswith(running.base_url + "/") for _, url, _ in urls)
    assert any(hint for _, _, hint in urls)
    assert fetch(running.url("/no-such-outlet/"))[0] == 404
    assert fetch(running.url("/echo-detroit/2025/12/nothing-9999.html"))[0] == 404
    status, headers, _ = fetch(running.url("/echo-detroit"))
    assert status == 301 and headers["Location"] == running.url("/echo-detroit/")


def test_feed_answers_304_to_conditional_gets(running):
    outlet = next(o for o in running.press.outlets if o.supports_304)
    url = running.url(outlet.feed_path)
    status, headers, body = fetch(url)
    assert status == 200 and body and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"stale"'})[0] == 200
    assert running.not_modified == 2
    assert running.hits[outlet.feed_path] == 4


def test_an_outlet_without_validators_always_answers_200(running):
    outlet = next(o for o in running.press.outlets if not o.supports_304)
    status, headers, _ = fetch(running.url(outlet.feed_path))
    assert status == 200 and "ETag" not in headers
    assert fetch(running.url(outlet.feed_path), {"If-None-Match": "*"})[0] == 200


def test_gzip_and_head(running):
    url = running.url(running.press.outlets[0].feed_path)
    _, _, plain = fetch(url)
    status, headers, packed = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    status, headers, body = fetch(url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(plain)


def test_pages_are_served_with_tracking_parameters_ignored(running):
    outlet = next(o for o in running.press.outlets if o.tracking_params)
    article = outlet.articles[0]
    status, headers, body = fetch(running.url(outlet.link_path(article)))
    assert status == 200 and outlet.encoding in headers["Content-Type"]
    assert article.paragraphs[0] in page_text(body.decode(outlet.encoding))


def test_publishing_an_edition_between_two_crawls(running):
    outlet = next(o for o in running.press.outlets if o.supports_304 and
                  running.press.with_edition(1).outlet(o.slug).articles[0].edition == 1)
    url = running.url(outlet.feed_path)
    _, headers, before = fetch(url)
    running.set_edition(1)
    status, _, after = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 200 and after != before
    fresh = running.press.outlet(outlet.slug).articles[:3]
    assert all(a.edition == 1 and a.guid.encode() in after for a in fresh)
    assert not any(a.guid.encode() in before for a in fresh)
    assert fetch(running.url(fresh[0].url_path))[0] == 200
