"""The article's language: the one the page declares, unless the text clearly says another of
the languages Revue detects (French, Arabic, Spanish, English)."""

from __future__ import annotations

import re

from revue.crawl.extract.values import PageDeclarations

DETECTION_SAMPLE_CHARS = 4000

DETECTABLE_LANGUAGES = frozenset({"fr", "ar", "es", "en"})
_LANGUAGE_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
_WORD = re.compile(r"[a-zà-öø-ÿ]+")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
# distinctive function words: the ones two of these languages share ("de", "la", "que", "en",
# "a", "un", "se", "son", "on" …) and transliterated name particles ("al", "el") are left out
_STOPWORDS = {
    "fr": frozenset(
        "le les des du est et une dans pour qui pas sur au aux avec ce cette il elle ils ont été "
        "sont mais ou par plus ses leur nous vous je ne lui était aussi comme où sa après "
        "selon depuis entre l d qu c".split()
    ),
    "es": frozenset(
        "los las del es una por con para su sus lo como más pero sobre este esta fue ha han "
        "muy también desde cuando sin hasta ya porque está según dijo tiene hay ser "
        "fueron durante".split()
    ),
    "en": frozenset(
        "the and of to in is that for it was with as by at from this be are have has an not "
        "but they he she his her which were been will would said their who after".split()
    ),
}


def _languages_by_word(stopwords: dict[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for language, words in stopwords.items():
        for word in words:
            index[word] = (*index.get(word, ()), language)
    return index


_LANGUAGES_OF_WORD = _languages_by_word(_STOPWORDS)
_MIN_STOPWORD_HITS = 3
_WINNING_RATIO = 1.5


def _language_code(tag: str | None) -> str:
    match = _LANGUAGE_TAG.match((tag or "").strip().split(",")[0].strip())
    return match[1].lower() if match else ""


def declared_language(page: PageDeclarations) -> str:
    """The language the page declares: ``<html lang>``, og:locale or Content-Language."""
    for tag in (page.html_lang, page.meta.get("og:locale"), page.meta.get("content-language"), page.meta.get("language")):
        code = _language_code(tag)
        if code:
            return code
    return ""


def detect_language(text: str | None) -> str:
    """"ar", "fr", "es" or "en" from the text itself, or "" when unsure.

    Arabic by its script; French, Spanish and English by counts of their distinctive function
    words (the best needs at least three hits and half again as many as the runner-up).
    """
    sample = (text or "")[:DETECTION_SAMPLE_CHARS]
    arabic = len(_ARABIC_LETTER.findall(sample))
    latin = len(_LATIN_LETTER.findall(sample))
    if arabic >= 10 and arabic > latin:
        return "ar"
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for language in _LANGUAGES_OF_WORD.get(word, ()):
            counts[language] += 1
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits >= _MIN_STOPWORD_HITS and best_hits >= _WINNING_RATIO * second_hits:
        return best
    return ""


def _language(page: PageDeclarations, text: str) -> str:
    """The declared language, unless it is one Revue can detect and the text clearly says
    another (WordPress themes ship ``lang="en-US"`` on French sites); else the detected one."""
    declared = declared_language(page)
    if declared and declared not in DETECTABLE_LANGUAGES:
        return declared
    detected = detect_language(text)
    return detected or declared
