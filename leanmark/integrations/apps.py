from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "leanmark.integrations"
    label = "integrations"

    def ready(self) -> None:
        from leanmark.lib import notify

        from .services import on_event

        # Workspace.has_webhooks is kept by this app's services (_listening).
        notify.subscribe(on_event, only_if="has_webhooks")
