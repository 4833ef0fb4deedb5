from django.apps import AppConfig


class FlowConfig(AppConfig):
    name = "leanmark.flow"
    label = "flow"
