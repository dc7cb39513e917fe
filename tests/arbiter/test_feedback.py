"""Feedback after a member's blocks, readiness for a decision, and the results."""

from __future__ import annotations

import json

from arbiter import BeginBlocks, SessionState, SubmitFeedback, allowed, results
from tests.arbiter.builders import (
    ANN,
    BOB,
    LEAD,
    PYTHON,
    SQL,
    add,
    claim,
    closing,
    finish,
    finished,
    fresh_id,
    in_blocks,
    lobby,
    ok,
    refused,
    run,
    score,
    start,
    yield_block,
)


def feedback(actor: int, summary: str = "Strong", **items: str) -> SubmitFeedback:
    return SubmitFeedback(id=fresh_id(), actor=actor, summary=summary, items=items)


def test_feedback_is_not_due_before_the_members_blocks_end() -> None:
    state = in_blocks()
    assert refused(state, feedback(ANN)).code == "feedback_not_due"
    assert refused(lobby(), feedback(ANN)).code == "feedback_not_due"


def ann_owns_everything() -> SessionState:
    """Ann owns both blocks; Bob and the lead own none; the blocks are running."""
    state = run(lobby(), claim(ANN, PYTHON), claim(ANN, SQL), start())
    return run(state, BeginBlocks(id=fresh_id(), actor=LEAD))


def test_a_member_without_a_block_has_no_feedback_to_give() -> None:
    state = run(ann_owns_everything(), yield_block(ANN), yield_block(ANN))
    assert state.phase == "closing"
    assert refused(state, feedback(BOB)).code == "feedback_not_due"
    assert refused(run(state, finish()), feedback(BOB)).code == "feedback_not_due"


def test_a_lead_without_a_block_writes_the_summary_once_the_blocks_are_over() -> None:
    running = ann_owns_everything()
    assert refused(running, feedback(LEAD)).code == "feedback_not_due"
    assert "feedback.submit" not in allowed(running, LEAD)
    over = run(running, yield_block(ANN), yield_block(ANN))
    assert "feedback.submit" in allowed(over, LEAD)
    summary = ok(over, feedback(LEAD, "Hire: strong in both topics"))
    assert [e.type for e in summary.events] == ["feedback_submitted"]
    # Never waited for: only block owners are due.
    assert summary.state.feedback_due == (ANN,)
    assert refused(summary.state, feedback(LEAD)).code == "already_submitted"
    # Items are for questions one asked: a lead who asked none gives a summary only.
    assert refused(over, feedback(LEAD, t10q101="not mine")).code == "bad_request"
    done = run(summary.state, finish())
    assert not done.ready_for_decision
    last = ok(done, feedback(ANN))
    assert [e.type for e in last.events] == ["feedback_submitted", "ready_for_decision"]


def test_a_lead_without_a_block_may_also_sum_up_after_the_decision_is_ready() -> None:
    done = run(ann_owns_everything(), yield_block(ANN), yield_block(ANN), feedback(ANN), finish())
    assert done.ready_for_decision
    summary = ok(done, feedback(LEAD, "Agreed"))
    assert [e.type for e in summary.events] == ["feedback_submitted"]
    assert summary.state.ready_for_decision
    assert results(summary.state)["feedback"][-1]["member"] == LEAD


def test_a_lead_who_owns_a_block_gives_feedback_like_any_owner() -> None:
    state = run(lobby(), claim(LEAD, PYTHON), claim(ANN, SQL), start())
    state = run(state, BeginBlocks(id=fresh_id(), actor=LEAD))
    assert refused(state, feedback(LEAD)).code == "feedback_not_due"
    state = run(state, yield_block(LEAD), yield_block(ANN))
    assert LEAD in state.feedback_due
    assert ok(state, feedback(LEAD)).state.feedback_due == (ANN,)


def test_a_member_submits_feedback_once_their_block_ended_even_during_the_next() -> None:
    state = run(in_blocks(), score(ANN, 4), yield_block(ANN))
    submitted = ok(state, feedback(ANN, "Good basics", t10q101="Knew generators"))
    assert submitted.events[0].type == "feedback_submitted"
    assert submitted.events[0].data["items"] == {"t10q101": "Knew generators"}
    assert refused(submitted.state, feedback(ANN)).code == "already_submitted"


def test_feedback_items_are_only_for_questions_the_member_asked() -> None:
    state = run(in_blocks(), score(ANN, 4), yield_block(ANN))
    assert refused(state, feedback(ANN, t10q102="never asked")).code == "bad_request"
    assert refused(state, feedback(ANN, t20q201="Bob's")).code == "bad_request"


def test_feedback_needs_a_summary_and_bounded_items() -> None:
    state = run(in_blocks(), score(ANN, 4), yield_block(ANN))
    assert refused(state, feedback(ANN, "   ")).code == "bad_request"
    assert refused(state, feedback(ANN, "x" * 10001)).code == "bad_request"
    assert refused(state, feedback(ANN, t10q101="x" * 2001)).code == "bad_request"
    many = SubmitFeedback(
        id=fresh_id(), actor=ANN, summary="ok", items={f"k{i}": "" for i in range(201)}
    )
    assert refused(state, many).code == "bad_request"


def test_the_session_is_ready_for_decision_when_finished_and_all_feedback_is_in() -> None:
    state = run(finished(), feedback(ANN))
    assert not state.ready_for_decision
    last = ok(state, feedback(BOB))
    assert [e.type for e in last.events] == ["feedback_submitted", "ready_for_decision"]
    assert last.state.ready_for_decision


def test_finishing_after_all_feedback_is_in_is_ready_at_once() -> None:
    state = run(closing(), feedback(ANN), feedback(BOB))
    assert not state.ready_for_decision
    done = ok(state, finish())
    assert [e.type for e in done.events] == ["session_finished", "ready_for_decision"]


def test_results_show_every_question_totals_and_feedback() -> None:
    state = run(in_blocks(), score(ANN, 4, "solid"), add(ANN, "Live?", 2), score(ANN, 2, "ok"))
    state = run(state, yield_block(ANN), score(BOB, 3), yield_block(BOB))
    state = run(state, feedback(ANN, "Good", t10a1="Handled the live one"), finish())
    report = results(state)
    json.dumps(report)
    python, sql = report["blocks"]
    assert python["owner"] == ANN and python["owner_name"] == "Ann"
    assert [q["key"] for q in python["questions"]] == ["t10q101", "t10a1"]
    assert python["totals"] == {"score": 6, "max_points": 7, "scored": 2, "skipped": 0}
    assert sql["totals"] == {"score": 3, "max_points": 5, "scored": 1, "skipped": 0}
    assert report["totals"] == {"score": 9, "max_points": 12, "scored": 3, "skipped": 0}
    assert report["feedback"][0]["items"] == {"t10a1": "Handled the live one"}
    assert report["feedback_due"] == [BOB]
    assert report["adhoc_questions"][0]["text"] == "Live?"
    assert report["finished"] and not report["ready_for_decision"]


def test_skipped_questions_count_apart_from_the_score() -> None:
    report = results(finished())
    assert report["blocks"][1]["totals"] == {"score": 0, "max_points": 0, "scored": 0, "skipped": 1}
    assert report["blocks"][0]["totals"]["max_points"] == 8


def test_results_of_a_session_in_the_lobby_are_empty() -> None:
    report = results(lobby())
    assert report["blocks"] == [] and report["feedback"] == []
    assert report["totals"]["score"] == 0
