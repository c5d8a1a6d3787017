"""What an article says, as features that can be compared within and across languages.

Pure functions, no ORM. ``analyse(title, text, language)`` returns ``TextFeatures``:

* ``words`` — stems of the title and the lead in the article's own language, each weighing as
  much as the word is rare in that language (common words out), twice in the title, more for a
  name: for comparing two articles written in the same language;
* ``anchors`` — language-independent keys, for comparing any two articles:
  - **names**: capitalised words of Latin-script text and every content word of Arabic text,
    reduced to a *consonant skeleton* that both scripts share ("Hicham Berrada" and
    "هشام برادة" both give ``hxm`` and ``brd``, and the pair ``hxm|brd``);
  - **figures**: numbers read the way each language writes them (``revue.news.stories.figures``:
    "3,5 %", "3.5%", "٣٫٥", "4,8 milliards", "4.8 billion" and "4,8 مليار" are one key each); the
    weekdays named count among the figures (``figures``, ``title_figures``: « lundi », « lunes »
    and « الاثنين » are one key), so that two titles built alike on two days disagree;
  - **cognates**: the rare words of a Latin-script title and lead, reduced to the same skeleton
    ("caftan" and "caftán" give ``kftn``), so French, Spanish and English headlines meet on the
    words they write alike (weighing ``WEIGHT_COGNATE``, which tells them from names: a cognate
    counts only when the other article has it too);
  - **concepts** from the news lexicon (``revue.news.stories.lexicon``): countries, cities known by
    exonyms (Tanger, Tánger, Tangier, طنجة), institutions, kinds of events, calendar words;
* ``tokens`` — every folded word of title and text, in order, for shingles and exact hashes.

Every key is a signed 64-bit integer (BLAKE2b of a readable key), so it can be indexed the same
way in memory, on SQLite and on PostgreSQL. A word weighs as much as it is rare in its language
(``revue.news.stories.rarity``: wordfreq's general frequencies, not what the portal has stored), anchors
from a small fixed set (``WEIGHT_*``): an article's features depend on its text alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from revue.news.stories.figures import WEIGHT_YEAR, figures
from revue.news.stories.lexicon import LEXICON, STOP_WORDS
from revue.news.stories.rarity import rarity
from revue.text.fold import fold, is_arabic
from revue.text.language import or_script

LEAD_WORDS = 400  # words of text (after the title) whose stems are compared
KEPT_WORDS = 60  # of those stems, the heaviest kept (what tells the event; bounds what is stored and compared)
LEAD_CHARS = 400  # characters of the first paragraph whose figures must agree
MAX_TOKENS = 500  # words of an article read at all: who, where and how many come early
MAX_CHARS = 4000  # characters of its text read at all

WEIGHT_NAME = 2.0  # one name (its skeleton)
WEIGHT_NAME_PAIR = 3.0  # two names in a row ("Youssef Berrada")
WEIGHT_TOPIC = 0.75  # a kind of event; no other anchor weighs this, so a topic is told by its weight
GENERIC_CONCEPT = 0.5  # concepts this light (countries, calendar words) leave their words out of ``words``
WEIGHT_COUNTRY = 0.5  # a country; no other concept weighs this (small figures do, and are told apart)
WEIGHT_CONCEPT = {"place": 1.5, "org": 1.5, "institution": 1.0, "country": WEIGHT_COUNTRY, "topic": WEIGHT_TOPIC,
                  "time": 0.25}
WEIGHT_TITLE_WORD = 2.0  # a word of the title counts twice
WEIGHT_WORD = 1.0
COMMON = 3.0  # words commoner than this rarity (about 1 in 1,000 words) say nothing of the event
NAME_BOOST = 1.5  # a capitalised word inside a sentence (a name) weighs this much more
MIN_SKELETON = 3  # consonants in a skeleton for one word to count as a name
COGNATE_RARITY = 5.5  # a word this rare (under about 3 in a million) is filed by its skeleton, as a name
COGNATE_LETTERS = 5  # … when it has at least this many letters
WEIGHT_COGNATE = 1.75  # such a word's skeleton (told from a name by its weight: it counts only when shared)

LATIN_LANGUAGES = ("fr", "es", "en")


@dataclass(frozen=True)
class TextFeatures:
    """The comparable content of one article (see the module docstring)."""

    language: str
    words: dict[int, float]
    anchors: dict[int, float]
    transliterated: dict[int, float]  # Arabic words as name skeletons, for names in Latin script
    salient: tuple[int, ...]  # anchor keys worth indexing, most telling first
    figures: frozenset[int]  # figure keys (years aside)
    title_figures: frozenset[int]  # those of the title
    lead_figures: frozenset[int]  # those of the title and the first paragraph
    tokens: tuple[str, ...]


# --- keys -------------------------------------------------------------------------------------


def unique_key(kind: str, value: str) -> int:
    """A stable signed 64-bit key for ``kind:value`` (same in every process and database)."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


