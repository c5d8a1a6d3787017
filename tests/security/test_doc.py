"""docs/security.md stays true: every test it names exists, and the README links to it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
pytestmark = pytest.mark.nodb


def functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def test_every_test_the_threat_model_names_exists():
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text))
    assert len(named) >= 50, "the pattern above no longer reads the page's references"
    missing = []
    for file, function in sorted(named):
        path = ROOT / file
        if not path.exists():
            missing.append(file)
        elif function and function not in functions(path):
            missing.append(f"{file}::{function}")
    assert missing == []


def test_bare_test_names_belong_to_the_security_tests():
    """Names given without their file (`test_feed_fetch`) are those of tests/security/."""
    text = DOC.read_text(encoding="utf-8")
    bare = set(re.findall(r"`(test_\w+)`", text))
    known = set().union(*(functions(path) for path in (ROOT / "tests" / "security").glob("test_*.py")))
    assert bare and bare - known == set()


def test_the_readme_links_to_the_threat_model():
    assert "docs/security.md" in (ROOT / "README.md").read_text(encoding="utf-8")
