"""The XSS corpus through the real pipeline, read in the real browser (issue #15).

263 public vectors (``data/xss_vectors.txt``: where they come from is written at its top) are
put by a hostile outlet on loopback (``press.HostilePress``) into every field it controls: in
its RSS feed the item title, description, author (``dc:creator``), link (the vector in the
query string) and enclosure URL; in its article pages the ``<title>``, meta description, author
and ``og:title``, the ``og:image`` URL, JSON-LD headline and body, and the page's HTML, which
extraction reads (half the RSS items carry no title, author or picture of their own, so the
page's are taken); in its Atom feed an HTML title, the author's name, the link and HTML content;
in its JSON Feed the title, summary, authors, URL, image and ``content_html``; and in the link
of an item left out, which the feed's row records for the admin. The real crawler
(``Crawler.run_once``) crawls the three feeds into the test database; then Debian's chromium
(Playwright) reads what Revue makes of it: the home page, every article, the outlet's pages,
the category, every story, the archives, searches (the vectors in ``?q=`` too, and in filters
whose error message repeats them), the RSS and Atom feeds out (their HTML rendered as a feed
reader would), the JSON API (as served, then its HTML fields rendered), and as a superuser the
admin's lists and forms of those articles, feeds and images, the moderators' desk (the hostile
images reported, one blocked) and the extraction-rule preview of the hostile pages.

A vector *ran* when it opened a dialog (``alert``, ``confirm``, ``prompt``: ``page.on('dialog')``)
or called ``print`` (replaced by an init script with a recorder). A vector that needs a click or
a hover to run is caught by reading the DOM: no event-handler attribute, no ``javascript:``,
``vbscript:`` or ``data:`` URL, no script but the portal's own (static files, the admin's
``jsi18n``) and JSON data blocks (which must still parse as JSON), no frame, object, embed,
``<base>`` or meta refresh. The pages are read with the Content-Security-Policy *bypassed*:
this test judges the sanitizer and the templates alone (the policy is the second wall, with its
own tests in ``tests/e2e/test_content_security_policy_browser.py``).
``test_the_detector_sees_raw_vectors`` shows that the same hooks catch the vectors when they are
served raw.

Vectors are batched ten per RSS item and thirty per Atom or JSON item, so 72 articles carry them
all; the test makes about 250 page loads in one chromium, images refused by the browser (an
image that fails fires ``onerror``), in about a minute.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from html import escape
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from revue.crawl.worker import Crawler
from revue.moderation.models import ImageReport
from revue.news.models import Article, Image
from revue.sources.models import ExtractionRule, Feed
from revue.sources.services import FeedSpec, follow
from tests.e2e.conftest import empty_archive
from tests.e2e.test_image_reports_browser import chromium, png

from .press import HostilePress

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.sqlite_only]
# The archive is crawled once for the module; pytest-django runs the plain database tests
# first, then the transactional one with the live server, which flushes the database when it ends.

VECTORS_FILE = Path(__file__).parent / "data" / "xss_vectors.txt"
PLACEHOLDERS = {"{TAB}": "\t", "{LF}": "\n", "{CR}": "\r", "{NUL}": "\x00"}
PER_ITEM = 10
SLUG = "la-gazette-hostile"
PROSE = (
    "Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine, après un "
    "long débat sur les transports, les écoles et l'entretien des quartiers anciens de la médina."
)


def load_vectors() -> list[str]:
    vectors = []
    for line in VECTORS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# ") or line == "#":
            continue
        for name, char in PLACEHOLDERS.items():
            line = line.replace(name, char)
        vectors.append(line)
    return vectors


VECTORS = load_vectors()
GROUPS = [VECTORS[i : i + PER_ITEM] for i in range(0, len(VECTORS), PER_ITEM)]


def xml_text(value: str) -> str:
    """``value`` as XML character data (XML 1.0 has no NUL, not even as a reference: dropped)."""
    return escape(value.replace("\x00", ""), quote=True)


def article_page(base: str, k: int, group: list[str]) -> str:
    """An outlet's article page: the group's vectors in its head, its JSON-LD and its body."""
    joined = " ".join(group)
    paragraphs = "".join(f"<p>{PROSE} ({k}.{n})</p>\n{vector}\n" for n, vector in enumerate(group))
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": joined,
                     "articleBody": joined, "author": {"@type": "Person", "name": joined}})
    image = f"{base}/pictures/p{k}.png?v={group[2 % len(group)]}"
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{joined}</title>
<meta name="description" content="{escape(joined)}">
<meta name="author" content="{escape(joined)}">
<meta property="og:title" content="{escape(joined)}">
<meta property="og:description" content="{escape(joined)}">
<meta property="og:image" content="{escape(image)}">
<script type="application/ld+json">{ld}</script>
</head><body><header><nav><a href="/">La Gazette</a></nav></header>
<main><article><h1>{joined}</h1><p class="byline">Par {joined}</p>
{paragraphs}<p>{PROSE}</p></article></main></body></html>"""


