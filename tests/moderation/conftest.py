"""Fixtures for the moderation tests: an article with a lead and an inline image, and readers.

A *reader* is a Django test client with its own cookies and its own network address
(``REMOTE_ADDR``, each reader in a network of its own), so two readers are two distinct people
for the report rules; the same reader may also come back under another address or without
cookies. A report carries the image's token as the article page hands it out (``token_for``,
the function the page's button calls) unless the test gives another. The cache (rate limits,
front page) is emptied around every test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from revue.moderation.tokens import TOKEN_FIELD, token_for
from revue.news.models import Article, Category, Image, url_hash
from revue.sources.models import Feed, Source

LEAD_URL = "https://img.example/photos/lead.jpg"
INLINE_URL = "https://cdn.example/inline/pic.jpg?w=800&h=600"
THANKS = (
    "Merci d'avoir signalé! Cette image sera automatiquement bloquée "
    "après qu'elle soit signalée par plusieurs personnes."
)

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outlet(db):
    source, _ = Source.objects.get_or_create(
        slug="barlamane", defaults={"name": "Barlamane", "homepage": "https://www.barlamane.com/", "language": "fr"}
    )
    return source


@pytest.fixture
def make_article(outlet):
    """``make_article(lead=url, inline=[urls], **fields)``: a published article linked to its images."""

    def make(lead: str | None = LEAD_URL, inline: tuple[str, ...] = (INLINE_URL,), **fields) -> Article:
        n = next(_serial)
        feed, _ = Feed.objects.get_or_create(source=outlet, url="https://feeds.example/barlamane.xml")
        category, _ = Category.objects.get_or_create(slug="maroc", defaults={"name": "Maroc", "position": 1})
        images = {url: Image.objects.get_or_create(url_hash=url_hash(url), defaults={"url": url})[0] for url in (lead, *inline) if url}
        paragraphs = [f"<p>Paragraphe {i} de l'article {n}.</p>" for i in range(2)]
        figures = [f'<figure><img src="{_attr(url)}" alt="Photo {i}" loading="lazy"></figure>' for i, url in enumerate(inline)]
        fields.setdefault("content_html", "".join(paragraphs[:1] + figures + paragraphs[1:]))
        article = Article.objects.create(
            source=outlet,
            feed=feed,
            url=f"https://www.barlamane.com/articles/{n}",
            title=fields.pop("title", f"Migration : article {n}"),
            published_at=timezone.now() - timedelta(minutes=n),
            language="fr",
            category=category,
            image=images.get(lead) if lead else None,
            **fields,
        )
        article.images.set(images.values())
        return article

    return make


def _attr(url: str) -> str:
    return url.replace("&", "&amp;")


@pytest.fixture
def article(make_article):
    return make_article()


def lead_of(article: Article) -> Image:
    return Image.objects.get(pk=article.image_id)


def inline_of(article: Article) -> Image:
    return Image.objects.get(url=INLINE_URL)


@dataclass
class Reader:
    """A person with a browser (cookies) on a network address."""

    address: str
    client: Client = field(default_factory=Client)

    def report(
        self, image: Image, *, json: bool = True, next_path: str = "", address: str | None = None, token: str | None = None, **extra
    ):
        headers = {"HTTP_ACCEPT": "application/json"} if json else {"HTTP_ACCEPT": "text/html,*/*;q=0.8"}
        data = {"next": next_path} if next_path else {}
        data[TOKEN_FIELD] = token_for(image.pk) if token is None else token
        return self.client.post(
            f"/signaler/image/{image.pk}/", data, REMOTE_ADDR=address or self.address, **headers, **extra
        )

    def read(self, path: str) -> str:
        return self.client.get(path, REMOTE_ADDR=self.address).content.decode()


@pytest.fixture
def reader():
    """``reader(n)``: the n-th distinct reader, each on its own address in its own network (198.18.n.7)."""
    return lambda n: Reader(address=f"198.18.{n}.7")
