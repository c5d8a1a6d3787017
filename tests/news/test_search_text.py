"""Search words and queries, without a database: folding, Arabic, stems, the query reader."""

from __future__ import annotations

from datetime import date

import pytest

from revue.news.search.query import (
    SearchFilters,
    date_range_facets,
    fts5_expression,
    parse_query,
    tsquery_expression,
)
from revue.news.search.words import normalize_for_search
from revue.text.fold import fold

pytestmark = pytest.mark.nodb


def test_case_and_accents_fold_away():
    assert normalize_for_search("RÉSOLUTION", "fr") == normalize_for_search("resolution", "fr")
    assert fold("Ça Élève Ñandú straße") == "ca eleve nandu strasse"


def test_french_spanish_and_english_words_are_stemmed():
    assert normalize_for_search("résolutions", "fr") == normalize_for_search("résolution", "fr")
    assert normalize_for_search("elecciones", "es") == normalize_for_search("elección", "es")
    assert normalize_for_search("elections", "en") == normalize_for_search("election", "en")


@pytest.mark.parametrize(
    "variant",
    [
        "أحمد",  # hamza above alef
        "إحمد",  # hamza below alef
        "آحمد",  # madda
        "ٱحمد",  # wasla
        "احمد",  # bare alef
        "أَحْمَد",  # with tashkeel
        "أحـــمد",  # with tatweel
    ],
)
def test_arabic_letter_variants_tashkeel_and_tatweel_are_one_word(variant):
    assert normalize_for_search(variant, "ar") == ["احمد"]


def test_arabic_hamza_carriers_alef_maqsura_and_teh_marbuta():
    assert normalize_for_search("مسؤول", "ar") == normalize_for_search("مسوول", "ar")
    assert normalize_for_search("هيئة", "ar") == normalize_for_search("هييه", "ar")
    assert normalize_for_search("مستشفى", "ar") == normalize_for_search("مستشفي", "ar")
    assert normalize_for_search("٢٠٢٥", "ar") == ["2025"]


def test_words_and_phrases_and_prefixes_are_read():
    query = parse_query('"conseil de sécurité" résol* -sahara')
    assert [(c.words, c.prefix) for c in query.positive_clauses()] == [
        (("conseil", "de", "securite"), False),
        (("resol",), True),
    ]
    assert [c.words for c in query.excluded] == [("sahara",)]


def test_or_joins_neighbours_and_and_is_the_default():
    query = parse_query("maroc OR algérie AND économie")
    assert [[c.words for c in group] for group in query.groups] == [[("maroc",), ("algerie",)], [("economie",)]]


@pytest.mark.parametrize(
    "text",
    ['"', '""', "AND", "OR", "NOT", "*", "-", "- - -", "(((", ")", "^", ":", "{}", "'", "’", "«»", "   ", ""],
)
def test_syntax_alone_is_an_empty_query_not_an_error(text):
    query = parse_query(text)
    assert query.is_empty


def test_syntax_of_the_engines_is_never_passed_through():
    query = parse_query('title:x NEAR(a b) "unclosed AND (b OR* c) col : d ^e')
    expression = fts5_expression(query, SearchFilters())
    # every word the reader typed reaches FTS5 inside double quotes, never as syntax
    assert "NEAR(" not in expression and "title:" not in expression and "^" not in expression
    tsquery = tsquery_expression(query, SearchFilters())
    assert "(b" not in tsquery and "^" not in tsquery


def test_a_long_query_is_cut_with_a_notice():
    query = parse_query("maroc " * 2000)
    assert query.notices and len(query.positive_clauses()) <= 12


def test_only_exclusions_asks_for_a_word():
    query = parse_query("-sahara")
    assert query.is_empty and "au moins un mot" in query.notices[0]


def test_short_prefixes_are_searched_as_words():
    query = parse_query("ma*")
    assert not query.positive_clauses()[0].prefix and query.notices


def test_date_ranges_are_covered_by_years_months_and_days():
    assert date_range_facets(date(2025, 12, 30), date(2026, 2, 2)) == [
        "d20251230", "d20251231", "m202601", "d20260201", "d20260202",
    ]
    assert date_range_facets(date(2024, 1, 1), date(2025, 12, 31)) == ["y2024", "y2025"]
    assert date_range_facets(date(2025, 3, 5), date(2025, 3, 5)) == ["d20250305"]


def test_a_phrase_longer_than_the_word_limit_keeps_its_first_words(settings):
    settings.REVUE_SEARCH_MAX_TERMS = 12
    headline = "Le Groupement des exportateurs dévoile un plan de 23 millions de dirhams pour les exportations agricoles"
    query = parse_query(f'"{headline}"')
    assert [clause.words for group in query.groups for clause in group] == [tuple(fold(headline).split()[:12])]
    assert query.notices == ("Seuls les 12 premiers mots de la recherche ont été pris en compte.",)
    query = parse_query("barrages " + f'"{headline}"')  # what is left of the limit
    assert [len(clause.words) for group in query.groups for clause in group] == [1, 11]


def test_search_and_stories_read_moroccan_letters_alike():
    """One fold (revue.text.fold) for both: « ڭلميم » typed « كلميم » is found, and two outlets'
    spellings of a name meet in stories as in search."""
    from revue.news.stories.features import analyse

    assert normalize_for_search("ڭلميم", "ar") == normalize_for_search("كلميم", "ar")
    assert normalize_for_search("ڤيديو", "ar") == normalize_for_search("فيديو", "ar")
    assert analyse("ڭلميم", "", "ar").transliterated == analyse("كلميم", "", "ar").transliterated
    assert fold("٤٫٨") == "4,8"
