"""Compile the interface's catalogues, ``revue/locale/<lang>/LC_MESSAGES/django.po`` → ``.mo``.

The ``.po`` files are in the repository (their msgids are the French of the templates and code);
the ``.mo`` files Django reads are built from them by ``make``'s install step
(``python -m revue.portal.translations``), in Python with Babel, so no GNU gettext is needed.
A catalogue is compiled again only when its ``.po`` is newer than its ``.mo`` (``--force``: all).
A ``.po`` that Babel cannot read, or a translation whose ``%(name)s`` placeholders are not its
msgid's, stops the build with the file and the message named, and a non-zero exit.

To add strings: ``cd revue && django-admin makemessages -l ar -l es -l en --no-location
--ignore 'demo/*' --ignore 'crawl/*'`` (that step needs GNU gettext), translate, then ``make``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class CatalogueError(Exception):
    """A catalogue that cannot be compiled, with the reason."""


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def check(path: Path, catalog) -> None:
    """Every translation uses only its msgid's placeholders (a wrong name would be a KeyError, a 500,
    on the page), and a plural one has every form its language's ``Plural-Forms`` counts (a missing
    form would show the French)."""
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.pluralizable and (len(strings) != catalog.num_plurals or not all(strings)):
            raise CatalogueError(f"{path}: {ids[0]!r} needs {catalog.num_plurals} plural forms")
        allowed = set().union(*(placeholders(text) for text in ids))
        for text in strings:
            extra = placeholders(text) - allowed
            if extra:
                raise CatalogueError(f"{path}: the translation of {ids[0]!r} uses {sorted(extra)}, which its msgid does not give")


def compile_catalogue(po_path: Path, force: bool = False) -> bool:
    """Write ``po_path``'s ``.mo`` beside it; False when it was already up to date."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    try:
        with po_path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise CatalogueError(f"{po_path}: {exc}") from exc
    check(po_path, catalog)
    temporary = mo_path.with_suffix(".mo.tmp")
    with temporary.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    temporary.replace(mo_path)  # readers never see half a file
    return True


def compile_all(locale_dir: Path = LOCALE_DIR, force: bool = False) -> list[Path]:
    """Compile every catalogue under ``locale_dir`` that needs it; the ``.po`` files compiled."""
    return [po for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")) if compile_catalogue(po, force)]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        compiled = compile_all(force="--force" in args)
    except CatalogueError as exc:
        print(f"revue translations: {exc}", file=sys.stderr)
        return 1
    for po in compiled:
        print(f"compiled {po.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
