"""Full-text search over the archive: keeping the index in step, and finding articles in it.

One behaviour on both databases: words are folded, normalised and stemmed in Python
(``revue.news.search.words``), queries are parsed in Python (``revue.news.search.query``), and
the database only indexes and matches those words — SQLite with FTS5, PostgreSQL with a
``tsvector`` and a GIN index (``revue.news.search.backends``, chosen once; every search under a
time limit, ``REVUE_SEARCH_TIME_LIMIT_MS``, past which ``SearchTimeout``).

Keeping in step: triggers queue every inserted or changed article in ``news_search_pending``;
``index_pending()`` turns the queue into index entries. The crawler's settle step calls
``index_articles()`` for each batch it stored, and every crawl run ends by indexing what is still
queued (up to ``REVUE_SEARCH_INDEX_BATCH`` articles: an article edited in the admin or by a
script), so it is found as it now reads; ``revue search pending`` indexes the whole queue. A
search only reads: it finds what is indexed, and never writes (a reader's request must not wait
for, or hold, the database's write lock). Deletions leave the index through a trigger.

Ranking: the engine returns the newest ``REVUE_SEARCH_MAX_RESULTS`` matches (by article id, the
order articles arrive in) with their relevance (FTS5 ``bm25``, PostgreSQL ``ts_rank``, title
words weighing ``REVUE_SEARCH_TITLE_WEIGHT`` times body words); each score is then divided by
``1 + age / REVUE_SEARCH_RECENCY_DAYS``, so that of two equally relevant articles the fresher
wins, and a week-old one needs twice the relevance of today's. Bounding the candidates keeps a
query for a word found in half the archive as fast as a rare one.

Highlighting: each result's title, and an excerpt of its text (the ``REVUE_SEARCH_SNIPPET_WORDS``
words holding the most matches among the first ``REVUE_SEARCH_SNIPPET_SCAN_CHARS`` characters; when
those hold none, the next as many, up to what the index holds, ``REVUE_SEARCH_MAX_INDEXED_CHARS``),
the words that match in ``<mark>``: a word matches when its folded form or its stem is a term of
the query. A quick pass made of regular expressions run in C finds them (``_quick_excerpt``),
the word-by-word reference pass (``_words_and_marks``) being kept for the rare text the quick one
cannot read exactly (tests hold the two to the same answers).
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from revue.news.cache import invalidate_reader_caches
from revue.news.models import Article
from revue.news.search.backends import backend
from revue.news.search.query import (
    ParsedQuery,
    SearchFilters,
    highlight_terms,
    parse_query,
)
from revue.news.search.words import (
    _MARKS as MARKS,
    INDEX_FIELDS,
    MAX_WORD_CHARS,
    WORD,
    IndexEntry,
    fold_word,
    index_entry,
    stem,
)
from revue.text.fold import fold
from revue.text.language import language_code

SECONDS_PER_DAY = 86400


# --- the index ----------------------------------------------------------------------------------


def entry_options() -> dict:
    """``words.index_entry``'s settings, as plain values a CPU process can be given."""
    return {"tz": timezone.get_default_timezone(), "max_chars": settings.REVUE_SEARCH_MAX_INDEXED_CHARS}


def index_articles(article_ids: Iterable[int], made: dict[int, tuple[dict, IndexEntry]] | None = None) -> int:
    """(Re)index these articles now; ids of deleted articles leave the index. Returns the count.

    ``made``: entries made beforehand (``words.index_entry``, say in the crawler's CPU
    processes), each with the ``INDEX_FIELDS`` row it was made from; one is used only while the
    article still reads the same (an edit meanwhile gets a fresh entry)."""
    ids = sorted({int(i) for i in article_ids})
    index = backend()
    if not ids or index is None or not index.exists():
        return 0
    made = made or {}
    options = entry_options()

    def entry(row: dict) -> IndexEntry:
        row_then, entry_then = made.get(row["id"], (None, None))
        return entry_then if row_then == row else index_entry(row, **options)

    done = 0
    size = 500
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        rows = Article.objects.filter(id__in=chunk).values(*INDEX_FIELDS)
        entries = [entry(row) for row in rows]
        with transaction.atomic():
            index.write(entries, chunk)  # the ids of deleted articles leave the index
        done += len(entries)
    return done


