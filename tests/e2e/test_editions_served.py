"""The editions through the real server (issue #19): one language per URL, each cacheable.

``revue serve`` runs as an operator starts it; httpx reads it as a browser or a shared cache
would. Every edition of every kind of reader's page is public with its ``max-age``, sets no
cookie, varies on no cookie and (but the front page) not on ``Accept-Language``, says its
language, and answers a repeated request with a 304; the editions of one page are distinct
copies. A first visit of ``/`` follows ``Accept-Language``; the switcher's cookie wins there.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.test_cached_pages import cache_control, in_a_story, reader_pages, varies_on
from tests.e2e.test_image_reports_browser import publish
from tests.e2e.test_reports_behind_a_proxy import revue_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PREFIXES = {"fr": "", "ar": "/ar", "es": "/es", "en": "/en"}


def test_every_edition_of_every_page_is_public_conditional_and_its_own_copy():
    article = publish("http://127.0.0.1:9")
    pages = reader_pages(article, in_a_story(article))
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20, headers={"Accept-Encoding": "identity"}) as browser:
        for path, seconds in pages.items():
            etags = set()
            for code, prefix in PREFIXES.items():
                url = prefix + path
                first = browser.get(url, headers={"Accept-Language": "fr-FR"})
                assert first.status_code == 200, url
                assert "set-cookie" not in first.headers, url
                assert "cookie" not in varies_on(first), url
                assert ("accept-language" in varies_on(first)) == (url == "/"), url  # only the French front page negotiates
                assert cache_control(first) == {"public": "", "max-age": seconds}, (url, first.headers["Cache-Control"])
                assert first.headers["Content-Language"] == code, url
                assert f'<html lang="{code}"' in first.text, url
                again = browser.get(url, headers={"If-None-Match": first.headers["ETag"], "Accept-Language": "fr-FR"})
                assert again.status_code == 304, url
                etags.add(first.headers["ETag"])
            assert len(etags) == len(PREFIXES), path  # four languages, four pages


def test_the_front_page_follows_the_browser_then_the_readers_choice():
    publish("http://127.0.0.1:9")
    with revue_serve() as base, httpx.Client(base_url=base, timeout=20) as browser:
        first = browser.get("/", headers={"Accept-Language": "ar-MA,ar;q=0.9"})
        assert first.status_code == 302 and first.headers["Location"] == "/ar/"
        assert "accept-language" in varies_on(first) and "private" in cache_control(first)

        switched = browser.get("/langue/fr/", params={"suivant": "/ar/"})
        assert switched.status_code == 302 and switched.headers["Location"] == "/"
        assert "revue_langue=fr" in switched.headers["Set-Cookie"] and "HttpOnly" in switched.headers["Set-Cookie"]
        front = browser.get("/", headers={"Accept-Language": "ar-MA,ar;q=0.9"})  # the cookie wins
        assert front.status_code == 200 and '<html lang="fr" dir="ltr">' in front.text
        assert "private" in cache_control(front)
        # an anonymous reader without the cookie still gets the public French page
        fresh = httpx.get(f"{base}/", headers={"Accept-Language": "fr"}, timeout=20)
        assert fresh.status_code == 200 and "public" in cache_control(fresh) and "set-cookie" not in fresh.headers
