"""``/metrics``: Revue's Prometheus endpoint, for the people who run it.

Off unless ``REVUE_METRICS_TOKEN`` is set: a 404 then, as for any page that does not exist. Set,
it answers only a request carrying ``Authorization: Bearer <token>`` (401 otherwise, compared in
constant time) and is never kept by a cache. It serves the counters and histograms every process
writes (``revue.metrics``: summed over ``revue serve``'s processes and the crawler's in
multiprocess mode) and, read from the database at the scrape, the state of the crawl and of
moderation: feeds by state, due and overdue, leased, articles waiting for the search index or a
story, image reports, blocked images and held blocks.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from revue.crawl.stats import feed_figures, search_pending
from revue.metrics import multiprocess_dir
from revue.moderation.models import BlockHold, ImageReport
from revue.news.models import Article, Image


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes (a few COUNT queries)."""

    def collect(self):
        feeds = feed_figures(timezone.now())
        by_state = GaugeMetricFamily("revue_feeds", "Feeds by state", labels=["state"])
        for state in ("active", "parked", "disabled"):
            by_state.add_metric([state], feeds[state])
        yield by_state
        for name, key, text in (
            ("revue_feeds_due", "due", "Active feeds due now that no lease holds"),
            ("revue_feeds_overdue", "overdue", "Feeds due for longer than REVUE_LEASE_SECONDS"),
            ("revue_feeds_leased", "leased", "Feeds a worker's live lease holds"),
            ("revue_feeds_failing", "failing", "Active feeds whose last fetch failed"),
        ):
            yield GaugeMetricFamily(name, text, value=feeds[key])
        queue = GaugeMetricFamily("revue_queue_articles", "Articles waiting, by queue", labels=["queue"])
        queue.add_metric(["search"], search_pending())
        queue.add_metric(["stories"], Article.objects.filter(fingerprint__isnull=True).count())
        yield queue
        yield GaugeMetricFamily("revue_image_reports", "Image reports counted", value=ImageReport.objects.count())
        yield GaugeMetricFamily("revue_images_blocked", "Images blocked",
                                value=Image.objects.filter(state=Image.State.BLOCKED).count())
        yield GaugeMetricFamily("revue_blocks_held", "Blocks held for a moderator", value=BlockHold.objects.count())


def exposition() -> bytes:
    """Every metric, in Prometheus' text format (read again once if ``revue prune`` folded a
    file away while it was being read)."""
    try:
        return _exposition()
    except FileNotFoundError:
        return _exposition()


def _exposition() -> bytes:
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:  # one process counts alone (no token at start-up, or a test)
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class _ThisProcess:
    """The default registry's metrics (this process's own counters), as one collector."""

    def collect(self):
        yield from REGISTRY.collect()


def authorised(request) -> bool:
    given = request.headers.get("Authorization", "")
    expected = f"Bearer {settings.REVUE_METRICS_TOKEN}"
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


@require_GET
def metrics(request) -> HttpResponse:
    if not settings.REVUE_METRICS_TOKEN:
        raise Http404("metrics are off: set REVUE_METRICS_TOKEN")
    if not authorised(request):
        response = HttpResponse("a bearer token is needed (Authorization: Bearer REVUE_METRICS_TOKEN)\n",
                                status=401, content_type="text/plain; charset=utf-8")
        response["WWW-Authenticate"] = 'Bearer realm="revue metrics"'
    else:
        response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "private, no-store"
    return response
