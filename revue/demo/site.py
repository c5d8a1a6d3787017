"""The demo press as a web site: which document answers which path.

`DemoSite(press, base_url)` maps every path of the press (the index, each outlet's homepage,
category pages, feeds, articles and images) to a `Document`: status, content type, bytes and
validators. Documents are rendered on first request and kept. The HTTP server (server.py) only
adds conditional GET, gzip and HEAD on top.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Callable

from .content import DemoOutlet, DemoPress
from .feeds import render_feed
from .images import png_for
from .lexicon import CATEGORY_SLUGS
from .pages import render_article_page, render_home_page, render_press_index

ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True)
class Document:
    """One answer of the site. No `etag` means the outlet sends no validators at all."""

    status: int
    content_type: str
    body: bytes
    etag: str = ""
    last_modified: datetime | None = None
    location: str = ""

    @property
    def compressible(self) -> bool:
        return not self.content_type.startswith("image/")


NOT_FOUND = Document(404, "text/html; charset=utf-8",
                     b"<!DOCTYPE html>\n<html><head><title>404</title></head>"
                     b"<body><h1>Page introuvable</h1></body></html>\n")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def charset_type(content_type: str, encoding: str) -> str:
    """Feeds in windows-1252 name no charset: the XML declaration is the only word on it."""
    if encoding != "utf-8" and not content_type.startswith("text/html"):
        return content_type
    return f"{content_type}; charset={encoding}"


class DemoSite:
    """Paths to documents for one press served at `base_url`."""

    def __init__(self, press: DemoPress, base_url: str) -> None:
        self.press = press
        self.base_url = base_url.rstrip("/")
        self._routes: dict[str, Callable[[], Document]] = {}
        self._cache: dict[str, Document] = {}
        self._route_press()
        for outlet in press.outlets:
            self._route_outlet(outlet)

    def document(self, path: str) -> Document:
        """The document at `path` (no query string), or a 404 page."""
        found = self._cache.get(path)
        if found is None:
            route = self._routes.get(path)
            if route is None:
                return NOT_FOUND
            found = self._cache.setdefault(path, route())
        return found

    def paths(self) -> tuple[str, ...]:
        return tuple(self._routes)

    def _route_press(self) -> None:
        index = partial(render_press_index, self.press, self.base_url)
        self._routes["/"] = lambda: self._validated(None, "text/html", index().encode("utf-8"))
        self._routes["/robots.txt"] = lambda: self._validated(None, "text/plain", ROBOTS_TXT)

    def _route_outlet(self, outlet: DemoOutlet) -> None:
        routes = self._routes
        routes[f"/{outlet.slug}"] = lambda: Document(301, "text/html; charset=utf-8", b"",
                                                     location=self.base_url + outlet.home_path)
        routes[outlet.home_path] = partial(self._home, outlet, "")
        for category in CATEGORY_SLUGS:
            routes[f"{outlet.home_path}rubrique/{category}/"] = partial(self._home, outlet, category)
        for feed in outlet.feeds:
            routes[feed.path] = partial(self._feed, outlet, feed)
        for article in outlet.articles:
            routes[article.url_path] = partial(self._article, outlet, article)
            for image in (article.lead_image_path, article.inline_image_path):
                if image:
                    routes[image] = partial(self._image, outlet, image)

    def _validated(self, outlet: DemoOutlet | None, content_type: str, body: bytes,
                   last_modified: datetime | None = None) -> Document:
        encoding = outlet.encoding if outlet else "utf-8"
        if not content_type.startswith("image/"):
            content_type = charset_type(content_type, encoding)
        if outlet is not None and not outlet.supports_304:
            return Document(200, content_type, body)
        return Document(200, content_type, body, etag_of(body), last_modified)

    def _home(self, outlet: DemoOutlet, category: str) -> Document:
        html = render_home_page(outlet, self.base_url, category)
        return self._validated(outlet, "text/html", html.encode(outlet.encoding, "xmlcharrefreplace"),
                               outlet.articles[0].published_at)

    def _feed(self, outlet: DemoOutlet, feed) -> Document:
        articles = outlet.feed_articles(feed)
        newest = max((a.published_at for a in articles), default=None)
        return self._validated(outlet, feed.content_type, render_feed(outlet, feed, self.base_url), newest)

    def _article(self, outlet: DemoOutlet, article) -> Document:
        html = render_article_page(outlet, article, self.base_url)
        return self._validated(outlet, "text/html", html.encode(outlet.encoding, "xmlcharrefreplace"),
                               article.published_at)

    def _image(self, outlet: DemoOutlet, path: str) -> Document:
        return self._validated(outlet, "image/png", png_for(path))
