"""What each member sees, and that the buttons offered match what apply() accepts."""

from __future__ import annotations

import json
from typing import Any

from arbiter import (
    ALL_COMMAND_TYPES,
    PauseSession,
    RequestProposal,
    SessionState,
    SubmitFeedback,
    member_view,
)
from tests.arbiter.builders import (
    ANN,
    BOB,
    LEAD,
    OUTSIDER,
    PYTHON,
    SQL,
    T0,
    add,
    claim,
    closing,
    finished,
    fresh_id,
    in_blocks,
    intro,
    lobby,
    run,
    score,
    yield_block,
)

VIEW_KEYS = {
    "version", "server_time", "phase", "me", "lead", "is_lead", "members", "topics",
    "conflicts", "ready", "unclaimed", "proposal", "intro_text", "closing_text", "paused",
    "control", "blocks", "current", "next", "my_questions", "feedback_open", "my_feedback",
    "feedback_due", "ready_for_decision", "can",
}  # fmt: skip


def view(state: SessionState, member: int, now: float = T0, online: Any = ()) -> dict[str, Any]:
    result = member_view(state, member, now, online)
    assert json.loads(json.dumps(result)) == result  # plain JSON types only
    assert VIEW_KEYS <= set(result)
    return result


def test_the_lobby_view_shows_claimants_conflicts_and_presence() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, PYTHON))
    seen = view(state, ANN, online=[ANN, LEAD])
    assert seen["me"] == ANN and not seen["is_lead"]
    assert seen["members"] == [
        {"id": LEAD, "name": "Lena", "online": True, "is_lead": True},
        {"id": ANN, "name": "Ann", "online": True, "is_lead": False},
        {"id": BOB, "name": "Bob", "online": False, "is_lead": False},
    ]
    assert seen["topics"][0] == {
        "id": 10,
        "name": "Python",
        "seconds": 30,
        "claimants": [ANN, BOB],
        "conflict": True,
    }
    assert seen["conflicts"] == [{"topic_id": 10, "topic": "Python", "members": [ANN, BOB]}]
    assert seen["unclaimed"] == [SQL.id]
    assert not seen["ready"]
    assert seen["control"] is None and seen["current"] is None and seen["next"] is None
    assert seen["can"] == ["claim.set", "proposal.request"]
    assert "session.start" not in view(state, LEAD)["can"]
    # Presence changes without a new state version.
    assert view(state, ANN, online=[BOB])["members"][2]["online"] is True


def test_the_lead_sees_start_once_ready() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL))
    seen = view(state, LEAD)
    assert seen["ready"] and seen["is_lead"]
    assert "session.start" in seen["can"]


def test_a_proposal_is_shown_with_seconds_per_member() -> None:
    state = run(lobby(), RequestProposal(id=fresh_id(), actor=ANN))
    assert view(state, BOB)["proposal"] == {
        "assignment": [{"topic_id": 10, "member": LEAD}, {"topic_id": 20, "member": ANN}],
        "seconds_by_member": [{"member": LEAD, "seconds": 30}, {"member": ANN, "seconds": 20}],
    }
    assert "proposal.accept" in view(state, LEAD)["can"]


def test_the_intro_gives_control_to_the_lead() -> None:
    seen = view(intro(), ANN)
    assert seen["control"] == LEAD
    assert seen["intro_text"] == "Welcome"
    assert [b["status"] for b in seen["blocks"]] == ["upcoming", "upcoming"]
    assert view(intro(), LEAD)["can"] == ["blocks.begin"]


