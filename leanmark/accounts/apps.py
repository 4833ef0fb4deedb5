from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leanmark.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from .signals import failed_sign_in, signed_in

        user_logged_in.connect(signed_in, dispatch_uid="leanmark-audit-sign-in")
        user_login_failed.connect(failed_sign_in, dispatch_uid="leanmark-audit-failed-sign-in")
