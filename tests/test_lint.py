"""The tree passes the linter (ruff, configured in pyproject.toml): undefined names, unused imports
and variables, the pycodestyle errors, mutable defaults — the mistakes a reader should not meet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "revue", "tests",
                           "bench", "fuzz"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
