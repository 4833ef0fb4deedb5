from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "leanmark.experiments"
    label = "experiments"
