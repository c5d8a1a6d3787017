from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "revue.demo"
    label = "demo"
    verbose_name = "Presse de démonstration"
