"""Top-level URLs: the admin, then the portal (whose outlet pages sit at the root, so last)."""

from django.contrib import admin
from django.urls import include, path

from revue.api.api import api
from revue.portal.metrics import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("signaler/", include("revue.moderation.urls")),  # image reports (before the portal's outlet pages)
    path("api/", api.urls),  # the read-only JSON API, schema at /api/docs
    path("metrics", metrics, name="metrics"),  # Prometheus, off unless REVUE_METRICS_TOKEN is set
    path("", include("revue.images.urls")),  # the image proxy, /img/<signed id>[/<width>]
    path("", include("revue.portal.urls")),
]
