"""Extraction rules: which parts of an article page to keep or drop before trafilatura runs.

Two kinds, applied by :func:`revue.crawl.extract.extract` to its own parsed tree:

* **built-in rules**, for every page: elements whose ``class`` or ``id`` words say they are
  not article text (share bars, newsletter boxes, paywall prompts, slide counters …) are
  dropped (the words are data, in :mod:`revue.crawl.furniture`). Words are matched whole,
  after splitting ``class="gallery__counter share-tools"`` into ``gallery counter share
  tools``, so ``commentary`` or ``shared-story`` never match.
* **per-outlet rules** (``ExtractionRule`` rows in the sources app, edited in the admin): CSS
  selectors to drop, and CSS selectors to keep. When keep selectors match, the kept elements
  *are* the article body (trafilatura still reads the metadata); when they match nothing the
  generic extraction runs as if there were no keep rule, so a redesign at the outlet degrades
  to the default instead of to an empty article.

Everything here is pure (a tree in, a tree changed in place or elements out) except
:func:`extraction_options`, which reads the rules and the extraction limits from the database
and settings for the crawler; it imports Django lazily so the pure part stays usable without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

from revue.crawl.furniture import BOILERPLATE_WORDS  # the built-in rules' words, kept as data

MAX_SELECTORS = 50  # per list; more is a mistake, not a rule
MAX_SELECTOR_CHARS = 300

# Elements the built-in rules never drop, whatever their class says: the article itself.
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article", "h1"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ExtractionRules:
    """One outlet's rules: CSS selectors whose elements are dropped, and ones that are kept."""

    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keep or self.drop)


NO_RULES = ExtractionRules()


# --- selectors ----------------------------------------------------------------------------------


def parse_selectors(text: str | None) -> tuple[str, ...]:
    """Selectors written one per line (blank lines ignored), in order, without duplicates."""
    lines = (line.strip() for line in (text or "").splitlines())
    return tuple(dict.fromkeys(line for line in lines if line))


def selector_error(selector: str) -> str:
    """Why ``selector`` is not a usable CSS selector, in French, or "" when it is."""
    if len(selector) > MAX_SELECTOR_CHARS:
        return f"« {selector[:40]}… » dépasse {MAX_SELECTOR_CHARS} caractères."
    try:
        _xpath(selector)
    except (SelectorError, etree.XPathError) as exc:
        return f"« {selector} » n'est pas un sélecteur CSS valide ({exc})."
    return ""


def selector_errors(selectors: tuple[str, ...]) -> list[str]:
    """Every problem of a selector list, one sentence each (empty when all are usable)."""
    problems = [error for selector in selectors if (error := selector_error(selector))]
    if len(selectors) > MAX_SELECTORS:
        problems.append(f"{len(selectors)} sélecteurs : {MAX_SELECTORS} au plus.")
    return problems


@lru_cache(maxsize=512)
def _xpath(selector: str) -> etree.XPath:
    return etree.XPath(HTMLTranslator().css_to_xpath(selector))


def _matches(tree: HtmlElement, selectors: tuple[str, ...]) -> list[HtmlElement]:
    """Elements matched by any usable selector, in document order, outermost only."""
    found: dict[HtmlElement, None] = {}
    for selector in selectors:
        if selector_error(selector):
            continue  # the admin refuses bad selectors; an old row must not break a crawl
        for element in _xpath(selector)(tree):
            if isinstance(element, HtmlElement):
                found.setdefault(element, None)
    order = {element: index for index, element in enumerate(tree.iter())}
    ranked = sorted((e for e in found if e in order), key=order.__getitem__)
    chosen: list[HtmlElement] = []
    for element in ranked:
        if not any(_is_inside(element, outer) for outer in chosen):
            chosen.append(element)
    return chosen


