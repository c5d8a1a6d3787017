"""One spelling per word: what search indexes and looks up, what stories compare.

``fold(text)``:

* case: ``casefold`` (« Résolution », « RÉSOLUTION » → « résolution » before accents go);
* accents and every other combining mark dropped after Unicode NFKD, which also splits
  compatibility forms (ligatures, Arabic presentation forms, superscripts) into plain letters:
  « résolution » → « resolution »; Arabic tashkeel, and the hamza and madda that أ إ آ ؤ ئ
  decompose into, go too (أ إ آ → ا, ؤ → و, ئ → ي);
* Arabic letters in one form: alef wasla ٱ → ا, alef maqsura ى → ي, teh marbuta ة → ه, Persian
  yeh ی and keheh ک → ي ك, tatweel dropped, and the letters Moroccan writing adds for sounds
  Arabic lacks, which writers also spell with the nearest Arabic letter: ڭ گ → ك, پ → ب, ڤ → ف;
* digits: Arabic-Indic and Persian digits → 0-9, the Arabic decimal and thousands marks ٫ ٬ →
  « , » « . » (so « ٤٫٨ » reads as « 4,8 », the way French writes it).

Both sides of search and both articles of a comparison fold with this function, so a reader who
types without accents finds the accented word, and two outlets that spell a name apart meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ARABIC_RANGE = re.compile("[\u0600-\u06ff]")

_ARABIC = {
    "\u0671": "\u0627",  # ٱ alef wasla → ا
    "\u0649": "\u064a",  # ى alef maqsura → ي
    "\u0629": "\u0647",  # ة teh marbuta → ه
    "\u06cc": "\u064a",  # ی Persian yeh → ي
    "\u06a9": "\u0643",  # ک keheh → ك
    "\u06ad": "\u0643",  # ڭ ng (Moroccan g) → ك
    "\u06af": "\u0643",  # گ gaf → ك
    "\u067e": "\u0628",  # پ peh → ب
    "\u06a4": "\u0641",  # ڤ veh → ف
    "\u0640": None,  # ـ tatweel
    "\u066b": ",",  # ٫ Arabic decimal separator
    "\u066c": ".",  # ٬ Arabic thousands separator
    **{chr(0x0660 + d): str(d) for d in range(10)},  # ٠-٩ → 0-9
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # ۰-۹ → 0-9
}


def char_class(codes: Iterable[int]) -> str:
    """A regular expression's character class of these code points, as ranges."""
    spans: list[list[int]] = []
    for code in sorted(codes):
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                         for a, b in spans) + "]"


# every combining mark of the Basic Multilingual Plane, dropped with one regular expression: after
# NFKD nearly every remaining character of French or Spanish text is ASCII, and str.translate would
# look each character up in a dict once the first non-ASCII one is seen (twice the time of fold)
_MARKS = re.compile(char_class([code for code in range(0x10000) if unicodedata.combining(chr(code))]) + "+")
_ARABIC_FORMS = re.compile(char_class([ord(letter) for letter in _ARABIC]))
_ARABIC_PAIRS = tuple((letter, to or "") for letter, to in _ARABIC.items())


def fold(text: str) -> str:
    """``text`` without case, accents or tashkeel, Arabic letters in one form, digits in ASCII."""
    folded = text.casefold()
    if folded.isascii():  # nothing more to do: the common case of a word, and of English text
        return folded
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded))
    if _ARABIC_FORMS.search(folded):  # (no combining mark is one of them, nor becomes one)
        for letter, to in _ARABIC_PAIRS:
            if letter in folded:
                folded = folded.replace(letter, to)
    return folded


def is_arabic(word: str) -> bool:
    """Whether a (folded) word is written in Arabic script (read from its first letter)."""
    return bool(word) and "\u0600" <= word[0] <= "\u06ff"
