from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "leanmark.integrations"
    label = "integrations"

    def ready(self) -> None:
        from leanmark.lib import notify

        from .services import on_event

        notify.subscribe(on_event)
