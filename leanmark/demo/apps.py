from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "leanmark.demo"
    label = "demo"
