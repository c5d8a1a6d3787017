"""revue.text.language: codes read one way, and the language of a text told from the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revue.text.language import detect, language_code, or_script

pytestmark = pytest.mark.nodb


@pytest.mark.parametrize("text, language", [
    ("Le secrétaire d'Etat américain a indiqué jeudi que les Etats-Unis comptent capitaliser", "fr"),
    ("Villes apprenantes : Casablanca et Oujda rejoignent le Reseau mondial", "fr"),  # accents stripped
    ("UNESCO: Un nuevo episodio en India en la batalla argelina contra Marruecos por el caftán", "es"),
    ("Marrakech International Film Festival 2025 honors Guillermo Del Toro with Golden Star Award", "en"),
    ("أعلنت الحكومة المغربية اليوم عن برنامج جديد لدعم الفلاحين", "ar"),
])
def test_the_language_of_real_headlines(text, language):
    assert detect(text) == language


@pytest.mark.parametrize("text", ["", "  ", "2-1", "Oppo Reno 8", "!!! ???"])
def test_too_little_to_tell_is_no_answer(text):
    assert detect(text) == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer_or_none_never_an_error(text):
    assert detect(text) in {"", "fr", "ar", "es", "en"}


def test_codes_and_the_script_guess():
    assert [language_code(v) for v in ("fr-FR", " FR_ca ", "", None)] == ["fr", "fr", "", ""]
    assert or_script("", "الحكومة المغربية") == "ar" and or_script(None, "Maroc") == "fr"


def test_a_language_code_is_a_tag_or_nothing():
    assert [language_code(v) for v in ("fr, en", "ar-MA", "{{lang}}", "français", "fr1", 3)] == ["fr", "ar", "", "", "", ""]
