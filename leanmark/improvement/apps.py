from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "leanmark.improvement"
    label = "improvement"
