"""The rules: who may do what when (guards), what each command does, and how time moves on."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from arbiter import codes
from arbiter.commands import (
    COMMAND_TYPE,
    AcceptProposal,
    AddQuestion,
    BeginBlocks,
    Command,
    ExtendBlock,
    FinishSession,
    JoinSession,
    NextQuestion,
    PauseSession,
    RequestProposal,
    ResumeSession,
    SetClaim,
    SkipQuestion,
    StartSession,
    SubmitFeedback,
    YieldBlock,
)
from arbiter.i18n import gettext_noop
from arbiter.outcomes import Applied, Duplicate, Event, Refused, refused
from arbiter.state import (
    BLOCKS,
    CLOSING,
    FINISHED,
    INTRO,
    LOBBY,
    PHASES,
    RECENT_LIMIT,
    Block,
    Feedback,
    Member,
    Question,
    QuestionSpec,
    SessionState,
)

MAX_TEXT = 2000
MAX_SUMMARY = 10000
MAX_ITEMS = 200
MIN_EXTEND, MAX_EXTEND = 1, 1800
MIN_POINTS, MAX_POINTS = 1, 100
# Live-typed questions a block may gain: each is stored in the state and rewritten with every
# command, so an unbounded stream of them would make every later command slower.
MAX_ADHOC_PER_BLOCK = 20

Guard = Callable[[SessionState, int], Refused | None]
# What a command changes: the state's fields to replace, and what happened. apply() builds the
# new state once from these, together with the version and the remembered command id.
Changes = tuple[dict[str, Any], list[Event]]

# --- guards: the checks that depend only on who asks and the state, never on arguments --------
# apply() runs them before each command and member_view() runs the same ones to list what a
# member may do, so the page's buttons and the server's answers cannot disagree.

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
_WRONG_PHASE = {
    (need, have): refused(codes.WRONG_PHASE, template, phase=have)
    for need, template in _PHASE_WORDS.items()
    for have in PHASES
}
_NOT_LEAD = Refused(codes.NOT_LEAD, gettext_noop("Only the lead interviewer can do that."))
_NOT_OWNER = Refused(
    codes.NOT_YOUR_TURN, gettext_noop("Only the interviewer whose block it is can do that.")
)
_NOT_OWNER_OR_LEAD = Refused(
    codes.NOT_YOUR_TURN, gettext_noop("Only the block's interviewer or the lead can end the block.")
)
_PAUSED = Refused(codes.PAUSED, gettext_noop("The session is paused; resume it first."))
_ALREADY_PAUSED = Refused(codes.PAUSED, gettext_noop("The session is already paused."))
_NOT_PAUSED = Refused(codes.NOT_PAUSED, gettext_noop("The session is not paused."))
_NO_QUESTION = Refused(
    codes.NO_QUESTION, gettext_noop("There is no current question; add one or end the block.")
)
_NO_PROPOSAL = Refused(
    codes.NO_PROPOSAL, gettext_noop("There is no proposal to accept; request one first.")
)
_NOT_READY = Refused(
    codes.NOT_READY, gettext_noop("Every topic needs exactly one interviewer before the start.")
)
_FEEDBACK_NOT_DUE = Refused(
    codes.FEEDBACK_NOT_DUE, gettext_noop("Feedback opens once every block you own has ended.")
)
_ALREADY_SUBMITTED = Refused(
    codes.ALREADY_SUBMITTED, gettext_noop("Your feedback is already submitted.")
)


def _phase(state: SessionState, phase: str) -> Refused | None:
    if state.phase != phase:
        return _WRONG_PHASE[phase, state.phase]
    return None


def _lead_in(state: SessionState, actor: int, phase: str) -> Refused | None:
    if actor != state.lead:
        return _NOT_LEAD
    return _phase(state, phase)


def _owner_unpaused(state: SessionState, actor: int) -> Refused | None:
    if state.phase != BLOCKS:
        return _WRONG_PHASE[BLOCKS, state.phase]
    block = state.current_block
    if block is None or block.owner != actor:
        return _NOT_OWNER
    if state.paused_at is not None:
        return _PAUSED
    return None


def _with_question(state: SessionState, actor: int) -> Refused | None:
    refusal = _owner_unpaused(state, actor)
    if refusal is None:
        block = state.current_block
        if block is None or block.current_question is None:
            return _NO_QUESTION
    return refusal


def guard_claim_set(state: SessionState, actor: int) -> Refused | None:
    return _phase(state, LOBBY)


def guard_proposal_request(state: SessionState, actor: int) -> Refused | None:
    return _phase(state, LOBBY)


def guard_proposal_accept(state: SessionState, actor: int) -> Refused | None:
    refusal = _lead_in(state, actor, LOBBY)
    if refusal is None and state.proposal is None:
        return _NO_PROPOSAL
    return refusal


def guard_session_start(state: SessionState, actor: int) -> Refused | None:
    refusal = _lead_in(state, actor, LOBBY)
    if refusal is None and not state.ready:
        return _NOT_READY
    return refusal


def guard_blocks_begin(state: SessionState, actor: int) -> Refused | None:
    return _lead_in(state, actor, INTRO)


def guard_question_next(state: SessionState, actor: int) -> Refused | None:
    return _with_question(state, actor)


def guard_question_skip(state: SessionState, actor: int) -> Refused | None:
    return _with_question(state, actor)


def guard_question_add(state: SessionState, actor: int) -> Refused | None:
    return _owner_unpaused(state, actor)


def guard_block_yield(state: SessionState, actor: int) -> Refused | None:
    if state.phase != BLOCKS:
        return _WRONG_PHASE[BLOCKS, state.phase]
    block = state.current_block
    if actor != state.lead and (block is None or block.owner != actor):
        return _NOT_OWNER_OR_LEAD
    if state.paused_at is not None:
        # Ending a block while paused would start the next one paused mid-air; resume first.
        return _PAUSED
    return None


def guard_session_pause(state: SessionState, actor: int) -> Refused | None:
    refusal = _lead_in(state, actor, BLOCKS)
    if refusal is None and state.paused_at is not None:
        return _ALREADY_PAUSED
    return refusal


def guard_session_resume(state: SessionState, actor: int) -> Refused | None:
    refusal = _lead_in(state, actor, BLOCKS)
    if refusal is None and state.paused_at is None:
        return _NOT_PAUSED
    return refusal


def guard_block_extend(state: SessionState, actor: int) -> Refused | None:
    return _lead_in(state, actor, BLOCKS)


def guard_session_finish(state: SessionState, actor: int) -> Refused | None:
    return _lead_in(state, actor, CLOSING)


def guard_feedback_submit(state: SessionState, actor: int) -> Refused | None:
    owns = False
    for block in state.blocks:
        if block.owner == actor:
            if block.ended_at is None:
                return _FEEDBACK_NOT_DUE
            owns = True
    # A lead who owns no block writes the panel's summary once the blocks are over.
    lead_summary = actor == state.lead and state.phase in (CLOSING, FINISHED)
    if not owns and not lead_summary:
        return _FEEDBACK_NOT_DUE
    if state.feedback_of(actor) is not None:
        return _ALREADY_SUBMITTED
    return None


GUARDS: dict[str, Guard] = {
    "claim.set": guard_claim_set,
    "proposal.request": guard_proposal_request,
    "proposal.accept": guard_proposal_accept,
    "session.start": guard_session_start,
    "blocks.begin": guard_blocks_begin,
    "question.next": guard_question_next,
    "question.skip": guard_question_skip,
    "question.add": guard_question_add,
    "block.yield": guard_block_yield,
    "session.pause": guard_session_pause,
    "session.resume": guard_session_resume,
    "block.extend": guard_block_extend,
    "session.finish": guard_session_finish,
    "feedback.submit": guard_feedback_submit,
}


def allowed(state: SessionState, member: int) -> list[str]:
    """The frame types ``member`` may send right now, by the very guards apply() uses."""
    if not state.is_member(member):
        return []
    return [frame_type for frame_type, guard in GUARDS.items() if guard(state, member) is None]


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
        rolled = replace(rolled, **_roll(rolled, due, "deadline", None, events))
        due = next_deadline(rolled)
    return replace(rolled, version=state.version + 1), tuple(events)


def _roll(
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
        started = _started(state.blocks[following], at)
        blocks = (*state.blocks[:index], ended, started, *state.blocks[following + 1 :])
        events.append(_block_started(started))
        return {"blocks": blocks, "current": following}
    blocks = (*state.blocks[:index], ended)
    events.append(Event("closing_started", {"at": at}))
    return {"blocks": blocks, "current": None, "phase": CLOSING, "closing_at": at}


def _started(block: Block, at: float) -> Block:
    return replace(block, started_at=at, deadline=at + block.seconds)


def _block_started(block: Block) -> Event:
    return Event(
        "block_started",
        {
            "index": block.index,
            "topic_id": block.topic_id,
            "topic": block.topic,
            "owner": block.owner,
            "started_at": block.started_at,
            "deadline": block.deadline,
        },
    )


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
    """Advance to ``now``, then check and apply ``command``. Never mutates ``state``."""
    now = float(now)
    advanced, due = advance(state, now)
    key = (command.actor, command.id)
    if isinstance(command, JoinSession):
        # The joiner is not a member yet, so the membership gate below cannot apply to it.
        if key in advanced.recent or advanced.is_member(command.actor):
            return Duplicate(advanced)
        if advanced.phase == FINISHED:
            return Refused(
                codes.WRONG_PHASE, gettext_noop("The session is over; nobody can join it now.")
            )
        changes: Changes | Refused = (
            {"members": (*advanced.members, Member(command.actor, command.name))},
            [Event("member_joined", {"member": command.actor, "name": command.name})],
        )
    else:
        if not advanced.is_member(command.actor):
            return Refused(codes.NOT_MEMBER, gettext_noop("You are not a member of this session."))
        if key in advanced.recent:
            return Duplicate(advanced)
        # Before the guards: a command decided on a question or block that is gone (a double
        # click, a hand-over in between) is refused as stale, whoever sends it.
        stale = _stale(advanced, command)
        if stale is not None:
            return stale
        refusal = GUARDS[COMMAND_TYPE[type(command)]](advanced, command.actor)
        if refusal is not None:
            return refusal
        changes = _HANDLERS[type(command)](advanced, command, now)
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
_ON_QUESTION = (NextQuestion, SkipQuestion)
_ON_BLOCK = (AddQuestion, YieldBlock, PauseSession, ResumeSession, ExtendBlock)


def _stale(state: SessionState, command: Command) -> Refused | None:
    """Refuse a command aimed at a question or block other than the current one. A target of
    None is not checked: frames always carry one (the schema requires it)."""
    if isinstance(command, _ON_QUESTION):
        if command.question is None:
            return None
        block = state.current_block
        question = None if block is None else block.current_question
        if question is None or question.key != command.question:
            return _STALE_QUESTION
        return None
    if isinstance(command, _ON_BLOCK):
        if command.block is not None and command.block != state.current:
            return _STALE_BLOCK
    return None


def targets(state: SessionState, frame_type: str) -> dict[str, Any]:
    """The fields that name what a command of ``frame_type`` would act on in ``state`` now:
    what a client copies from its snapshot (``current.index``, ``current.question.key``)."""
    block = state.current_block
    if frame_type in ("question.next", "question.skip"):
        question = None if block is None else block.current_question
        return {} if question is None else {"question": question.key}
    if frame_type in ("question.add", "block.yield", "session.pause", "session.resume",
                      "block.extend"):  # fmt: skip
        return {} if state.current is None else {"block": state.current}
    return {}


def _set_claim(state: SessionState, command: SetClaim, now: float) -> Changes | Refused:
    index = _topic_index(state, command.topic_id)
    if index is None:
        return Refused(codes.UNKNOWN_TOPIC, gettext_noop("That topic is not part of this session."))
    before = state.claims[index]
    members = set(before)
    if command.claimed:
        members.add(command.actor)
    else:
        members.discard(command.actor)
    after = tuple(sorted(members))
    if after == before:
        return {}, []  # already so: acknowledged and remembered, nothing to announce
    claims = (*state.claims[:index], after, *state.claims[index + 1 :])
    # A proposal was computed from the old claims; keeping it would propose a stale picture.
    event = Event(
        "claim_changed",
        {
            "topic_id": command.topic_id,
            "member": command.actor,
            "claimed": command.claimed,
            "claimants": list(after),
        },
    )
    return {"claims": claims, "proposal": None}, [event]


def _topic_index(state: SessionState, topic_id: int) -> int | None:
    for index, topic in enumerate(state.topics):
        if topic.id == topic_id:
            return index
    return None


def _assignment_json(pairs: Sequence[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"topic_id": topic_id, "member": member} for topic_id, member in pairs]


def _request_proposal(
    state: SessionState, command: RequestProposal, now: float
) -> Changes | Refused:
    proposal = tuple(propose(state).items())
    event = Event("proposal_made", {"by": command.actor, "assignment": _assignment_json(proposal)})
    return {"proposal": proposal}, [event]


def _accept_proposal(state: SessionState, command: AcceptProposal, now: float) -> Changes | Refused:
    assert state.proposal is not None  # the guard refuses otherwise
    owners = dict(state.proposal)
    claims = tuple((owners[topic.id],) for topic in state.topics)
    event = Event("proposal_accepted", {"assignment": _assignment_json(state.proposal)})
    return {"claims": claims, "proposal": None}, [event]


def _start_session(state: SessionState, command: StartSession, now: float) -> Changes | Refused:
    blocks = tuple(
        Block(
            index=position,
            topic_id=topic.id,
            topic=topic.name,
            owner=claimants[0],
            seconds=topic.seconds,
            questions=_planned_questions(state, position, topic.id, command.bank.get(topic.id, ())),
        )
        for position, (topic, claimants) in enumerate(zip(state.topics, state.claims, strict=True))
    )
    event = Event(
        "session_started",
        {
            "at": now,
            "blocks": [
                {
                    "index": block.index,
                    "topic_id": block.topic_id,
                    "owner": block.owner,
                    "seconds": block.seconds,
                    "question_ids": [q.bank_id for q in block.questions],
                }
                for block in blocks
            ],
            "question_ids": [q.bank_id for block in blocks for q in block.questions],
        },
    )
    return {"phase": INTRO, "blocks": blocks, "proposal": None, "started_at": now}, [event]


def _planned_questions(
    state: SessionState, position: int, topic_id: int, bank: Sequence[QuestionSpec]
) -> tuple[Question, ...]:
    specs = list({spec.id: spec for spec in bank}.values())  # a repeated bank id would clash
    if state.shuffle:
        # Seeded per session and per position: the same session always gets the same order,
        # and reordering the bank of one topic does not reshuffle the others.
        random.Random(f"{state.seed}:{position}").shuffle(specs)
    return tuple(
        Question(
            key=f"t{topic_id}q{spec.id}",
            bank_id=spec.id,
            text=spec.text,
            answer=spec.answer,
            max_points=spec.max_points,
        )
        for spec in specs
    )


def _begin_blocks(state: SessionState, command: BeginBlocks, now: float) -> Changes | Refused:
    first = _started(state.blocks[0], now)
    changes = {"phase": BLOCKS, "current": 0, "blocks": (first, *state.blocks[1:])}
    return changes, [_block_started(first)]


def _current(state: SessionState) -> tuple[int, Block]:
    index = state.current
    assert index is not None  # the guards admit question commands only with a running block
    return index, state.blocks[index]


def _with_block(state: SessionState, index: int, block: Block) -> dict[str, Any]:
    return {"blocks": (*state.blocks[:index], block, *state.blocks[index + 1 :])}


def _record(
    state: SessionState, owner: int, score: int | None, note: str, skipped: bool
) -> Changes:
    index, block = _current(state)
    question = block.questions[block.position]
    done = replace(question, score=score, note=note, skipped=skipped)
    questions = (*block.questions[: block.position], done, *block.questions[block.position + 1 :])
    moved = replace(block, questions=questions, position=block.position + 1)
    event = Event(
        "question_scored",
        {
            "block": index,
            "owner": owner,
            "topic_id": block.topic_id,
            "question_key": done.key,
            "bank_id": done.bank_id,
            "text": done.text,
            "score": score,
            "max_points": done.max_points,
            "note": note,
            "skipped": skipped,
            "adhoc": done.adhoc,
        },
    )
    return _with_block(state, index, moved), [event]


def _next_question(state: SessionState, command: NextQuestion, now: float) -> Changes | Refused:
    question = _current(state)[1].current_question
    assert question is not None
    score = command.score
    if (
        isinstance(score, bool)
        or not isinstance(score, int)
        or not 0 <= score <= question.max_points
    ):
        return refused(
            codes.BAD_SCORE,
            gettext_noop("The score must be from 0 to %(max)s."),
            max=question.max_points,
        )
    if not isinstance(command.note, str) or len(command.note) > MAX_TEXT:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("A note is text of at most %(n)s characters."),
            n=MAX_TEXT,
        )
    return _record(state, command.actor, score, command.note, skipped=False)


def _skip_question(state: SessionState, command: SkipQuestion, now: float) -> Changes | Refused:
    return _record(state, command.actor, None, "", skipped=True)


def _add_question(state: SessionState, command: AddQuestion, now: float) -> Changes | Refused:
    text, answer, points = command.text, command.answer, command.max_points
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("A question is text of 1 to %(n)s characters."),
            n=MAX_TEXT,
        )
    if not isinstance(answer, str) or len(answer) > MAX_TEXT:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("An answer is text of at most %(n)s characters."),
            n=MAX_TEXT,
        )
    if isinstance(points, bool) or not isinstance(points, int):
        return Refused(codes.BAD_REQUEST, gettext_noop("Max points must be a whole number."))
    if not MIN_POINTS <= points <= MAX_POINTS:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("Max points must be from %(min)s to %(max)s."),
            min=MIN_POINTS,
            max=MAX_POINTS,
        )
    index, block = _current(state)
    if block.adhoc_added >= MAX_ADHOC_PER_BLOCK:
        return refused(
            codes.TOO_MANY_QUESTIONS,
            gettext_noop("A block can have at most %(n)s questions added live."),
            n=MAX_ADHOC_PER_BLOCK,
        )
    number = block.adhoc_added + 1
    question = Question(
        key=f"t{block.topic_id}a{number}",
        bank_id=None,
        text=text,
        answer=answer,
        max_points=points,
        adhoc=True,
    )
    # Inserted at the current position, so the live question is asked right now.
    questions = (*block.questions[: block.position], question, *block.questions[block.position :])
    grown = replace(block, questions=questions, adhoc_added=number)
    event = Event(
        "question_added",
        {
            "block": index,
            "owner": command.actor,
            "topic_id": block.topic_id,
            "question_key": question.key,
            "text": text,
            "answer": answer,
            "max_points": points,
        },
    )
    return _with_block(state, index, grown), [event]


def _yield_block(state: SessionState, command: YieldBlock, now: float) -> Changes | Refused:
    events: list[Event] = []
    changes = _roll(state, now, "yielded", command.actor, events)
    return changes, events


def _pause(state: SessionState, command: PauseSession, now: float) -> Changes | Refused:
    index, block = _current(state)
    assert block.deadline is not None
    event = Event("paused", {"at": now, "index": index, "remaining": block.deadline - now})
    return {"paused_at": now}, [event]


def _resume(state: SessionState, command: ResumeSession, now: float) -> Changes | Refused:
    index, block = _current(state)
    assert block.deadline is not None and state.paused_at is not None
    # The paused time is given back to the block: its owner loses nothing to the pause.
    paused_for = max(0.0, now - state.paused_at)
    shifted = replace(block, deadline=block.deadline + paused_for)
    changes = {**_with_block(state, index, shifted), "paused_at": None}
    event = Event(
        "resumed",
        {"at": now, "index": index, "paused_for": paused_for, "deadline": shifted.deadline},
    )
    return changes, [event]


def _extend(state: SessionState, command: ExtendBlock, now: float) -> Changes | Refused:
    seconds = command.seconds
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        return Refused(
            codes.BAD_REQUEST, gettext_noop("An extension is a whole number of seconds.")
        )
    if not MIN_EXTEND <= seconds <= MAX_EXTEND:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("An extension is from %(min)s to %(max)s seconds."),
            min=MIN_EXTEND,
            max=MAX_EXTEND,
        )
    index, block = _current(state)
    assert block.deadline is not None
    longer = replace(
        block,
        deadline=block.deadline + seconds,
        extended_seconds=block.extended_seconds + seconds,
    )
    event = Event(
        "extended",
        {
            "index": index,
            "seconds": seconds,
            "deadline": longer.deadline,
            "extended_seconds": longer.extended_seconds,
        },
    )
    return _with_block(state, index, longer), [event]


def _finish(state: SessionState, command: FinishSession, now: float) -> Changes | Refused:
    events = [Event("session_finished", {"at": now})]
    if not state.feedback_due:
        events.append(_ready_event(state, now))
    return {"phase": FINISHED, "finished_at": now}, events


def _ready_event(state: SessionState, now: float) -> Event:
    """Finished and every block owner's feedback is in: the session goes to the cabinet."""
    return Event("ready_for_decision", {"at": now, "owners": list(state.owners)})


