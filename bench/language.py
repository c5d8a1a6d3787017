"""Benchmark: telling a text's language, on real text, beside the detector it replaced.

    python bench/language.py

``revue.text.language.detect`` (py3langid's model narrowed to French, Arabic, Spanish and
English, answering only when sure) against the function-word counter Revue used before
(``stopword_detect`` below: the best of three lists of distinctive function words, with at least
three hits and half again as many as the runner-up), on real text whose language is known
(``../shared/dev-data``, see ``bench/devdata.py``):

* ``fr_gnews titles`` — 614 French headlines (accents stripped: a hard case);
* ``ecbplus titles`` / ``ecbplus texts`` — 496 English news titles, and their texts;
* ``readability pages`` — the expected article text of the Readability test pages whose language
  is French, Spanish or English (their declared ``lang``).

For each: right, wrong (a confident wrong answer: the costly kind, it overrides a page's own
declaration) and unsure (no answer: the page's or feed's declaration stands), and the time per
text. Tune / held-out: nothing here was fitted on these sets (the threshold ``SURE`` was set
before the run), so the figures are given whole, and by half for the pages.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import devdata  # noqa: E402
import stories_real  # noqa: E402

from revue.crawl.clean import html_to_text  # noqa: E402
from revue.text.language import detect, language_code  # noqa: E402

_WORD = re.compile(r"[a-zà-öø-ÿ]+")
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_STOPWORDS = {
    "fr": frozenset(
        "le les des du est et une dans pour qui pas sur au aux avec ce cette il elle ils ont été "
        "sont mais ou par plus ses leur nous vous je ne lui était aussi comme où sa après "
        "selon depuis entre l d qu c".split()),
    "es": frozenset(
        "los las del es una por con para su sus lo como más pero sobre este esta fue ha han "
        "muy también desde cuando sin hasta ya porque está según dijo tiene hay ser "
        "fueron durante".split()),
    "en": frozenset(
        "the and of to in is that for it was with as by at from this be are have has an not "
        "but they he she his her which were been will would said their who after".split()),
}


def stopword_detect(text: str) -> str:
    """The detector Revue used before py3langid (kept here as the baseline)."""
    sample = (text or "")[:4000]
    arabic, latin = len(_ARABIC_LETTER.findall(sample)), len(_LATIN_LETTER.findall(sample))
    if arabic >= 10 and arabic > latin:
        return "ar"
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in _WORD.findall(sample.lower()):
        for language, words in _STOPWORDS.items():
            counts[language] += word in words
    (best, hits), (_, second) = sorted(counts.items(), key=lambda item: item[1], reverse=True)[:2]
    return best if hits >= 3 and hits >= 1.5 * second else ""


def sets() -> dict[str, list[tuple[str, str, str]]]:
    """name → [(text, language, half)]."""
    found = {}
    if not devdata.missing("clustering", "fr_gnews"):
        found["fr_gnews titles"] = [(i.title, "fr", devdata.half(i.story)) for i in stories_real.load("fr_gnews")]
    if not devdata.missing("clustering", "ecbplus"):
        ecb = stories_real.load("ecbplus")
        found["ecbplus titles"] = [(i.title, "en", devdata.half(i.unit)) for i in ecb]
        found["ecbplus texts"] = [(i.text, "en", devdata.half(i.unit)) for i in ecb]
    base = devdata.path("extraction", "readability")
    if base.exists():
        pages = []
        for folder in sorted(base.iterdir()):
            meta = folder / "expected-metadata.json"
            if not meta.exists():
                continue
            language = language_code(json.loads(meta.read_text(encoding="utf-8")).get("lang"))
            if language in {"fr", "es", "en"}:
                text = html_to_text((folder / "expected.html").read_text(encoding="utf-8", errors="replace"))
                pages.append((text, language, devdata.half(folder.name)))
        found["readability pages"] = pages
    return found


def measure(detector, items) -> tuple[int, int, int, float]:
    right = wrong = unsure = 0
    started = time.perf_counter()
    answers = [detector(text) for text, _, _ in items]
    elapsed = time.perf_counter() - started
    for answer, (_, language, _) in zip(answers, items):
        if not answer:
            unsure += 1
        elif answer == language:
            right += 1
        else:
            wrong += 1
    return right, wrong, unsure, elapsed * 1000 / max(len(items), 1)


def main() -> int:
    found = sets()
    if not found:
        print(devdata.missing("clustering"))
        return 1
    detect("warm up: the model is loaded once per process")
    print(f"{'set':<28}{'texts':>6}   {'py3langid: right/wrong/unsure':>30}{'ms':>7}   "
          f"{'function words: right/wrong/unsure':>35}{'ms':>7}")
    totals = {"new": [0, 0, 0], "old": [0, 0, 0]}
    for name, items in found.items():
        for half in ("all", devdata.TUNE, devdata.HELD_OUT):
            part = items if half == "all" else [i for i in items if i[2] == half]
            new, old = measure(detect, part), measure(stopword_detect, part)
            if half == "all":
                for key, figures in (("new", new), ("old", old)):
                    totals[key] = [a + b for a, b in zip(totals[key], figures[:3])]
            label = name if half == "all" else f"  {half}"
            print(f"{label:<28}{len(part):>6}   {'%d / %d / %d' % new[:3]:>30}{new[3]:>7.2f}   "
                  f"{'%d / %d / %d' % old[:3]:>35}{old[3]:>7.2f}")
    count = sum(totals["new"])
    for key, label in (("new", "py3langid"), ("old", "function words")):
        right, wrong, unsure = totals[key]
        print(f"{label:<16} right {right / count:.1%}  wrong {wrong / count:.1%}  unsure {unsure / count:.1%}"
              f"  ({count} texts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
