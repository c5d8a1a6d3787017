"""The SSRF matrix: every way an outlet, a feed or an operator's file can name an internal
address, through every entry point that fetches, with the operator's allow list OFF for
everything but one loopback address that plays the outlet (issue #15).

Servers, all on loopback (``press.HostilePress``): the *outlet* on 127.0.0.1, the one address
``REVUE_FETCH_ALLOW`` lets through here (as a public host would pass); *internal hosts* on
127.0.0.2 and ::1 that answer every path with a valid feed, page, robots.txt and picture, and
count every request — nothing may ever reach them. Addresses that no local server can play
(10/8, 172.16/12, 192.168/16, 169.254.169.254, fc00::/7, fe80::/10 …) must be refused before
any connection: the outcome must be the guard's refusal (« refused: … REVUE_FETCH_ALLOW », or
for the octal form an address httpx will not parse), not
a connection error or a timeout (connect timeout 1 s, should a regression let one through).

Entry points, each with every target (``TARGETS``) reached directly and through a redirect
from the outlet: the feed fetch and the article page fetch of the real crawler
(``Crawler.run_once``), robots.txt (the outlet's redirects inward), discovery (``revue sources
add`` of a site URL, its ``<link rel="alternate">`` pointing inward too), OPML import
(``revue sources import``, then the crawl of what it followed) and the image proxy
(``/img/<signed id>``, through the real view) and the admin's extraction-rule preview, which
fetches the page an operator types.
"""

from __future__ import annotations

import html
import re
import socket
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from revue.crawl.worker import Crawler
from revue.news.image_links import sign
from revue.news.models import Article, Image
from revue.sources.models import Feed, Source
from tests.e2e.test_image_reports_browser import png

from .press import HostilePress

pytestmark = pytest.mark.sqlite_only  # the outbound guard, whichever database stores the feeds
crawler_db = pytest.mark.django_db(transaction=True)  # the crawler commits from its own thread

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>
<link>{base}/</link><item><title>{title}, l'article</title><link>{link}</link><guid>{link}</guid>
<description>Une brève de quelques mots.</description></item></channel></rss>"""
PAGE = """<!doctype html><html><head><title>Interne</title>
<link rel="alternate" type="application/rss+xml" href="{feed}"></head>
<body><article><h1>Interne</h1><p>{text}</p></article></body></html>"""
TEXT = "Une page que seul le réseau interne devrait voir, avec assez de mots pour un article entier. " * 8

# (case id, URL host form, which internal server it denotes: "v4" 127.0.0.2, "v6" ::1, None: none here)
TARGETS = [
    ("loopback", "127.0.0.2", "v4"),
    ("decimal", "2130706434", "v4"),
    ("octal", "0177.0.0.2", "v4"),
    ("hex", "0x7f000002", "v4"),
    ("hex-dotted", "0x7f.0.0.2", "v4"),
    ("short-form", "127.2", "v4"),
    ("ipv4-mapped", "[::ffff:127.0.0.2]", "v4"),
    ("ipv4-mapped-hex", "[::ffff:7f00:2]", "v4"),
    ("ipv6-loopback", "[::1]", "v6"),
    ("ipv6-loopback-long", "[0:0:0:0:0:0:0:1]", "v6"),
    ("unspecified", "0.0.0.0", None),
    ("private-10", "10.0.0.1", None),
    ("private-172.16", "172.16.0.1", None),
    ("private-172.31", "172.31.255.254", None),
    ("private-192.168", "192.168.1.1", None),
    ("link-local", "169.254.1.1", None),
    ("metadata", "169.254.169.254", None),
    ("metadata-decimal", "2852039166", None),
    ("metadata-hex", "0xa9fea9fe", None),
    ("metadata-octal", "0251.0376.0251.0376", None),
    ("metadata-ipv4-mapped", "[::ffff:169.254.169.254]", None),
    ("private-ipv4-mapped", "[::ffff:10.0.0.1]", None),
    ("shared-100.64", "100.64.0.1", None),
    ("unique-local-fc00", "[fc00::1]", None),
    ("unique-local-fd", "[fd12:3456::1]", None),
    ("ipv6-link-local", "[fe80::1]", None),
    ("nat64-of-loopback", "[64:ff9b::7f00:2]", None),
    ("6to4-of-private", "[2002:a00:1::1]", None),
]
ROUTES = ("direct", "redirect")


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


class Internal:
    """The internal hosts, 127.0.0.2 and ::1 on one port (so that one URL form names either):
    every path answers, every request is counted."""

    def __init__(self) -> None:
        self.servers = {"v4": HostilePress("127.0.0.2")}
        self.port = self.servers["v4"].port
        if ipv6_loopback():
            try:
                self.servers["v6"] = HostilePress("::1", self.port)
            except OSError:  # the port is taken on ::1: the IPv6 cases then show refusal only
                pass
        for server in self.servers.values():
            for path in ("/feed.xml", "/latest/meta-data/feed.xml"):
                server.serve(path, RSS.format(title="Interne", base=server.base, link=f"{server.base}/article"),
                             "application/rss+xml")
            server.serve("/", PAGE.format(feed=f"{server.base}/feed.xml", text=TEXT))
            server.serve("/article", PAGE.format(feed=f"{server.base}/feed.xml", text=TEXT))
            server.serve("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
            server.serve("/photo.png", png(), "image/png")

    @property
    def hits(self) -> int:
        return sum(server.total_hits for server in self.servers.values())

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        for server in self.servers.values():
            server.close()


@pytest.fixture(scope="module")
def internal():
    hosts = Internal()
    yield hosts
    hosts.close()


@pytest.fixture(scope="module")
def outlet():
    press = HostilePress("127.0.0.1")
    yield press
    press.close()


@pytest.fixture
def guarded(settings, tmp_path):
    """The operator's setting as in production, but for the outlet's one loopback address."""
    settings.REVUE_FETCH_ALLOW = ["127.0.0.1"]
    settings.REVUE_HOST_DELAY = 0
    settings.REVUE_FETCH_CONNECT_TIMEOUT = 1
    settings.REVUE_IMAGE_FETCH_TIMEOUT = 2
    settings.REVUE_IMAGE_CACHE_DIR = tmp_path / "images"
    cache.clear()  # robots.txt rules and image failures are remembered there
    return settings


def target_url(case: str, route: str, host: str, path: str, internal: Internal, outlet: HostilePress) -> str:
    """The URL an entry point is handed: the internal one, or the outlet's that redirects to it."""
    inward = internal.url(host, path)
    if route == "direct":
        return inward
    return outlet.redirect(f"/{case}/redirect{path}", inward)


