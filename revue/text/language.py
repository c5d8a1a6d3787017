"""Language codes, read one way everywhere: ``fr`` from ``fr``, ``fr-FR``, ``FR_ca`` or `` fr ``.

Outlets, feeds and pages declare languages in many spellings (``xml:lang``, ``<html lang>``,
``dc:language``, a feed's ``language``, the operator's choice); the portal keeps the two- or
three-letter primary code only. ``or_script`` fills a missing code from the text's script;
``detect`` reads the language of a text itself (py3langid), where a page's or feed's own word is
missing or wrong.
"""

from __future__ import annotations

import functools
import re

from revue.text.fold import ARABIC_RANGE

DEFAULT = "fr"  # the portal's own language: what a text in Latin script with no code is taken for


# a language tag's primary subtag (two or three ASCII letters); anything else ("{{lang}}",
# "français", "fr1") declares nothing
_LANGUAGE_TAG = re.compile(r"([a-zA-Z]{2,3})(?:[-_].*)?")


def language_code(value: object) -> str:
    """The primary subtag of a language tag, lower case: ``fr`` from ``fr-FR``, `` FR_ca ``, or
    ``fr, en`` (the first of a list); '' when there is none or it is no tag at all."""
    if not isinstance(value, str):
        return ""
    match = _LANGUAGE_TAG.fullmatch(value.split(",")[0].strip())
    return match[1].lower() if match else ""


def or_script(value: str | None, sample: str) -> str:
    """``language_code(value)``, else "ar" when a quarter of ``sample`` is Arabic script, else
    the portal's own language."""
    code = language_code(value)
    if code:
        return code
    return "ar" if len(ARABIC_RANGE.findall(sample)) > len(sample) / 4 else DEFAULT


# --- the language of a text -----------------------------------------------------------------

DETECTABLE = ("fr", "ar", "es", "en")  # the languages Revue tells apart in a text
DETECTION_SAMPLE_CHARS = 400  # the first characters say the language as well as more would (bench/language.py)
SURE = 0.9  # a guess below this probability is no answer


@functools.cache
def identifier():
    """py3langid's model (it ships inside the package: nothing is downloaded), narrowed to the
    languages Revue tells apart; loaded once per process (about a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detect(text: str | None) -> str:
    """"fr", "ar", "es" or "en" from the text itself, or "" when unsure: Arabic by its script,
    the others by py3langid's character n-gram model, answered only when it is sure."""
    sample = (text or "")[:DETECTION_SAMPLE_CHARS]
    letters = sum(map(str.isalpha, sample))
    if letters < 3:
        return ""
    if len(ARABIC_RANGE.findall(sample)) > letters / 2:
        return "ar"
    language, probability = identifier().classify(sample)
    return language if probability >= SURE else ""
