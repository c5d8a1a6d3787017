"""What a reader typed, understood: words, « phrases », prefixes*, -exclusions, OR — and filters.

``parse_query(text)`` never fails: quotes left open, ``AND`` / ``OR`` / ``NOT`` in odd places, a lone
``*`` or ``-``, punctuation alone or 10 kB of text give a ``ParsedQuery`` (maybe empty, with
``notices`` telling the reader what was left aside). Its words are folded (see
``revue.news.search.words``) but not stemmed: stems depend on the language searched, so they are
added when the query is compiled, into a SQLite FTS5 expression (``fts5_expression``) or a
PostgreSQL ``tsquery`` (``tsquery_expression``). Both are built only from folded words, which are
letters and digits, each quoted — no syntax of the reader's ever reaches the database engine.

Filters (outlet, category, language, date range) become *facet terms* indexed with each article
(``s12``, ``c3``, ``lfr``, ``y2025``, ``m202512``, ``d20251208``), matched by the same engine in the
same query; a date range is covered by whole years, whole months and single days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext  # notices in the reader's edition (revue.portal.languages)

from revue.news.search.words import STEMMED_LANGUAGES, folded_words, language_facet, stem

# Words of a stemmed language that mean nothing alone are still searched (« la » may matter
# in a phrase); only these query keywords are read as operators, in capitals, French or English.
AND_WORDS = frozenset({"AND", "ET"})
OR_WORDS = frozenset({"OR", "OU"})
NOT_WORDS = frozenset({"NOT", "SAUF"})
QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "″": '"'})
CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One thing to find: a word or a phrase, its words folded; ``prefix``: the last word is a start."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """A reader's query: groups that must all match (each an OR of clauses), clauses to exclude."""

    groups: tuple[tuple[Clause, ...], ...] = ()
    excluded: tuple[Clause, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def positive_clauses(self) -> list[Clause]:
        return [clause for group in self.groups for clause in group]


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on where to search; ids are the database's, dates are local calendar days."""

    source_ids: tuple[int, ...] = ()
    category_id: int | None = None
    language: str = ""
    since: date | None = None
    until: date | None = None


# --- parsing -----------------------------------------------------------------------------------


@dataclass
class _Reader:
    """The parser's state while it walks the chunks of a query."""

    min_prefix: int
    max_words: int
    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    words: int = 0
    negate_next: bool = False
    join_next: bool = False

    def add(self, clause: Clause | None, negated: bool) -> None:
        if clause is None:
            return
        room = self.max_words - self.words
        if len(clause.words) > room:
            self.note(gettext("Seuls les %(count)s premiers mots de la recherche ont été pris en compte.") % {"count": self.max_words})
            if room <= 0:
                return
            # a long phrase (a pasted headline) keeps its first words, still side by side
            clause = Clause(clause.words[:room])
        self.words += len(clause.words)
        negated = negated or self.negate_next
        self.negate_next = False
        if negated:
            self.excluded.append(clause)
        elif self.join_next and self.groups:
            self.groups[-1].append(clause)
        else:
            self.groups.append([clause])
        self.join_next = False

    def note(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)


def parse_query(text: str) -> ParsedQuery:
    """Read ``text`` as a reader's search; never raises, whatever the text."""
    limit = settings.REVUE_SEARCH_MAX_QUERY_CHARS
    reader = _Reader(min_prefix=settings.REVUE_SEARCH_MIN_PREFIX, max_words=settings.REVUE_SEARCH_MAX_TERMS)
    text = str(text or "")
    if len(text) > limit:
        text = text[:limit]
        reader.note(gettext("La recherche a été coupée à %(count)s caractères.") % {"count": limit})
    for match in CHUNK.finditer(text.translate(QUOTES)):
        minus, phrase, chunk = match.groups()
        if chunk is None:
            reader.add(_phrase_clause(phrase), negated=bool(minus))
        else:
            _read_chunk(reader, chunk)
    if reader.excluded and not reader.groups:
        reader.note(gettext("Indiquez au moins un mot à chercher en plus des mots à exclure."))
    return ParsedQuery(
        groups=tuple(tuple(group) for group in reader.groups),
        excluded=tuple(reader.excluded),
        notices=tuple(reader.notices),
    )


def _read_chunk(reader: _Reader, chunk: str) -> None:
    if chunk in AND_WORDS:
        return
    if chunk in OR_WORDS:
        reader.join_next = bool(reader.groups)
        return
    if chunk in NOT_WORDS:
        reader.negate_next = True
        return
    negated = chunk.startswith("-") and len(chunk) > 1
    body = chunk.lstrip("-") if negated else chunk
    is_prefix = body.endswith("*")
    words = _words(body)
    if not words:
        return  # punctuation alone: nothing to search
    if is_prefix and len(words[-1]) < reader.min_prefix:
        reader.note(gettext("Une recherche par début de mot (mot*) demande au moins %(count)s lettres.") % {"count": reader.min_prefix})
        is_prefix = False
    # « covid-19 » or « l'économie » are several words side by side: a phrase
    reader.add(Clause(words, prefix=is_prefix), negated)


def _phrase_clause(phrase: str) -> Clause | None:
    words = _words(phrase)
    return Clause(words) if words else None


def _words(text: str) -> tuple[str, ...]:
    return tuple(folded_words(text))


# --- the terms a clause stands for, per language -----------------------------------------------


def query_languages(filters: SearchFilters) -> tuple[str, ...]:
    """The languages whose stems a query word may take: the filtered one, else all stemmed ones."""
    if filters.language:
        return (filters.language,)
    return tuple(STEMMED_LANGUAGES)


def word_variants(word: str, languages: tuple[str, ...]) -> list[str]:
    """``word`` as the index may hold it: its stem in each language, or itself (unstemmed text)."""
    return list(dict.fromkeys([stem(word, language) for language in languages] + [word]))


def prefix_variants(word: str, languages: tuple[str, ...], min_prefix: int) -> list[str]:
    """Prefixes to look for: the typed one and its stems (the index holds stems)."""
    return [v for v in word_variants(word, languages) if len(v) >= min_prefix] or [word]


def phrase_variants(words: tuple[str, ...], languages: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The phrase in each language's stems, and unstemmed."""
    variants = [tuple(stem(word, language) for word in words) for language in languages]
    return list(dict.fromkeys(variants + [words]))


def _clause_alternatives(clause: Clause, languages: tuple[str, ...], min_prefix: int) -> list[tuple[tuple[str, ...], bool]]:
    """(words, last word is a prefix) alternatives, any of which satisfies ``clause``."""
    if clause.is_phrase:
        return [(variant, clause.prefix) for variant in phrase_variants(clause.words, languages)]
    if clause.prefix:
        return [((v,), True) for v in prefix_variants(clause.words[0], languages, min_prefix)]
    return [((v,), False) for v in word_variants(clause.words[0], languages)]


def highlight_terms(query: ParsedQuery, language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(terms, prefixes) that mark a word of a text in ``language`` as matching ``query``."""
    languages = (language,) if language in STEMMED_LANGUAGES else ()
    terms, prefixes = set(), []
    for clause in query.positive_clauses():
        for words, is_prefix in _clause_alternatives(clause, languages, 1):
            terms.update(words[:-1] if is_prefix else words)
            if is_prefix:
                prefixes.append(words[-1])
    return frozenset(terms), tuple(dict.fromkeys(prefixes))


# --- facets ------------------------------------------------------------------------------------


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def date_range_facets(since: date, until: date) -> list[str]:
    """Facet terms covering every day from ``since`` to ``until`` (inclusive), fewest first."""
    terms, day = [], since
    while day <= until:
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= until:
            terms.append(f"y{day:%Y}")
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and _next_month(day) - timedelta(days=1) <= until:
            terms.append(f"m{day:%Y%m}")
            day = _next_month(day)
        else:
            terms.append(f"d{day:%Y%m%d}")
            day += timedelta(days=1)
    return terms


def filter_facets(filters: SearchFilters) -> list[list[str]]:
    """Each filter as a list of facet terms, one of which an article must carry."""
    wanted = []
    if filters.source_ids:
        wanted.append([f"s{int(pk)}" for pk in filters.source_ids])
    if filters.category_id is not None:
        wanted.append([f"c{int(filters.category_id)}"])
    if filters.language:
        wanted.append([f"l{language_facet(filters.language)}"])
    if filters.since or filters.until:
        since = filters.since or date(1970, 1, 1)
        until = filters.until or timezone.localdate() + timedelta(days=1)
        wanted.append(date_range_facets(since, until) if since <= until else ["d00000000"])
    return wanted


# --- SQLite FTS5 -------------------------------------------------------------------------------

TEXT_COLUMNS = "{title body}"


def _fts5_alternative(words: tuple[str, ...], is_prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if is_prefix else "")


def _fts5_clause(clause: Clause, languages: tuple[str, ...], min_prefix: int) -> str:
    options = [_fts5_alternative(w, p) for w, p in _clause_alternatives(clause, languages, min_prefix)]
    return "(" + " OR ".join(options) + ")"


def fts5_expression(query: ParsedQuery, filters: SearchFilters) -> str:
    """The FTS5 MATCH expression for ``query`` within ``filters`` (``query`` must not be empty)."""
    languages, min_prefix = query_languages(filters), settings.REVUE_SEARCH_MIN_PREFIX
    groups = [
        "(" + " OR ".join(_fts5_clause(c, languages, min_prefix) for c in group) + ")" for group in query.groups
    ]
    parts = [f"{TEXT_COLUMNS} : ({' AND '.join(groups)})"]
    parts += ["meta : (" + " OR ".join(f'"{t}"' for t in terms) + ")" for terms in filter_facets(filters)]
    expression = " AND ".join(f"({part})" for part in parts)
    if query.excluded:
        excluded = " OR ".join(_fts5_clause(c, languages, min_prefix) for c in query.excluded)
        expression = f"({expression}) NOT ({TEXT_COLUMNS} : ({excluded}))"
    return expression


# --- PostgreSQL tsquery ------------------------------------------------------------------------
# No weight in the match: a tsquery of words, prefixes and exclusions is then answered by the GIN
# index alone (a weight, ``:AB``, or a phrase makes PostgreSQL read each match's tsvector again to
# check it). Title words weigh A and body words B only for ``ts_rank``; facet terms are written
# with ``TSQUERY_FACET_MARK`` before them, a character no folded word holds (words are letters and
# digits, ``words.FOLDED_WORD``), so that no word or prefix a reader types matches a facet (the
# language facet of Spanish, ``les``, is a French word) and no facet a word.

TSQUERY_FACET_MARK = "_"


def _tsquery_alternative(words: tuple[str, ...], is_prefix: bool) -> str:
    lexemes = [f"'{word}'" for word in words]
    if is_prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def _tsquery_clause(clause: Clause, languages: tuple[str, ...], min_prefix: int) -> str:
    options = [_tsquery_alternative(w, p) for w, p in _clause_alternatives(clause, languages, min_prefix)]
    return "(" + " | ".join(options) + ")"


def _tsquery_groups(query: ParsedQuery, languages: tuple[str, ...], min_prefix: int) -> list[str]:
    return ["(" + " | ".join(_tsquery_clause(c, languages, min_prefix) for c in group) + ")" for group in query.groups]


def tsquery_expression(query: ParsedQuery, filters: SearchFilters) -> str:
    """The ``tsquery`` text that finds ``query`` within ``filters`` (``query`` must not be empty)."""
    languages, min_prefix = query_languages(filters), settings.REVUE_SEARCH_MIN_PREFIX
    parts = _tsquery_groups(query, languages, min_prefix)
    parts += ["(" + " | ".join(f"'{TSQUERY_FACET_MARK}{t}'" for t in terms) + ")" for terms in filter_facets(filters)]
    parts += ["!" + _tsquery_clause(c, languages, min_prefix) for c in query.excluded]
    return " & ".join(parts)


def tsquery_rank_expression(query: ParsedQuery, filters: SearchFilters) -> str:
    """The ``tsquery`` text ``ts_rank`` weighs a match with: the words sought only (a facet term,
    weighing nothing, would bring an ``&``'s rank to 0, and so would an excluded word)."""
    return " & ".join(_tsquery_groups(query, query_languages(filters), settings.REVUE_SEARCH_MIN_PREFIX))
