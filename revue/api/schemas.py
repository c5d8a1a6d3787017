"""The shapes of the API's answers (pydantic schemas through django-ninja), and how rows fill them.

Articles carry their original URL, their page on the portal and their outlet; ``image_url`` is
the lead image at the image proxy's absolute address (never the outlet's), null when it is
blocked, and ``content_html`` (detail only) has blocked images replaced by the moderation app's
placeholder — a blocked image never leaves through the API — and its other pictures at the image
proxy's absolute addresses, as the portal shows them: a client never gets an outlet's image address.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from revue.moderation.body import without_blocked_images
from revue.news.image_links import shared_path
from revue.news.models import Article, Category, Story
from revue.portal.templatetags.portal_tags import proxied_body
from revue.sources.models import Source


class Message(Schema):
    message: str


class OutletRef(Schema):
    slug: str
    name: str


class CategoryOut(Schema):
    slug: str
    name: str


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    portal_url: str
    outlet: OutletRef
    category: CategoryOut | None
    language: str
    author: str
    summary: str
    published_at: datetime
    image_url: str | None
    story_id: int | None


class ArticleDetail(ArticleOut):
    content_html: str


class SearchHit(ArticleOut):
    snippet_html: str
    score: float


class StoryOut(Schema):
    id: int
    title: str
    portal_url: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlet_count: int
    languages: list[str]


class StoryDetail(StoryOut):
    articles: list[ArticleOut]


class OutletOut(Schema):
    slug: str
    name: str
    homepage: str
    language: str
    country: str
    portal_url: str


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class SearchPage(Schema):
    items: list[SearchHit]
    next_cursor: str | None
    notices: list[str]


class StoryPage(Schema):
    items: list[StoryOut]
    next_cursor: str | None


class OutletPage(Schema):
    items: list[OutletOut]
    next_cursor: str | None


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def article_data(request, article: Article) -> dict:
    image = article.image if article.image_id else None
    return {
        "id": article.pk,
        "title": article.title,
        "url": article.url,
        "portal_url": absolute(request, article.get_absolute_url()),
        "outlet": {"slug": article.source.slug, "name": article.source.name},
        "category": {"slug": article.category.slug, "name": article.category.name} if article.category_id else None,
        "language": article.language or article.source.language,
        "author": article.author,
        "summary": article.summary,
        "published_at": article.published_at,
        "image_url": absolute(request, shared_path(image.pk)) if image is not None and not image.is_blocked else None,
        "story_id": article.story_id,
    }


def article_detail_data(request, article: Article) -> dict:
    """The article with its body: blocked images become the placeholder, the others are served by
    the image proxy at absolute addresses (an image Revue has no row for is left out), as on the
    portal: a client never gets an outlet's image address."""
    body = proxied_body(without_blocked_images(article), article, lambda path: absolute(request, path))
    return {**article_data(request, article), "content_html": str(body)}


def story_data(request, story: Story) -> dict:
    return {
        "id": story.pk,
        "title": story.title,
        "portal_url": absolute(request, story.get_absolute_url()),
        "first_seen_at": story.first_seen_at,
        "last_seen_at": story.last_seen_at,
        "article_count": story.article_count,
        "outlet_count": story.outlet_count,
        "languages": [code for code in story.languages.split(",") if code],
    }


def outlet_data(request, source: Source) -> dict:
    return {
        "slug": source.slug,
        "name": source.name,
        "homepage": source.homepage,
        "language": source.language,
        "country": source.country,
        "portal_url": absolute(request, source.get_absolute_url()),
    }


def category_data(category: Category) -> dict:
    return {"slug": category.slug, "name": category.name}
