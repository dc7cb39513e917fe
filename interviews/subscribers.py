"""What the interviews app does on other apps' facts: a panel round's session finished with
every feedback in brings its scores and feedback back into the round."""

from __future__ import annotations

from typing import Any


def connect() -> None:
    from sessions_live import events as live_events

    def on_ready(sender: object, session_id: int, **kwargs: Any) -> None:
        from interviews import services

        services.round_session_results(session_id=session_id)

    live_events.session_ready_for_decision.connect(
        on_ready, dispatch_uid="interviews.session_results", weak=False
    )
