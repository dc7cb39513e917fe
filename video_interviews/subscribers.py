"""What the one-way interviews do on the interviews app's facts (``interviews.events``): a
candidate's interview that reaches a one-way round invites them into that round's video
interview (``services.round_invite``: once per round, its own outbox e-mail), and a one-way
round called off (cancelled, or its interview closed) revokes its invitation while it is live
(``services.round_withdraw``).

Only the interviews' ``events`` module is imported: the round is an id and the candidate a
card (``candidates``, a lower app). A refusal here (the video interview was made inactive,
its deadline passed, the card has no address) writes nothing of this app's, is logged and told
back as ``round_not_invited`` (the code and the message): the interviews app tells the
recruiters with a notice, once per round; the round's page shows the round as not invited and
offers to send it by hand, with the reason."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

ONE_WAY = "one_way"  # interviews.models.RoundKind.ONE_WAY, as the facts carry it


def on_round_reached(
    sender: object,
    *,
    round_id: int,
    kind: str,
    candidate_id: int,
    video_interview_id: int | None = None,
    inviter_id: int | None = None,
    **kwargs: Any,
) -> None:
    from accounts.models import User
    from video_interviews import services

    if kind != ONE_WAY or video_interview_id is None:
        return
    inviter = User.objects.filter(pk=inviter_id, is_active=True).first() if inviter_id else None
    try:
        services.round_invite(
            interview=video_interview_id, round_id=round_id, person=candidate_id, by=inviter
        )
    except services.VideoRefused as refusal:
        logger.warning(
            "round %s: the candidate is not invited into video interview %s: %s (%s)",
            round_id, video_interview_id, refusal.code, refusal.message,
        )  # fmt: skip
        from interviews import events

        events.send_after_commit(
            events.round_not_invited,
            round_id=round_id,
            code=refusal.code,
            message=refusal.message,
        )


def on_round_cancelled(sender: object, *, round_id: int, kind: str = "", **kwargs: Any) -> None:
    from video_interviews import services

    if kind != ONE_WAY:
        return
    try:
        services.round_withdraw(round_id=round_id)
    except services.VideoRefused as refusal:  # revoked meanwhile by hand: nothing to do
        logger.info("round %s: its invitation stays: %s", round_id, refusal.code)


def connect() -> None:
    """Called from ``VideoInterviewsConfig.ready``."""
    from interviews import events

    events.round_reached.connect(
        on_round_reached, dispatch_uid="video_interviews.round_reached", weak=False
    )
    events.round_cancelled.connect(
        on_round_cancelled, dispatch_uid="video_interviews.round_cancelled", weak=False
    )
