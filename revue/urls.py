"""Top-level URLs: the admin, then the portal (whose outlet pages sit at the root, so last)."""

from django.contrib import admin
from django.urls import include, path

from revue.api.api import api
from revue.portal.metrics import metrics
from revue.portal import live
from revue.portal.cache import FRONT, page

urlpatterns = [
    path("admin/", admin.site.urls),
    path("signaler/", include("revue.moderation.urls")),  # image reports (before the portal's outlet pages)
    path("api/", api.urls),  # the read-only JSON API, schema at /api/docs
    path("metrics", metrics, name="metrics"),  # Prometheus, off unless REVUE_METRICS_TOKEN is set
    path("", include("revue.images.urls")),  # the image proxy, /img/<signed id>[/<width>]
    # the live ticker, the same for every edition: the headlines (kept like a front page) and their events
    path("direct/titres.json", page(FRONT)(live.headlines), name="live-headlines"),
    path("direct/flux", live.stream, name="live-stream"),
    path("", include("revue.portal.urls")),
]
