"""Unit tests of the portal's helpers: page numbers, the cache generation, language attributes."""

from __future__ import annotations

import pytest
from django.http import Http404

from revue.news.models import Article
from revue.portal import cache as portal_cache
from revue.portal.pagination import InvalidPageNumber, page_number
from revue.portal.templatetags.portal_tags import http_url, lang_attrs
from revue.sources.models import Source


@pytest.mark.parametrize("raw, number", [(None, 1), ("", 1), ("1", 1), ("2", 2), ("007", 7), ("500", 500)])
def test_page_number_accepts_whole_numbers(raw, number):
    assert page_number(raw) == number


@pytest.mark.parametrize("raw", ["0", "-3", "x", "1.0", "٣"])
def test_page_number_refuses_the_rest_in_french(raw):
    with pytest.raises(InvalidPageNumber, match="page"):
        page_number(raw)


@pytest.mark.parametrize("raw", ["501", "1" * 5000])
def test_page_number_past_the_limit_is_not_found(raw):
    with pytest.raises(Http404):
        page_number(raw)


def test_invalidate_portal_changes_every_key():
    before = portal_cache.portal_key("front-page")
    assert portal_cache.portal_key("front-page") == before
    portal_cache.invalidate_portal()
    assert portal_cache.portal_key("front-page") != before


def test_cached_computes_once_per_generation():
    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert portal_cache.cached("probe", compute) == 1
    assert portal_cache.cached("probe", compute) == 1
    portal_cache.invalidate_portal()
    assert portal_cache.cached("probe", compute) == 2


@pytest.mark.parametrize(
    "language, source_language, auto, expected",
    [
        ("ar", "", False, 'lang="ar" dir="rtl"'),
        ("ar-MA", "", False, 'lang="ar-ma" dir="rtl"'),
        ("fa", "", False, 'lang="fa" dir="rtl"'),
        ("fr", "", False, 'lang="fr" dir="ltr"'),
        ("", "ar", False, 'lang="ar" dir="rtl"'),
        ("", "", False, 'dir="auto"'),
        ("ar", "", True, 'lang="ar" dir="auto"'),
    ],
)
def test_lang_attrs(language, source_language, auto, expected):
    article = Article(language=language, source=Source(name="x", slug="x", language=source_language))
    assert lang_attrs(article, auto=auto) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.example/x", "https://a.example/x"),
        ("http://a.example/", "http://a.example/"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("//evil.example/", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_http_url(url, expected):
    assert http_url(url) == expected
