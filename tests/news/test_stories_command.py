"""``revue stories rebuild|update|status``, as an operator runs them."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from revue.news.models import Article, Story
from revue.news.stories.store import assign_stories

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("stories", *args, stdout=out)
    return out.getvalue()


def test_update_then_status_then_rebuild(labelled, store_labelled):
    ids = store_labelled(labelled[:80])
    assign_stories(list(ids.values())[:20])

    assert "60 articles sans histoire" in run("status")
    assert "60 articles rangés dans leurs histoires" in run("update", "--batch", "25")
    assert "0 article sans histoire" in run("status")
    before = {frozenset(s.articles.values_list("id", flat=True)) for s in Story.objects.all()}

    message = run("rebuild")

    assert f"80 articles en {len(before)} histoires" in message
    assert {frozenset(s.articles.values_list("id", flat=True)) for s in Story.objects.all()} == before
    assert not Article.objects.filter(story__isnull=True).exists()
