"""Template tags of the portal: navigation, language attributes, safe links, reading times.

``{% category_nav %}`` and ``{% source_count %}`` read the briefly cached lists of
``revue.portal.queries`` (so the header and footer cost no query on a warm cache);
``{% lang_attrs article %}`` gives a title or an article its ``lang`` and ``dir``.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from revue.portal import queries

register = template.Library()

# Languages written right to left (ISO 639-1 and a few 639-3 codes outlets use).
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})
RELATIVE_TIME_WINDOW = timedelta(hours=24)


def language_of(article) -> str:
    """The article's language code, else its outlet's, else ''."""
    code = (getattr(article, "language", "") or "").strip()
    if not code and getattr(article, "source", None) is not None:
        code = (article.source.language or "").strip()
    return code.lower()


def is_rtl(code: str) -> bool:
    return code.split("-")[0].split("_")[0] in RTL_LANGUAGES


@register.simple_tag
def lang_attrs(article, auto: bool = False):
    """``lang="…" dir="…"`` for an article: ``dir="auto"`` in lists, rtl/ltr on its own page."""
    code = language_of(article)
    if auto:
        direction = "auto"
    elif code:
        direction = "rtl" if is_rtl(code) else "ltr"
    else:
        direction = "auto"
    if code:
        return format_html('lang="{}" dir="{}"', code, direction)
    return format_html('dir="{}"', direction)


@register.filter
def http_url(value) -> str:
    """``value`` if it is an http(s) URL, else '' (never a ``javascript:`` link or image)."""
    value = str(value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in {"http", "https"} else ""


@register.filter
def visible_image(article):
    """The article's lead image if it has one that is not blocked, else None."""
    image = getattr(article, "image", None)
    if image is None or image.is_blocked or not http_url(image.url):
        return None
    return image


@register.filter
def reading_time(value) -> str:
    """« il y a 5 minutes » within a day, else the date (« 20 mai 2022 »)."""
    if not value:
        return ""
    if abs(timezone.now() - value) < RELATIVE_TIME_WINDOW:
        return naturaltime(value)
    return date_format(timezone.localtime(value), "j F Y")


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def category_nav(context):
    """The header's category links, the current one marked."""
    current = context.get("current_category")
    return {
        "categories": queries.categories(),
        "current_slug": getattr(current, "slug", None),
    }


@register.simple_tag
def source_count() -> int:
    """How many outlets the portal follows."""
    return queries.active_source_count()
