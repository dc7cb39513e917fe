"""The commands, each registered once: its frame type, fields, guard, target and what it does.

Every command is a frozen dataclass deriving from ``registry.Command`` (``id``, ``actor``),
registered with ``@command(...)`` (see ``arbiter.registry``); its ``changes`` method is what it
does once ``rules.apply`` has admitted it. They are listed in the order a member's ``can``
lists them. A new command is one more class here, and its line in docs/protocol.md.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from arbiter import codes
from arbiter.i18n import gettext_noop
from arbiter.outcomes import Event, Refused, refused
from arbiter.registry import (
    BOOL,
    INDEX,
    INT,
    ITEMS,
    KEY,
    MAX_SUMMARY,
    MAX_TEXT,
    TEXT,
    Changes,
    Command,
    Field,
    command,
)
from arbiter.rules import (
    ALREADY_PAUSED,
    NOT_PAUSED,
    PAUSED,
    WRONG_PHASE,
    block_started,
    in_phase,
    lead_in,
    lead_refusal,
    owner_unpaused,
    propose,
    roll,
    started,
    with_question,
)
from arbiter.state import (
    BLOCKS,
    CLOSING,
    FINISHED,
    INTRO,
    LOBBY,
    Block,
    Feedback,
    Member,
    Question,
    QuestionSpec,
    SessionState,
)

__all__ = [
    "AcceptProposal",
    "AddQuestion",
    "BeginBlocks",
    "Command",
    "ExtendBlock",
    "FinishSession",
    "JoinSession",
    "NextQuestion",
    "PauseSession",
    "RequestProposal",
    "ResumeSession",
    "SetClaim",
    "SkipQuestion",
    "StartSession",
    "SubmitFeedback",
    "YieldBlock",
]

MAX_ITEMS = 200
MIN_EXTEND, MAX_EXTEND = 1, 1800
MIN_POINTS, MAX_POINTS = 1, 100
# Live-typed questions a block may gain: each is stored in the state and rewritten with every
# command, so an unbounded stream of them would make every later command slower.
MAX_ADHOC_PER_BLOCK = 20


# --- joining (the service's, never a frame's) ------------------------------------------------


def _open_to_join(state: SessionState, actor: int) -> Refused | None:
    if state.phase == FINISHED:
        return _OVER
    return None


_OVER = Refused(codes.WRONG_PHASE, gettext_noop("The session is over; nobody can join it now."))


# Joining needs the session's code, which the service checks, so a frame can never make anyone
# a member; a member joining again gets ``Duplicate``.
@command("member.join", guard=_open_to_join, from_frame=False, admits_strangers=True)
@dataclass(frozen=True, slots=True)
class JoinSession(Command):
    name: str

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        joined = Event("member_joined", {"member": self.actor, "name": self.name})
        return {"members": (*state.members, Member(self.actor, self.name))}, [joined]


# --- the lobby -------------------------------------------------------------------------------


@command("claim.set", fields={"topic_id": INT, "claimed": BOOL}, guard=in_phase(LOBBY))
@dataclass(frozen=True, slots=True)
class SetClaim(Command):
    topic_id: int
    claimed: bool

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        index = next((i for i, t in enumerate(state.topics) if t.id == self.topic_id), None)
        if index is None:
            return _UNKNOWN_TOPIC
        before = state.claims[index]
        members = set(before)
        if self.claimed:
            members.add(self.actor)
        else:
            members.discard(self.actor)
        after = tuple(sorted(members))
        if after == before:
            return {}, []  # already so: acknowledged and remembered, nothing to announce
        claims = (*state.claims[:index], after, *state.claims[index + 1 :])
        event = Event(
            "claim_changed",
            {"topic_id": self.topic_id, "member": self.actor, "claimed": self.claimed,
             "claimants": list(after)},
        )  # fmt: skip
        # A proposal was computed from the old claims; keeping it would propose a stale picture.
        return {"claims": claims, "proposal": None}, [event]


_UNKNOWN_TOPIC = Refused(
    codes.UNKNOWN_TOPIC, gettext_noop("That topic is not part of this session.")
)


@command("proposal.request", guard=in_phase(LOBBY))
@dataclass(frozen=True, slots=True)
class RequestProposal(Command):
    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        proposal = tuple(propose(state).items())
        event = Event("proposal_made", {"by": self.actor, "assignment": _assignment(proposal)})
        return {"proposal": proposal}, [event]


def _proposal_to_accept(state: SessionState, actor: int) -> Refused | None:
    refusal = lead_refusal(state, actor, LOBBY)
    if refusal is None and state.proposal is None:
        return _NO_PROPOSAL
    return refusal


_NO_PROPOSAL = Refused(
    codes.NO_PROPOSAL, gettext_noop("There is no proposal to accept; request one first.")
)


@command("proposal.accept", guard=_proposal_to_accept)
@dataclass(frozen=True, slots=True)
class AcceptProposal(Command):
    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        assert state.proposal is not None  # the guard refuses otherwise
        owners = dict(state.proposal)
        claims = tuple((owners[topic.id],) for topic in state.topics)
        event = Event("proposal_accepted", {"assignment": _assignment(state.proposal)})
        return {"claims": claims, "proposal": None}, [event]


def _assignment(pairs: Sequence[tuple[int, int]]) -> list[dict[str, int]]:
    return [{"topic_id": topic_id, "member": member} for topic_id, member in pairs]


def _ready_to_start(state: SessionState, actor: int) -> Refused | None:
    refusal = lead_refusal(state, actor, LOBBY)
    if refusal is None and not state.ready:
        return _NOT_READY
    return refusal


_NOT_READY = Refused(
    codes.NOT_READY, gettext_noop("Every topic needs exactly one interviewer before the start.")
)


@command("session.start", guard=_ready_to_start)
@dataclass(frozen=True, slots=True)
class StartSession(Command):
    # Attached by the service from the question bank; a client frame never carries it.
    bank: Mapping[int, Sequence[QuestionSpec]] = field(default_factory=dict)

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        blocks = tuple(
            Block(
                index=position,
                topic_id=topic.id,
                topic=topic.name,
                owner=claimants[0],
                seconds=topic.seconds,
                questions=_planned(state, position, topic.id, self.bank.get(topic.id, ())),
            )
            for position, (topic, claimants) in enumerate(
                zip(state.topics, state.claims, strict=True)
            )
        )
        event = Event(
            "session_started",
            {
                "at": now,
                "blocks": [
                    {
                        "index": b.index,
                        "topic_id": b.topic_id,
                        "owner": b.owner,
                        "seconds": b.seconds,
                        "question_ids": [q.bank_id for q in b.questions],
                    }
                    for b in blocks
                ],
                "question_ids": [q.bank_id for b in blocks for q in b.questions],
            },
        )
        return {"phase": INTRO, "blocks": blocks, "proposal": None, "started_at": now}, [event]


def _planned(
    state: SessionState, position: int, topic_id: int, bank: Sequence[QuestionSpec]
) -> tuple[Question, ...]:
    specs = list({spec.id: spec for spec in bank}.values())  # a repeated bank id would clash
    if state.shuffle:
        # Seeded per session and per position: the same session always gets the same order,
        # and reordering the bank of one topic does not reshuffle the others.
        random.Random(f"{state.seed}:{position}").shuffle(specs)
    return tuple(
        Question(key=f"t{topic_id}q{spec.id}", bank_id=spec.id, text=spec.text,
                 answer=spec.answer, max_points=spec.max_points)
        for spec in specs
    )  # fmt: skip


# --- the intro and the blocks -----------------------------------------------------------------


@command("blocks.begin", guard=lead_in(INTRO))
@dataclass(frozen=True, slots=True)
class BeginBlocks(Command):
    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        first = started(state.blocks[0], now)
        changes = {"phase": BLOCKS, "current": 0, "blocks": (first, *state.blocks[1:])}
        return changes, [block_started(first)]


@command(
    "question.next",
    fields={"question": KEY, "score": INT, "note": TEXT.optional()},
    guard=with_question,
    target="question",
)
@dataclass(frozen=True, slots=True)
class NextQuestion(Command):
    score: int
    note: str = ""
    # The key of the question the sender saw as current. A frame must name it (the schema
    # requires it); a different current question means the command is stale.
    question: str | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        question = _current(state)[1].current_question
        assert question is not None  # the guard refuses otherwise
        score = self.score
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
        if not isinstance(self.note, str) or len(self.note) > MAX_TEXT:
            return refused(
                codes.BAD_REQUEST,
                gettext_noop("A note is text of at most %(n)s characters."),
                n=MAX_TEXT,
            )
        return _asked(state, self.actor, score, self.note, skipped=False)


@command("question.skip", fields={"question": KEY}, guard=with_question, target="question")
@dataclass(frozen=True, slots=True)
class SkipQuestion(Command):
    question: str | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        return _asked(state, self.actor, None, "", skipped=True)


def _asked(state: SessionState, owner: int, score: int | None, note: str, skipped: bool) -> Changes:
    """The current question asked: scored (or skipped), and the next one current."""
    index, block = _current(state)
    question = block.questions[block.position]
    done = replace(question, score=score, note=note, skipped=skipped)
    questions = (*block.questions[: block.position], done, *block.questions[block.position + 1 :])
    moved = replace(block, questions=questions, position=block.position + 1)
    event = Event(
        "question_scored",
        {"block": index, "owner": owner, "topic_id": block.topic_id, "question_key": done.key,
         "bank_id": done.bank_id, "text": done.text, "score": score,
         "max_points": done.max_points, "note": note, "skipped": skipped, "adhoc": done.adhoc},
    )  # fmt: skip
    return _with_block(state, index, moved), [event]


@command(
    "question.add",
    fields={"block": INDEX, "text": TEXT, "answer": TEXT.optional(), "max_points": INT.optional()},
    guard=owner_unpaused,
    target="block",
)
@dataclass(frozen=True, slots=True)
class AddQuestion(Command):
    text: str
    answer: str = ""
    max_points: int = 5
    # The index of the block the sender saw as running; another running block means stale.
    block: int | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        text, answer, points = self.text, self.answer, self.max_points
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
        question = Question(key=f"t{block.topic_id}a{number}", bank_id=None, text=text,
                            answer=answer, max_points=points, adhoc=True)  # fmt: skip
        # Inserted at the current position, so the live question is asked right now.
        questions = (
            *block.questions[: block.position], question, *block.questions[block.position :]
        )  # fmt: skip
        grown = replace(block, questions=questions, adhoc_added=number)
        event = Event(
            "question_added",
            {"block": index, "owner": self.actor, "topic_id": block.topic_id,
             "question_key": question.key, "text": text, "answer": answer,
             "max_points": points},
        )  # fmt: skip
        return _with_block(state, index, grown), [event]


def _owner_or_lead_unpaused(state: SessionState, actor: int) -> Refused | None:
    if state.phase != BLOCKS:
        return WRONG_PHASE[BLOCKS, state.phase]
    block = state.current_block
    if actor != state.lead and (block is None or block.owner != actor):
        return _NOT_OWNER_OR_LEAD
    if state.paused_at is not None:
        # Ending a block while paused would start the next one paused mid-air; resume first.
        return PAUSED
    return None


_NOT_OWNER_OR_LEAD = Refused(
    codes.NOT_YOUR_TURN, gettext_noop("Only the block's interviewer or the lead can end the block.")
)


@command("block.yield", fields={"block": INDEX}, guard=_owner_or_lead_unpaused, target="block")
@dataclass(frozen=True, slots=True)
class YieldBlock(Command):
    block: int | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        events: list[Event] = []
        return roll(state, now, "yielded", self.actor, events), events


def _pausable(state: SessionState, actor: int) -> Refused | None:
    refusal = lead_refusal(state, actor, BLOCKS)
    if refusal is None and state.paused_at is not None:
        return ALREADY_PAUSED
    return refusal


@command("session.pause", fields={"block": INDEX}, guard=_pausable, target="block")
@dataclass(frozen=True, slots=True)
class PauseSession(Command):
    block: int | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        index, block = _current(state)
        assert block.deadline is not None
        event = Event("paused", {"at": now, "index": index, "remaining": block.deadline - now})
        return {"paused_at": now}, [event]


def _resumable(state: SessionState, actor: int) -> Refused | None:
    refusal = lead_refusal(state, actor, BLOCKS)
    if refusal is None and state.paused_at is None:
        return NOT_PAUSED
    return refusal


@command("session.resume", fields={"block": INDEX}, guard=_resumable, target="block")
@dataclass(frozen=True, slots=True)
class ResumeSession(Command):
    block: int | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
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


@command(
    "block.extend",
    fields={"block": INDEX, "seconds": INT.optional()},
    guard=lead_in(BLOCKS),
    target="block",
)
@dataclass(frozen=True, slots=True)
class ExtendBlock(Command):
    seconds: int = 120
    block: int | None = None

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        seconds = self.seconds
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
        longer = replace(block, deadline=block.deadline + seconds,
                         extended_seconds=block.extended_seconds + seconds)  # fmt: skip
        event = Event(
            "extended",
            {"index": index, "seconds": seconds, "deadline": longer.deadline,
             "extended_seconds": longer.extended_seconds},
        )  # fmt: skip
        return _with_block(state, index, longer), [event]


def _current(state: SessionState) -> tuple[int, Block]:
    index = state.current
    assert index is not None  # the guards admit block commands only with a running block
    return index, state.blocks[index]


def _with_block(state: SessionState, index: int, block: Block) -> dict[str, Any]:
    return {"blocks": (*state.blocks[:index], block, *state.blocks[index + 1 :])}


# --- the closing and the feedback ----------------------------------------------------------


@command("session.finish", guard=lead_in(CLOSING))
@dataclass(frozen=True, slots=True)
class FinishSession(Command):
    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        events = [Event("session_finished", {"at": now})]
        if not state.feedback_due:
            events.append(_ready_event(state, now))
        return {"phase": FINISHED, "finished_at": now}, events


def _ready_event(state: SessionState, now: float) -> Event:
    """Finished and every block owner's feedback is in: the session goes to the cabinet."""
    return Event("ready_for_decision", {"at": now, "owners": list(state.owners)})


