"""Figures as stories compare them: numbers read the way each language writes them ("3,5 %",
"3.5%", "4,8 milliards", "4.800 millones", "4.8 billion" and "4,8 مليار" are one key each), a
match's score as one figure, each weighing by what it can tell (a year little, a large or decimal
figure much). Pure functions over folded text; ``revue.news.stories.features`` files them."""

from __future__ import annotations

import re

WEIGHT_FIGURE = 2.0  # a figure with a decimal, or of three digits or more
WEIGHT_SMALL_NUMBER = 1.0  # 32..99
WEIGHT_TINY_NUMBER = 0.5  # 0..31: days of the month, small counts
WEIGHT_YEAR = 0.25

NUMBER_RUN = re.compile(r"\d(?:[\d.,\u00a0\u202f ]*\d)?")
SCORE = re.compile(r"(?<![\d.,\-–])(\d{1,2}) ?[-–] ?(\d{1,2})(?![\d.,\-–])")  # a match's score: 2-1, (0-3)
SCALES = {
    "mil": 1e3, "mille": 1e3, "thousand": 1e3, "الف": 1e3, "الاف": 1e3, "لف": 1e3,
    "million": 1e6, "millions": 1e6, "millon": 1e6, "millones": 1e6, "مليون": 1e6, "ملايين": 1e6,
    "milliard": 1e9, "milliards": 1e9, "billion": 1e9, "billions": 1e9, "مليار": 1e9, "ملايير": 1e9,
    "مليارات": 1e9,
}
DECIMAL_MARK = {"fr": ",", "es": ",", "ar": ",", "en": "."}
WORD_AFTER = re.compile(r"\s*([^\W\d_]+)(?:\s+([^\W\d_]+))?")


def _decimal_mark(piece: str, language: str) -> str:
    """The decimal mark of a number written with "." and "," the way ``language`` does ("" for
    none: an integer, or marks that group thousands)."""
    dots, commas = piece.count("."), piece.count(",")
    if dots and commas:
        return "." if piece.rfind(".") > piece.rfind(",") else ","
    if dots + commas == 0:
        return ""
    mark = "." if dots else ","
    groups = piece.split(mark)
    thousands = len(groups) > 2 or (len(groups[-1]) == 3 and mark != DECIMAL_MARK.get(language, ""))
    return "" if thousands else mark


def _number(piece: str, language: str) -> float | None:
    """A number written with "." and "," the way ``language`` does (no spaces inside)."""
    decimal = _decimal_mark(piece, language)
    if "." not in piece and "," not in piece:
        try:
            return float(piece)
        except ValueError:  # digits float() does not read ("²")
            return None
    thousands_mark = ({".", ","} - {decimal}).pop() if decimal else ""
    cleaned = piece.replace(thousands_mark, "") if thousands_mark else piece.replace(".", "").replace(",", "")
    cleaned = cleaned.replace(decimal, ".") if decimal else cleaned
    try:
        return float(cleaned)
    except ValueError:
        return None


def figures(folded: str, language: str) -> list[tuple[str, float, int]]:
    """(key, weight, where) of every figure in folded text; "4,8 milliards" counts as 4800000000.

    A score (« 2-1 », « (0-3) ») is one figure, the same whichever side is named first: two
    matches of one team in one week differ by it, where their goals alone (1, 2) would agree."""
    found = []
    scores = []
    for score in SCORE.finditer(folded):
        low, high = sorted((int(score.group(1)), int(score.group(2))))
        found.append((f"{low}-{high}", WEIGHT_FIGURE, score.start()))
        scores.append((score.start(), score.end()))
    for match in NUMBER_RUN.finditer(folded):
        if scores and any(start <= match.start() < end for start, end in scores):
            continue
        run = match.group()
        parts = re.split(r"[\u00a0\u202f ]", run)
        if len(parts) > 1 and len(parts[0]) <= 3 and all(len(p) == 3 and p.isdigit() for p in parts[1:]):
            pieces = ["".join(parts)]
        else:
            pieces = [p for p in parts if p]
        for position, piece in enumerate(pieces):
            piece = piece.strip(".,")
            if not piece:  # a lone mark between spaces: "1 , 200" in tokenised text
                continue
            value = _number(piece, language)
            if value is None:
                continue
            if position == len(pieces) - 1:
                value *= _scale(folded, match.end())
            figure, weight = _figure_key(value)
            if weight < WEIGHT_FIGURE and _decimal_mark(piece, language):  # « 8,0 % »: a measure, not a count
                weight = WEIGHT_FIGURE
            found.append((figure, weight, match.start()))
    return sorted(found, key=lambda figure: figure[2]) if scores else found


def _scale(folded: str, end: int) -> float:
    after = WORD_AFTER.match(folded, end)
    if not after:
        return 1.0
    first, second = after.group(1), after.group(2)
    if first == "mil" and second in {"millones", "millon"}:
        return 1e9
    if first in SCALES:
        return SCALES[first]
    if first in {"de", "d"} and second in SCALES:  # "1,2 milliard de", rarely "millions de"
        return 1.0
    return 1.0


def _figure_key(value: float) -> tuple[str, float]:
    if value == int(value) and value < 1e7:
        integer = int(value)
        text = str(integer)
        if 1900 <= integer <= 2100:
            return text, WEIGHT_YEAR
        if integer < 32:
            return text, WEIGHT_TINY_NUMBER
        if integer < 100:
            return text, WEIGHT_SMALL_NUMBER
        return text, WEIGHT_FIGURE
    return f"{value:.4g}", WEIGHT_FIGURE
