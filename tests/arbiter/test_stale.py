"""Commands name what they act on: one aimed at a question or block that is gone is stale."""

from __future__ import annotations

from arbiter import (
    AddQuestion,
    ExtendBlock,
    NextQuestion,
    PauseSession,
    ResumeSession,
    SkipQuestion,
    YieldBlock,
    command_from_frame,
    targets,
)
from arbiter.commands import MAX_ADHOC_PER_BLOCK
from tests.arbiter.builders import (
    ANN,
    BOB,
    LEAD,
    T0,
    closing,
    fresh_id,
    in_blocks,
    intro,
    lobby,
    ok,
    refused,
    run,
)


def test_a_double_click_on_next_scores_only_the_question_on_screen() -> None:
    state = in_blocks()
    shown = targets(state, "question.next")
    assert shown == {"question": "t10q101"}
    first = command_from_frame(ANN, {"type": "question.next", "id": "a", "score": 4, **shown})
    second = command_from_frame(ANN, {"type": "question.next", "id": "b", "score": 4, **shown})
    after = ok(state, first).state
    stale = refused(after, second)
    assert stale.code == "stale" and stale.message
    block = after.blocks[0]
    assert block.position == 1
    assert [q.score for q in block.questions] == [4, None, None]


def test_a_stale_skip_changes_nothing() -> None:
    state = in_blocks()
    after = ok(state, SkipQuestion(id=fresh_id(), actor=ANN, question="t10q101")).state
    assert refused(after, SkipQuestion(id=fresh_id(), actor=ANN, question="t10q101")).code == (
        "stale"
    )
    assert after.blocks[0].position == 1


def test_scoring_after_the_block_ran_out_is_stale() -> None:
    state = in_blocks()
    late = NextQuestion(id=fresh_id(), actor=ANN, score=3, question="t10q101")
    assert refused(state, late, now=T0 + 31).code == "stale"
    # no current question at all: still stale, not a crash
    assert refused(closing(), late).code == "stale"


def test_block_commands_aimed_at_an_ended_block_are_stale() -> None:
    state = in_blocks()
    yielded = ok(state, YieldBlock(id=fresh_id(), actor=ANN, block=0)).state
    assert yielded.current == 1
    for command in (
        YieldBlock(id=fresh_id(), actor=LEAD, block=0),
        ExtendBlock(id=fresh_id(), actor=LEAD, seconds=60, block=0),
        PauseSession(id=fresh_id(), actor=LEAD, block=0),
        ResumeSession(id=fresh_id(), actor=LEAD, block=0),
        AddQuestion(id=fresh_id(), actor=BOB, text="Why?", block=0),
    ):
        assert refused(yielded, command).code == "stale", command
    assert ok(yielded, ExtendBlock(id=fresh_id(), actor=LEAD, seconds=60, block=1))


def test_targets_name_the_current_block_and_question() -> None:
    state = in_blocks()
    for frame_type in ("question.add", "block.yield", "session.pause", "block.extend"):
        assert targets(state, frame_type) == {"block": 0}
    assert targets(state, "session.finish") == {}
    assert targets(intro(), "block.yield") == {}
    assert targets(lobby(), "question.next") == {}


def test_a_block_takes_a_bounded_number_of_live_questions() -> None:
    state = in_blocks()
    for n in range(MAX_ADHOC_PER_BLOCK):
        state = run(state, AddQuestion(id=fresh_id(), actor=ANN, text=f"Q{n}?", block=0))
    too_many = refused(state, AddQuestion(id=fresh_id(), actor=ANN, text="One more?", block=0))
    assert too_many.code == "too_many_questions"
    assert state.blocks[0].adhoc_added == MAX_ADHOC_PER_BLOCK
