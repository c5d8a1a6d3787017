"""Language codes, read one way everywhere: ``fr`` from ``fr``, ``fr-FR``, ``FR_ca`` or `` fr ``.

Outlets, feeds and pages declare languages in many spellings (``xml:lang``, ``<html lang>``,
``dc:language``, a feed's ``language``, the operator's choice); the portal keeps the two- or
three-letter primary code only. ``or_script`` fills a missing code from the text's script.
"""

from __future__ import annotations

from revue.text.fold import ARABIC_RANGE

DEFAULT = "fr"  # the portal's own language: what a text in Latin script with no code is taken for


def language_code(value: str | None) -> str:
    """The primary subtag of a language tag, lower case ('' when there is none)."""
    return (value or "").strip().lower().replace("_", "-").split("-")[0]


def or_script(value: str | None, sample: str) -> str:
    """``language_code(value)``, else "ar" when a quarter of ``sample`` is Arabic script, else
    the portal's own language."""
    code = language_code(value)
    if code:
        return code
    return "ar" if len(ARABIC_RANGE.findall(sample)) > len(sample) / 4 else DEFAULT