def pending_ids(limit: int | None = None) -> list[int]:
    sql = "SELECT article_id FROM news_search_pending ORDER BY article_id"
    with connection.cursor() as cursor:
        if limit is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql + " LIMIT %s", [limit])
        return [row[0] for row in cursor.fetchall()]


def index_pending(limit: int | None = None) -> int:
    """Index the queued articles (at most ``limit``); returns how many were indexed."""
    index = backend()
    if index is None or not index.exists():
        return 0
    done = 0
    while True:
        batch = pending_ids(500 if limit is None else min(500, limit - done))
        if not batch:
            return done
        done += index_articles(batch)
        if limit is not None and done >= limit:
            return done


def index_queued() -> int:
    """Index what is still queued (edits made outside the crawler), up to
    ``REVUE_SEARCH_INDEX_BATCH`` articles: every crawl run ends with it. When anything was
    indexed, readers' kept pages (search pages among them) are renewed."""
    done = index_pending(settings.REVUE_SEARCH_INDEX_BATCH)
    if done:
        transaction.on_commit(invalidate_reader_caches)
    return done


# --- searching ----------------------------------------------------------------------------------


class Candidate(NamedTuple):
    """One match as the engine returns it, before the recency weighting (a tuple: a search makes
    up to ``REVUE_SEARCH_MAX_RESULTS`` of them)."""

    article_id: int
    relevance: float
    published: int


@dataclass(frozen=True)
class Hit:
    """One result: the article, its score, its title and an excerpt with the matches marked."""

    article: Article
    score: float
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchResults:
    """One page of results; ``matches`` counts every match up to ``REVUE_SEARCH_MAX_RESULTS``."""

    query: ParsedQuery
    hits: list[Hit]
    offset: int
    matches: int
    has_more: bool
    capped: bool  # more matches exist than were ranked


def candidates(query: ParsedQuery, filters: SearchFilters, limit: int) -> list[Candidate]:
    """The newest ``limit`` matches of ``query`` within ``filters``, with their relevance, found
    within ``REVUE_SEARCH_TIME_LIMIT_MS`` (else ``SearchTimeout``)."""
    index = backend()
    with index.time_limit(settings.REVUE_SEARCH_TIME_LIMIT_MS):
        found = index.candidates(query, filters, limit, float(settings.REVUE_SEARCH_TITLE_WEIGHT))
    return [Candidate(int(i), float(r or 0.0), int(p)) for i, r, p in found]


def recency_weighted(found: list[Candidate], now: float | None = None) -> list[tuple[float, int]]:
    """(score, article id), best first: relevance divided by ``1 + age / REVUE_SEARCH_RECENCY_DAYS``
    (of two equal scores, the newer id first)."""
    now = time.time() if now is None else now
    scale = max(float(settings.REVUE_SEARCH_RECENCY_DAYS), 0.001) * SECONDS_PER_DAY
    scored = [(relevance / (1.0 + (now - published if now > published else 0) / scale), article_id)
              for article_id, relevance, published in found]
    return sorted(scored, reverse=True)


def search(query: ParsedQuery | str, filters: SearchFilters | None = None, offset: int = 0, size: int | None = None) -> SearchResults:
    """Page ``offset … offset + size`` of the ranked results of ``query`` within ``filters``."""
    query = parse_query(query) if isinstance(query, str) else query
    filters = filters or SearchFilters()
    size = settings.REVUE_SEARCH_PAGE_SIZE if size is None else size
    index = backend()
    if query.is_empty or index is None or not index.exists():
        return SearchResults(query, [], offset, 0, False, False)
    cap = settings.REVUE_SEARCH_MAX_RESULTS
    ranked = recency_weighted(candidates(query, filters, cap + 1))
    capped = len(ranked) > cap
    ranked = ranked[:cap]
    page = ranked[offset : offset + size]
    hits = _hits(query, page)
    return SearchResults(query, hits, offset, len(ranked), offset + size < len(ranked), capped)


