from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "leanmark.board"
    label = "board"
