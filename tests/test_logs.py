"""Log lines as an operator reads them: the keys a line is about printed after it, or JSON lines
(``REVUE_LOG_FORMAT=json``), from the real settings' logging configuration."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from revue.logs import JsonFormatter, PlainFormatter, formatter

ROOT = Path(__file__).resolve().parent.parent


def record(**extra) -> logging.LogRecord:
    made = logging.getLogger("revue.crawl.worker").makeRecord(
        "revue.crawl.worker", logging.WARNING, __file__, 1, "feed %s failed", ("Hespress",), None, extra=extra)
    return made


def test_the_plain_line_ends_with_its_keys_fixed_ones_first():
    line = PlainFormatter().format(record(url="https://ex.ma/a b", outcome="error", stage="fetch", feed_id=12, ms=84))
    assert line.endswith('feed Hespress failed stage=fetch feed_id=12 url="https://ex.ma/a b" outcome=error ms=84')


def test_a_json_line_carries_the_message_the_keys_and_the_traceback():
    try:
        raise ValueError("bad XML")
    except ValueError:
        made = logging.getLogger("revue").makeRecord("revue.crawl", logging.ERROR, __file__, 1, "parse failed", (),
                                                     sys.exc_info(), extra={"stage": "parse", "feed_id": 3})
    entry = json.loads(JsonFormatter().format(made))
    assert entry["message"] == "parse failed" and entry["level"] == "ERROR" and entry["logger"] == "revue.crawl"
    assert entry["stage"] == "parse" and entry["feed_id"] == 3
    assert "ValueError: bad XML" in entry["error"]


def test_an_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="REVUE_LOG_FORMAT"):
        formatter("xml")


@pytest.mark.parametrize("kind", ["plain", "json"])
def test_a_revue_command_logs_in_the_format_the_operator_chose(tmp_path, kind):
    """Through the real settings: a process logs one line the way REVUE_LOG_FORMAT says."""
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('revue.crawl.worker').warning('feed parked', extra={'stage': 'feed', 'feed_id': 7})")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "revue.settings", "REVUE_DATA_DIR": str(tmp_path),
           "REVUE_LOG_FORMAT": kind}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    line = done.stderr.strip().splitlines()[-1]
    if kind == "json":
        assert json.loads(line) | {"time": ""} == {"time": "", "level": "WARNING", "logger": "revue.crawl.worker",
                                                   "message": "feed parked", "stage": "feed", "feed_id": 7}
    else:
        assert line.endswith("WARNING revue.crawl.worker feed parked stage=feed feed_id=7")
