"""The session's state: immutable records that share structure between versions, and their JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

LOBBY = "lobby"
INTRO = "intro"
BLOCKS = "blocks"
CLOSING = "closing"
FINISHED = "finished"
PHASES: tuple[str, ...] = (LOBBY, INTRO, BLOCKS, CLOSING, FINISHED)

# How many applied command ids the state remembers for idempotency. A client retries within
# seconds (the page never re-sends), so the last 64 cover over a minute of a busy panel. Each
# id costs ~45 bytes in every stored state and every command's write: at 256 the ids were 90 %
# of a lobby's state and pushed every row past PostgreSQL's 2 KB out-of-line (TOAST) threshold.
RECENT_LIMIT = 64

# Bumped when the JSON shape changes incompatibly, so old rows can be migrated knowingly.
SCHEMA = 1


@dataclass(frozen=True, slots=True)
class TopicSpec:
    id: int
    name: str
    seconds: int


@dataclass(frozen=True, slots=True)
class QuestionSpec:
    id: int
    text: str
    answer: str
    max_points: int


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Question:
    """A question of a block: planned from the bank or typed live, and, once asked, its outcome."""

    key: str
    bank_id: int | None
    text: str
    answer: str
    max_points: int
    adhoc: bool = False
    score: int | None = None
    note: str = ""
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    """One topic's turn: its owner asks ``questions`` in order; ``position`` is the current one."""

    index: int
    topic_id: int
    topic: str
    owner: int
    seconds: int
    questions: tuple[Question, ...] = ()
    # questions[:position] have been asked (scored or skipped); questions[position] is current.
    position: int = 0
    # Counts live-typed questions so their keys stay unique even if the bank has no ids for them.
    adhoc_added: int = 0
    started_at: float | None = None
    deadline: float | None = None
    ended_at: float | None = None
    # Seconds the lead added with block.extend (the deadline already includes them).
    extended_seconds: int = 0

    @property
    def asked(self) -> tuple[Question, ...]:
        return self.questions[: self.position]

    @property
    def current_question(self) -> Question | None:
        if self.position < len(self.questions):
            return self.questions[self.position]
        return None


@dataclass(frozen=True, slots=True)
class Feedback:
    member: int
    summary: str
    items: tuple[tuple[str, str], ...]
    submitted_at: float


@dataclass(frozen=True, slots=True)
class SessionState:
    """Everything the arbiter knows about one session. Never mutated: rules build a new one."""

    version: int
    phase: str
    lead: int
    members: tuple[Member, ...]
    topics: tuple[TopicSpec, ...]
    # Parallel to ``topics``: the sorted ids of the members who claimed each topic.
    claims: tuple[tuple[int, ...], ...]
    shuffle: bool
    seed: int
    intro_text: str = ""
    closing_text: str = ""
    # (topic_id, member) in topic order, as computed by ``propose``; None until requested.
    proposal: tuple[tuple[int, int], ...] | None = None
    blocks: tuple[Block, ...] = ()
    # Index into ``blocks`` of the running block; only set in the blocks phase.
    current: int | None = None
    paused_at: float | None = None
    feedback: tuple[Feedback, ...] = ()
    # (actor, command id) of the last RECENT_LIMIT applied commands, oldest first.
    recent: tuple[tuple[int, str], ...] = ()
    started_at: float | None = None
    closing_at: float | None = None
    finished_at: float | None = None
    # Not state: member views memoise what they have in common here (see views.py), so the
    # views of one version share that work. Left out of equality, JSON and replace().
    _view_parts: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # --- small derived facts, used by the rules and the views ------------------------------

    def is_member(self, user: int) -> bool:
        for member in self.members:
            if member.id == user:
                return True
        return False

    def member_name(self, user: int) -> str:
        for member in self.members:
            if member.id == user:
                return member.name
        return ""

    @property
    def current_block(self) -> Block | None:
        if self.current is None:
            return None
        return self.blocks[self.current]

    @property
    def control(self) -> int | None:
        """Who drives the session now: the lead around the blocks, the block's owner inside."""
        if self.phase in (INTRO, CLOSING):
            return self.lead
        block = self.current_block
        if self.phase == BLOCKS and block is not None:
            return block.owner
        return None

    @property
    def ready(self) -> bool:
        """Every topic has exactly one claimant: the lead may start."""
        return all(len(claimants) == 1 for claimants in self.claims)

    @property
    def owners(self) -> tuple[int, ...]:
        """Members who own at least one block, in block order, without repeats."""
        return tuple(dict.fromkeys(block.owner for block in self.blocks))

    def feedback_of(self, member: int) -> Feedback | None:
        for feedback in self.feedback:
            if feedback.member == member:
                return feedback
        return None

    @property
    def feedback_due(self) -> tuple[int, ...]:
        """Block owners whose feedback is not in. A lead who owns no block may add a summary
        (see the guard of commands.SubmitFeedback) but is never waited for."""
        submitted = {feedback.member for feedback in self.feedback}
        return tuple(owner for owner in self.owners if owner not in submitted)

    @property
    def ready_for_decision(self) -> bool:
        return self.phase == FINISHED and not self.feedback_due

    # --- JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": self.version,
            "phase": self.phase,
            "lead": self.lead,
            "members": [{"id": member.id, "name": member.name} for member in self.members],
            "topics": [
                {
                    "id": topic.id,
                    "name": topic.name,
                    "seconds": topic.seconds,
                    "claimants": list(claimants),
                }
                for topic, claimants in zip(self.topics, self.claims, strict=True)
            ],
            "shuffle": self.shuffle,
            "seed": self.seed,
            "intro_text": self.intro_text,
            "closing_text": self.closing_text,
            "proposal": (None if self.proposal is None else [list(pair) for pair in self.proposal]),
            "blocks": [_block_to_json(block) for block in self.blocks],
            "current": self.current,
            "paused_at": self.paused_at,
            "feedback": [
                {
                    "member": feedback.member,
                    "summary": feedback.summary,
                    "items": dict(feedback.items),
                    "submitted_at": feedback.submitted_at,
                }
                for feedback in self.feedback
            ],
            "recent": [[actor, command_id] for actor, command_id in self.recent],
            "started_at": self.started_at,
            "closing_at": self.closing_at,
            "finished_at": self.finished_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionState:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"unsupported arbiter state schema {data.get('schema')!r}")
        proposal = data["proposal"]
        return cls(
            version=int(data["version"]),
            phase=str(data["phase"]),
            lead=int(data["lead"]),
            members=tuple(Member(id=int(m["id"]), name=str(m["name"])) for m in data["members"]),
            topics=tuple(
                TopicSpec(id=int(t["id"]), name=str(t["name"]), seconds=int(t["seconds"]))
                for t in data["topics"]
            ),
            claims=tuple(tuple(int(c) for c in t["claimants"]) for t in data["topics"]),
            shuffle=bool(data["shuffle"]),
            seed=int(data["seed"]),
            intro_text=str(data["intro_text"]),
            closing_text=str(data["closing_text"]),
            proposal=(None if proposal is None else tuple((int(t), int(m)) for t, m in proposal)),
            blocks=tuple(_block_from_json(block) for block in data["blocks"]),
            current=_opt_int(data["current"]),
            paused_at=_opt_float(data["paused_at"]),
            feedback=tuple(
                Feedback(
                    member=int(f["member"]),
                    summary=str(f["summary"]),
                    items=tuple((str(k), str(v)) for k, v in f["items"].items()),
                    submitted_at=float(f["submitted_at"]),
                )
                for f in data["feedback"]
            ),
            # A push leaves the ids out: only the stored state needs them (sessions_live.broadcast).
            recent=tuple(
                (int(actor), str(command_id)) for actor, command_id in data.get("recent", ())
            ),
            started_at=_opt_float(data["started_at"]),
            closing_at=_opt_float(data["closing_at"]),
            finished_at=_opt_float(data["finished_at"]),
        )


