"""Highlighting search results, without a database: the quick pass marks what the reference pass
marks, and a match far into a long text still gets its excerpt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from revue.news.search import engine
from revue.news.search.query import highlight_terms, parse_query

pytestmark = pytest.mark.nodb

FRENCH = ("Le gouvernement a présenté hier sa résolution sur l'économie ; les élus du Conseil de sécurité "
          "l'ont adoptée, et le ministère des Finances publiera le texte demain matin. ")
ARABIC = "أعلنت الحكومة المغربية عن إصلاح جديد للتعليم، وقال الوزير إن المدارس ستفتح أبوابها في الخريف. "

# characters after which a run of word characters may not be one folded word, or may be one the
# quick pass has to look at closely: fractions, ß and ligatures (one character, several letters),
# tatweel and a lone combining accent (no letter), past the Basic Multilingual Plane, « _ »
ODD = ["½", "straße", "ﬁnances", "ـ", " \u0301", "e\u0301conomie", "𝐆ouvernement", "foo_gouvernement",
       "x" * 70, "İstanbul", "…", "\u00a0", "٢٠٢٥", "أَحْمَد", "ﻻ", "²", "Œuvre", "℃", "ǅ", "😀"]
WORDS = FRENCH.split() + ARABIC.split() + ["Gouvernements", "gouv", "GOUVERNEMENT", "économies", "Économie", "-", ",",
                                          "e\u0301conomie", "İstanbul", "٢٠٢٥", "أَحْمَد", "Œuvre", "…", "\u00a0", "x" * 70]


def terms(query: str, language: str = "fr"):
    return highlight_terms(parse_query(query), language)


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=10, max_size=300), st.one_of(st.none(), st.sampled_from(ODD)), st.integers(0, 150),
       st.sampled_from([" ", "\n\n", "’", "-", ", ", ""]),
       st.sampled_from(["gouvernement", "économie", "gouv*", "conseil sécurité", "الحكومة", "إصلاح", "strasse",
                        "finances", "1", "2025", "احمد"]),
       st.sampled_from([(30, 5000), (30, 200), (5, 80), (2, 5000), (1, 40)]))
def test_the_quick_pass_highlights_what_the_reference_pass_highlights(words, odd, where, separator, query, sizes):
    from django.test import override_settings

    if odd is not None:  # one odd word at most: the quick pass leaves the texts holding some to the reference
        words = words[:where] + [odd] + words[where:]
    text = separator.join(words)
    language = "ar" if any("\u0600" <= c <= "\u06ff" for c in query) else "fr"
    with override_settings(REVUE_SEARCH_SNIPPET_WORDS=sizes[0], REVUE_SEARCH_SNIPPET_SCAN_CHARS=sizes[1]):
        for whole in (False, True):
            assert (engine.highlight(text, terms(query, language), language, whole=whole)
                    == engine.highlight(text, terms(query, language), language, whole=whole, quick=False))


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["gouvernement", "e", "a*", "1"]))
def test_the_quick_pass_agrees_on_any_text(text, query):
    for whole in (False, True):
        assert (engine.highlight(text, terms(query), "fr", whole=whole)
                == engine.highlight(text, terms(query), "fr", whole=whole, quick=False))


def test_ordinary_texts_take_the_quick_pass():
    for text, query, language in [(FRENCH * 30, "gouvernements", "fr"), (ARABIC * 30, "الحكومة", "ar")]:
        quick = engine._quick_excerpt(text, terms(query, language), language, whole=False)
        assert quick is not None and len(quick[2]) == 30
        assert quick == engine._reference_excerpt(text, terms(query, language), language, whole=False)


def test_odd_characters_are_still_highlighted():
    html = engine.highlight("La straße ½ et le ﬁnancement de l’État", terms("strasse financement etat"), "fr")
    assert html == "La <mark>straße</mark> ½ et le <mark>ﬁnancement</mark> de l’<mark>État</mark>"


def test_a_match_far_into_a_long_text_gets_its_excerpt(settings):
    settings.REVUE_SEARCH_SNIPPET_SCAN_CHARS = 5000
    settings.REVUE_SEARCH_MAX_INDEXED_CHARS = 20000
    filler = "Les pluies ont repris sur le nord du pays cette semaine. " * 200  # 11,400 characters
    text = filler + "Le barrage de Tanger est plein. " + filler
    html = engine.highlight(text, terms("barrage"), "fr")
    assert html.startswith("… ") and html.endswith(" …")
    assert "Le <mark>barrage</mark> de Tanger est plein." in html
    assert len(html) < 400

    beyond = filler * 2 + "Le barrage de Tanger est plein."  # past what the index holds of a text
    assert "<mark>" not in engine.highlight(beyond, terms("barrage"), "fr")


def test_a_text_without_the_words_is_shown_from_its_beginning(settings):
    settings.REVUE_SEARCH_SNIPPET_WORDS = 30
    text = "Les pluies ont repris sur le nord du pays cette semaine. " * 300  # the title matched, not the text
    html = engine.highlight(text, terms("barrage"), "fr")
    assert html.startswith("Les pluies ont repris") and html.endswith(" …") and "<mark>" not in html