key = lru_cache(maxsize=50_000)(unique_key)  # for words, names and figures, which recur


# --- stems ------------------------------------------------------------------------------------

AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
AR_CLITICS = "وبلفك"


def arabic_variants(word: str) -> tuple[str, ...]:
    """The word without its article (ال) and, when it may carry one, without a clitic (و ب ل ف ك)."""
    bare = _without_article(word)
    variants = [bare]
    if word[0] in AR_CLITICS and len(word) >= 4:
        other = _without_article(word[1:])
        if other != bare and len(other) >= 2:
            variants.append(other)
    return tuple(variants)


def _without_article(word: str) -> str:
    for prefix in AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    return word


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A light stem: Arabic without article and common suffixes; Latin words cut to six letters
    after a plural ending goes."""
    if is_arabic(word):
        word = arabic_variants(word)[0]
        for suffix in AR_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)]
        return word
    if len(word) > 4 and word.endswith("s"):
        word = word[:-1]
    return word[:6]


# --- skeletons: names written in Latin or Arabic script ---------------------------------------

LATIN_SOUNDS = (
    ("x", "ks"), ("sch", "x"), ("ch", "x"), ("sh", "x"), ("kh", "k"), ("gh", "k"), ("th", "t"), ("dh", "d"),
    ("ph", "f"), ("dj", "j"), ("ck", "k"), ("qu", "k"),
)
LATIN_SOFT = re.compile(r"c(?=[eiy])")
LATIN_SOFT_G = re.compile(r"g(?=[eiy])")
LATIN_CONSONANTS = str.maketrans({"q": "k", "c": "k", "g": "k", "v": "f", "p": "b", "w": None, "y": None,
                                  "a": None, "e": None, "i": None, "o": None, "u": None})
ARABIC_CONSONANTS = str.maketrans({
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "k", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "x", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "ع": None, "غ": "k", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": None, "ي": None, "ا": None, "ء": None,
})
REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=50_000)
def skeleton(word: str) -> str:
    """The consonants of a name as both scripts write them: vowels, w/y, ain and hamza go,
    sounds written two ways become one letter (ch/sh/ش → x, q/k/g/ق/ك/غ → k, ظ/ض/d → d…)."""
    if is_arabic(word):
        if word.endswith("ه"):  # ta marbuta, or a final h that Latin spellings drop
            word = word[:-1]
        return REPEATS.sub(r"\1", word.translate(ARABIC_CONSONANTS))
    word = word.lower()
    for written, sound in LATIN_SOUNDS:
        word = word.replace(written, sound)
    word = LATIN_SOFT_G.sub("j", LATIN_SOFT.sub("s", word))
    if word.endswith("h"):
        word = word[:-1]
    return REPEATS.sub(r"\1", REPEATS.sub(r"\1", word).translate(LATIN_CONSONANTS))


# --- the lexicon ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    words: tuple[str, ...]
    concept: str
    weight: float
    kind: str = ""


def _lexicon_form(word: str) -> str:
    """How a word is looked up in the lexicon: folded, Arabic without its article, stemmed."""
    return stem(word)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, dict[str, list[_Entry]]]:
    """language -> first word form -> entries starting with it (longest first)."""
    tables: dict[str, dict[str, list[_Entry]]] = {}
    for concept, (kind, forms) in LEXICON.items():
        weight = WEIGHT_CONCEPT[kind]
        for language, spelled in forms.items():
            table = tables.setdefault(language, {})
            for phrase in spelled.split("|"):
                words = tuple(_lexicon_form(w) for w in WORD.findall(fold(phrase)))
                if words:
                    table.setdefault(words[0], []).append(_Entry(words, concept, weight, kind))
    for table in tables.values():
        for entries in table.values():
            entries.sort(key=lambda e: -len(e.words))
    return tables


@lru_cache(maxsize=50_000)
def _word_forms(word: str) -> tuple[str, ...]:
    if is_arabic(word):
        return tuple(dict.fromkeys(stem(v) for v in arabic_variants(word)))
    return (stem(word),)


class Concepts(NamedTuple):
    """What the lexicon finds in an article's words."""

    found: list[tuple[str, float]]  # (concept, weight)
    used: set[int]  # positions of the words they used
    generic: set[int]  # those of generic concepts (countries, calendar words)
    places: set[int]  # those of places (cities and regions: known places, not people's names)
    phrases: dict[int, tuple[str, int]]  # a name of several words: first position -> (concept, words)