def new_session(
    *,
    lead: int,
    lead_name: str,
    topics: Sequence[TopicSpec],
    shuffle: bool,
    seed: int,
    intro_text: str = "",
    closing_text: str = "",
) -> SessionState:
    """A fresh session in the lobby, version 1, whose only member is the lead."""
    if not topics:
        raise ValueError("a session needs at least one topic")
    if len({topic.id for topic in topics}) != len(topics):
        raise ValueError("a topic can appear only once in a session")
    if any(topic.seconds <= 0 for topic in topics):
        raise ValueError("every topic needs a positive duration")
    return SessionState(
        version=1,
        phase=LOBBY,
        lead=lead,
        members=(Member(id=lead, name=lead_name),),
        topics=tuple(topics),
        claims=tuple(() for _ in topics),
        shuffle=shuffle,
        seed=seed,
        intro_text=intro_text,
        closing_text=closing_text,
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _block_to_json(block: Block) -> dict[str, Any]:
    return {
        "index": block.index,
        "topic_id": block.topic_id,
        "topic": block.topic,
        "owner": block.owner,
        "seconds": block.seconds,
        "questions": [
            {
                "key": q.key,
                "bank_id": q.bank_id,
                "text": q.text,
                "answer": q.answer,
                "max_points": q.max_points,
                "adhoc": q.adhoc,
                "score": q.score,
                "note": q.note,
                "skipped": q.skipped,
            }
            for q in block.questions
        ],
        "position": block.position,
        "adhoc_added": block.adhoc_added,
        "started_at": block.started_at,
        "deadline": block.deadline,
        "ended_at": block.ended_at,
        "extended_seconds": block.extended_seconds,
    }


def _block_from_json(data: Mapping[str, Any]) -> Block:
    return Block(
        index=int(data["index"]),
        topic_id=int(data["topic_id"]),
        topic=str(data["topic"]),
        owner=int(data["owner"]),
        seconds=int(data["seconds"]),
        questions=tuple(
            Question(
                key=str(q["key"]),
                bank_id=_opt_int(q["bank_id"]),
                text=str(q["text"]),
                answer=str(q["answer"]),
                max_points=int(q["max_points"]),
                adhoc=bool(q["adhoc"]),
                score=_opt_int(q["score"]),
                note=str(q["note"]),
                skipped=bool(q["skipped"]),
            )
            for q in data["questions"]
        ),
        position=int(data["position"]),
        adhoc_added=int(data["adhoc_added"]),
        started_at=_opt_float(data["started_at"]),
        deadline=_opt_float(data["deadline"]),
        ended_at=_opt_float(data["ended_at"]),
        # States stored before the field existed have no extensions recorded.
        extended_seconds=int(data.get("extended_seconds", 0)),
    )
