"""revue.text.fold: one spelling per word, the same for every character as its docstring says."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revue.text.fold import fold

pytestmark = pytest.mark.nodb

ARABIC_FORMS = {"ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ڭ": "ك", "گ": "ك", "پ": "ب", "ڤ": "ف", "ـ": "",
                "٫": ",", "٬": ".", **{chr(0x0660 + d): str(d) for d in range(10)},
                **{chr(0x06F0 + d): str(d) for d in range(10)}}


def as_documented(text: str) -> str:
    """The fold the module's docstring describes, one character at a time: case folded, NFKD,
    every combining mark dropped, then Arabic letters in one form and digits in ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(ARABIC_FORMS.get(char, char) for char in kept)


def test_every_character_of_the_basic_plane_folds_as_documented():
    wrong = [hex(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000
             for text in (f"É{chr(code)}x{chr(code)}",) if fold(text) != as_documented(text)]
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
               max_size=80))
def test_any_text_folds_as_documented(text):
    assert fold(text) == as_documented(text)


def test_french_spanish_and_arabic_words():
    assert fold("Élève à l'été, Ñandú") == "eleve a l'ete, nandu"
    assert fold("مدرسةٌ في ٱلرباط ٤٫٨") == "مدرسه في الرباط 4,8"
    assert fold("ڭلميم") == fold("كلميم")