def concepts(words: list[str], language: str) -> Concepts:
    """The concepts of the lexicon found in the folded words (see ``Concepts``)."""
    result = Concepts([], set(), set(), set(), {})
    table = _lexicon().get(language if language in LEXICON_LANGUAGES else "fr", {})
    forms = [_word_forms(w) for w in words]
    for i, options in enumerate(forms):
        if i in result.used:
            continue
        for form in options:
            entries = table.get(form)
            entry = _match(entries, forms, i) if entries else None
            if entry is not None:
                size = len(entry.words)
                result.found.append((entry.concept, entry.weight))
                result.used.update(range(i, i + size))
                if entry.weight <= GENERIC_CONCEPT:
                    result.generic.update(range(i, i + size))
                else:
                    if entry.kind == "place":
                        result.places.update(range(i, i + size))
                    if size > 1:
                        result.phrases[i] = (entry.concept, size)
                break
    return result


LEXICON_LANGUAGES = frozenset({"fr", "es", "en", "ar"})
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@lru_cache(maxsize=1)
def _weekdays() -> dict[str, dict[str, int]]:
    """language -> lexicon form of a weekday's name -> its key (a figure: the day an event is on)."""
    tables: dict[str, dict[str, int]] = {}
    for day in WEEKDAYS:
        for language, spelled in LEXICON[day][1].items():
            for phrase in spelled.split("|"):
                found = WORD.findall(fold(phrase))
                if len(found) == 1:
                    tables.setdefault(language, {})[_lexicon_form(found[0])] = unique_key("n", f"day:{day}")
    return tables


@lru_cache(maxsize=50_000)
def _weekday(folded: str, language: str) -> int:
    """The key of the weekday a folded word names (0 for other words)."""
    table = _weekdays().get(language if language in LEXICON_LANGUAGES else "fr", {})
    for form in _word_forms(folded):
        if form in table:
            return table[form]
    return 0


def _match(entries: Iterable[_Entry], forms: list[tuple[str, ...]], start: int) -> _Entry | None:
    """The longest entry whose words follow at ``start`` (the first word already matched)."""
    for entry in entries:
        words = entry.words
        size = len(words)
        if size == 1:  # the rest are one word long too: this first one matches
            return entry
        if start + size > len(forms):
            continue
        for k in range(1, size):
            if words[k] not in forms[start + k]:
                break
        else:
            return entry
    return None


# --- analysis -------------------------------------------------------------------------------------

WORD = re.compile(r"[^\W\d_]+")
WORD_AFTER_NO_DIGIT = re.compile(r"(?<![^\W_])[^\W\d_]+")  # letters that end a figure (1er, 2e, 45degC, 10h) are no word
SENTENCE_END = frozenset(".!?:;«»\"“”\n|-–—()[]")
NAME_PARTICLES = frozenset({"el", "al", "ben", "ould", "de", "del", "la", "le", "da", "van", "von", "bin"})


@lru_cache(maxsize=8)
def _stop_words(language: str) -> frozenset[str]:
    return frozenset(fold(STOP_WORDS.get(language, STOP_WORDS["fr"])).split())


class _Word(NamedTuple):
    raw: str
    folded: str
    position: int  # in the text (title first)
    capitalised: bool
    sentence_start: bool
    in_title: bool


fold_word = lru_cache(maxsize=50_000)(fold)
_new_word = tuple.__new__


def _words(title: str, text: str) -> list[_Word]:
    found: list[_Word] = []
    append, new, fold_one = found.append, _new_word, fold_word  # (the loop's hot names, local)
    count = 0
    for part, in_title in ((title, True), (text, False)):
        for match in WORD_AFTER_NO_DIGIT.finditer(part):
            raw = match.group()
            if raw[0].isupper():  # only a capital needs to know whether a sentence starts here
                j = match.start() - 1
                while j >= 0 and part[j] in " '’\u00a0":
                    j -= 1
                append(new(_Word, (raw, fold_one(raw), count, True, j < 0 or part[j] in SENTENCE_END, in_title)))
            else:
                append(new(_Word, (raw, fold_one(raw), count, False, False, in_title)))
            count += 1
            if count >= MAX_TOKENS:
                return found
    return found


