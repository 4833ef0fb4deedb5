from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "leanmark.integrations"
    label = "integrations"
