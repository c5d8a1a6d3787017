"""``revue stats``: the figures an operator reads, and how every command fails (one line, non-zero)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from revue.crawl.models import FeedFetch
from revue.news.models import Article
from revue.news.stories.store import assign_stories
from revue.sources.models import Feed, Source


def stats(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_stats_counts_feeds_by_state_errors_and_queues():
    now = timezone.now()
    source = Source.objects.create(name="Le Matin", slug="le-matin")
    Source.objects.create(name="Fermé", slug="ferme", is_active=False)
    feeds = [Feed.objects.create(source=source, url=f"https://lematin.example/{n}.xml") for n in range(6)]
    Feed.objects.filter(pk=feeds[0].pk).update(state=Feed.State.PARKED, last_error="410", last_error_at=now)
    Feed.objects.filter(pk=feeds[1].pk).update(error_count=2, last_error="timeout",
                                               last_error_at=now - timedelta(hours=30), next_fetch_at=now + timedelta(hours=1))
    Feed.objects.filter(pk=feeds[2].pk).update(lease_owner="w1", lease_expires_at=now + timedelta(minutes=5),
                                               last_fetched_at=now - timedelta(minutes=3))
    Feed.objects.filter(pk=feeds[3].pk).update(next_fetch_at=now - timedelta(hours=2))  # overdue
    Feed.objects.filter(pk=feeds[4].pk).update(next_fetch_at=now + timedelta(hours=1))
    Feed.objects.filter(pk=feeds[5].pk).update(state=Feed.State.DISABLED)
    for n in range(5):
        Article.objects.create(source=source, feed=feeds[2], url=f"https://lematin.example/a/{n}",
                               title=f"Titre {n}", text="Le conseil a voté le budget de la ville.", language="fr",
                               fetched_at=now - timedelta(hours=2 if n < 3 else 48))
    assign_stories(list(Article.objects.order_by("id").values_list("id", flat=True)[:2]))
    for hours, outcome in ((1, "error"), (2, "ok"), (3, "error"), (30, "error")):  # the fetch log
        FeedFetch.objects.create(feed=feeds[1], at=now - timedelta(hours=hours), outcome=outcome)

    figures = json.loads(stats("--json"))

    assert figures["articles"]["total"] == 5 and figures["articles"]["last_24h"] == 3
    assert figures["outlets"] == {"total": 2, "active": 1}
    feed = figures["feeds"]
    assert (feed["total"], feed["active"], feed["parked"], feed["disabled"]) == (6, 4, 1, 1)
    assert (feed["failing"], feed["leased"], feed["errors_24h"], feed["failed_fetches_24h"]) == (1, 1, 1, 2)
    assert (feed["due"], feed["overdue"]) == (1, 1)  # feed 3; feed 2, due too, is leased
    assert figures["last_crawl"].startswith(str((now - timedelta(minutes=3)).date()))
    assert figures["queues"]["stories"] == 3
    assert figures["queues"]["search"] == 5  # nothing indexed them yet

    lines = stats()
    assert "6 : 4 actifs, 1 en pause, 1 désactivés" in lines
    assert "files d'attente    recherche 5, histoires 3" in lines
    assert "erreurs en 24 h    1 flux, 2 collectes échouées" in lines


def revue(*args, data_dir, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "REVUE_DATA_DIR": str(data_dir), **env}
    environment.pop("REVUE_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "revue", *args], capture_output=True, text=True, timeout=120,
                          env=environment)


def test_commands_fail_with_one_line_and_a_non_zero_exit(tmp_path):
    no_database = revue("stats", data_dir=tmp_path)
    assert no_database.returncode == 1
    assert no_database.stderr.strip().count("\n") == 0, no_database.stderr
    assert no_database.stderr.startswith("revue stats: database error: ") and "revue init" in no_database.stderr

    refused = revue("prune", "--days", "0", data_dir=tmp_path)
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0, refused.stderr
    assert "--days" in refused.stderr

    for command in ("stats", "prune"):
        helped = revue(command, "--help", data_dir=tmp_path)
        assert helped.returncode == 0 and f"usage: revue {command}" in helped.stdout
