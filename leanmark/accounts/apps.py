from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leanmark.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from leanmark.lib import sqlite_file

        from .signals import failed_sign_in, signed_in

        user_logged_in.connect(signed_in, dispatch_uid="leanmark-audit-sign-in")
        user_login_failed.connect(failed_sign_in, dispatch_uid="leanmark-audit-failed-sign-in")
        # Kept SQLite connections (settings) must not outlive their file (lib/sqlite_file.py).
        connection_created.connect(sqlite_file.remember_file, dispatch_uid="leanmark-sqlite-file")
        request_started.connect(
            sqlite_file.close_if_file_changed, dispatch_uid="leanmark-sqlite-file-check"
        )
