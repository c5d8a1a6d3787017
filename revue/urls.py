"""Top-level URLs: the admin, the API, the image proxy, the live ticker and the language switch,
unprefixed; then the reader's pages in four editions (``i18n_patterns``: French at the root,
``/ar/``, ``/es/``, ``/en/`` for the others: ``revue.portal.languages``), the portal last (its
outlet pages sit at the root)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from revue.api.api import api
from revue.portal.metrics import metrics
from revue.portal import live, websub
from revue.portal.cache import FRONT, page
from revue.portal.languages import switch_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),  # the read-only JSON API, schema at /api/docs
    path("metrics", metrics, name="metrics"),  # Prometheus, off unless REVUE_METRICS_TOKEN is set
    path("", include("revue.images.urls")),  # the image proxy, /img/<signed id>[/<width>]
    # the live ticker, the same for every edition: the headlines (kept like a front page) and their events
    path("direct/titres.json", page(FRONT)(live.headlines), name="live-headlines"),
    path("direct/flux", live.stream, name="live-stream"),
    path("langue/<str:code>/", switch_language, name="switch-language"),  # the switcher keeps the reader's choice
    path("websub/<str:token>/", websub.callback, name="websub-callback"),  # a WebSub hub's verifications and pushes
]
urlpatterns += i18n_patterns(
    path("signaler/", include("revue.moderation.urls")),  # image reports (before the portal's outlet pages)
    path("", include("revue.portal.urls")),
    prefix_default_language=False,
)
