"""Reads for live sessions that need care (membership, permission, parsed state cache)."""

from __future__ import annotations

import json
from typing import Any

import access
import arbiter
from accounts.models import User
from sessions_live.models import LiveSession

# One parsed state per session and version in this process: the sockets of one session share
# a parse (and the immutable state itself) instead of doing it once per socket per push.
_PARSED: dict[int, tuple[int, arbiter.SessionState]] = {}
_PARSED_MAX = 5000


def parsed_state(
    session_id: int, version: int, state_json: dict[str, Any] | str
) -> arbiter.SessionState:
    """The state of ``session_id`` at ``version`` from its JSON (a dict, or the text a push
    carries), parsed once per process."""
    cached = _PARSED.get(session_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    if isinstance(state_json, str):
        state_json = json.loads(state_json)
    state = arbiter.SessionState.from_json(state_json)
    remember_state(session_id, version, state)
    return state


def remember_state(session_id: int, version: int, state: arbiter.SessionState) -> None:
    """Keep ``state`` as the parsed state of ``session_id`` at ``version``, unless a newer one
    is kept already (pushes of one session can reach a process out of order)."""
    cached = _PARSED.get(session_id)
    if cached is None or cached[0] < version:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[session_id] = (version, state)


_RECEIVED: dict[int, int] = {}  # session id -> the newest version a push brought this process


def note_received(session_id: int, version: int) -> None:
    """A push of ``version`` reached this process (so it reached every subscribed process)."""
    if _RECEIVED.get(session_id, 0) < version:
        if len(_RECEIVED) >= _PARSED_MAX:
            _RECEIVED.clear()
        _RECEIVED[session_id] = version


def push_received(session_id: int, version: int) -> bool:
    return _RECEIVED.get(session_id, 0) >= version


def session_for_member(*, code: str, user: User) -> tuple[int, bool] | None:
    """(session id, is member) for a code, or None if there is no such session."""
    session_id = LiveSession.objects.filter(code=code).values_list("id", flat=True).first()
    if session_id is None:
        return None
    return session_id, access.is_member_of(user, session_id)


# The rules themselves live in the one access module; these keyword forms stay for the pages.
def is_member(*, session: LiveSession, user: User) -> bool:
    return access.is_member(user, session)


def can_see_results(*, session: LiveSession, user: User) -> bool:
    return access.can_view_results(user, session)


def sessions_of(user: User) -> list[LiveSession]:
    return list(
        LiveSession.objects.filter(memberships__user=user)
        .select_related("candidate")
        .order_by("-created_at")[:20]
    )


def results_for_page(*, session: LiveSession, state: arbiter.SessionState) -> dict[str, Any]:
    """The arbiter's results with member names attached, for the results and cabinet pages."""
    results = arbiter.results(state)
    names = {
        user.pk: user.display_name for user in User.objects.filter(memberships__session=session)
    }
    results["names"] = names
    from sessions_live.feedback_edits import apply_edits
    from sessions_live.models import ResultEdit

    return apply_edits(results, ResultEdit.objects.filter(session=session).order_by("at", "id"))


def sees_others_results(*, session: LiveSession, user: User, state: arbiter.SessionState) -> bool:
    """Blind scoring (``access.sees_others_results``)."""
    return access.sees_others_results(user, session, state)


def results_for_viewer(
    *, session: LiveSession, state: arbiter.SessionState, user: User
) -> dict[str, Any]:
    """``results_for_page`` as ``user`` may see it: before their own feedback is in, others'
    blocks keep their topic and owner but lose their questions, scores, notes and totals, and
    others' feedback is left out. ``blind`` says whether anything was withheld."""
    results = results_for_page(session=session, state=state)
    if sees_others_results(session=session, user=user, state=state):
        results["blind"] = False
        return results
    blocks = []
    for block in results["blocks"]:
        if block["owner"] != user.pk:
            block = {**block, "questions": [], "totals": None, "hidden": True}
        blocks.append(block)
    results["blocks"] = blocks
    results["totals"] = None
    results["feedback"] = [f for f in results["feedback"] if f["member"] == user.pk]
    own_topics = {block["topic_id"] for block in blocks if block["owner"] == user.pk}
    results["adhoc_questions"] = [
        q for q in results.get("adhoc_questions", []) if q["topic_id"] in own_topics
    ]
    results["blind"] = True
    return results