def test_the_block_view_shows_the_question_countdown_and_who_is_next() -> None:
    state = run(in_blocks(), score(ANN, 4, "ann-private-note"))
    seen = view(state, BOB, now=T0 + 12)
    current = seen["current"]
    assert current["owner"] == ANN and current["topic"] == "Python"
    assert current["deadline"] == T0 + 30 and current["remaining"] == 18
    assert current["question"] == {
        "key": "t10q102",
        "n": 2,
        "m": 3,
        "text": "What is the GIL?",
        "answer": "A lock",
        "max_points": 3,
        "adhoc": False,
    }
    assert current["asked"] == []
    assert seen["next"] == {"owner": BOB, "topic": "SQL", "topic_id": 20, "starts_at": T0 + 30}
    assert [b["status"] for b in seen["blocks"]] == ["current", "upcoming"]
    assert seen["can"] == []
    assert "ann-private-note" not in json.dumps(seen)

    mine = view(state, ANN, now=T0 + 12)
    assert mine["current"]["asked"][0]["score"] == 4
    assert mine["current"]["asked"][0]["note"] == "ann-private-note"
    assert mine["can"] == ["question.next", "question.skip", "question.add", "block.yield"]
    lead = view(state, LEAD, now=T0 + 12)
    assert lead["can"] == ["block.yield", "session.pause", "block.extend"]


def test_the_countdown_freezes_while_paused() -> None:
    state = run(in_blocks(), PauseSession(id=fresh_id(), actor=LEAD), now=T0 + 10)
    seen = view(state, ANN, now=T0 + 25)
    assert seen["paused"] and seen["current"]["remaining"] == 20
    assert "question.next" not in seen["can"]
    assert "session.resume" in view(state, LEAD, now=T0 + 25)["can"]


def test_the_last_block_has_no_next_and_the_block_without_questions_shows_none() -> None:
    state = run(in_blocks(), yield_block(ANN))
    state = run(state, score(BOB, 1), score(BOB, 1))
    seen = view(state, BOB)
    assert seen["next"] is None
    assert seen["current"]["question"] is None
    assert "question.next" not in seen["can"] and "question.add" in seen["can"]


def test_after_my_block_i_get_my_questions_and_the_feedback_form() -> None:
    state = run(in_blocks(), score(ANN, 4, "mine"), add(ANN, "Live?"), yield_block(ANN))
    seen = view(state, ANN)
    assert [q["key"] for q in seen["my_questions"]] == ["t10q101"]
    assert seen["my_questions"][0] == {
        "key": "t10q101",
        "text": "What is a generator?",
        "answer": "A lazy iterator",
        "max_points": 5,
        "score": 4,
        "note": "mine",
        "skipped": False,
        "adhoc": False,
        "topic": "Python",
    }
    assert seen["feedback_open"] and "feedback.submit" in seen["can"]
    assert seen["blocks"][0]["status"] == "done"
    assert view(state, BOB)["my_questions"] == []
    assert not view(state, BOB)["feedback_open"]


def test_the_finished_view_shows_my_feedback_and_who_still_owes_it() -> None:
    state = run(
        finished(),
        SubmitFeedback(id=fresh_id(), actor=BOB, summary="Fine", items={"t20q201": "skipped"}),
    )
    seen = view(state, BOB)
    assert seen["my_feedback"] == {
        "summary": "Fine",
        "items": {"t20q201": "skipped"},
        "submitted_at": T0,
    }
    assert seen["feedback_due"] == [ANN]
    assert not seen["ready_for_decision"]
    assert seen["control"] is None
    assert "solid" not in json.dumps(seen)  # Ann's note, still hers alone


def test_the_closing_gives_control_back_to_the_lead() -> None:
    seen = view(closing(), LEAD)
    assert seen["control"] == LEAD and seen["closing_text"] == "Thanks"
    # The lead owns no block here, and may add the panel's summary (issue 12).
    assert seen["can"] == ["session.finish", "feedback.submit"]
    assert seen["feedback_open"] is True
    assert seen["current"] is None


def test_someone_who_is_not_a_member_may_do_nothing() -> None:
    assert view(lobby(), OUTSIDER)["can"] == []


def test_every_listed_action_is_one_apply_accepts() -> None:
    # The guard functions are the single source: no listed type is refused for who/phase.
    assert set(view(lobby(), LEAD)["can"]) <= set(ALL_COMMAND_TYPES)
