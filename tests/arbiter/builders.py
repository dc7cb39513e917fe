"""Named people, topics and short-hand builders for the arbiter's tests."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from arbiter import (
    AddQuestion,
    Applied,
    BeginBlocks,
    Command,
    FinishSession,
    JoinSession,
    NextQuestion,
    QuestionSpec,
    Refused,
    SessionState,
    SetClaim,
    SkipQuestion,
    StartSession,
    TopicSpec,
    YieldBlock,
    apply,
    new_session,
)

LEAD, ANN, BOB = 1, 2, 3
OUTSIDER = 99
NAMES = {LEAD: "Lena", ANN: "Ann", BOB: "Bob"}

PYTHON = TopicSpec(id=10, name="Python", seconds=30)
SQL = TopicSpec(id=20, name="SQL", seconds=20)
OPS = TopicSpec(id=30, name="Ops", seconds=10)

T0 = 1_000.0

BANK: dict[int, list[QuestionSpec]] = {
    PYTHON.id: [
        QuestionSpec(id=101, text="What is a generator?", answer="A lazy iterator", max_points=5),
        QuestionSpec(id=102, text="What is the GIL?", answer="A lock", max_points=3),
        QuestionSpec(id=103, text="What is a decorator?", answer="A wrapper", max_points=5),
    ],
    SQL.id: [
        QuestionSpec(id=201, text="What is an index?", answer="A lookup structure", max_points=5),
        QuestionSpec(id=202, text="What is a join?", answer="Combining rows", max_points=4),
    ],
}

_ids = itertools.count(1)


def fresh_id() -> str:
    return f"cmd-{next(_ids)}"


def ok(state: SessionState, command: Command, now: float = T0) -> Applied:
    outcome = apply(state, command, now)
    assert isinstance(outcome, Applied), outcome
    return outcome


def refused(state: SessionState, command: Command, now: float = T0) -> Refused:
    outcome = apply(state, command, now)
    assert isinstance(outcome, Refused), outcome
    return outcome


def run(state: SessionState, *commands: Command, now: float = T0) -> SessionState:
    for command in commands:
        state = ok(state, command, now).state
    return state


def claim(actor: int, topic: TopicSpec, claimed: bool = True) -> SetClaim:
    return SetClaim(id=fresh_id(), actor=actor, topic_id=topic.id, claimed=claimed)


def lobby(
    topics: Sequence[TopicSpec] = (PYTHON, SQL), *, shuffle: bool = False, seed: int = 7
) -> SessionState:
    """Lena leads; Ann and Bob have joined; nobody has claimed anything yet."""
    state = new_session(
        lead=LEAD,
        lead_name=NAMES[LEAD],
        topics=topics,
        shuffle=shuffle,
        seed=seed,
        intro_text="Welcome",
        closing_text="Thanks",
    )
    return run(
        state,
        JoinSession(id=f"join:{ANN}", actor=ANN, name=NAMES[ANN]),
        JoinSession(id=f"join:{BOB}", actor=BOB, name=NAMES[BOB]),
    )


def start(bank: Mapping[int, Sequence[QuestionSpec]] | None = None) -> StartSession:
    return StartSession(id=fresh_id(), actor=LEAD, bank=BANK if bank is None else bank)


def intro(*, shuffle: bool = False) -> SessionState:
    """Ann owns Python (block 0, 30 s), Bob owns SQL (block 1, 20 s); the intro is on."""
    state = lobby(shuffle=shuffle)
    return run(state, claim(ANN, PYTHON), claim(BOB, SQL), start())


def in_blocks(now: float = T0) -> SessionState:
    """Ann's Python block has just started at ``now``."""
    return run(intro(), BeginBlocks(id=fresh_id(), actor=LEAD), now=now)


def score(actor: int, points: int, note: str = "") -> NextQuestion:
    return NextQuestion(id=fresh_id(), actor=actor, score=points, note=note)


def skip(actor: int) -> SkipQuestion:
    return SkipQuestion(id=fresh_id(), actor=actor)


def add(actor: int, text: str = "Live question?", max_points: int = 5) -> AddQuestion:
    return AddQuestion(id=fresh_id(), actor=actor, text=text, answer="", max_points=max_points)


def yield_block(actor: int) -> YieldBlock:
    return YieldBlock(id=fresh_id(), actor=actor)


def finish() -> FinishSession:
    return FinishSession(id=fresh_id(), actor=LEAD)


def closing(now: float = T0) -> SessionState:
    """Ann scored two Python questions, Bob skipped one SQL question; the closing is on."""
    state = in_blocks(now)
    return run(
        state,
        score(ANN, 4, "solid"),
        score(ANN, 1, "shaky"),
        yield_block(ANN),
        skip(BOB),
        yield_block(BOB),
        now=now,
    )


def finished(now: float = T0) -> SessionState:
    return run(closing(now), finish(), now=now)
