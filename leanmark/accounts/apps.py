from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leanmark.accounts"
    label = "accounts"
