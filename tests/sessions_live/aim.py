"""For tests that drive sessions through frames: add what a command names (block, question)."""

from __future__ import annotations

from typing import Any

import arbiter
from sessions_live.models import LiveSession


def aimed(session_id: int, frame: dict[str, Any]) -> dict[str, Any]:
    """``frame`` with the target a page would copy from its snapshot of the stored state."""
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session_id).state)
    return {**arbiter.targets(state, frame["type"]), **frame}
