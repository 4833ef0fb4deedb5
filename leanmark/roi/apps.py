from django.apps import AppConfig


class RoiConfig(AppConfig):
    name = "leanmark.roi"
    label = "roi"
