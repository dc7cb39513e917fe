from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsLiveConfig(AppConfig):
    name = "sessions_live"
    verbose_name = _("Live sessions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sessions_live import signals

        signals.connect()
