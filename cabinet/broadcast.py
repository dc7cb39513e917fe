"""Tell open cabinet pages that their lists changed: a session became ready or was decided, or
a candidate's rounds left them waiting for a decision or they were decided on."""

from __future__ import annotations

from sessions_live.broadcast import publish

GROUP = "cabinet"


def cabinet_changed(session_id: int) -> None:
    """Called after commit. A push that fails only delays a page's refresh, so it never
    breaks the caller (``publish`` logs and drops it): the lists are read from the database
    on every load."""
    publish(GROUP, {"type": "cabinet.changed", "session": session_id})


def cabinet_candidate_changed(candidate_id: int) -> None:
    """As ``cabinet_changed``, for a candidate with no session decided on."""
    publish(GROUP, {"type": "cabinet.changed", "candidate": candidate_id})
