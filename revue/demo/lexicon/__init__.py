"""Lexicons of the demo press: French, Arabic, Spanish and English words and sentence patterns.

All the text is written for this project; nothing is taken from real articles.
"""

from __future__ import annotations

from . import ar, en, es, fr
from .base import CATEGORY_NAMES, CATEGORY_SLUGS, Lexicon

LEXICONS: dict[str, Lexicon] = {lexicon.language: lexicon
                                for lexicon in (fr.LEXICON, ar.LEXICON, es.LEXICON, en.LEXICON)}


def lexicon_for(language: str) -> Lexicon:
    """The lexicon of a language code ("fr", "ar", "es", "en")."""
    try:
        return LEXICONS[language]
    except KeyError:
        raise ValueError(f"the demo press writes no {language!r}; it knows {sorted(LEXICONS)}") from None


__all__ = ["CATEGORY_NAMES", "CATEGORY_SLUGS", "LEXICONS", "Lexicon", "lexicon_for"]
