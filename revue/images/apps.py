"""The image proxy's app configuration."""

from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "revue.images"
    label = "images"
    verbose_name = "Images (proxy)"
