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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing every table, the portal's sections too (a data
    migration made them): once its fixtures are torn down, put them back as a freshly migrated
    database has them, so that what runs next finds them whatever the order of the suite."""
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = (marker is not None and marker.kwargs.get("transaction")) or \
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    if flushed and nextitem is not None:  # after the last test the test databases are gone
        from pytest_django.plugin import blocking_manager_key

        from revue.news.models import Category
        from revue.text.categories import SECTIONS

        with item.config.stash[blocking_manager_key].unblock():
            for slug, name, position, _keywords in SECTIONS:
                Category.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})
    return result
