from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "leanmark.dashboard"
    label = "dashboard"
