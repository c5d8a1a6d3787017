"""A process's first search does not build the highlighter's folding table while its reader
waits: loading the URLconf builds it (``revue serve`` loads it in the master, before forking)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from revue.news.search import engine
before = engine._fold_classes.cache_info().currsize
from django.urls import get_resolver
get_resolver().url_patterns
print(before, engine._fold_classes.cache_info().currsize)
"""


def test_loading_the_urlconf_builds_the_folding_table_before_any_search():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "revue.settings"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1"]  # not built by importing the engine, built by the URLconf