def _hits(query: ParsedQuery, page: list[tuple[float, int]]) -> list[Hit]:
    # no ORDER BY: with one, SQLite may walk the recency index instead of fetching these ids
    rows = Article.objects.published().defer("content_html").filter(pk__in=[pk for _, pk in page]).order_by()
    articles = {article.pk: article for article in rows}
    hits = []
    for score, pk in page:
        article = articles.get(pk)
        if article is None:  # its outlet was switched off
            continue
        language = language_code(article.language or article.source.language)
        terms = highlight_terms(query, language)
        hits.append(
            Hit(
                article=article,
                score=score,
                title_html=highlight(article.title, terms, language, whole=True),
                snippet_html=highlight(article.text or article.summary, terms, language),
            )
        )
    return hits


# --- highlighting -------------------------------------------------------------------------------
# A search page highlights 20 titles and 20 excerpts, each chosen among the first
# ``REVUE_SEARCH_SNIPPET_SCAN_CHARS`` of a text, on every view of a search never asked before.
# ``_words_and_marks`` is the reference: every word of the text folded (and, if its first letter
# starts a term, stemmed), one word at a time in Python (2-3 ms for 5,000 characters), then
# ``_excerpt`` picks the window of words. ``_quick_excerpt`` gives the same excerpt and marks from
# regular expressions run in C: one finds the words whose *first character* folds to a letter that
# starts a term (a character class first: the engine skips the rest of the text at C speed), only
# those are folded and compared, and words are counted only where the window needs them (between
# marks, up to a window's length); it steps aside (None) for the rare text where a run of
# characters might not be exactly one folded word (see ``_fold_classes``), and the reference does it.

_WORD_CHAR = rf"[\w{MARKS}]"  # WORD's characters, and ``_``: a text holding one is left to the reference
_RUNS = re.compile(_WORD_CHAR + "+")
_IS_WORD_CHAR = re.compile(_WORD_CHAR)


@lru_cache(maxsize=1)
def _fold_classes() -> tuple[dict[str, frozenset[str]], frozenset[str], re.Pattern]:
    """The word characters of the Basic Multilingual Plane by how they fold, read once per process
    (one ``fold`` of all of them, some 50,000, in ~0.1 s): (folded letter → the characters that fold
    to it alone, the characters that fold to nothing, a pattern finding any character after which
    a run of word characters may not fold to exactly one word: one folding to more than one
    character or to a non-word one (« ½ », « ß », ligatures), one past the plane, ``_``)."""
    everything = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)
    chars = re.findall(rf"[^\W_]|[{MARKS}]", everything)  # WORD's characters
    by_initial: dict[str, set[str]] = {}
    empty, unsure = set(), set()
    for char, folded in zip(chars, fold("\x00".join(chars)).split("\x00")):  # fold works character by character
        if not folded:
            empty.add(char)
        elif len(folded) == 1 and folded.isalnum():  # FOLDED_WORD's characters
            by_initial.setdefault(folded, set()).add(char)
        else:
            unsure.add(char)
    pattern = re.compile("[_\U00010000-\U0010ffff" + _char_ranges(unsure) + "]")
    return {k: frozenset(v) for k, v in by_initial.items()}, frozenset(empty), pattern


def warm_up() -> None:
    """Build now what a process's first search would build while its reader waits: the table of
    how characters fold (``_fold_classes``, 0.1-0.2 s of CPU). ``revue.portal.search`` calls it as
    the URLconf imports it: under ``revue serve``, in the master, before it forks the workers that
    then share the table."""
    _fold_classes()


def _char_ranges(chars: set[str]) -> str:
    """``chars`` as the ranges of a regular expression's class (``a-cx``)."""
    codes, ranges = sorted(map(ord, chars)), []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


@lru_cache(maxsize=1024)
def _candidates_pattern(initials: frozenset[str]) -> re.Pattern:
    """The words that may fold to a word starting with one of ``initials``: those starting with a
    character that folds to one of them (or to nothing: the next character's initial counts),
    found by their first character (not preceded by a word character), then the rest of the run."""
    by_initial, empty, _ = _fold_classes()
    first = _char_ranges(empty.union(*(by_initial.get(initial, ()) for initial in initials)))
    return re.compile(f"[{first}](?<!{_WORD_CHAR}.){_WORD_CHAR}*")


