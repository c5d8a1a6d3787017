"""The image proxy's addresses (``/img/`` is a word outlets' slugs can never take)."""

from django.urls import path

from revue.images import views

app_name = "images"

urlpatterns = [
    path("img/<str:token>", views.image, name="image"),
    path("img/<str:token>/<int:width>", views.image, name="image-width"),
    # the moderators' desk (staff only, blocked images too)
    path("img/<str:token>/moderation", views.moderation_image, name="moderation"),
    path("img/<str:token>/<int:width>/moderation", views.moderation_image, name="moderation-width"),
]
