"""What the interviews app does on other apps' facts: a panel round's session finished with
every feedback in brings its scores and feedback back into the round; a candidate whose
journey ends (rejected, hired, withdrawn — by a manager's decision or a recruiter) has their
open interview closed, its rounds not yet held cancelled (and their calendar events); a
recommendation on a one-way round's video invitation may decide that round
(``video_interviews.events.recommendation_given``)."""

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

    from candidates import events as candidate_events

    def on_moved(sender: object, candidate_id: int, target: str, **kwargs: Any) -> None:
        from candidates import lifecycle
        from interviews import services
        from interviews.models import Interview

        if not lifecycle.is_final(target):
            return
        for interview in Interview.objects.filter(candidate_id=candidate_id, status="open"):
            services.interview_close(interview=interview, by=None)

    candidate_events.candidate_moved.connect(
        on_moved, dispatch_uid="interviews.candidate_final", weak=False
    )

    from video_interviews import events as video_events

    def on_recommended(sender: object, round_id: int | None = None, **kwargs: Any) -> None:
        from interviews import services

        if round_id is not None:
            services.round_review(round_id=round_id)

    video_events.recommendation_given.connect(
        on_recommended, dispatch_uid="interviews.one_way_review", weak=False
    )

    from interviews import notices  # assignment notices and e-mails with the .ics

    notices.connect()