def _term_initials(terms: tuple[frozenset[str], tuple[str, ...]]) -> frozenset[str]:
    words, prefixes = terms
    # a Snowball stem (French, Spanish, English) keeps its word's first letter (« lying » → « lie »):
    # a word whose first letter starts no term is not stemmed at all (most words of a text)
    return frozenset(term[:1] for term in words) | frozenset(prefix[:1] for prefix in prefixes)


def _marks(folded: str, terms: tuple[frozenset[str], tuple[str, ...]], language: str) -> bool:
    """Whether one folded word of a text matches ``terms``: itself, or its stem."""
    words, prefixes = terms
    if folded in words or folded.startswith(prefixes):
        return True
    stemmed = stem(folded, language)
    return stemmed in words or stemmed.startswith(prefixes)


def _words_and_marks(text: str, terms: tuple[frozenset[str], tuple[str, ...]],
                     language: str) -> tuple[list[int], list[int], list[int]]:
    """Where each word of ``text`` starts and ends, and which of them (their indexes) match
    ``terms``: one pass over the text, the matching word's folded form and stem both tried."""
    initials = _term_initials(terms)
    starts: list[int] = []
    ends: list[int] = []
    marks: list[int] = []
    for match in WORD.finditer(text):
        start, end = match.span()
        for folded in fold_word(match.group()):  # « ½ » folds to two words, 1 and 2
            if folded[:1] in initials and _marks(folded, terms, language):
                marks.append(len(starts))
            starts.append(start)
            ends.append(end)
    return starts, ends, marks


