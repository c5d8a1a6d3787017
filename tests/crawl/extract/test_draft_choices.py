"""The draft's lead image, language and https, as the reader will get them (drafts.build_draft)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from revue.crawl.drafts import FeedContext, build_draft, plausible_language
from revue.crawl.extract import ExtractedArticle, first_content_image
from revue.crawl.feeds import Entry

pytestmark = pytest.mark.nodb
NOW = datetime(2025, 12, 8, 12, 0, tzinfo=UTC)
CTX = FeedContext(outlet_name="Le Phare", outlet_language="fr", feed_language="", category_hint="", fetched_at=NOW)
FRENCH = "<p>" + " ".join(["Le port de Tanger Med a traité plus de conteneurs que jamais, selon les chiffres publiés par l'autorité portuaire."] * 8) + "</p>"
SPANISH = "<p>" + " ".join(["El puerto de Algeciras recupera el tráfico de pasajeros con más de seiscientos mil viajeros durante el verano."] * 8) + "</p>"


def entry(**kw) -> Entry:
    values = dict(
        guid="g1", link="https://www.le-phare.test/eco/1", title="Titre", published_at=NOW - timedelta(hours=1),
        updated_at=None, summary="Résumé.", content="", author="", categories=(), image_url="", enclosures=(),
    )
    values.update(kw)
    return Entry(**values)


def page(**kw) -> ExtractedArticle:
    values = dict(title="Titre", text="", html=FRENCH, image_url="", language="fr", canonical_url="")
    values.update(kw)
    return ExtractedArticle(**values)


# --- lead image ---------------------------------------------------------------------------------


def test_the_feeds_media_comes_first():
    draft = build_draft(entry(image_url="https://cdn.le-phare.test/feed.jpg"), page(image_url="https://cdn.le-phare.test/og.jpg"), CTX)
    assert draft.image_url == "https://cdn.le-phare.test/feed.jpg"


def test_else_the_pages_og_image():
    assert build_draft(entry(), page(image_url="https://cdn.le-phare.test/og.jpg"), CTX).image_url == "https://cdn.le-phare.test/og.jpg"


def test_else_the_first_content_image_of_sensible_size():
    body = (
        '<p><img src="https://www.le-phare.test/theme/logo.png"></p>'
        '<p><img src="https://www.le-phare.test/pixel.gif" width="1" height="1"></p>'
        '<p><img src="https://www.le-phare.test/icons/share.svg"></p>'
        '<p><img src="https://www.le-phare.test/vignette.jpg" width="120" height="80"></p>'
        '<figure><img src="https://www.le-phare.test/photo.jpg" width="1024" height="683"></figure>' + FRENCH
    )
    draft = build_draft(entry(content=body), None, replace(CTX, full_content_min_chars=10))
    assert draft.image_url == "https://www.le-phare.test/photo.jpg"
    assert first_content_image("<p>Pas d'image.</p>") == ""


# --- language -----------------------------------------------------------------------------------


def test_a_declared_language_is_kept_when_plausible():
    assert build_draft(entry(), page(language="fr"), replace(CTX, feed_language="fr")).language == "fr"


def test_an_implausible_feed_language_gives_way_to_the_text():
    ctx = replace(CTX, feed_language="en", outlet_language="fr", full_content_min_chars=10)
    assert build_draft(entry(content=SPANISH), None, ctx).language == "es"


def test_a_language_revue_cannot_check_is_trusted():
    assert plausible_language("de", "Le port de Tanger Med a traité plus de conteneurs")
    assert not plausible_language("en", FRENCH)
    assert not plausible_language("", FRENCH)


def test_without_any_declaration_the_text_decides_then_the_outlet():
    ctx = replace(CTX, outlet_language="ar", full_content_min_chars=10)
    assert build_draft(entry(content=SPANISH), None, ctx).language == "es"
    assert build_draft(entry(content="<p>2024 — 12:30 — 3-1 " * 60 + "</p>"), None, ctx).language == "ar"


# --- https where the outlet serves it -----------------------------------------------------------


def test_the_outlets_own_links_and_images_become_https_when_it_serves_https():
    body = (
        '<p><a href="http://www.le-phare.test/eco/2" rel="noopener noreferrer nofollow">suite</a> et '
        '<a href="http://ailleurs.test/x" rel="noopener noreferrer nofollow">ailleurs</a></p>'
        '<figure><img src="http://le-phare.test/photo.jpg" width="800" height="600"></figure>'
        '<p><img src="http://www.le-phare.test:8080/port.jpg"></p>' + FRENCH
    )
    draft = build_draft(entry(content=body), None, replace(CTX, full_content_min_chars=10))
    assert 'href="https://www.le-phare.test/eco/2"' in draft.content_html
    assert 'href="http://ailleurs.test/x"' in draft.content_html  # not known to serve https
    assert 'src="https://le-phare.test/photo.jpg"' in draft.content_html
    assert 'src="http://www.le-phare.test:8080/port.jpg"' in draft.content_html  # another port, another service
    assert draft.image_url == "https://le-phare.test/photo.jpg"
    assert "https://le-phare.test/photo.jpg" in draft.inline_image_urls  # the Image row gets the https URL


def test_nothing_is_upgraded_for_an_outlet_on_http():
    body = '<figure><img src="http://www.le-phare.test/photo.jpg" width="800" height="600"></figure>' + FRENCH
    draft = build_draft(entry(link="http://www.le-phare.test/eco/1", content=body), None, replace(CTX, full_content_min_chars=10))
    assert 'src="http://www.le-phare.test/photo.jpg"' in draft.content_html
