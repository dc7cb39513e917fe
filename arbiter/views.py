"""What each member may see of the state (the live page), and the full results for reviewers."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from arbiter.rules import allowed
from arbiter.state import BLOCKS, FINISHED, LOBBY, Block, Question, SessionState


def member_view(
    state: SessionState, member: int, now: float, online: Collection[int] = ()
) -> dict[str, Any]:
    """The snapshot the browser of ``member`` renders, as plain JSON types.

    Another interviewer's scores and notes never appear here: a member sees only what they
    asked themselves. The reviewers' place for everything is ``results``.

    Parts that are the same for every member are built once per state object and shared by
    the views of that state, so treat a view as read-only (serialise it, do not edit it)."""
    can = allowed(state, member)
    my_feedback = state.feedback_of(member)
    view = {
        "version": state.version,
        "server_time": now,
        "phase": state.phase,
        "me": member,
        "lead": state.lead,
        "is_lead": member == state.lead,
        "members": _members(state, online),
        **_shared(state),
        "current": _current(state, member, now),
        "my_questions": [
            _asked(q, b.topic) for b in state.blocks if b.owner == member for q in b.asked
        ],
        "feedback_open": "feedback.submit" in can,
        "my_feedback": None
        if my_feedback is None
        else {
            "summary": my_feedback.summary,
            "items": dict(my_feedback.items),
            "submitted_at": my_feedback.submitted_at,
        },
        "can": can,
    }
    return view


def _members(state: SessionState, online: Collection[int]) -> list[dict[str, Any]]:
    # Presence changes without a new state, so only the latest online set is kept.
    key = frozenset(online)
    cached = state._view_parts.get("members")
    if cached is not None and cached[0] == key:
        members: list[dict[str, Any]] = cached[1]
        return members
    lead = state.lead
    members = [
        {"id": m.id, "name": m.name, "online": m.id in key, "is_lead": m.id == lead}
        for m in state.members
    ]
    state._view_parts["members"] = (key, members)
    return members


def _shared(state: SessionState) -> dict[str, Any]:
    """The parts of a view that do not depend on who looks, when or who is online."""
    shared: dict[str, Any] | None = state._view_parts.get("shared")
    if shared is not None:
        return shared
    topics = []
    conflicts = []
    unclaimed = []
    for topic, claimants in zip(state.topics, state.claims, strict=True):
        topics.append(
            {
                "id": topic.id,
                "name": topic.name,
                "seconds": topic.seconds,
                "claimants": list(claimants),
                "conflict": len(claimants) > 1,
            }
        )
        if len(claimants) > 1:
            conflicts.append(
                {"topic_id": topic.id, "topic": topic.name, "members": list(claimants)}
            )
        elif not claimants:
            unclaimed.append(topic.id)
    block = state.current_block if state.phase == BLOCKS else None
    shared = {
        "topics": topics,
        "conflicts": conflicts,
        "ready": state.phase == LOBBY and state.ready,
        "unclaimed": unclaimed,
        "proposal": _proposal(state),
        "intro_text": state.intro_text,
        "closing_text": state.closing_text,
        "paused": block is not None and state.paused_at is not None,
        "control": state.control,
        "blocks": [_block_line(b, state.current) for b in state.blocks],
        "next": _next(state, block),
        "feedback_due": list(state.feedback_due),
        "ready_for_decision": state.ready_for_decision,
    }
    state._view_parts["shared"] = shared
    return shared


def _proposal(state: SessionState) -> dict[str, Any] | None:
    if state.proposal is None:
        return None
    seconds = {topic.id: topic.seconds for topic in state.topics}
    by_member: dict[int, int] = {}
    for topic_id, owner in state.proposal:
        by_member[owner] = by_member.get(owner, 0) + seconds[topic_id]
    return {
        "assignment": [{"topic_id": t, "member": m} for t, m in state.proposal],
        "seconds_by_member": [{"member": m, "seconds": s} for m, s in sorted(by_member.items())],
    }


def _block_line(block: Block, current: int | None) -> dict[str, Any]:
    if block.ended_at is not None:
        status = "done"
    elif block.index == current:
        status = "current"
    else:
        status = "upcoming"
    return {
        "index": block.index,
        "topic_id": block.topic_id,
        "topic": block.topic,
        "owner": block.owner,
        "seconds": block.seconds,
        "extended_seconds": block.extended_seconds,
        "status": status,
        "started_at": block.started_at,
        "ended_at": block.ended_at,
    }


def _current(state: SessionState, member: int, now: float) -> dict[str, Any] | None:
    block = state.current_block if state.phase == BLOCKS else None
    if block is None or block.deadline is None:
        return None
    base: dict[str, Any] | None = state._view_parts.get("current")
    if base is None:
        question = block.current_question
        base = {
            "index": block.index,
            "topic_id": block.topic_id,
            "topic": block.topic,
            "owner": block.owner,
            "started_at": block.started_at,
            "deadline": block.deadline,
            "question": None
            if question is None
            else {
                "key": question.key,
                "n": block.position + 1,
                "m": len(block.questions),
                "text": question.text,
                "answer": question.answer,
                "max_points": question.max_points,
                "adhoc": question.adhoc,
            },
        }
        state._view_parts["current"] = base
    # While paused the clock is frozen at the pause: remaining time does not run down.
    clock = now if state.paused_at is None else state.paused_at
    return {
        **base,
        "remaining": max(0.0, block.deadline - clock),
        # Scores and notes are the owner's own until the results: nobody else sees them live.
        "asked": [_asked(q, None) for q in block.asked] if block.owner == member else [],
    }


def _asked(question: Question, topic: str | None) -> dict[str, Any]:
    line = {
        "key": question.key,
        "text": question.text,
        "answer": question.answer,
        "max_points": question.max_points,
        "score": question.score,
        "note": question.note,
        "skipped": question.skipped,
        "adhoc": question.adhoc,
    }
    if topic is not None:
        line["topic"] = topic
    return line


def _next(state: SessionState, block: Block | None) -> dict[str, Any] | None:
    if block is None or block.index + 1 >= len(state.blocks):
        return None
    following = state.blocks[block.index + 1]
    return {
        "owner": following.owner,
        "topic": following.topic,
        "topic_id": following.topic_id,
        "starts_at": block.deadline,
    }


def results(state: SessionState) -> dict[str, Any]:
    """Everything reviewers need: each block's questions with scores, totals, and feedback.

    Totals count only scored questions: a skipped question was not answered, so it neither
    earns nor costs points; it is counted apart."""
    blocks = []
    grand = {"score": 0, "max_points": 0, "scored": 0, "skipped": 0}
    for block in state.blocks:
        scored = [q for q in block.asked if not q.skipped]
        totals = {
            "score": sum(q.score or 0 for q in scored),
            "max_points": sum(q.max_points for q in scored),
            "scored": len(scored),
            "skipped": len(block.asked) - len(scored),
        }
        for name, value in totals.items():
            grand[name] += value
        blocks.append(
            {
                "index": block.index,
                "topic_id": block.topic_id,
                "topic": block.topic,
                "owner": block.owner,
                "owner_name": state.member_name(block.owner),
                "seconds": block.seconds,
                "started_at": block.started_at,
                "ended_at": block.ended_at,
                "questions": [
                    {
                        "key": q.key,
                        "bank_id": q.bank_id,
                        "text": q.text,
                        "answer": q.answer,
                        "score": q.score,
                        "max_points": q.max_points,
                        "note": q.note,
                        "skipped": q.skipped,
                        "adhoc": q.adhoc,
                    }
                    for q in block.asked
                ],
                "totals": totals,
            }
        )
    return {
        "version": state.version,
        "phase": state.phase,
        "finished": state.phase == FINISHED,
        "lead": state.lead,
        "members": [{"id": m.id, "name": m.name} for m in state.members],
        "blocks": blocks,
        "totals": grand,
        "feedback": [
            {
                "member": f.member,
                "name": state.member_name(f.member),
                "summary": f.summary,
                "items": dict(f.items),
                "submitted_at": f.submitted_at,
            }
            for f in state.feedback
        ],
        "feedback_due": list(state.feedback_due),
        "ready_for_decision": state.ready_for_decision,
        "adhoc_questions": [
            {
                "key": q.key,
                "topic_id": b.topic_id,
                "text": q.text,
                "answer": q.answer,
                "max_points": q.max_points,
            }
            for b in state.blocks
            for q in b.questions
            if q.adhoc
        ],
        "started_at": state.started_at,
        "closing_at": state.closing_at,
        "finished_at": state.finished_at,
    }
