"""The rules every command shares: applying one (who is admitted, repeats, stale targets, the
command's guard, then what it does), what a member may send, how time moves on, the fair
proposal, and the guard building blocks the commands are registered with."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from arbiter import codes
from arbiter.i18n import gettext_noop
from arbiter.outcomes import Applied, Duplicate, Event, Refused, refused
from arbiter.registry import COMMANDS, Command, CommandType, Guard
from arbiter.state import (
    BLOCKS,
    CLOSING,
    INTRO,
    LOBBY,
    PHASES,
    RECENT_LIMIT,
    Block,
    SessionState,
)

# --- the guard building blocks --------------------------------------------------------------
# A guard depends only on who asks and the state, never on the command's arguments: apply()
# runs a command's guard before it, and member_view() runs every guard to list what a member
# may do, so the page's buttons and the server's answers cannot disagree.

_PHASE_WORDS = {
    LOBBY: gettext_noop("That is possible only in the lobby; the session is in the %(phase)s."),
    INTRO: gettext_noop("That is possible only during the intro; the session is in the %(phase)s."),
    BLOCKS: gettext_noop(
        "That is possible only during the blocks; the session is in the %(phase)s."
    ),
    CLOSING: gettext_noop(
        "That is possible only during the closing; the session is in the %(phase)s."
    ),
}
# The phase names as they appear in messages (a translating shell translates them too).
_PHASE_NAMES = (
    gettext_noop("lobby"),
    gettext_noop("intro"),
    gettext_noop("blocks"),
    gettext_noop("closing"),
    gettext_noop("finished"),
)

# Refusals are immutable, so each is built once: member_view() runs every guard for every
# member on every change, and formatting messages there would dominate its cost.
WRONG_PHASE = {
    (need, have): refused(codes.WRONG_PHASE, template, phase=have)
    for need, template in _PHASE_WORDS.items()
    for have in PHASES
}
NOT_LEAD = Refused(codes.NOT_LEAD, gettext_noop("Only the lead interviewer can do that."))
NOT_OWNER = Refused(
    codes.NOT_YOUR_TURN, gettext_noop("Only the interviewer whose block it is can do that.")
)
PAUSED = Refused(codes.PAUSED, gettext_noop("The session is paused; resume it first."))
ALREADY_PAUSED = Refused(codes.PAUSED, gettext_noop("The session is already paused."))
NOT_PAUSED = Refused(codes.NOT_PAUSED, gettext_noop("The session is not paused."))
NO_QUESTION = Refused(
    codes.NO_QUESTION, gettext_noop("There is no current question; add one or end the block.")
)
_NOT_MEMBER = Refused(codes.NOT_MEMBER, gettext_noop("You are not a member of this session."))


def phase_refusal(state: SessionState, phase: str) -> Refused | None:
    """Refused unless the session is in ``phase``."""
    if state.phase != phase:
        return WRONG_PHASE[phase, state.phase]
    return None


def lead_refusal(state: SessionState, actor: int, phase: str) -> Refused | None:
    """Refused unless ``actor`` leads and the session is in ``phase``."""
    if actor != state.lead:
        return NOT_LEAD
    return phase_refusal(state, phase)


def in_phase(phase: str) -> Guard:
    """The guard of a command any member may send in ``phase``."""

    def guard(state: SessionState, actor: int) -> Refused | None:
        return phase_refusal(state, phase)

    return guard


def lead_in(phase: str) -> Guard:
    """The guard of a command the lead may send in ``phase``."""

    def guard(state: SessionState, actor: int) -> Refused | None:
        return lead_refusal(state, actor, phase)

    return guard


def owner_unpaused(state: SessionState, actor: int) -> Refused | None:
    """The running block's owner, not paused."""
    if state.phase != BLOCKS:
        return WRONG_PHASE[BLOCKS, state.phase]
    block = state.current_block
    if block is None or block.owner != actor:
        return NOT_OWNER
    if state.paused_at is not None:
        return PAUSED
    return None


def with_question(state: SessionState, actor: int) -> Refused | None:
    """The running block's owner, not paused, with a current question."""
    refusal = owner_unpaused(state, actor)
    if refusal is None:
        block = state.current_block
        if block is None or block.current_question is None:
            return NO_QUESTION
    return refusal


def allowed(state: SessionState, member: int) -> list[str]:
    """The frame types ``member`` may send right now, by the very guards apply() uses."""
    if not state.is_member(member):
        return []
    return [spec.name for spec in COMMANDS.frame_types() if spec.guard(state, member) is None]


# --- time ---------------------------------------------------------------------------------


def next_deadline(state: SessionState) -> float | None:
    """When advance() next has something to do; None when paused or no timer runs."""
    block = state.current_block
    if state.phase != BLOCKS or state.paused_at is not None or block is None:
        return None
    return block.deadline


def advance(state: SessionState, now: float) -> tuple[SessionState, tuple[Event, ...]]:
    """Apply every deadline that is due at ``now``; the same state object if none is."""
    due = next_deadline(state)
    if due is None or due > now:
        return state, ()
    events: list[Event] = []
    rolled = state
    while due is not None and due <= now:
        # The next block starts at the deadline, not at now: a late wake-up must not stretch
        # the following block, so a session that slept through several catches up exactly.
        rolled = replace(rolled, **roll(rolled, due, "deadline", None, events))
        due = next_deadline(rolled)
    return replace(rolled, version=state.version + 1), tuple(events)


