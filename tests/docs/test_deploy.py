"""docs/deploy.md stays true: every REVUE_* setting and every `revue COMMAND` it names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.nodb
GUIDE = ROOT / "docs" / "deploy.md"


def settings_names() -> set[str]:
    settings_py = (ROOT / "revue" / "settings.py").read_text()
    return set(re.findall(r'env(?:_int|_float|_bool|_list)?\("(REVUE_[A-Z_]+)"', settings_py))


def test_every_setting_the_guide_names_exists():
    named = set(re.findall(r"\bREVUE_[A-Z_]*[A-Z]\b", GUIDE.read_text()))
    assert named, "the guide names no setting: the pattern above is out of date"
    unknown = sorted(name for name in named if name not in settings_names())
    assert not unknown, f"docs/deploy.md names settings that do not exist: {unknown}"


def test_every_command_the_guide_names_exists():
    from django.core.management import get_commands

    commands = set(get_commands()) | {"help"}  # `revue help COMMAND`: Django's own
    named = set(re.findall(r"(?:`|bin/|^)revue ([a-z][a-z_-]+)", GUIDE.read_text(), re.MULTILINE))  # `revue x`, …/bin/revue x, a line
    assert {"init", "serve", "worker"} <= named, "the guide names no command: the pattern above is out of date"
    unknown = sorted(name for name in named if name not in commands)
    assert not unknown, f"docs/deploy.md names commands that do not exist: {unknown}"


def test_every_subcommand_the_guide_names_exists():
    from revue.cli import USAGE

    listed = set(re.findall(r"^  ([a-z]+ [a-z]+)\b", USAGE, re.MULTILINE))
    named = set(re.findall(r"(?:`|bin/|^)revue ((?:search|stories|sources) [a-z]+)", GUIDE.read_text(), re.MULTILINE))
    unknown = sorted(named - listed)
    assert not unknown, f"docs/deploy.md names subcommands `revue --help` does not list: {unknown}"


def test_every_serve_option_the_guide_names_exists():
    from revue.portal.management.commands.serve import Command

    parser = Command().create_parser("revue", "serve")
    options = {option for action in parser._actions for option in action.option_strings}
    named = set(re.findall(r"revue serve((?: --[a-z-]+(?: [^\s`-][^\s`]*)?)+)", GUIDE.read_text()))
    used = {word for found in named for word in found.split() if word.startswith("--")}
    assert used, "the guide passes no option to revue serve: the pattern above is out of date"
    unknown = sorted(used - options)
    assert not unknown, f"docs/deploy.md passes options revue serve does not have: {unknown}"
