"""Merging a feed entry and its extracted page into a draft (pure: values in, values out)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone as tz

import pytest

from revue.crawl import pipeline
from revue.crawl.drafts import FeedContext, build_draft, needs_page
from revue.crawl.extract import ExtractedArticle
from revue.crawl.feeds import Entry

NOW = datetime(2025, 12, 8, 12, 0, tzinfo=tz.utc)
LONG = "<p>" + " ".join(["Le Maroc a signé un accord commercial important avec ses partenaires."] * 12) + "</p>"
CTX = FeedContext(outlet_name="Barlamane", outlet_language="fr", feed_language="", category_hint="", fetched_at=NOW)


def entry(**kw) -> Entry:
    values = dict(
        guid="g1", link="https://barlamane.example/a/1?utm_source=rss", title="Titre - Barlamane",
        published_at=NOW - timedelta(hours=1), updated_at=None, summary="Court résumé…", content="",
        author="", categories=("Économie",), image_url="", enclosures=(),
    )
    values.update(kw)
    return Entry(**values)


def page(**kw) -> ExtractedArticle:
    values = dict(
        title="Titre", text="Texte de la page " * 50, html="<p>" + "Texte de la page " * 50 + "</p>",
        published_at=None, image_url="https://barlamane.example/og.jpg", language="fr", author="A. Auteur",
        canonical_url="https://barlamane.example/a/1",
    )
    values.update(kw)
    return ExtractedArticle(**values)


def test_a_summary_needs_the_page_and_full_content_does_not():
    assert needs_page(entry(), 600)
    assert not needs_page(entry(content=LONG), 600)
    short_but_full = "<p>" + "Une dépêche brève mais complète sur la réunion du conseil de ce matin. " * 3 + "</p>"
    assert not needs_page(entry(content=short_but_full), 600)
    assert needs_page(entry(content="<p>Le début de l'article, puis [...]</p>"), 600)


def test_the_page_text_replaces_a_summary_and_the_url_loses_tracking():
    draft = build_draft(entry(), page(), CTX)
    assert draft.url == "https://barlamane.example/a/1"
    assert "Texte de la page" in draft.text and draft.title == "Titre"
    assert draft.image_url == "https://barlamane.example/og.jpg"
    assert draft.category_slug == "economie" and draft.author == "A. Auteur"


def test_a_failed_page_keeps_the_feed_text():
    draft = build_draft(entry(), None, CTX)
    assert draft.text == "Court résumé…"


def test_a_future_date_is_clamped_to_the_fetch_time():
    draft = build_draft(entry(published_at=NOW + timedelta(days=30)), None, CTX)
    assert draft.published_at == NOW


def test_an_entry_without_a_link_is_not_an_article():
    assert build_draft(entry(link="", guid="urn:uuid:1234"), None, CTX) is None
    assert build_draft(entry(link="", guid="https://barlamane.example/a/2"), None, CTX).url == "https://barlamane.example/a/2"


def test_a_canonical_on_another_host_is_ignored():
    draft = build_draft(entry(), page(canonical_url="https://aggregator.example/copy"), CTX)
    assert draft.url == "https://barlamane.example/a/1"


def test_an_entry_whose_url_the_archive_cannot_hold_is_left_out_and_recorded():
    """PostgreSQL refuses an article URL over 2000 characters: stored, it failed its whole feed."""
    from revue.crawl.drafts import URL_CHARS
    from revue.crawl.pipeline import make_drafts

    long_link = "https://barlamane.example/a/" + "x" * URL_CHARS
    made = make_drafts([entry(guid="long", link=long_link), entry(guid="g2", link="https://barlamane.example/a/2")],
                       {}, CTX)
    assert [d.url for d in made.drafts] == ["https://barlamane.example/a/2"]
    (skipped,) = made.skipped
    assert (skipped.stage, skipped.link[:28]) == ("draft", long_link[:28])
    assert "longer than 2000 characters" in skipped.reason


def test_an_image_url_the_archive_cannot_hold_is_dropped_not_the_article():
    long_image = "https://barlamane.example/img/" + "x" * 2000 + ".jpg"
    draft = build_draft(entry(content=LONG + f'<p><img src="{long_image}"></p>', image_url=long_image), None, CTX)
    assert draft is not None and draft.text
    assert draft.image_url == "" and draft.inline_image_urls == ()


def test_a_cpu_process_starts_with_the_language_model_and_word_lists_loaded():
    """The crawler's CPU processes are forked from a server that loaded py3langid's model and the
    word rarities once (``revue.crawl.preload``): a process's first article loads neither (1.4 s
    of CPU it would pay on its own). Linux only: elsewhere each process starts afresh."""
    import sys

    from revue.text import language

    if not sys.platform.startswith("linux"):
        pytest.skip("a fork server is Linux's")
    pool = pipeline.cpu_pool(1)
    try:
        model, words = pool.submit(_loaded).result(timeout=120)
    finally:
        pool.shutdown()
    assert model == 1
    assert words == len(language.DETECTABLE)


def _loaded() -> tuple[int, int]:
    """In a CPU process: whether the language model is loaded, and how many word lists."""
    from revue.news.stories import rarity
    from revue.text import language

    return language.identifier.cache_info().currsize, rarity.table.cache_info().currsize
