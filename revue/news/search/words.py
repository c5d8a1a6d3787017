"""Words as search sees them: folded, normalised and stemmed the same way at index and query time.

``normalize_for_search(text, language)`` is the one function both sides use, so that whatever a
reader types finds what an outlet wrote whenever the two fold to the same word:

* folded by ``revue.text.fold`` — the one fold, which stories use too: no case, no accents or
  tashkeel, Arabic letters in one form (alef variants, hamza carriers, alef maqsura, teh marbuta,
  Persian and Moroccan letters), digits in ASCII — so « Résolution » and « resolution » are one
  word, and so are « إعلان » and « اعلان »;
* stemming with Snowball for French, Spanish and English, *after* folding, so that a word typed
  without its accents still stems like the accented one. Arabic is normalised, not stemmed.

The database never folds or stems anything: it indexes and matches the words made here, which
is why SQLite FTS5 and PostgreSQL behave the same. ``index_entry`` makes an article's whole index
entry (words and facet terms) from plain values: pure, so the crawler's CPU processes make the
entries of newly stored articles and the database thread only writes them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache

import snowballstemmer

from revue.text.fold import fold
from revue.text.language import language_code

# Languages stemmed with Snowball, by ISO 639-1 code.
STEMMED_LANGUAGES = {"fr": "french", "es": "spanish", "en": "english"}

# A word: letters and digits, with the combining marks that may sit on them (Latin accents
# typed as separate code points, Arabic tashkeel) so that a word is never cut in two by a mark.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"
WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
FOLDED_WORD = re.compile(r"[^\W_]+")
MAX_WORD_CHARS = 64  # longer "words" (hashes, URLs run together) are neither indexed nor searched

@lru_cache(maxsize=100_000)
def fold_word(word: str) -> tuple[str, ...]:
    """The folded words of one word of an original text (usually itself, folded)."""
    return tuple(folded_words(word))


_stemmers = threading.local()


def _stemmer(language: str):
    """This thread's stemmer for ``language``: a snowball stemmer keeps the word it works on in
    itself, so two threads sharing one (a server's threads searching at once) spoil each other's
    stems or raise IndexError."""
    found = getattr(_stemmers, language, None)
    if found is None:
        found = snowballstemmer.stemmer(STEMMED_LANGUAGES[language])
        setattr(_stemmers, language, found)
    return found


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The stem of an already folded ``word`` in ``language`` (the word itself if not stemmed)."""
    if language not in STEMMED_LANGUAGES or word.isdigit():
        return word
    return _stemmer(language).stemWord(word) or word


def folded_words(text: str) -> list[str]:
    """The folded words of ``text``, in order (none longer than ``MAX_WORD_CHARS``)."""
    return [word for word in FOLDED_WORD.findall(fold(text)) if len(word) <= MAX_WORD_CHARS]


def normalize_for_search(text: str, language: str) -> list[str]:
    """The index terms of ``text`` written in ``language``: folded, normalised, stemmed, in order."""
    code = language_code(language)
    return [stem(word, code) for word in folded_words(text)]


# --- index entries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """What the index holds for one article: its normalised words and facet terms."""

    article_id: int
    published: int  # Unix time
    title: tuple[str, ...]
    body: tuple[str, ...]
    meta: tuple[str, ...]


# the article values an entry is made from (``Article.objects.values(*INDEX_FIELDS)``)
INDEX_FIELDS = (
    "id", "title", "summary", "text", "language", "published_at", "source_id", "category_id",
    "source__language",
)


def language_facet(language: str) -> str:
    """A language code as a facet word: letters only (``fr``, ``ar``), ``xx`` when there is none."""
    return re.sub(r"[^a-z]", "", language_code(language)) or "xx"


def date_facets(day: date) -> list[str]:
    """The facet terms of one calendar day: its year, month and day."""
    return [f"y{day:%Y}", f"m{day:%Y%m}", f"d{day:%Y%m%d}"]


def index_entry(row: dict, *, tz: tzinfo, max_chars: int) -> IndexEntry:
    """The index entry of one article from its ``INDEX_FIELDS`` values: ``tz`` says which
    calendar day it was published on (the portal's time zone), ``max_chars`` how much of its
    text is indexed (``REVUE_SEARCH_MAX_INDEXED_CHARS``)."""
    language = language_code(row["language"] or row["source__language"] or "")
    body = (row["text"] or row["summary"] or "")[:max_chars]
    published: datetime = row["published_at"]
    meta = [f"s{row['source_id']}", f"l{language_facet(language)}", *date_facets(published.astimezone(tz).date())]
    if row["category_id"] is not None:
        meta.append(f"c{row['category_id']}")
    return IndexEntry(
        article_id=row["id"],
        published=int(published.timestamp()),
        title=tuple(normalize_for_search(row["title"], language)),
        body=tuple(normalize_for_search(body, language)),
        meta=tuple(meta),
    )
