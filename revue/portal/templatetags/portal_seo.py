"""What an article page tells search engines and social networks (``{% load portal_seo %}``).

``{% article_head article %}`` writes, in the page's ``<head>``:

* ``<link rel="canonical">`` to the *original* article at its outlet (the portal's own URL only
  when the original is not an http(s) URL);
* OpenGraph tags naming the outlet as the site, and its lead image only if it is not blocked
  (at the image proxy's absolute address, as in the JSON-LD: never the outlet's);
* a JSON-LD ``NewsArticle`` crediting the outlet as publisher (and the journalist as author when
  known), with ``isBasedOn`` pointing to the original.

Every value comes from outside, so each is escaped for its place: attributes by Django, the
JSON-LD with ``<``, ``>`` and ``&`` written as ``\\u003c`` … so it cannot close its script.
"""

from __future__ import annotations

import json
import re

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from revue.portal.templatetags.portal_tags import http_url, language_of, shared_image_url, visible_image

register = template.Library()

JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADLINE_CHARS = 110  # schema.org / Google: headlines longer than this are cut
DESCRIPTION_CHARS = 200


@register.filter
def xml_text(value) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    return NOT_XML.sub("", str(value or ""))


def _short(text: str, size: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"


def news_article(article, page_url: str, request=None) -> dict:
    """The schema.org ``NewsArticle`` of ``article``, crediting its outlet."""
    original = http_url(article.url) or page_url
    outlet = {"@type": "Organization", "name": article.source.name}
    if http_url(article.source.homepage):
        outlet["url"] = article.source.homepage
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _short(article.title, HEADLINE_CHARS),
        "datePublished": article.published_at.isoformat(),
        "url": original,
        "mainEntityOfPage": original,
        "isBasedOn": original,
        "publisher": outlet,
        "author": [{"@type": "Person", "name": article.author}] if article.author else [outlet],
        "description": _short(article.summary or article.text or article.title, DESCRIPTION_CHARS),
    }
    if language_of(article):
        data["inLanguage"] = language_of(article)
    if article.category_id:
        data["articleSection"] = article.category.name
    image = visible_image(article)
    if image is not None:
        data["image"] = [shared_image_url(request, image)]
    return data


def json_ld(data: dict) -> str:
    return mark_safe(
        '<script type="application/ld+json">'
        + json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
        + "</script>"
    )


def open_graph(article, original: str, request=None) -> list[tuple[str, str]]:
    tags = [
        ("og:type", "article"),
        ("og:title", article.title),
        ("og:description", _short(article.summary or article.text or article.title, DESCRIPTION_CHARS)),
        ("og:url", original),
        ("og:site_name", article.source.name),
        ("article:published_time", article.published_at.isoformat()),
    ]
    if article.category_id:
        tags.append(("article:section", article.category.name))
    image = visible_image(article)
    if image is not None:
        tags.append(("og:image", shared_image_url(request, image)))
    return tags


@register.simple_tag(takes_context=True)
def article_head(context, article):
    """Canonical link, OpenGraph and JSON-LD for an article page."""
    request = context.get("request")
    page_url = request.build_absolute_uri(article.get_absolute_url()) if request else article.get_absolute_url()
    original = http_url(article.url) or page_url
    canonical = format_html('<link rel="canonical" href="{}">', original)
    meta = format_html_join("\n", '<meta property="{}" content="{}">', open_graph(article, original, request))
    return canonical + mark_safe("\n") + meta + mark_safe("\n") + json_ld(news_article(article, page_url, request))
