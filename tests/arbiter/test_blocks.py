"""The blocks: turn order, questions and scores, deadlines, pause, extension and yielding."""

from __future__ import annotations

import pytest

from arbiter import (
    AddQuestion,
    BeginBlocks,
    Duplicate,
    ExtendBlock,
    NextQuestion,
    PauseSession,
    ResumeSession,
    SessionState,
    advance,
    apply,
    member_view,
    next_deadline,
)
from tests.arbiter.builders import (
    ANN,
    BOB,
    LEAD,
    T0,
    add,
    closing,
    finish,
    fresh_id,
    in_blocks,
    intro,
    ok,
    refused,
    run,
    score,
    skip,
    yield_block,
)


def pause(now: float = T0) -> PauseSession:
    return PauseSession(id=fresh_id(), actor=LEAD)


def resume() -> ResumeSession:
    return ResumeSession(id=fresh_id(), actor=LEAD)


def extend(seconds: int = 120, actor: int = LEAD) -> ExtendBlock:
    return ExtendBlock(id=fresh_id(), actor=actor, seconds=seconds)


def test_the_lead_begins_the_blocks_and_the_first_owner_gets_control() -> None:
    state = intro()
    assert refused(state, BeginBlocks(id=fresh_id(), actor=ANN)).code == "not_lead"
    begun = ok(state, BeginBlocks(id=fresh_id(), actor=LEAD), now=T0)
    assert begun.state.phase == "blocks"
    assert begun.state.control == ANN
    assert (begun.state.blocks[0].started_at, begun.state.blocks[0].deadline) == (T0, T0 + 30)
    assert next_deadline(begun.state) == T0 + 30
    assert [e.type for e in begun.events] == ["block_started"]


def test_it_refuses_questions_before_the_blocks() -> None:
    assert refused(intro(), score(ANN, 3)).code == "wrong_phase"


def test_only_the_block_owner_scores() -> None:
    state = in_blocks()
    assert refused(state, score(BOB, 3)).code == "not_your_turn"
    assert refused(state, score(LEAD, 3)).code == "not_your_turn"


def test_the_owner_scores_and_moves_to_the_next_question() -> None:
    scored = ok(in_blocks(), score(ANN, 4, "good"))
    block = scored.state.blocks[0]
    assert block.position == 1
    assert (block.questions[0].score, block.questions[0].note) == (4, "good")
    assert block.current_question is not None and block.current_question.bank_id == 102
    (event,) = scored.events
    assert event.type == "question_scored"
    assert event.data == {
        "block": 0,
        "owner": ANN,
        "topic_id": 10,
        "question_key": "t10q101",
        "bank_id": 101,
        "text": "What is a generator?",
        "score": 4,
        "max_points": 5,
        "note": "good",
        "skipped": False,
        "adhoc": False,
    }


@pytest.mark.parametrize("points", [-1, 6, True])
def test_it_refuses_a_score_outside_the_question_range(points: int) -> None:
    assert refused(in_blocks(), score(ANN, points)).code == "bad_score"


def test_it_refuses_a_note_that_is_too_long() -> None:
    assert refused(in_blocks(), score(ANN, 1, "x" * 2001)).code == "bad_request"


def test_a_skipped_question_has_no_score() -> None:
    skipped = ok(in_blocks(), skip(ANN))
    question = skipped.state.blocks[0].questions[0]
    assert (question.score, question.skipped) == (None, True)
    assert skipped.events[0].data["skipped"] is True


def test_it_refuses_next_when_the_questions_ran_out() -> None:
    state = run(in_blocks(), score(ANN, 1), score(ANN, 1), skip(ANN))
    assert refused(state, score(ANN, 1)).code == "no_question"
    assert refused(state, skip(ANN)).code == "no_question"


