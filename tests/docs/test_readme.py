"""The README stays true: every REVUE_* setting is documented, the two commands come first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.nodb


def test_every_setting_is_documented_in_the_readme():
    settings_py = (ROOT / "revue" / "settings.py").read_text()
    names = set(re.findall(r'env(?:_int|_float|_bool|_list)?\("(REVUE_[A-Z_]+)"', settings_py))
    readme = (ROOT / "README.md").read_text()
    assert names, "no REVUE_* settings found: the pattern above is out of date"
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"settings missing from README.md: {missing}"


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text()[:1500]
    assert "make demo" in head and "make test" in head


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
