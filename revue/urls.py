"""Top-level URLs: the admin, then the portal (whose outlet pages sit at the root, so last)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("revue.portal.urls")),
]
