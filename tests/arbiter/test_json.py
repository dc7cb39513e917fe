"""The state survives its JSON exactly, at every phase."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from arbiter import PauseSession, RequestProposal, SessionState, SubmitFeedback
from tests.arbiter.builders import (
    ANN,
    BOB,
    LEAD,
    PYTHON,
    SQL,
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
)


def sessions() -> list[SessionState]:
    return [
        lobby(),
        run(lobby(), RequestProposal(id=fresh_id(), actor=BOB)),
        intro(shuffle=True),
        run(in_blocks(), score(2, 4, "note"), add(2, "Live?")),
        run(in_blocks(), PauseSession(id=fresh_id(), actor=LEAD)),
        closing(),
        run(finished(), SubmitFeedback(id=fresh_id(), actor=BOB, summary="ok", items={})),
    ]


@pytest.mark.parametrize("state", sessions(), ids=lambda s: s.phase)
def test_the_state_round_trips_through_json(state: SessionState) -> None:
    data = state.to_json()
    text = json.dumps(data)
    assert json.loads(text) == data
    assert SessionState.from_json(json.loads(text)) == state
    assert SessionState.from_json(data).to_json() == data


def test_a_pushed_state_without_its_command_ids_parses_to_the_same_state_but_them() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL))
    assert state.recent
    pushed = {k: v for k, v in state.to_json().items() if k != "recent"}
    parsed = SessionState.from_json(pushed)
    assert parsed.recent == ()
    assert replace(parsed, recent=state.recent) == state


def test_it_refuses_state_of_an_unknown_schema() -> None:
    data = lobby().to_json()
    data["schema"] = 99
    with pytest.raises(ValueError):
        SessionState.from_json(data)