def _feedback_due(state: SessionState, actor: int) -> Refused | None:
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


_FEEDBACK_NOT_DUE = Refused(
    codes.FEEDBACK_NOT_DUE, gettext_noop("Feedback opens once every block you own has ended.")
)
_ALREADY_SUBMITTED = Refused(
    codes.ALREADY_SUBMITTED, gettext_noop("Your feedback is already submitted.")
)


@command(
    "feedback.submit",
    fields={"summary": Field("str", max_length=MAX_SUMMARY), "items": ITEMS},
    guard=_feedback_due,
)
@dataclass(frozen=True, slots=True)
class SubmitFeedback(Command):
    summary: str
    items: Mapping[str, str] = field(default_factory=dict)

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        summary, items = self.summary, self.items
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
        asked = {q.key for b in state.blocks if b.owner == self.actor for q in b.asked}
        for key, text in items.items():
            if key not in asked:
                return Refused(
                    codes.BAD_REQUEST,
                    gettext_noop("Feedback items are only for questions you asked."),
                )
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                return refused(
                    codes.BAD_REQUEST,
                    gettext_noop("Each item is text of at most %(n)s characters."),
                    n=MAX_TEXT,
                )
        feedback = Feedback(member=self.actor, summary=summary, items=tuple(items.items()),
                            submitted_at=now)  # fmt: skip
        events = [
            Event(
                "feedback_submitted",
                {"member": self.actor, "summary": summary, "items": dict(items), "at": now},
            )
        ]
        if state.phase == FINISHED and set(state.feedback_due) == {self.actor}:
            events.append(_ready_event(state, now))
        return {"feedback": (*state.feedback, feedback)}, events
