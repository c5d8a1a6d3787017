"""Every interface string has its translation in each catalogue (issue #19).

The strings are read the way ``makemessages`` reads them, without GNU gettext: each template a
reader sees goes through Django's own ``templatize`` (``{% translate %}``, ``{% blocktranslate %}``
with its plural and context become gettext calls), then Babel's Python extractor reads those and
every ``gettext``/``gettext_noop``/``ngettext`` … of the code. A string added without its Arabic,
Spanish and English fails here, naming it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2] / "revue"
TEMPLATE_DIRS = [ROOT / "portal" / "templates", ROOT / "moderation" / "templates" / "moderation"]
NOT_READERS = {"admin"}  # the moderators' desk is the admin's, in French
PYTHON_SKIPPED = {"demo", "crawl", "migrations"}  # no reader sees their strings
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_noop": None, "gettext_lazy": None, "ngettext_lazy": (1, 2), "pgettext_lazy": ((1, "c"), 2)}
LANGUAGES = ("ar", "es", "en")


def messages_of(source: str) -> set:
    """(context, msgid or (singular, plural)) of every translatable string in Python ``source``."""
    found = set()
    for _line, message, _comments, context in extract("python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS):
        found.add((context, message))
    return found


def interface_messages() -> set:
    found = set()
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if NOT_READERS & set(path.relative_to(folder).parts):
                continue
            found |= messages_of(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    for path in ROOT.rglob("*.py"):
        if PYTHON_SKIPPED & set(path.relative_to(ROOT).parts):
            continue
        found |= messages_of(path.read_text(encoding="utf-8"))
    return found


def translations(code: str) -> dict:
    with (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalog = read_po(handle)
    return {(message.context, message.id): message.string for message in catalog if message.id}


def test_the_extraction_finds_the_interface():
    found = interface_messages()
    assert (None, "Cliquez ici pour lire l'article depuis sa source.") in found
    assert (None, ("Couvert par %(outlets)s source", "Couvert par %(outlets)s sources")) in found  # a blocktranslate count
    assert ("date format", "j F Y à H:i") in found
    assert (None, "Image retirée") in found  # gettext_noop in Python
    assert len(found) > 100


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_interface_string_is_translated(code):
    catalogue = translations(code)
    missing = []
    for context, message in sorted(interface_messages(), key=repr):
        if isinstance(message, tuple) and len(message) > 2:  # Babel pads ngettext's extraction with None
            message = tuple(part for part in message if part is not None)
        string = catalogue.get((context, message))
        if not string or (isinstance(string, tuple) and not all(string)):
            missing.append(message)
    assert not missing, f"untranslated in {code}: {missing}"
