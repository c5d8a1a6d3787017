from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "revue.portal"
    label = "portal"
    verbose_name = "Portail"
