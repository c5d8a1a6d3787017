"""The readers' moderation URL: ``/signaler/image/<id>/`` (included from ``revue.urls`` before the portal)."""

from django.urls import path

from revue.moderation import views

app_name = "moderation"
urlpatterns = [
    path("image/<int:image_id>/", views.report, name="report-image"),
]
