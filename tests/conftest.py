"""Fixtures shared by the whole suite: loopback allowed for the outbound guard, outlets."""

from __future__ import annotations

import pytest


@pytest.fixture
def allow_loopback(settings):
    """Let the outbound guard reach servers the test runs on 127.0.0.1 (as the demo does)."""
    settings.REVUE_FETCH_ALLOW = ["127.0.0.1", "::1", "localhost"]
    settings.REVUE_HOST_DELAY = 0  # every test server is the one host 127.0.0.1
    return settings


DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(items):
    """Mark every test that touches no database (nor the shared cache) ``nodb``: the PostgreSQL
    run, which also puts the cache on Redis, skips those."""
    for item in items:
        uses_db = (
            item.get_closest_marker("django_db")
            or item.get_closest_marker("cache")
            or DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if not uses_db:
            item.add_marker(pytest.mark.nodb)
