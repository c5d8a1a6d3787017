"""The editions on every page (``{% load portal_i18n %}``): hreflang alternates and the switcher.

``{% hreflang_links %}`` writes, in the ``<head>``, one ``<link rel="alternate" hreflang>`` per
edition of this page (absolute URLs) and ``x-default`` (the French one); ``{% language_switcher %}``
the header's links to this page in the other editions, through ``/langue/<code>/`` so the choice
is kept (``revue.portal.languages``).

A kept page (``revue.portal.cache``) is one copy for every query string but the parameters its
kind reads: these links carry those only (``page``; the search's own on the search page), so a
stray ``?utm_source=`` never lands in a copy other readers get.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, get_language_bidi, get_language_info

from revue.portal.cache import FRONT, READ_PARAMETERS, SEARCH
from revue.portal.languages import SWITCH_NEXT, edition_path

register = template.Library()

SEARCH_VIEW = "search"


def kept_query(request) -> str:
    """The query string the edition links keep: the parameters this page reads, and no other."""
    match = getattr(request, "resolver_match", None)
    kind = SEARCH if match is not None and match.url_name == SEARCH_VIEW else FRONT
    names = READ_PARAMETERS[kind]
    return urlencode([(name, request.GET[name]) for name in names if name in request.GET])


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


@register.simple_tag(takes_context=True)
def hreflang_links(context):
    """``<link rel="alternate" hreflang="…">`` for each edition of this page, and ``x-default``."""
    request = context.get("request")
    if request is None:
        return ""
    query = kept_query(request)
    editions = [(code, request.build_absolute_uri(with_query(edition_path(request.path, code), query)))
                for code, _name in settings.LANGUAGES]
    editions.append(("x-default", dict(editions)[settings.LANGUAGE_CODE]))  # readers of other languages: French
    return format_html_join("\n", '<link rel="alternate" hreflang="{}" href="{}">', editions)


@register.inclusion_tag("portal/_languages.html", takes_context=True)
def language_switcher(context):
    """The header's links to this page in each edition, the current one marked."""
    request = context.get("request")
    path = request.path if request is not None else "/"
    here = with_query(path, kept_query(request)) if request is not None else path
    current = get_language()
    return {
        "editions": [
            {
                "code": code,
                "name": name,  # in its own language (settings.LANGUAGES)
                "direction": "rtl" if get_language_info(code)["bidi"] else "ltr",
                "current": code == current,
                "url": f"{reverse('switch-language', args=[code])}?{urlencode({SWITCH_NEXT: here})}",
            }
            for code, name in settings.LANGUAGES
        ],
    }


@register.simple_tag
def page_direction() -> str:
    """``rtl`` in the Arabic edition, else ``ltr``."""
    return "rtl" if get_language_bidi() else "ltr"


@register.simple_tag
def html_attributes():
    """``lang="…" dir="…"`` of the ``<html>`` element: the edition's language and direction."""
    return format_html('lang="{}" dir="{}"', get_language(), page_direction())
