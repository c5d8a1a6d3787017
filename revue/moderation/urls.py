"""The readers' moderation URLs: ``/signaler/image/<id>/`` and ``/signaler/csrf/`` (included from
``revue.urls`` before the portal)."""

from django.urls import path

from revue.moderation import views

app_name = "moderation"
urlpatterns = [
    path("image/<int:image_id>/", views.report, name="report-image"),
    path("csrf/", views.csrf_token, name="report-csrf"),
]
