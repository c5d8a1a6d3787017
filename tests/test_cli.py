"""The ``revue`` command's usage: it lists every command of Revue's own apps, with each sub-action,
so that an operator reading ``revue --help`` finds all of them (a new command fails here until
it is listed)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest
from django.core.management import get_commands, load_command_class

from revue.cli import USAGE

pytestmark = pytest.mark.nodb


def revue_commands() -> dict[str, list[str]]:
    """Each management command that a ``revue.*`` app defines, with its sub-actions (if any)."""
    found = {}
    for name, app in get_commands().items():
        if not str(app).startswith("revue"):
            continue
        parser = load_command_class(app, name).create_parser("revue", name)
        actions = []
        for action in parser._actions:  # argparse keeps sub-commands and choices only here
            if isinstance(action, argparse._SubParsersAction):
                actions += list(action.choices)
            elif action.dest == "action" and action.choices:
                actions += list(action.choices)
        found[name] = actions
    return found


def test_usage_lists_every_revue_command_and_action():
    commands = revue_commands()
    assert {"init", "demo", "serve", "crawl", "worker", "sources", "search", "stories"} <= set(commands)
    listed = {tuple(line.split()[:2]) for line in USAGE.splitlines() if line.startswith("  ")}
    for name, actions in commands.items():
        assert any(words[0] == name for words in listed), f"`revue {name}` missing from revue --help"
        for action in actions:
            assert (name, action) in listed, f"`revue {name} {action}` missing from revue --help"


def test_revue_help_prints_the_usage_and_exits_zero():
    done = subprocess.run([sys.executable, "-m", "revue", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == USAGE
    assert re.search(r"^  stories rebuild\s", done.stdout, re.MULTILINE)
