"""The article's language: the one the page declares, unless the text clearly says another of
the languages Revue detects (French, Arabic, Spanish, English) — read by
:func:`revue.text.language.detect`, the one detector (py3langid's model, answered only when
sure), which this package exports as ``detect_language``."""

from __future__ import annotations

from revue.crawl.extract.values import PageDeclarations
from revue.text.language import DETECTABLE, detect, language_code

DETECTABLE_LANGUAGES = frozenset(DETECTABLE)
detect_language = detect  # the name extract's callers know

def declared_language(page: PageDeclarations) -> str:
    """The language the page declares: ``<html lang>``, og:locale or Content-Language."""
    for tag in (page.html_lang, page.meta.get("og:locale"), page.meta.get("content-language"), page.meta.get("language")):
        code = language_code(tag)
        if code:
            return code
    return ""


def _language(page: PageDeclarations, text: str) -> str:
    """The declared language, unless it is one Revue can detect and the text clearly says
    another (WordPress themes ship ``lang="en-US"`` on French sites); else the detected one."""
    declared = declared_language(page)
    if declared and declared not in DETECTABLE_LANGUAGES:
        return declared
    detected = detect_language(text)
    return detected or declared
