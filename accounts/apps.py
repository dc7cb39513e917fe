from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.roles import ensure_roles

        # After every migrate: permissions exist only then, and new apps may add some.
        post_migrate.connect(ensure_roles, dispatch_uid="accounts.ensure_roles")
