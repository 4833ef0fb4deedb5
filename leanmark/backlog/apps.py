from django.apps import AppConfig


class BacklogConfig(AppConfig):
    name = "leanmark.backlog"
    label = "backlog"