def feed_items(base: str) -> str:
    """Two items per group: one with the vectors in its own fields, one taking the page's."""
    items = []
    for k, group in enumerate(GROUPS):
        joined = " ".join(group)
        description = "".join(f"<p>{vector}</p>" for vector in group)
        items.append(
            f"<item><title>{xml_text(joined)}</title>"
            f"<link>{xml_text(f'{base}/articles/f{k}?v={group[0]}')}</link>"
            f"<guid isPermaLink=\"false\">f{k}</guid>"
            f"<dc:creator>{xml_text(joined)}</dc:creator>"
            f"<description>{xml_text(description)}</description>"
            f"<enclosure url=\"{xml_text(f'{base}/pictures/f{k}.png?v={group[1 % len(group)]}')}\" type=\"image/png\" length=\"1\"/>"
            f"<pubDate>Tue, 02 Dec 2025 {k % 24:02d}:00:00 GMT</pubDate></item>"
        )
        items.append(
            f"<item><link>{base}/articles/p{k}</link><guid isPermaLink=\"false\">p{k}</guid>"
            f"<description>{xml_text(f'<p>Brève {k}.</p>' + group[-1])}</description>"
            f"<pubDate>Tue, 02 Dec 2025 {k % 24:02d}:30:00 GMT</pubDate></item>"
        )
    # nothing to show: left out, its link (vectors and all) recorded on the feed's row for the admin
    items.append(f"<item><link>{xml_text(f'{base}/articles/skip?v={VECTORS[0]}{VECTORS[1]}')}</link></item>")
    return "".join(items)


WIDE_GROUPS = [VECTORS[i : i + 3 * PER_ITEM] for i in range(0, len(VECTORS), 3 * PER_ITEM)]
LONG_PROSE = " ".join([PROSE] * 5)  # enough text that the feed's content is the article: no page


def atom_feed(base: str) -> str:
    """Atom: the vectors in an HTML title, the author's name, the link and an HTML content."""
    entries = []
    for k, group in enumerate(WIDE_GROUPS):
        content = "".join(f"<p>{vector}</p>" for vector in group) + f"<p>{LONG_PROSE}</p>"
        entries.append(
            f"<entry><id>urn:atom:{k}</id><title type=\"html\">{xml_text(' '.join(group))}</title>"
            f"<link rel=\"alternate\" href=\"{xml_text(f'{base}/atom/{k}?v={group[0]}')}\"/>"
            f"<author><name>{xml_text(' '.join(group))}</name></author><updated>2025-12-03T{k:02d}:00:00Z</updated>"
            f"<content type=\"html\">{xml_text(content)}</content></entry>"
        )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>La Gazette</title><id>urn:gazette</id><updated>2025-12-03T00:00:00Z</updated>{''.join(entries)}</feed>")


def json_feed(base: str) -> str:
    """JSON Feed: the vectors in the title, summary, authors, URL, image and content_html."""
    items = [{
        "id": f"json-{k}", "url": f"{base}/json/{k}?v={group[0]}", "title": " ".join(group),
        "summary": " ".join(group), "authors": [{"name": " ".join(group)}],
        "image": f"{base}/pictures/j{k}.png?v={group[1]}", "banner_image": group[2],
        "content_html": "".join(f"<p>{vector}</p>" for vector in group) + f"<p>{LONG_PROSE}</p>",
        "date_published": f"2025-12-04T{k:02d}:00:00Z",
    } for k, group in enumerate(WIDE_GROUPS)]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "La Gazette", "items": items})


FEEDS = {"/feed.xml": 2 * len(GROUPS), "/atom.xml": len(WIDE_GROUPS), "/feed.json": len(WIDE_GROUPS)}
ARTICLES = sum(FEEDS.values())


