"""The faults, one feed each: what the broken outlet serves, what it serves once fixed, and what
the crawler must have recorded after each of the two crawls.

``install(server)`` puts every case's routes on a ``FaultServer`` and returns the cases by name.
A case's ``titles`` are the articles its feed must have stored after the first (faulty) crawl;
``titles_after_fix`` after the second one, when every route answers as a healthy outlet would.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass, field
from email.utils import formatdate

from .documents import Item, article_page, html_page_with_feed_link, rss
from .server import FaultHandler, FaultServer, drip, gzip_bomb_chunks, reset, send, stall, stream

RSS_TYPE = "application/rss+xml"
MAX_ERRORS = 10  # REVUE_FEED_MAX_ERRORS in the fault crawl's settings
STALL_SECONDS = 4  # longer than REVUE_FETCH_READ_TIMEOUT and REVUE_FETCH_TOTAL_TIMEOUT


@dataclass
class Case:
    name: str
    feed_url: str
    outcome: str  # after the first crawl: "ok", "error" or "parked"
    titles: list[str]  # stored after the first crawl
    titles_after_fix: list[str]  # stored after the second crawl
    error: tuple[str, ...] = ()  # words the recorded error must contain
    status: int | None = 200  # Feed.last_status after the first crawl
    url_after: str = ""  # Feed.url after the first crawl (default: unchanged)
    retry_after: float | None = None  # seconds the next fetch must wait at least
    language: str = "fr"
    fixable: bool = True  # the second crawl, faults fixed, succeeds
    prior_errors: int = 0  # failures in a row recorded before the first crawl
    items: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.url_after = self.url_after or self.feed_url


def _items(server: FaultServer, name: str, count: int = 3, **kw) -> list[Item]:
    return [
        Item(title=f"{name} : article {i}", link=server.url(f"/{name}/a/{i}.html"), guid=f"{name}-{i}", **kw)
        for i in range(1, count + 1)
    ]


def _feed_bytes(name: str, items: list[Item]) -> bytes:
    return rss(f"Flux {name}", items).encode("utf-8")


def _serve_feed(body: bytes, content_type: str = f"{RSS_TYPE}; charset=utf-8", **headers: str):
    return lambda h: send(h, 200, body, content_type, **headers)


def install(server: FaultServer) -> dict[str, Case]:
    cases: list[Case] = []

    def add(name, faulty, *, items=None, path=None, healthy=None, **expect) -> Case:
        items = _items(server, name) if items is None else items
        path = path or f"/{name}/feed.xml"
        body = _feed_bytes(name, items)
        server.route(path, faulty, healthy or _serve_feed(body))
        titles = [i.title for i in items if i.link]
        outcome = expect.pop("outcome", "error")
        case = Case(
            name=name,
            feed_url=expect.pop("feed_url", server.url(path)),
            outcome=outcome,
            titles=expect.pop("titles", titles if outcome == "ok" else []),
            titles_after_fix=expect.pop("titles_after_fix", titles),
            items=items,
            **expect,
        )
        cases.append(case)
        return case

    def ok(name, *, items=None, body=None, content_type=f"{RSS_TYPE}; charset=utf-8", **expect) -> Case:
        items = _items(server, name) if items is None else items
        body = _feed_bytes(name, items) if body is None else body
        serve = _serve_feed(body, content_type)
        return add(name, serve, items=items, healthy=serve, outcome="ok", **expect)

    # --- the healthy neighbour: its articles must all be there, whatever the others do ----------
    ok("healthy", items=_items(server, "healthy", 5))

    # --- network faults ------------------------------------------------------------------------
    add("stall", lambda h: stall(h, STALL_SECONDS), error=("timed out",), status=None)

    def stall_in_body(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS_TYPE)
        h.send_header("Content-Length", "10000")
        h.end_headers()
        h.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
        stall(h, STALL_SECONDS)

    add("stall-body", stall_in_body, error=("timed out",), status=None)

    def dripping(h: FaultHandler) -> None:
        body = _feed_bytes("drip", _items(server, "drip"))
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {RSS_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        drip(h, head + body, every=1.0)

    add("drip", dripping, error=("timed out after", "REVUE_FETCH_TOTAL_TIMEOUT"), status=None)
    add(
        "refused",
        lambda h: None,
        feed_url=server.side_port("refused") + "/refused/feed.xml",
        error=("connection to", "refused"),
        status=None,
    )
    add(
        "connect-timeout",
        lambda h: None,
        feed_url=server.side_port("blackhole") + "/connect-timeout/feed.xml",
        error=("timed out", "connect"),
        status=None,
    )
    add("reset", lambda h: reset(h), error=("connection", "reset"), status=None)
    add(
        "reset-body",
        lambda h: reset(h, b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 5000\r\n\r\n<rss>"),
        error=("reset",),
        status=None,
    )
    add(
        "dns",
        lambda h: None,
        feed_url="http://nonexistent.invalid/feed",
        error=("cannot resolve nonexistent.invalid",),
        status=None,
        fixable=False,
        titles_after_fix=[],
    )

    # --- HTTP errors -----------------------------------------------------------------------------
    add("http-404", lambda h: send(h, 404, b"Not Found", "text/html"), error=("HTTP 404", "Not Found"), status=404)
    add("http-410", lambda h: send(h, 410, b"Gone", "text/html"), outcome="parked", error=("HTTP 410", "Gone"),
        status=410, fixable=False, titles_after_fix=[])
    add("http-500", lambda h: send(h, 500, b"oops", "text/html"), error=("HTTP 500", "Internal Server Error"), status=500)
    add("http-500-last-straw", lambda h: send(h, 500, b"oops", "text/html"), error=("HTTP 500",), status=500,
        outcome="parked", prior_errors=MAX_ERRORS - 1, fixable=False, titles_after_fix=[])

    def busy(status: int, seconds: int, as_date: bool):
        def respond(h: FaultHandler) -> None:
            value = formatdate(time.time() + seconds, usegmt=True) if as_date else str(seconds)
            send(h, status, b"come back later", "text/plain", Retry_After=value)

        return respond

    for status, seconds, as_date in ((429, 3600, False), (429, 5400, True), (503, 7200, False), (503, 10800, True)):
        kind = "date" if as_date else "seconds"
        add(f"http-{status}-{kind}", busy(status, seconds, as_date), error=(f"HTTP {status}",), status=status,
            retry_after=seconds)

    # --- redirects -------------------------------------------------------------------------------
    def redirect(status: int, path: str):
        return lambda h: send(h, status, b"", "text/plain", Location=path)

    add("redirect-loop", redirect(301, "/redirect-loop/b"), error=("redirect loop",), status=None)
    server.route("/redirect-loop/b", redirect(302, "/redirect-loop/feed.xml"))

    add(
        "redirect-to-private",
        redirect(302, "http://169.254.169.254/latest/meta-data/"),
        error=("refused", "169.254.169.254", "link-local"),
        status=None,
    )

    chain = ok("redirect-chain", url_after=server.url("/redirect-chain/final.xml"))
    chain_body = _feed_bytes("redirect-chain", chain.items)
    server.route("/redirect-chain/feed.xml", redirect(301, "/redirect-chain/step"))
    server.route("/redirect-chain/step", redirect(301, server.url("/redirect-chain/final.xml")))
    server.route("/redirect-chain/final.xml", _serve_feed(chain_body))

    temporary = ok("redirect-temporary")
    temporary_body = _feed_bytes("redirect-temporary", temporary.items)
    server.route("/redirect-temporary/feed.xml", redirect(301, "/redirect-temporary/step"))
    server.route("/redirect-temporary/step", redirect(302, "/redirect-temporary/today.xml"))
    server.route("/redirect-temporary/today.xml", _serve_feed(temporary_body))

    # --- sizes -----------------------------------------------------------------------------------
    def bomb(h: FaultHandler) -> None:
        h.server.owner.bomb_sent = stream(
            h, 200, gzip_bomb_chunks(), Content_Type=RSS_TYPE, Content_Encoding="gzip"
        )

    bombed = add("gzip-bomb", bomb, error=("too large", "REVUE_FETCH_MAX_BYTES"), status=None)
    server.route(
        "/gzip-bomb/feed.xml",
        bomb,
        _serve_feed(gzip.compress(_feed_bytes("gzip-bomb", bombed.items)), RSS_TYPE, Content_Encoding="gzip"),
    )

    def declared_huge(h: FaultHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RSS_TYPE)
        h.send_header("Content-Length", "3000000")
        h.end_headers()
        h.close_connection = True
        try:
            for _ in range(46):
                h.wfile.write(b" " * 65536)
        except OSError:
            pass

    add("oversized-declared", declared_huge, error=("too large", "Content-Length 3000000"), status=None)

    def endless(h: FaultHandler) -> None:
        padding = (b"<!-- " + b"x" * 65000 + b" -->\n" for _ in range(80))  # ~5 MB
        head = [b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>']
        stream(h, 200, iter([*head, *padding]), Content_Type=RSS_TYPE)

    add("oversized-stream", endless, error=("too large", "1000000 bytes"), status=None)

    # --- damaged documents ---------------------------------------------------------------------
    add(
        "invalid-xml",
        _serve_feed(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>\n<<<>>> <item <title>A</title></channel></rss>'),
        error=("not a feed", "XML is malformed at line 3"),
    )
    add(
        "not-xml",
        _serve_feed(b"Warning: mysql_connect(): Too many connections in /var/www/feed.php on line 12\n"),
        error=("not a feed", "neither XML nor JSON", "Warning: mysql_connect"),
    )
    broken = _items(server, "recoverable-xml", 2)
    ok(
        "recoverable-xml",
        items=broken,
        body=_feed_bytes("recoverable-xml", broken).replace(b"</item>", b"</itme>", 1),
    )
    truncated = _items(server, "truncated-xml")
    add(  # cut inside the last item: the two whole items before the cut are kept
        "truncated-xml",
        _serve_feed(_feed_bytes("truncated-xml", truncated)[:-300]),
        items=truncated,
        outcome="ok",
        titles=[item.title for item in truncated[:2]],
    )

    # --- charsets --------------------------------------------------------------------------------
    french = ["Élection à Fès : l’été s’annonce « chaud »", "Œuvres d’art — 30 € l’entrée"]
    latin = ["Café à Fès, où l'on goûte la fraîcheur", "Garçon, l'addition ! Déjà ?"]
    arabic = ["الانتخابات في فاس: صيف حار", "المجلس البلدي يصادق على الميزانية"]

    def charset_case(name, titles, data_of, content_type=RSS_TYPE, language="fr") -> Case:
        items = [
            Item(title=t, link=server.url(f"/{name}/a/{i}.html"), guid=f"{name}-{i}", language=language)
            for i, t in enumerate(titles, 1)
        ]
        return ok(name, items=items, body=data_of(items), content_type=content_type, language=language)

    def encoded(codec: str, declared: str | None, bom: bytes = b""):
        return lambda items: bom + rss("Flux", items, encoding=declared).encode(codec)

    charset_case("cp1252-declared", french, encoded("cp1252", "windows-1252"))
    charset_case("cp1252-undeclared", french, encoded("cp1252", None))
    charset_case("cp1256-declared", arabic, encoded("cp1256", "windows-1256"), language="ar")
    charset_case("cp1256-http-only", arabic, encoded("cp1256", None), f"{RSS_TYPE}; charset=windows-1256", language="ar")
    charset_case("iso-8859-1", latin, encoded("latin-1", "ISO-8859-1"), f"{RSS_TYPE}; charset=ISO-8859-1")
    charset_case("utf8-bom", french + arabic, encoded("utf-8", "utf-8", b"\xef\xbb\xbf"))
    charset_case("utf16-bom", french + arabic, encoded("utf-16-le", "utf-16", b"\xff\xfe"))
    charset_case("utf16le-no-bom", french + arabic, encoded("utf-16-le", "utf-16"))
    charset_case("utf16be-no-bom", french + arabic, encoded("utf-16-be", "utf-16"))
    charset_case("declared-latin1-is-utf8", french + arabic, encoded("utf-8", "ISO-8859-1"), f"{RSS_TYPE}; charset=iso-8859-1")
    charset_case("declared-utf8-is-cp1252", french, encoded("cp1252", "utf-8"), f"{RSS_TYPE}; charset=utf-8")
    charset_case("http-utf8-is-cp1256", arabic, encoded("cp1256", "windows-1256"), f"{RSS_TYPE}; charset=utf-8", language="ar")

    # --- an HTML page where the feed should be ----------------------------------------------------
    html_items = _items(server, "html-instead")
    server.route("/html-instead/rss.xml", _serve_feed(_feed_bytes("html-instead", html_items)))
    add(
        "html-instead",
        lambda h: send(h, 200, html_page_with_feed_link("/html-instead/rss.xml"), "text/html; charset=utf-8"),
        path="/html-instead/",
        items=html_items,
        outcome="ok",
        url_after=server.url("/html-instead/rss.xml"),
    )

    add(
        "html-no-link",
        lambda h: send(h, 200, b"<!DOCTYPE html><html><body><p>Maintenance</p></body></html>", "text/html"),
        path="/html-no-link/",
        error=("HTML page with no feed link",),
    )

    # --- odd entries -----------------------------------------------------------------------------
    u = server.url
    ok(
        "duplicate-guids",
        items=[
            Item("duplicate-guids : premier", u("/duplicate-guids/a/1.html"), guid="same-guid"),
            Item("duplicate-guids : copie", u("/duplicate-guids/a/2.html"), guid="same-guid"),
            Item("duplicate-guids : autre", u("/duplicate-guids/a/3.html"), guid="other-guid"),
            Item("duplicate-guids : autre encore", u("/duplicate-guids/a/3.html"), guid="third-guid"),
        ],
        titles=["duplicate-guids : premier", "duplicate-guids : autre"],
        titles_after_fix=["duplicate-guids : premier", "duplicate-guids : autre"],
    )
    shared = [  # NixOS' news feed: every item links to the one news page, and none has a guid
        Item(f"shared-link : nouvelle {i}", u("/shared-link/news.html"), guid=None,
             pub_date=f"Tue, 10 Jun 2025 0{i}:00:00 GMT", short=True)
        for i in range(1, 6)
    ]
    server.route("/shared-link/news.html",
                 lambda h: send(h, 200, article_page("shared-link : les nouvelles"), "text/html; charset=utf-8"))
    ok("shared-link", items=shared, titles=[shared[0].title], titles_after_fix=[shared[0].title])
    ok(
        "dates",
        items=[
            Item("dates : manquante", u("/dates/a/1.html"), guid="d1", pub_date=None),
            Item("dates : illisible", u("/dates/a/2.html"), guid="d2", pub_date="le 32 du mois de Ramadan"),
            Item("dates : future", u("/dates/a/3.html"), guid="d3", pub_date="Tue, 10 Jun 2098 08:00:00 GMT"),
            Item("dates : valide", u("/dates/a/4.html"), guid="d4", pub_date="Tue, 10 Jun 2025 08:00:00 +0100"),
        ],
    )
    ok(
        "no-links",
        items=[
            Item("no-links : sans lien ni guid", None, guid=None),
            Item("no-links : sans lien, guid opaque", None, guid="opaque-42"),
            Item("no-links : guid permalien", None, guid=u("/no-links/a/2.html")),
            Item("no-links : avec lien", u("/no-links/a/3.html"), guid="l3"),
        ],
        titles=["no-links : guid permalien", "no-links : avec lien"],
        titles_after_fix=["no-links : guid permalien", "no-links : avec lien"],
    )
    ok(
        "relative-links",
        items=[
            Item("relative-links : absolu-chemin", "/relative-links/a/1.html", guid="r1"),
            Item("relative-links : relatif", "a/2.html", guid="r2"),
            Item("relative-links : remonte", "../relative-links/a/3.html?utm_source=rss", guid="r3"),
        ],
    )
    ok("empty", items=[])

    # --- article pages that fail: the feed's text is kept -----------------------------------------
    pages = _items(server, "pages-fail", 2, short=True)
    for i, item in enumerate(pages, 1):
        server.route(f"/pages-fail/a/{i}.html", lambda h: send(h, 500, b"oops", "text/html"),
                     lambda h, t=item.title: send(h, 200, article_page(t), "text/html; charset=utf-8"))
    ok("pages-fail", items=pages)

    server.route("/robots.txt", lambda h: send(h, 200, b"User-agent: *\nAllow: /\n", "text/plain"))
    return {case.name: case for case in cases}
