from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top of the project: pages that bring every part together (home, candidates, the
    bank for readers) and the demo data. It may import every app; no app imports it."""

    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal import logs

        logs.install()  # after Django configured logging from settings.LOGGING