TOKEN = re.compile(r"[^\W\d_]+|\d(?:[\d.,]*\d)?")


def shingle_tokens(folded: str) -> tuple[str, ...]:
    """Words and figures of folded text, in order (what shingles are made of)."""
    return tuple(TOKEN.findall(folded)[:MAX_TOKENS])


def _title_case(words: list[_Word]) -> bool:
    """English-style Title Case, where capitals say nothing about names."""
    long_words = [w for w in words if w.in_title and len(w.raw) > 3]
    return len(long_words) >= 3 and sum(w.capitalised for w in long_words) >= 0.8 * len(long_words)


def analyse(title: str, text: str, language: str = "") -> TextFeatures:
    """The features of one article (see the module docstring)."""
    title, text = title or "", (text or "")[:MAX_CHARS]
    language = or_script(language, title + " " + text[:400])
    words = _words(title, text)
    stop = _stop_words(language)
    title_case = _title_case(words)
    found = concepts([w.folded for w in words], language)
    found_concepts, used = found.found, found.used
    anchors: dict[int, float] = {}
    ranked: dict[int, int] = {}  # key -> rank for indexing (lower first)
    for concept, weight in found_concepts:
        _add(anchors, key("c", concept), weight, ranked, 1 if weight >= SALIENT else 9)
    folded_title, folded_text = fold(title), fold(text)
    paragraph_end = folded_text.find("\n\n")
    lead_end = min(LEAD_CHARS, paragraph_end if paragraph_end >= 0 else len(folded_text))
    in_title = figures(folded_title, language)
    in_text = figures(folded_text, language)
    figure_keys = set()
    for value, weight, _ in in_title + in_text:
        figure = key("n", value)
        _add(anchors, figure, weight, ranked, 0 if weight >= SALIENT else 9)
        if weight > WEIGHT_YEAR:
            figure_keys.add(figure)
    title_figures = {key("n", value) for value, weight, _ in in_title if weight > WEIGHT_YEAR}
    lead_figures = title_figures | {key("n", value) for value, weight, start in in_text
                                    if weight > WEIGHT_YEAR and start < lead_end}
    for word in words:  # a weekday is a figure too: the day the event is on (« clôture en baisse ce lundi »)
        day = _weekday(word.folded, language)
        if day:
            figure_keys.add(day)
            if word.in_title:
                title_figures.add(day)
    transliterated: dict[int, float] = {}
    names = anchors if language != "ar" else transliterated  # in Arabic, any word may be a name
    for name_key, weight in _names(words, stop, used, title_case):
        _add(names, name_key, weight, ranked, 2 if weight == WEIGHT_NAME_PAIR else 3)
    if language in LATIN_LANGUAGES:
        for cognate in _cognates(words, used, language):
            _add(anchors, cognate, WEIGHT_COGNATE, ranked, 3)
    order = sorted(ranked, key=lambda k: ranked[k])  # stable: first seen first within a rank
    return TextFeatures(
        language=language,
        words=_lead_words(words, stop, language, title_case, found),
        anchors=anchors,
        transliterated=transliterated,
        salient=tuple(k for k in order if ranked[k] < 9),
        figures=frozenset(figure_keys),
        title_figures=frozenset(title_figures),
        lead_figures=frozenset(lead_figures),
        tokens=shingle_tokens(folded_title + "\n" + folded_text),
    )


SALIENT = 1.5  # anchors at least this heavy are worth an index entry


def _add(weights: dict[int, float], k: int, weight: float, ranked: dict[int, int] | None = None,
         rank: int = 9) -> None:
    if weight > weights.get(k, 0.0):
        weights[k] = weight
    if ranked is not None and rank < ranked.get(k, 10):
        ranked[k] = rank