def test_an_added_question_becomes_the_current_one_and_stays_marked_adhoc() -> None:
    state = run(in_blocks(), score(ANN, 2))
    added = ok(state, add(ANN, "Why asyncio?", max_points=3))
    block = added.state.blocks[0]
    question = block.current_question
    assert question is not None
    assert (question.key, question.text, question.adhoc, question.bank_id) == (
        "t10a1",
        "Why asyncio?",
        True,
        None,
    )
    assert [q.bank_id for q in block.questions] == [101, None, 102, 103]
    assert added.events[0].type == "question_added"
    second = run(added.state, score(ANN, 3), add(ANN, "And trio?"))
    assert second.blocks[0].current_question.key == "t10a2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "command",
    [
        AddQuestion(id="a", actor=ANN, text="  "),
        AddQuestion(id="a", actor=ANN, text="x" * 2001),
        AddQuestion(id="a", actor=ANN, text="Q", answer="x" * 2001),
        AddQuestion(id="a", actor=ANN, text="Q", max_points=0),
        AddQuestion(id="a", actor=ANN, text="Q", max_points=101),
        AddQuestion(id="a", actor=ANN, text="Q", max_points=True),
    ],
    ids=["blank", "long text", "long answer", "zero points", "too many points", "bool points"],
)
def test_it_refuses_a_malformed_live_question(command: AddQuestion) -> None:
    assert refused(in_blocks(), command).code == "bad_request"


def test_a_live_question_helps_when_the_bank_ran_out() -> None:
    state = run(in_blocks(), skip(ANN), skip(ANN), skip(ANN), add(ANN), score(ANN, 5))
    assert [q.skipped for q in state.blocks[0].asked] == [True, True, True, False]


def test_the_deadline_hands_control_to_the_next_block_at_the_deadline() -> None:
    state = in_blocks()
    assert advance(state, T0 + 29.9) == (state, ())
    moved, events = advance(state, T0 + 35)
    assert [e.type for e in events] == ["block_ended", "block_started"]
    assert moved.version == state.version + 1
    assert moved.control == BOB
    assert moved.blocks[0].ended_at == T0 + 30
    # The next block starts at the deadline, not when the process woke up.
    assert (moved.blocks[1].started_at, moved.blocks[1].deadline) == (T0 + 30, T0 + 50)


def test_a_long_sleep_applies_every_due_deadline_and_reaches_the_closing() -> None:
    state = in_blocks()
    moved, events = advance(state, T0 + 500)
    assert [e.type for e in events] == [
        "block_ended",
        "block_started",
        "block_ended",
        "closing_started",
    ]
    assert moved.phase == "closing"
    assert moved.control == LEAD
    assert moved.version == state.version + 1
    assert moved.closing_at == T0 + 50
    assert next_deadline(moved) is None


def test_advance_is_idempotent() -> None:
    moved, _ = advance(in_blocks(), T0 + 35)
    again, events = advance(moved, T0 + 35)
    assert events == () and again is moved


def test_apply_advances_first_and_bumps_the_version_once() -> None:
    state = in_blocks()
    outcome = ok(state, score(BOB, 3), now=T0 + 31)
    assert outcome.state.version == state.version + 1
    assert [e.type for e in outcome.events] == ["block_ended", "block_started", "question_scored"]
    # Ann's turn ended with the clock: she can no longer score.
    assert refused(state, score(ANN, 3), now=T0 + 31).code == "not_your_turn"


def test_the_owner_may_end_the_block_early_and_the_next_starts_now() -> None:
    ended = ok(in_blocks(), yield_block(ANN), now=T0 + 10)
    assert ended.state.blocks[0].ended_at == T0 + 10
    assert (ended.state.blocks[1].started_at, ended.state.blocks[1].deadline) == (T0 + 10, T0 + 30)
    assert ended.events[0].data["reason"] == "yielded"


def test_the_lead_may_end_any_block_but_other_members_may_not() -> None:
    state = in_blocks()
    assert refused(state, yield_block(BOB)).code == "not_your_turn"
    assert ok(state, yield_block(LEAD)).state.control == BOB


