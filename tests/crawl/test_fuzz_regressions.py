"""Every input the fuzzer (``make fuzz``) ever crashed a target on, run again by the normal suite.

``fuzz/run.py`` keeps each crash under ``tests/crawl/fuzz_crashes/<target>/``; the first ones
were written by hand from issue #15 (a description that is a whole ``<html>`` without a body,
control characters XML forbids in a JSON Feed). The targets (``fuzz/targets.py``) raise on what
a crawl must never see: a parse error other than ``FeedParseError``, an entry left out for an
error, a failing extraction step, unsanitized HTML. Pure: no database, no network, no atheris.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzz.targets import TARGETS

CRASHES = Path(__file__).parent / "fuzz_crashes"
INPUTS = sorted(p for p in CRASHES.glob("*/*") if p.is_file() and p.parent.name in TARGETS)


def test_the_kept_inputs_are_found():
    assert {p.parent.name for p in INPUTS} >= {"feeds"}


@pytest.mark.parametrize("path", INPUTS, ids=[f"{p.parent.name}/{p.name}" for p in INPUTS])
def test_an_input_a_target_once_crashed_on_is_handled(path):
    TARGETS[path.parent.name](path.read_bytes())