def _submit_feedback(state: SessionState, command: SubmitFeedback, now: float) -> Changes | Refused:
    summary, items = command.summary, command.items
    if not isinstance(summary, str) or not summary.strip() or len(summary) > MAX_SUMMARY:
        return refused(
            codes.BAD_REQUEST,
            gettext_noop("A summary is text of 1 to %(n)s characters."),
            n=MAX_SUMMARY,
        )
    if not isinstance(items, Mapping) or len(items) > MAX_ITEMS:
        return refused(
            codes.BAD_REQUEST, gettext_noop("Feedback has at most %(n)s items."), n=MAX_ITEMS
        )
    asked = {
        question.key
        for block in state.blocks
        if block.owner == command.actor
        for question in block.asked
    }
    for key, text in items.items():
        if key not in asked:
            return Refused(
                codes.BAD_REQUEST, gettext_noop("Feedback items are only for questions you asked.")
            )
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            return refused(
                codes.BAD_REQUEST,
                gettext_noop("Each item is text of at most %(n)s characters."),
                n=MAX_TEXT,
            )
    feedback = Feedback(
        member=command.actor, summary=summary, items=tuple(items.items()), submitted_at=now
    )
    events = [
        Event(
            "feedback_submitted",
            {"member": command.actor, "summary": summary, "items": dict(items), "at": now},
        )
    ]
    if state.phase == FINISHED and set(state.feedback_due) == {command.actor}:
        events.append(_ready_event(state, now))
    return {"feedback": (*state.feedback, feedback)}, events


Handler = Callable[[SessionState, Any, float], "Changes | Refused"]

# Command class -> what it does; who may send it is looked up in GUARDS by its frame type.
_HANDLERS: dict[type[Any], Handler] = {
    SetClaim: _set_claim,
    RequestProposal: _request_proposal,
    AcceptProposal: _accept_proposal,
    StartSession: _start_session,
    BeginBlocks: _begin_blocks,
    NextQuestion: _next_question,
    SkipQuestion: _skip_question,
    AddQuestion: _add_question,
    YieldBlock: _yield_block,
    PauseSession: _pause,
    ResumeSession: _resume,
    ExtendBlock: _extend,
    FinishSession: _finish,
    SubmitFeedback: _submit_feedback,
}
