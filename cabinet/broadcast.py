"""Tell open cabinet pages that their lists changed (a session became ready, or was decided)."""

from __future__ import annotations

from sessions_live.broadcast import publish

GROUP = "cabinet"


def cabinet_changed(session_id: int) -> None:
    """Called after commit. A push that fails only delays a page's refresh, so it never
    breaks the caller (``publish`` logs and drops it): the lists are read from the database
    on every load."""
    publish(GROUP, {"type": "cabinet.changed", "session": session_id})