def refused(message: str) -> bool:
    """The guard's refusal, or a URL the HTTP layer will not even parse (httpx refuses the
    octal form ``0177.0.0.2`` as an invalid address, as a URL or a redirect's Location: it is
    never resolved nor connected to)."""
    if "refused: " in message and "REVUE_FETCH_ALLOW" in message:
        return True
    return "Invalid IPv4 address" in message or message.startswith("bad redirect Location 'http://0")


def crawl(*feeds: Feed) -> None:
    Crawler(processes=0).run_once(feed_ids=[feed.id for feed in feeds])


def outlet_feed(url: str) -> Feed:
    source = Source.objects.create(name="La Gazette", slug="la-gazette", language="fr")
    return Feed.objects.create(source=source, url=url)


matrix = pytest.mark.parametrize("case, host, server", TARGETS, ids=[case for case, _, _ in TARGETS])
routes = pytest.mark.parametrize("route", ROUTES)


@matrix
@routes
@crawler_db
def test_feed_fetch(guarded, internal, outlet, case, host, server, route):
    before = internal.hits
    feed = outlet_feed(target_url(case, route, host, "/feed.xml", internal, outlet))
    crawl(feed)
    feed.refresh_from_db()
    assert refused(feed.last_error), feed.last_error
    assert not Article.objects.exists()
    assert internal.hits == before


@matrix
@routes
@crawler_db
def test_article_page_fetch(guarded, internal, outlet, case, host, server, route):
    """The feed is the outlet's; its item links inward (directly, or to an outlet page that
    redirects inward). The entry is kept with the feed's text; the page is never fetched."""
    before = internal.hits
    link = target_url(case, route, host, "/article", internal, outlet)
    path = outlet.serve(f"/{case}/{route}/page-feed.xml", RSS.format(title="La Gazette", base=outlet.base, link=link),
                        "application/rss+xml").removeprefix(outlet.base)
    feed = outlet_feed(outlet.base + path)
    crawl(feed)
    feed.refresh_from_db()
    assert feed.last_error == "" and Article.objects.get().text == "Une brève de quelques mots."
    assert internal.hits == before
    if route == "redirect":
        assert outlet.hits[f"/{case}/redirect/article"] == 1  # the hop inward was offered, and refused


@matrix
@crawler_db
def test_robots_txt_fetch(guarded, internal, outlet, case, host, server):
    """The outlet's robots.txt redirects inward: refused, so its pages are not fetched either."""
    before = internal.hits
    outlet.redirect("/robots.txt", internal.url(host, "/robots.txt"))
    outlet.serve(f"/{case}/robots/article", PAGE.format(feed="", text=TEXT))
    path = f"/{case}/robots/feed.xml"
    outlet.serve(path, RSS.format(title="La Gazette", base=outlet.base, link=f"{outlet.base}/{case}/robots/article"),
                 "application/rss+xml")
    robots_before = outlet.hits["/robots.txt"]
    crawl(outlet_feed(outlet.base + path))
    assert outlet.hits["/robots.txt"] == robots_before + 1
    assert outlet.hits[f"/{case}/robots/article"] == 0  # robots.txt unreadable: pages wait
    assert internal.hits == before


def add(url: str) -> str:
    out = StringIO()
    call_command("sources", "add", url, stdout=out, stderr=out)
    return out.getvalue()