def _excerpt(text: str, starts: list[int], ends: list[int], marks: list[int], size: int) -> tuple[int, int]:
    """(start, end) in ``text`` of the ``size``-word window holding the most marked words."""
    best, best_count = 0, -1
    for first in marks or [0]:
        start = max(0, first - size // 4)
        count = bisect_left(marks, start + size) - bisect_left(marks, start)  # marks are in order
        if count > best_count:
            best, best_count = start, count
    last = min(len(starts), best + size) - 1
    start = 0 if best == 0 else starts[best]
    end = len(text) if last == len(starts) - 1 else ends[last]
    return start, end


Excerpt = tuple[int | None, int | None, list[tuple[int, int]]]  # start, end (None: no word), marked spans


def _reference_excerpt(text: str, terms, language: str, whole: bool) -> Excerpt:
    starts, ends, marks = _words_and_marks(text, terms, language)
    spans = [(starts[i], ends[i]) for i in marks]
    if whole:
        return 0, len(text), spans
    if not starts:
        return None, None, spans
    start, end = _excerpt(text, starts, ends, marks, settings.REVUE_SEARCH_SNIPPET_WORDS)
    return start, end, spans


def _is_word(run: str) -> bool:
    """Whether a run of word characters of a text the quick pass reads is a word: one longer than
    ``MAX_WORD_CHARS`` once folded is not (``words.folded_words``)."""
    return len(run) <= MAX_WORD_CHARS or bool(fold_word(run))


def _count_words(text: str, start: int, end: int, cap: int) -> int:
    """How many words ``text[start:end]`` holds, ``cap`` at the most."""
    count = 0
    for run in _RUNS.finditer(text, start, end):
        if _is_word(run.group()):
            count += 1
            if count == cap:
                break
    return count


def _word_before(text: str, position: int, back: int) -> int:
    """Where the word ``back`` words before the one at ``position`` starts."""
    if back == 0:
        return position
    reach = 64 * back
    while True:
        low = max(0, position - reach)
        runs = [run for run in _RUNS.finditer(text, low, position) if _is_word(run.group())]
        if runs and low > 0 and runs[0].start() == low and _IS_WORD_CHAR.match(text, low - 1):
            runs.pop(0)  # cut by the reach: not a word of its own
        if len(runs) >= back or low == 0:
            return runs[-back].start() if len(runs) >= back else 0
        reach *= 4


def _quick_excerpt(text: str, terms, language: str, whole: bool) -> Excerpt | None:
    """What ``_reference_excerpt`` gives, or None when ``text`` holds a character after which it
    might differ."""
    _, _, unsure = _fold_classes()
    if unsure.search(text):
        return None
    spans = []
    for found in _candidates_pattern(_term_initials(terms)).finditer(text):
        folded = fold_word(found.group())
        if len(folded) != 1:
            if folded or len(found.group()) <= MAX_WORD_CHARS:
                return None  # marks alone, which fold to no word
            continue  # too long to be a word
        if _marks(folded[0], terms, language):
            spans.append(found.span())
    if whole:
        return 0, len(text), spans
    size = settings.REVUE_SEARCH_SNIPPET_WORDS
    # each mark's word index, gaps of more than ``size`` words counted as ``size`` (a window holds
    # two marks or not all the same): what _excerpt compares stays true
    indexes, cursor, index = [], 0, -1
    for start, end in spans:
        index += 1 + _count_words(text, cursor, start, size)
        indexes.append(index)
        cursor = end
    best, best_count, chosen = 0, -1, None
    for k, first in enumerate(indexes):  # as _excerpt does
        start = max(0, first - size // 4)
        count = bisect_left(indexes, start + size) - bisect_left(indexes, start)
        if count > best_count:
            best, best_count, chosen = start, count, k
    start = 0 if best == 0 else _word_before(text, spans[chosen][0], indexes[chosen] - best)
    end, words = len(text), 0
    for run in _RUNS.finditer(text, start):  # the window's last word, unless it is the text's last
        if _is_word(run.group()):
            words += 1
            if words == size:
                end = run.end()
            elif words > size:
                return start, end, spans
    if words == 0:
        return None, None, spans
    return start, len(text), spans


def _excerpt_of(text: str, terms, language: str, whole: bool, quick: bool) -> tuple[int, int, list[tuple[int, int]]]:
    """(start, end, marked spans) of ``text``'s excerpt: the best window of its first
    ``REVUE_SEARCH_SNIPPET_SCAN_CHARS`` characters; when they hold no match, of the next as many,
    and so on up to ``REVUE_SEARCH_MAX_INDEXED_CHARS`` (what the index holds of a text), so that a
    match far into a long text is shown too."""
    size = len(text) if whole else settings.REVUE_SEARCH_SNIPPET_SCAN_CHARS
    limit = min(len(text), max(size, settings.REVUE_SEARCH_MAX_INDEXED_CHARS))
    offset, first = 0, None
    while True:
        stretch = text[offset : min(offset + size, limit)]
        start, end, spans = ((quick and _quick_excerpt(stretch, terms, language, whole))
                             or _reference_excerpt(stretch, terms, language, whole))
        if start is None:  # no word at all
            start, end = 0, min(len(text), settings.REVUE_SEARCH_SNIPPET_WORDS * 8)
        else:
            start, end = start + offset, end + offset
        if spans:
            return start, end, [(a + offset, b + offset) for a, b in spans]
        first = first or (start, end, [])
        last_word = None
        for last_word in _RUNS.finditer(stretch, max(0, len(stretch) - 4 * MAX_WORD_CHARS)):
            pass
        if offset + len(stretch) >= limit or last_word is None or last_word.start() == 0:
            return first  # no match (the title's alone): the text's beginning
        offset += last_word.start()  # the next stretch starts with this one's last word, which may be cut


def highlight(text: str, terms: tuple[frozenset[str], tuple[str, ...]], language: str, whole: bool = False,
              quick: bool = True) -> SafeString:
    """``text`` escaped, its words matching ``terms`` in ``<mark>``; unless ``whole``, the best
    excerpt. ``quick=False``: the reference pass alone (tests compare the two)."""
    text = text or ""
    start, end, spans = _excerpt_of(text, terms, language, whole, quick)
    out, cursor = [], start
    for mark_start, mark_end in spans:
        if mark_start < cursor or mark_end > end:
            continue
        out += [escape(text[cursor:mark_start]), "<mark>", escape(text[mark_start:mark_end]), "</mark>"]
        cursor = mark_end
    out.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(out).strip() + suffix)