def publish(press: HostilePress) -> None:
    base = press.base
    for k, group in enumerate(GROUPS):
        for kind in "fp":
            press.serve(f"/articles/{kind}{k}", article_page(base, k, group))
            press.serve(f"/pictures/{kind}{k}.png", png(), "image/png")
    feed = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>La Gazette</title><link>{base}/</link><language>fr</language>"
            f"{feed_items(base)}</channel></rss>")
    press.serve("/feed.xml", feed, "application/rss+xml; charset=utf-8")
    press.serve("/atom.xml", atom_feed(base), "application/atom+xml; charset=utf-8")
    press.serve("/feed.json", json_feed(base), "application/feed+json")
    for k in range(len(WIDE_GROUPS)):
        press.serve(f"/pictures/j{k}.png", png(), "image/png")
    press.serve("/raw", "<!doctype html><html><body>" + "\n".join(VECTORS) + "</body></html>")


@pytest.fixture(scope="module")
def hostile_archive(django_db_setup, django_db_blocker):
    """The hostile outlet crawled once for the module: ``(press, its RSS feed)``."""
    allowed, delay = settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY = ["127.0.0.1"], 0
    press = HostilePress()
    publish(press)
    with django_db_blocker.unblock():
        empty_archive()
        feeds = [follow(FeedSpec(feed_url=f"{press.base}{path}", outlet_name="La Gazette", slug=SLUG,
                                 homepage=f"{press.base}/", language="fr", category_hint="monde")).feed for path in FEEDS]
        summary = Crawler(processes=0).run_once(feed_ids=[feed.id for feed in feeds])
        assert summary.errors == 0, [feed.last_error for feed in Feed.objects.all()]
        feed = Feed.objects.get(pk=feeds[0].pk)
        yield press, feed
        empty_archive()
    press.close()
    settings.REVUE_FETCH_ALLOW, settings.REVUE_HOST_DELAY = allowed, delay


RECORD_PRINT = "window.__ran = []; window.print = () => window.__ran.push('print');"

DOM_DANGERS = r"""() => {
  const found = [];
  const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "poster", "background",
    "xlink:href", "lowsrc", "dynsrc", "ping", "code", "codebase", "srcset", "cite", "manifest"]);
  const portal = [location.origin + "/static/", location.origin + "/admin/jsi18n/"];  // the portal's own scripts
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName.toLowerCase();
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`${tag}[${name}]`);
      if (name === "srcdoc") found.push(`${tag}[srcdoc]`);
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) found.push(`${tag}[${name}=${value.slice(0, 40)}]`);
      if (name === "style" && /(expression|javascript:|-moz-binding|behavior)/.test(value)) found.push(`${tag}[style=${value.slice(0, 40)}]`);
    }
    if (tag === "script") {
      if (el.type === "application/ld+json" || el.type === "application/json") {
        try { JSON.parse(el.textContent); } catch (e) { found.push("json-ld that is not JSON"); }
      } else if (!(el.src && portal.some((own) => el.src.startsWith(own)))) found.push(`script ${el.src || el.textContent.slice(0, 40)}`);
    }
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"].includes(tag)) found.push(tag);
    if (tag === "meta" && (el.httpEquiv || "").toLowerCase() === "refresh") found.push("meta refresh");
    if ((tag === "animate" || tag === "set") && /href/i.test(el.getAttribute("attributeName") || "")) found.push(`${tag} of href`);
  }
  return found;
}"""


class Reader:
    """One chromium page with the hooks; ``read(url)`` or ``render(html)`` returns what ran or lurks."""

    def __init__(self, browser, cookies: list[dict] | None = None) -> None:
        self.context = browser.new_context(bypass_csp=True, locale="fr-FR", java_script_enabled=True)
        if cookies:
            self.context.add_cookies(cookies)
        self.context.add_init_script(RECORD_PRINT)
        self.context.route("**/img/**", lambda route: route.abort())  # pictures cannot run script; failing, they fire onerror
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        self.loads = 0

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}({dialog.message})")
        dialog.dismiss()

    def _verdict(self, label: str) -> dict[str, list[str]]:
        self.loads += 1
        self.page.wait_for_timeout(60)  # timers, autofocus, animations, toggles
        ran = [*self.dialogs, *self.page.evaluate("window.__ran || []")]
        self.dialogs.clear()
        dangers = self.page.evaluate(DOM_DANGERS)
        return {label: ran + dangers} if ran or dangers else {}

    def read(self, url: str, *, expect_status: tuple[int, ...] = (200,)) -> dict[str, list[str]]:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status in expect_status, (url, response and response.status)
        return self._verdict(url)

    def render(self, label: str, html: str) -> dict[str, list[str]]:
        self.page.set_content(html, wait_until="load")
        return self._verdict(label)


