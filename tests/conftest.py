"""Fixtures shared by the whole suite: loopback allowed for the outbound guard, outlets."""

from __future__ import annotations

import pytest


@pytest.fixture
def allow_loopback(settings):
    """Let the outbound guard reach servers the test runs on 127.0.0.1 (as the demo does)."""
    settings.REVUE_FETCH_ALLOW = ["127.0.0.1", "::1", "localhost"]
    return settings