def roll(
    state: SessionState, at: float, reason: str, by: int | None, events: list[Event]
) -> dict[str, Any]:
    """End the running block at ``at`` and start the next one at that instant, or close."""
    index = state.current
    assert index is not None  # only called in the blocks phase, which always has a block
    block = state.blocks[index]
    ended = replace(block, ended_at=at)
    events.append(
        Event(
            "block_ended",
            {
                "index": index,
                "topic_id": block.topic_id,
                "owner": block.owner,
                "ended_at": at,
                "reason": reason,
                "by": by,
            },
        )
    )
    following = index + 1
    if following < len(state.blocks):
        begun = started(state.blocks[following], at)
        blocks = (*state.blocks[:index], ended, begun, *state.blocks[following + 1 :])
        events.append(block_started(begun))
        return {"blocks": blocks, "current": following}
    blocks = (*state.blocks[:index], ended)
    events.append(Event("closing_started", {"at": at}))
    return {"blocks": blocks, "current": None, "phase": CLOSING, "closing_at": at}


def started(block: Block, at: float) -> Block:
    return replace(block, started_at=at, deadline=at + block.seconds)


def block_started(block: Block) -> Event:
    return Event(
        "block_started",
        {"index": block.index, "topic_id": block.topic_id, "topic": block.topic,
         "owner": block.owner, "started_at": block.started_at, "deadline": block.deadline},
    )  # fmt: skip


# --- the fair proposal ----------------------------------------------------------------------


def propose(state: SessionState) -> dict[int, int]:
    """topic id -> member: each topic to one of its claimants (anyone if unclaimed), balanced.

    Greedy, longest topics first: each goes to the candidate with the least time so far, then
    the fewest blocks, then the lowest id. Topics with a single claimant are placed first,
    because they have no choice and the others should balance around them."""
    members = [member.id for member in state.members]
    seconds = dict.fromkeys(members, 0)
    blocks = dict.fromkeys(members, 0)
    order = sorted(
        range(len(state.topics)),
        key=lambda i: (len(state.claims[i]) != 1, -state.topics[i].seconds, i),
    )
    chosen: dict[int, int] = {}
    for i in order:
        candidates = [c for c in state.claims[i] if c in seconds] or members
        owner = min(candidates, key=lambda m: (seconds[m], blocks[m], m))
        chosen[i] = owner
        seconds[owner] += state.topics[i].seconds
        blocks[owner] += 1
    return {topic.id: chosen[i] for i, topic in enumerate(state.topics)}


# --- applying commands ----------------------------------------------------------------------


def apply(state: SessionState, command: Command, now: float) -> Applied | Duplicate | Refused:
    """Advance to ``now``, then check and apply ``command``, in this order: the sender is a
    member (a join: is not one yet), the id is not a repeat, the command's target is current,
    its guard, then what it does. Never mutates ``state``."""
    now = float(now)
    advanced, due = advance(state, now)
    spec = COMMANDS.of(command)
    key = (command.actor, command.id)
    if spec.admits_strangers:
        if key in advanced.recent or advanced.is_member(command.actor):
            return Duplicate(advanced)
    elif not advanced.is_member(command.actor):
        return _NOT_MEMBER
    elif key in advanced.recent:
        return Duplicate(advanced)
    # Before the guard: a command decided on a question or block that is gone (a double
    # click, a hand-over in between) is refused as stale, whoever sends it.
    refusal = _stale(advanced, spec, command)
    if refusal is None:
        refusal = spec.guard(advanced, command.actor)
    if refusal is not None:
        return refusal
    changes = command.changes(advanced, now)
    if isinstance(changes, Refused):
        return changes
    fields, events = changes
    recent = (*advanced.recent[-(RECENT_LIMIT - 1) :], key)
    # +1 per call, whether or not the clock also moved the session on before the command.
    final = replace(advanced, **fields, version=state.version + 1, recent=recent)
    return Applied(final, (*due, *events))


_STALE_QUESTION = Refused(
    codes.STALE, gettext_noop("That question is no longer the current one; nothing was recorded.")
)
_STALE_BLOCK = Refused(
    codes.STALE, gettext_noop("That block is no longer running; nothing was changed.")
)


def _stale(state: SessionState, spec: CommandType, command: Command) -> Refused | None:
    """Refuse a command aimed at a question or block other than the current one. A target of
    None is not checked: frames always carry one (the schema requires it)."""
    if spec.target is None:
        return None
    aimed = getattr(command, spec.target)
    if aimed is None:
        return None
    if spec.target == "question":
        block = state.current_block
        question = None if block is None else block.current_question
        if question is None or question.key != aimed:
            return _STALE_QUESTION
        return None
    if aimed != state.current:
        return _STALE_BLOCK
    return None


def targets(state: SessionState, frame_type: str) -> dict[str, Any]:
    """The fields that name what a command of ``frame_type`` would act on in ``state`` now:
    what a client copies from its snapshot (``current.index``, ``current.question.key``)."""
    spec = COMMANDS.frame_type(frame_type)
    if spec is None or spec.target is None:
        return {}
    if spec.target == "question":
        block = state.current_block
        question = None if block is None else block.current_question
        return {} if question is None else {"question": question.key}
    return {} if state.current is None else {"block": state.current}