def reader_paths() -> list[str]:
    articles = list(Article.objects.filter(source__slug=SLUG).select_related("source").order_by("id"))
    stories = sorted({a.story_id for a in articles if a.story_id})
    days = sorted({a.published_at.strftime("%Y/%m/%d") for a in articles})
    return [
        "/", f"/{SLUG}/", f"/{SLUG}/?page=2", f"/{SLUG}/?page=3", "/categorie/monde/",
        *(a.get_absolute_url() for a in articles),
        *(f"/histoire/{pk}/" for pk in stories),
        *(f"/archives/{day}/" for day in days),
        "/recherche?q=alert", "/recherche?q=script", "/recherche?q=conseil+municipal",
    ]  # fmt: skip


def reflected_paths() -> list[str]:
    """The vectors sent back at the portal: as the search words, and as filters it repeats in its message."""
    paths = [f"/recherche?q={quote(' '.join(group)[:400])}" for group in GROUPS]
    paths += [f"/recherche?q=conseil&langue={quote(v)}" for v in VECTORS[:: len(VECTORS) // 8]]
    paths += [f"/{SLUG}/?page={quote(v)}" for v in VECTORS[1 :: len(VECTORS) // 8]]
    return paths


@pytest.mark.django_db
def test_the_corpus_is_large_and_every_vector_is_in_the_archive(hostile_archive):
    assert len(VECTORS) >= 200 and len(set(VECTORS)) == len(VECTORS)
    press, feed = hostile_archive
    articles = Article.objects.filter(feed=feed)
    assert articles.count() == 2 * len(GROUPS)  # every item stored, none lost to a vector
    stored = {path: Article.objects.filter(feed__url=press.base + path).count() for path in FEEDS}
    assert stored == FEEDS
    assert press.hits["/articles/p0"] == 1 and press.hits["/articles/f0"] == 1  # pages were read
    titled_by_page = articles.filter(url__contains="/articles/p").exclude(title="").count()
    assert titled_by_page == len(GROUPS)  # the page's <title> was used where the feed had none
    assert articles.exclude(author="").count() == 2 * len(GROUPS)


@pytest.mark.django_db
def test_the_detector_sees_raw_vectors(hostile_archive):
    """The same hooks on the outlet's raw page (not through Revue): vectors run and lurk there."""
    press, _ = hostile_archive
    with chromium() as browser:
        reader = Reader(browser)
        found = reader.read(f"{press.base}/raw")[f"{press.base}/raw"]
    assert sum(1 for f in found if f.startswith(("alert", "confirm", "prompt", "print"))) >= 20, found
    assert len(found) >= 100


def feed_documents(live_server) -> dict[str, bytes]:
    urls = ["/flux/rss/", "/flux/atom/", f"/flux/source/{SLUG}/rss/", f"/flux/source/{SLUG}/atom/",
            "/flux/categorie/monde/rss/", "/flux/recherche/rss/?q=alert", "/flux/recherche/atom/?q=script"]
    documents = {}
    for url in urls:
        response = httpx.get(live_server.url + url)
        assert response.status_code == 200, url
        documents[url] = response.content
    return documents


def feed_html(document: bytes) -> str:
    """Every item of a feed out as a feed reader shows it: its title as text, its HTML as HTML."""
    root = ElementTree.fromstring(document)  # well-formed: a vector never broke out of its element
    blocks = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "title":
            blocks.append(f"<h2>{escape(element.text or '')}</h2>")
        elif name in ("description", "summary", "content", "encoded"):
            blocks.append(f"<article>{element.text or ''}</article>")
    return "<!doctype html><html><body>" + "\n".join(blocks) + "</body></html>"


def read_reader_pages(reader: Reader, base: str, paths: list[str]) -> dict[str, list[str]]:
    ran: dict[str, list[str]] = {}
    for path in paths:
        ran.update(reader.read(base + path))
    for path in reflected_paths():
        ran.update(reader.read(base + path, expect_status=(200, 400)))
    return ran


def read_feeds_out(reader: Reader, documents: dict[str, bytes]) -> dict[str, list[str]]:
    ran: dict[str, list[str]] = {}
    for url, document in documents.items():
        ran.update(reader.render(url, feed_html(document)))
    return ran


def read_api(reader: Reader, base: str, ids: list[int]) -> tuple[dict[str, list[str]], list[str]]:
    """The API's answers as served (JSON, shown as text), then their HTML fields rendered."""
    urls = ["/api/articles?limit=100", f"/api/outlets/{SLUG}", "/api/stories?limit=100",
            "/api/search?q=alert&limit=100", *(f"/api/articles/{pk}" for pk in ids)]
    html_fields: list[str] = []
    ran: dict[str, list[str]] = {}
    for url in urls:
        ran.update(reader.read(base + url))
        data = json.loads(reader.page.evaluate("document.body.innerText"))
        html_fields += [data.get("content_html", "")] + [i.get("snippet_html", "") for i in data.get("items", [])]
    ran.update(reader.render("content_html and snippet_html", "<!doctype html><body>" + "\n".join(html_fields)))
    return ran, [field for field in html_fields if field]


def staff_paths(press: HostilePress, feed: Feed) -> list[str]:
    """What a moderator and an operator read of the hostile outlet: the admin's lists and forms
    of its articles, feed and images, the moderators' desk (its images reported, one blocked),
    and the extraction-rule preview of its pages (the page fetched and extracted again)."""
    articles = list(Article.objects.filter(feed=feed).exclude(image=None).order_by("id")[:6])
    for n, article in enumerate(articles):
        ImageReport.objects.create(image=article.image, reporter_id=f"r{n}", address_hash=f"a{n}", network_hash=f"n{n}")
    Image.objects.filter(pk=articles[0].image_id).update(state=Image.State.BLOCKED)
    rule = ExtractionRule.objects.create(source=feed.source, host="127.0.0.1", drop_selectors=".byline")
    images = [a.image_id for a in articles]
    return [
        "/admin/", "/admin/news/article/", f"/admin/news/article/?q={quote(VECTORS[0])}",
        *(f"/admin/news/article/{a.pk}/change/" for a in articles[:3]),
        "/admin/sources/feed/", f"/admin/sources/feed/{feed.pk}/change/", f"/admin/sources/source/{feed.source_id}/change/",
        "/admin/news/image/", *(f"/admin/news/image/{pk}/change/" for pk in images[:2]),
        "/admin/moderation/reportedimage/", "/admin/moderation/blockedimage/", "/admin/moderation/moderationevent/",
        *(f"/admin/sources/extractionrule/{rule.pk}/apercu/?url={quote(press.base)}/articles/{kind}{k}" for kind, k in (("f", 0), ("p", 3), ("f", 7))),
    ]  # fmt: skip


def staff_cookie(base: str) -> list[dict]:
    user = get_user_model().objects.create(username="moderatrice", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]


def read_staff_pages(browser, base: str, paths: list[str], cookies: list[dict]) -> dict[str, list[str]]:
    reader = Reader(browser, cookies)
    ran: dict[str, list[str]] = {}
    for path in paths:
        ran.update(reader.read(base + path))
    return ran


@pytest.mark.django_db(transaction=True)
def test_no_vector_runs_in_any_page_feed_or_answer(hostile_archive, live_server):
    cache.clear()
    documents = feed_documents(live_server)
    listing = httpx.get(f"{live_server.url}/api/articles?limit=100")
    assert listing.headers["content-type"].startswith("application/json")
    assert listing.headers.get("x-content-type-options") == "nosniff"
    ids = [item["id"] for item in listing.json()["items"]]
    assert len(ids) == ARTICLES
    paths = reader_paths()
    assert len(paths) >= ARTICLES + 8
    press, feed = hostile_archive
    feed.refresh_from_db()
    assert feed.entries_skipped == 1 and "/articles/skip?v=" in feed.last_skip_reason  # shown in the feed's admin
    admin_paths, cookies = staff_paths(press, feed), staff_cookie(live_server.url)
    with chromium() as browser:
        reader = Reader(browser)
        in_pages = read_reader_pages(reader, live_server.url, paths)
        in_feeds = read_feeds_out(reader, documents)
        in_api, html_fields = read_api(reader, live_server.url, ids)
        loads = reader.loads
        in_admin = read_staff_pages(browser, live_server.url, admin_paths, cookies)
    assert all(b"Le conseil municipal" in document for document in list(documents.values())[:3])
    assert len(html_fields) >= ARTICLES
    assert loads >= 150
    assert (in_pages, in_feeds, in_api, in_admin) == ({}, {}, {}, {})
