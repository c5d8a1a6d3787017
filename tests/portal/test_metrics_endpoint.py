"""``/metrics``: off (404) without ``REVUE_METRICS_TOKEN``; with it, the token is required as a
bearer token, and the gauges read from the database say what an operator would count by hand.
(Through the real ``revue serve`` and a crawl, with several processes: tests/e2e/test_metrics_serve.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from revue.news.models import Image
from revue.sources.models import Feed, Source

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-metrics-token-for-tests"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_off_without_a_token(client, settings):
    settings.REVUE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN])
def test_the_token_is_required(client, settings, header):
    settings.REVUE_METRICS_TOKEN = TOKEN
    answer = client.get("/metrics", **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert b"revue_" not in answer.content


def test_the_database_gauges(client, settings):
    settings.REVUE_METRICS_TOKEN = TOKEN
    now = timezone.now()
    source = Source.objects.create(name="Le Matin", slug="le-matin")
    for n, (state, next_at, lease) in enumerate([
        ("active", now - timedelta(hours=1), None),  # due and overdue
        ("active", now - timedelta(seconds=10), None),  # due
        ("active", now - timedelta(hours=1), now + timedelta(minutes=2)),  # leased
        ("parked", now, None),
    ]):
        Feed.objects.create(source=source, url=f"https://lematin.example/{n}", state=state, next_fetch_at=next_at,
                            lease_expires_at=lease)
    Image.objects.create(url="https://img.example/1.jpg", state=Image.State.BLOCKED)

    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    assert "no-store" in answer["Cache-Control"]
    found = samples(answer.content.decode())
    assert found[("revue_feeds", (("state", "active"),))] == 3
    assert found[("revue_feeds", (("state", "parked"),))] == 1
    assert found[("revue_feeds_due", ())] == 2 and found[("revue_feeds_overdue", ())] == 1
    assert found[("revue_feeds_leased", ())] == 1
    assert found[("revue_images_blocked", ())] == 1 and found[("revue_image_reports", ())] == 0
    names = {name for name, _ in found}
    assert {"revue_fetch_seconds_count", "revue_extraction_seconds_count", "revue_settle_seconds_count"} <= names