@matrix
@pytest.mark.parametrize("route", [*ROUTES, "alternate-link"])
@pytest.mark.django_db
def test_discovery(guarded, internal, outlet, case, host, server, route):
    """``revue sources add`` of an inward site URL, of an outlet URL redirecting inward, and of
    an outlet page whose ``<link rel="alternate">`` announces an inward feed."""
    before = internal.hits
    if route == "alternate-link":
        url = outlet.serve(f"/{case}/site/", PAGE.format(feed=internal.url(host, "/feed.xml"), text=TEXT))
    else:
        url = target_url(case, route, host, "/", internal, outlet)
    with pytest.raises(CommandError) as failure:
        add(url)
    assert refused(str(failure.value)), str(failure.value)
    assert not Feed.objects.exists()
    assert internal.hits == before


@matrix
@routes
@crawler_db
def test_opml_import(guarded, internal, outlet, case, host, server, route, tmp_path):
    """An OPML file names an inward feed: it may be followed (some address forms are already
    refused as URLs at import), never fetched."""
    before = internal.hits
    url = target_url(case, route, host, "/latest/meta-data/feed.xml", internal, outlet)
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
                    f'<outline text="Interne" xmlUrl="{url.replace("&", "&amp;")}"/></body></opml>', encoding="utf-8")
    out = StringIO()
    call_command("sources", "import", str(opml), stdout=out, stderr=out)
    feeds = list(Feed.objects.all())
    if feeds:
        crawl(*feeds)
    else:  # Django's URL validator already refused the address form at import
        assert "1 ignorés" in out.getvalue(), out.getvalue()
    errors = [feed.last_error for feed in Feed.objects.all()]
    assert all(refused(error) for error in errors), (out.getvalue(), errors)
    assert not Article.objects.exists()
    assert internal.hits == before


@matrix
@routes
@pytest.mark.django_db
def test_image_proxy(guarded, internal, outlet, case, host, server, route):
    """A picture whose address is inward (an outlet's ``og:image``, an enclosure): the proxy
    refuses to fetch it and answers its placeholder."""
    before = internal.hits
    image = Image.objects.create(url=target_url(case, route, host, "/photo.png", internal, outlet))
    response = Client().get(f"/img/{sign(image.pk)}")
    assert response.status_code == 502 and response["Content-Type"] == "image/png"
    assert internal.hits == before


@matrix
@routes
@pytest.mark.django_db
def test_extraction_rule_preview(guarded, internal, outlet, case, host, server, route):
    """The admin's extraction-rule preview fetches the page an operator types: same guard (some
    address forms are already refused by the form's URL field)."""
    from revue.sources.models import ExtractionRule

    before = internal.hits
    admin_client = Client()  # a superuser without a password to hash: force_login
    admin_client.force_login(get_user_model().objects.create(username="operatrice", is_staff=True, is_superuser=True))
    source = Source.objects.create(name="La Gazette", slug="la-gazette", language="fr")
    rule = ExtractionRule.objects.create(source=source, host="gazette.example", drop_selectors=".pub")
    url = target_url(f"preview-{case}", route, host, "/article", internal, outlet)
    response = admin_client.get(f"/admin/sources/extractionrule/{rule.pk}/apercu/", {"url": url})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    error = re.search(r'class="errornote">La page n.a pas pu être lue : ([^<]*)<', page)
    form_error = re.search(r'class="errorlist[^"]*"[^>]*><li>([^<]*)<', page)  # the URL field refused it
    assert (error and refused(error.group(1))) or form_error, page[-3000:]
    assert internal.hits == before


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "0177.0.0.1", "0x7f000001", "127.1",
                                  "[::ffff:127.0.0.1]", "localhost", "[::1]"])
@crawler_db
def test_with_the_allow_list_off_even_the_outlet_is_unreachable(settings, outlet, host):
    """``REVUE_FETCH_ALLOW`` empty, as in production: the loopback outlet itself, by any name."""
    settings.REVUE_FETCH_ALLOW = []
    settings.REVUE_HOST_DELAY = 0
    before = outlet.total_hits
    outlet.serve("/off/feed.xml", RSS.format(title="x", base=outlet.base, link=f"{outlet.base}/a"), "application/rss+xml")
    feed = outlet_feed(f"http://{host}:{outlet.port}/off/feed.xml")
    crawl(feed)
    feed.refresh_from_db()
    assert refused(feed.last_error), feed.last_error
    assert outlet.total_hits == before


@crawler_db
def test_the_internal_hosts_answer_when_allowed(settings, internal):
    """The matrix's control: were the guard to let a case through, the internal host would be
    reached and counted (here it is allowed on purpose, and the crawl takes its article)."""
    settings.REVUE_FETCH_ALLOW = ["127.0.0.0/8", "::1"]
    settings.REVUE_HOST_DELAY = 0
    cache.clear()
    before = internal.hits
    feeds = [outlet_feed(internal.url("2130706434", "/feed.xml"))]
    if "v6" in internal.servers:
        feeds.append(Feed.objects.create(source=feeds[0].source, url=internal.url("[::1]", "/feed.xml")))
    crawl(*feeds)
    assert all(feed.last_error == "" for feed in Feed.objects.all())
    assert internal.hits >= before + 2 * len(feeds)  # each feed, and its article's page (robots.txt too)
