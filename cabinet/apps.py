from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Moves that put a candidate on the cabinet's list of those waiting with no session, or take
# them off it, made elsewhere than in the cabinet (which announces its own decisions).
LIST_MOVES = frozenset({"select", "withdraw"})


class CabinetConfig(AppConfig):
    name = "cabinet"
    verbose_name = _("Manager's cabinet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cabinet import broadcast
        from candidates import events as candidate_events
        from interviews import events as interview_events
        from sessions_live import events

        def on_ready_for_decision(sender: object, session_id: int, **kwargs: object) -> None:
            broadcast.cabinet_changed(session_id)

        events.session_ready_for_decision.connect(
            on_ready_for_decision, dispatch_uid="cabinet.ready_for_decision", weak=False
        )

        def on_moved(sender: object, candidate_id: int, move: str, **kwargs: object) -> None:
            if move in LIST_MOVES:
                broadcast.cabinet_candidate_changed(candidate_id)

        candidate_events.candidate_moved.connect(
            on_moved, dispatch_uid="cabinet.candidate_moved", weak=False
        )

        def on_rated(sender: object, round_id: int, **kwargs: object) -> None:
            # The last round rated leaves the candidate waiting, selected or not.
            from interviews.models import Round

            candidate_id = (
                Round.objects.filter(pk=round_id).values_list("candidate_id", flat=True).first()
            )
            if candidate_id is not None:
                broadcast.cabinet_candidate_changed(candidate_id)

        interview_events.round_rated.connect(
            on_rated, dispatch_uid="cabinet.round_rated", weak=False
        )