def test_yielding_the_last_block_goes_to_the_closing() -> None:
    state = run(in_blocks(), yield_block(ANN), yield_block(BOB), now=T0 + 5)
    assert state.phase == "closing"
    assert state.control == LEAD
    assert refused(state, yield_block(LEAD)).code == "wrong_phase"


def test_pause_freezes_the_clock_and_resume_gives_the_time_back() -> None:
    state = in_blocks()
    paused = ok(state, pause(), now=T0 + 10).state
    assert next_deadline(paused) is None
    assert advance(paused, T0 + 1000) == (paused, ())
    assert refused(paused, score(ANN, 3), now=T0 + 20).code == "paused"
    assert refused(paused, add(ANN), now=T0 + 20).code == "paused"
    assert refused(paused, yield_block(ANN), now=T0 + 20).code == "paused"
    assert refused(paused, pause(), now=T0 + 20).code == "paused"
    resumed = ok(paused, resume(), now=T0 + 70)
    assert resumed.state.blocks[0].deadline == T0 + 90
    assert resumed.events[0].data["paused_for"] == 60
    assert next_deadline(resumed.state) == T0 + 90


def test_only_the_lead_pauses_and_only_a_paused_session_resumes() -> None:
    state = in_blocks()
    assert refused(state, PauseSession(id=fresh_id(), actor=ANN)).code == "not_lead"
    assert refused(state, resume()).code == "not_paused"
    assert refused(intro(), pause()).code == "wrong_phase"


def test_the_lead_extends_the_running_block_even_while_paused() -> None:
    state = in_blocks()
    longer = ok(state, extend(60)).state
    assert longer.blocks[0].deadline == T0 + 90
    paused = run(longer, pause(), extend(30), now=T0 + 10)
    assert paused.blocks[0].deadline == T0 + 120
    assert refused(state, extend(60, actor=ANN)).code == "not_lead"


def test_extensions_add_up_in_extended_seconds_and_reach_the_view() -> None:
    state = in_blocks()
    applied = ok(state, extend(60))
    assert applied.events[-1].data["extended_seconds"] == 60
    longer = run(applied.state, extend(30))
    assert longer.blocks[0].extended_seconds == 90
    assert longer.blocks[0].seconds == 30  # the planned length stays as planned
    assert longer.blocks[1].extended_seconds == 0
    lines = member_view(longer, ANN, T0)["blocks"]
    assert [line["extended_seconds"] for line in lines] == [90, 0]
    assert SessionState.from_json(longer.to_json()) == longer
    old_row = longer.to_json()
    for block in old_row["blocks"]:
        del block["extended_seconds"]  # a state stored before the field existed
    assert SessionState.from_json(old_row).blocks[0].extended_seconds == 0
    # Kept once the block is over.
    after = run(longer, yield_block(ANN))
    assert member_view(after, ANN, T0)["blocks"][0]["extended_seconds"] == 90


@pytest.mark.parametrize("seconds", [0, 1801, True])
def test_it_refuses_an_extension_out_of_range(seconds: int) -> None:
    assert refused(in_blocks(), extend(seconds)).code == "bad_request"


def test_the_lead_finishes_from_the_closing_only() -> None:
    assert refused(in_blocks(), finish()).code == "wrong_phase"
    state = closing()
    assert refused(state, type(finish())(id=fresh_id(), actor=ANN)).code == "not_lead"
    done = ok(state, finish(), now=T0 + 60)
    assert done.state.phase == "finished"
    assert done.state.control is None
    assert done.state.finished_at == T0 + 60
    assert [e.type for e in done.events] == ["session_finished"]


def test_a_duplicate_after_the_clock_moved_returns_the_advanced_state() -> None:
    state = in_blocks()
    command = NextQuestion(id="n1", actor=ANN, score=1)
    applied = ok(state, command)
    outcome = apply(applied.state, command, T0 + 31)
    assert isinstance(outcome, Duplicate)
    assert outcome.state.control == BOB
