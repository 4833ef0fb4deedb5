from django.apps import AppConfig


class ValuestreamConfig(AppConfig):
    name = "leanmark.valuestream"
    label = "valuestream"
