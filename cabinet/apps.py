from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = _("Manager's cabinet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cabinet import broadcast
        from sessions_live import events

        def on_ready_for_decision(sender: object, session_id: int, **kwargs: object) -> None:
            broadcast.cabinet_changed(session_id)

        events.session_ready_for_decision.connect(
            on_ready_for_decision, dispatch_uid="cabinet.ready_for_decision", weak=False
        )
