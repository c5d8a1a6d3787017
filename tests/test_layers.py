"""The layers of ``revue/``, read from every module's imports (``ast``, function-level imports too):
a module imports only from its own layer or below, never above.

    base (text, net, db, logs, metrics, headers, settings) → sources → news → crawl, moderation → portal, api, images
    → demo, cli, urls, wsgi

and images and moderation never import crawl (the outbound fetcher they share lives below every
app, in ``revue/net``). ``KNOWN`` lists what is still out of place: a new one fails, and so does
one that is fixed but still listed (take it out).

And sizes: no module over ``MAX_FILE_LINES`` lines, no class over ``MAX_CLASS_LINES`` (``LONG``
lists what is still over, the same way)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "revue"
LAYER = {"text": 0, "db": 0, "net": 0, "html": 0, "headers": 0, "settings": 0, "logs": 0, "metrics": 0,
         "sources": 1, "news": 2, "crawl": 3, "moderation": 3, "portal": 4, "api": 4, "images": 4,
         "demo": 5, "cli": 5, "urls": 5, "wsgi": 5, "__main__": 5, "__init__": 0}
FORBIDDEN = {("images", "crawl"), ("moderation", "crawl")}
KNOWN: set[str] = set()


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[0] == "revue" else None


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def out_of_place() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        module = ".".join(parts)
        me = _part(module) or ""
        if "migrations" in parts:
            continue
        assert me in LAYER, f"{module}: a new part of revue/ needs its layer in tests/test_layers.py"
        for imported in _imports(path):
            other = _part(imported)
            if other is None or other == me:
                continue
            assert other in LAYER, f"{module} imports {imported}, which has no layer"
            if LAYER[other] > LAYER[me] or (me, other) in FORBIDDEN:
                found.add(f"{module} -> {imported}")
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    found = out_of_place()
    assert found - KNOWN == set(), "imports from a layer above"
    assert KNOWN - found == set(), "fixed: take these out of KNOWN"


def test_the_layers_are_checked_on_something():
    """The walk reads the real tree (a wrong ROOT would pass every rule)."""
    modules = list(ROOT.rglob("*.py"))
    assert len(modules) > 50
    assert "revue.news.search.engine -> revue.text.language" not in out_of_place()
    assert any("revue.text" in imported for imported in _imports(ROOT / "news" / "search" / "words.py"))


def test_what_the_crawlers_cpu_processes_import_needs_no_django():
    """The fork server preloads these before Django is set up (revue.crawl.pipeline): importing
    one that pulls in the ORM kills the pool (every feed then fails with « unexpected EOF »)."""
    import subprocess
    import sys

    code = ("import sys, revue.news.stories, revue.news.search.words, revue.crawl.pipeline; "
            "print('django.db.models' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT.parent, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


# --- sizes ---------------------------------------------------------------------------------------

MAX_FILE_LINES = 600
MAX_CLASS_LINES = 200
LONG: set[str] = set()  # what is still over the limit (none now)


def too_long() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT.parent))
        if source.count("\n") > MAX_FILE_LINES:
            found.add(name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                found.add(f"{name}:{node.name}")
    return found


def test_no_module_nor_class_too_long_to_read_in_one_sitting():
    found = too_long()
    assert found - LONG == set(), f"over {MAX_FILE_LINES} lines a file or {MAX_CLASS_LINES} a class: cut by job"
    assert LONG - found == set(), "short enough now: take these out of LONG"