def _is_inside(element: HtmlElement, ancestor: HtmlElement) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _remove(element: HtmlElement) -> None:
    """Take an element out of its tree, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --- applying rules -----------------------------------------------------------------------------


def drop_matching(tree: HtmlElement, selectors: tuple[str, ...]) -> int:
    """Remove every element a drop selector matches; how many were removed."""
    if not selectors:
        return 0
    elements = _matches(tree, selectors)
    for element in elements:
        _remove(element)
    return len(elements)


def kept_elements(tree: HtmlElement, selectors: tuple[str, ...]) -> list[HtmlElement]:
    """The elements keep selectors match, outermost first, in document order."""
    return _matches(tree, selectors) if selectors else []


# class and id values are read as plain strings (no Python object per element: lxml.html makes
# each element's proxy through a Python lookup), split into words once per distinct value; the
# elements are looked up once, for the values whose words the caller will ask about
_CLASS_VALUES = etree.XPath("//@class", smart_strings=False)
_ID_VALUES = etree.XPath("//@id", smart_strings=False)  # two expressions: libxml2 merges a union's node sets in quadratic time
# the elements whose whole class (id) value is one of $values ("|a|b c|d|"): one string test per
# element, in C, and element objects only for those found
_SEPARATOR = "|"
# (on the attribute axis: only the elements that have the attribute are tested)
_NAMED_BY_CLASS = etree.XPath("//@class[contains($values, concat('|', ., '|'))]/..")
_NAMED_BY_ID = etree.XPath("//@id[contains($values, concat('|', ., '|'))]/..")


@dataclass(frozen=True)
class NamedElement:
    """A distinct class or id value of a page; ``found`` holds, in document order, the page's
    elements named by a value that holds one of the words asked for."""

    value: str
    attribute: str  # "class" or "id"
    found: tuple[tuple[HtmlElement, str], ...]  # shared by a page's values: (element, "attribute:value")

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(_WORD_SPLIT.split(self.value.lower()))


@lru_cache(maxsize=64)
def _any_word(words: frozenset[str]) -> re.Pattern[str]:
    """Whether a lower-cased class or id value holds one of ``words`` as a whole word."""
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(sorted(map(re.escape, words))) + r")(?![a-z0-9])")


def class_and_id_words(tree: HtmlElement, wanted: frozenset[str] = BOILERPLATE_WORDS) -> list[NamedElement]:
    """Every distinct class and id value of the page (its lower-case words split on demand:
    ``gallery__counter share-tools`` → gallery, counter, share, tools); the elements named by a
    value holding one of ``wanted`` are looked up at once (``named`` gives them)."""
    values = {attribute: list(dict.fromkeys(finder(tree))) for attribute, finder in (("class", _CLASS_VALUES), ("id", _ID_VALUES))}
    holds = _any_word(wanted).search if wanted else None
    elements: list[tuple[HtmlElement, str]] = []
    for attribute, finder in (("class", _NAMED_BY_CLASS), ("id", _NAMED_BY_ID)):
        chosen = [value for value in values[attribute] if holds and holds(value.lower()) and _SEPARATOR not in value]
        if chosen:
            joined = _SEPARATOR + _SEPARATOR.join(chosen) + _SEPARATOR
            elements.extend((element, f"{attribute}:{element.get(attribute)}") for element in finder(tree, values=joined))
    shared = tuple(elements)
    return [NamedElement(value, attribute, shared) for attribute in ("class", "id") for value in values[attribute]]


def named(named_elements: list[NamedElement], words: frozenset[str]) -> list[HtmlElement]:
    """The elements whose class or id holds one of ``words`` (among the words
    ``class_and_id_words`` was asked for), once each: those named by class first, in document
    order, then those named by id."""
    if not named_elements:
        return []
    holds = _any_word(words).search
    return list(dict.fromkeys(element for element, key in named_elements[0].found if holds(key.split(":", 1)[1].lower())))


_MAX_PARAGRAPHS_IN_FURNITURE = 5  # a "related" or "paywall" element with more is the article itself


def drop_boilerplate(tree: HtmlElement, names: list[NamedElement] | None = None) -> int:
    """The built-in rules: remove page furniture named by class or id; how many were removed.
    An element holding several paragraphs is kept whatever its name (some sites wrap the whole
    article in ``class="paywall"``). ``names``: ``class_and_id_words(tree)`` if already read."""
    doomed: list[HtmlElement] = []
    names = class_and_id_words(tree) if names is None else names
    for element in named(names, BOILERPLATE_WORDS):
        if element.tag in _PROTECTED_TAGS or any(_is_inside(element, outer) for outer in doomed[-3:]):
            continue
        if len(element.xpath(".//p")) >= _MAX_PARAGRAPHS_IN_FURNITURE:
            continue
        doomed.append(element)
    for element in doomed:
        _remove(element)
    return len(doomed)


# --- the crawler's side: rules from the database ------------------------------------------------


def page_host(url: str) -> str:
    """The host rules are looked up by: lower-cased, without ``www.`` and port."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def rules_for_url(url: str) -> ExtractionRules:
    """The active rules of the outlet whose article pages live on ``url``'s host (ORM read)."""
    from revue.sources.models import ExtractionRule

    host = page_host(url)
    if not host:
        return NO_RULES
    rows = ExtractionRule.objects.filter(host=host, is_active=True).order_by("id")
    keep: list[str] = []
    drop: list[str] = []
    for row in rows:
        keep.extend(parse_selectors(row.keep_selectors))
        drop.extend(parse_selectors(row.drop_selectors))
    return ExtractionRules(keep=tuple(dict.fromkeys(keep)), drop=tuple(dict.fromkeys(drop)))


def extraction_options(url: str) -> dict:
    """Keyword arguments for ``extract`` on a page at ``url``: its outlet's rules and the
    ``REVUE_EXTRACT_*`` limits. Reads the database: call it from the database thread."""
    from django.conf import settings

    return {
        "rules": rules_for_url(url),
        "max_html_chars": settings.REVUE_EXTRACT_MAX_HTML_CHARS,
        "fast_mode_elements": settings.REVUE_EXTRACT_FAST_MODE_ELEMENTS,
    }
