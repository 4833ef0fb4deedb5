from django.apps import AppConfig


class StandupsConfig(AppConfig):
    name = "leanmark.standups"
    label = "standups"