def _lead_words(words: list[_Word], stop: frozenset[str], language: str, title_case: bool,
                found: Concepts) -> dict[int, float]:
    """Stems of the title and the lead, each weighing as much as the word is rare in its language
    (``revue.news.stories.rarity``): ``rarity - COMMON + 1``, twice in the title, half as much again for a
    name (a capital inside a sentence; not a known place). Words commoner than ``COMMON``, stop
    words and the words of generic concepts (countries and calendar words, which every news day
    repeats and the anchors carry) are left out; a name of several words that the lexicon knows
    (« Programme alimentaire mondial », « Chambre des conseillers ») is one word, as heavy as its
    rarest, so that its words do not meet the same words used otherwise (« prix alimentaires
    mondiaux »); of the rest, the ``KEPT_WORDS`` heaviest are kept."""
    lead: dict[int, float] = {}
    phrase_end = -1
    for word in _title_and_lead(words):
        folded = word.folded
        position = word.position
        if position < phrase_end:
            continue
        if position in found.phrases:
            concept, size = found.phrases[position]
            phrase_end = position + size
            weight = max(_word_weight(w.folded, language)[0] for w in words[position:phrase_end])
            k = key("w", "c:" + concept)
        else:
            if len(folded) < 2 or folded in stop or position in found.generic:
                continue
            weight, k = _word_weight(folded, language)
        if not weight:
            continue
        if word.in_title:
            weight *= WEIGHT_TITLE_WORD
        if (word.capitalised and not word.sentence_start and not (word.in_title and title_case)
                and position not in found.places):
            weight *= NAME_BOOST
        lead[k] = lead.get(k, 0.0) + weight
    if len(lead) > KEPT_WORDS:
        lead = dict(sorted(lead.items(), key=lambda item: (-item[1], item[0]))[:KEPT_WORDS])
    return lead


def _title_and_lead(words: list[_Word]):
    """The words of the title, then the first ``LEAD_WORDS`` of the text."""
    text_words = 0
    for word in words:
        if not word.in_title:
            text_words += 1
            if text_words > LEAD_WORDS:
                return
        yield word


@lru_cache(maxsize=100_000)
def _word_weight(folded: str, language: str) -> tuple[float, int]:
    """(weight, key) of a word of the text: ``rarity - COMMON + 1`` and its stem's key; (0, 0)
    for a word commoner than ``COMMON``."""
    rare = rarity(folded, language)
    if rare < COMMON:
        return 0.0, 0
    return (rare - COMMON + 1.0) * WEIGHT_WORD, key("w", stem(folded))


def _cognates(words: list[_Word], used: set[int], language: str):
    """Skeleton keys of the rare words of the title and the lead (Latin script): the words that
    French, Spanish and English write alike (« caftan », « caftán »: ``kftn``; « épisode »,
    « episodio »: ``bsd``), so two headlines in two languages meet on them as on names."""
    for word in _title_and_lead(words):
        if word.position in used:
            continue
        cognate = _cognate_key(word.folded, language)
        if cognate:
            yield cognate


@lru_cache(maxsize=100_000)
def _cognate_key(folded: str, language: str) -> int:
    """The skeleton key of a rare word (0 for others)."""
    if len(folded) < COGNATE_LETTERS or rarity(folded, language) < COGNATE_RARITY:
        return 0
    form = skeleton(folded)
    return key("s", form) if len(form) >= MIN_SKELETON else 0


def _names(words: list[_Word], stop: frozenset[str], used: set[int], title_case: bool):
    """Skeleton keys of names: single words and pairs of words in a row."""
    previous: tuple[str, ...] = ()
    previous_position = -2
    for word in words:
        if word.capitalised or is_arabic(word.folded):
            skeletons = _name_skeletons(word, stop, used, title_case)
        else:
            skeletons = ()
        if not skeletons:
            if word.folded not in NAME_PARTICLES:
                previous = ()
            continue
        for form in skeletons:
            if len(form) >= MIN_SKELETON:
                yield key("s", form), WEIGHT_NAME
        if previous and word.position - previous_position <= 2:
            for first in previous:
                for second in skeletons:
                    yield key("s2", f"{first}|{second}"), WEIGHT_NAME_PAIR
        previous, previous_position = skeletons, word.position


def _name_skeletons(word: _Word, stop: frozenset[str], used: set[int], title_case: bool) -> tuple[str, ...]:
    arabic = is_arabic(word.folded)
    if not (arabic or word.capitalised):  # a Latin name starts with a capital (acronyms too)
        return ()
    if word.position in used or word.folded in stop or word.folded in NAME_PARTICLES:
        return ()
    if arabic:
        forms = tuple(dict.fromkeys(skeleton(v) for v in arabic_variants(word.folded)))
        return tuple(f for f in forms if len(f) >= 2)
    acronym = len(word.raw) >= 2 and word.raw.isupper()
    if word.in_title and title_case and not acronym:
        return ()
    if word.sentence_start and not acronym and len(word.folded) < 4:
        return ()
    form = skeleton(word.folded)
    return (form,) if len(form) >= 2 else ()
