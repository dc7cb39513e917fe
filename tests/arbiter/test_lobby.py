"""Joining, claiming topics, conflicts, the fair proposal and the start."""

from __future__ import annotations

import pytest

from arbiter import (
    AcceptProposal,
    Duplicate,
    JoinSession,
    RequestProposal,
    StartSession,
    TopicSpec,
    apply,
    new_session,
    propose,
)
from tests.arbiter.builders import (
    ANN,
    BANK,
    BOB,
    LEAD,
    OPS,
    OUTSIDER,
    PYTHON,
    SQL,
    T0,
    claim,
    finished,
    fresh_id,
    lobby,
    ok,
    refused,
    run,
    start,
)


def test_a_new_session_is_in_the_lobby_at_version_1_with_the_lead_as_its_only_member() -> None:
    state = new_session(lead=LEAD, lead_name="Lena", topics=[PYTHON], shuffle=False, seed=1)
    assert (state.version, state.phase, state.lead) == (1, "lobby", LEAD)
    assert [m.id for m in state.members] == [LEAD]
    assert (state.member_name(LEAD), state.member_name(OUTSIDER)) == ("Lena", "")
    assert state.control is None


@pytest.mark.parametrize(
    "topics",
    [[], [PYTHON, PYTHON], [TopicSpec(id=1, name="Empty", seconds=0)]],
    ids=["no topics", "a topic twice", "a topic without time"],
)
def test_it_rejects_a_session_that_could_never_run(topics: list[TopicSpec]) -> None:
    with pytest.raises(ValueError):
        new_session(lead=LEAD, lead_name="Lena", topics=topics, shuffle=False, seed=1)


def test_it_adds_a_joining_member_once() -> None:
    state = new_session(lead=LEAD, lead_name="Lena", topics=[PYTHON], shuffle=False, seed=1)
    joined = ok(state, JoinSession(id="join:2", actor=ANN, name="Ann"))
    assert [m.id for m in joined.state.members] == [LEAD, ANN]
    assert joined.state.version == 2
    assert joined.events[0].type == "member_joined"
    again = apply(joined.state, JoinSession(id="join:2", actor=ANN, name="Ann"), T0)
    assert isinstance(again, Duplicate) and again.state is joined.state
    other_id = apply(joined.state, JoinSession(id="another", actor=ANN, name="Ann"), T0)
    assert isinstance(other_id, Duplicate)
    assert isinstance(apply(state, JoinSession(id="x", actor=LEAD, name="Lena"), T0), Duplicate)


def test_it_refuses_anything_from_someone_who_is_not_a_member() -> None:
    assert refused(lobby(), claim(OUTSIDER, PYTHON)).code == "not_member"


def test_claims_are_shared_and_two_claimants_make_a_conflict() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, PYTHON))
    assert state.claims == ((ANN, BOB), ())
    assert not state.ready


def test_it_refuses_a_claim_on_a_topic_outside_the_session() -> None:
    outcome = refused(lobby(), claim(ANN, TopicSpec(id=404, name="?", seconds=1)))
    assert outcome.code == "unknown_topic"


def test_claiming_twice_is_acknowledged_without_an_event() -> None:
    state = run(lobby(), claim(ANN, PYTHON))
    again = ok(state, claim(ANN, PYTHON))
    assert again.events == ()
    assert again.state.claims == state.claims
    assert again.state.version == state.version + 1


def test_it_withdraws_a_claim() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(ANN, PYTHON, claimed=False))
    assert state.claims == ((), ())


def test_it_refuses_start_when_a_topic_has_two_claimants() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, PYTHON), claim(BOB, SQL))
    assert refused(state, start()).code == "not_ready"


def test_it_refuses_start_when_a_topic_is_unclaimed() -> None:
    state = run(lobby(), claim(ANN, PYTHON))
    assert refused(state, start()).code == "not_ready"


def test_only_the_lead_starts() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL))
    assert refused(state, StartSession(id=fresh_id(), actor=ANN)).code == "not_lead"


def test_start_builds_blocks_in_topic_order_with_the_bank_questions() -> None:
    state = run(lobby(), claim(BOB, SQL), claim(ANN, PYTHON))
    started = ok(state, start())
    blocks = started.state.blocks
    assert started.state.phase == "intro"
    assert started.state.control == LEAD
    assert [(b.topic_id, b.owner, b.seconds) for b in blocks] == [(10, ANN, 30), (20, BOB, 20)]
    assert [q.bank_id for q in blocks[0].questions] == [101, 102, 103]
    assert [q.key for q in blocks[1].questions] == ["t20q201", "t20q202"]
    event = started.events[0]
    assert event.type == "session_started"
    assert event.data["question_ids"] == [101, 102, 103, 201, 202]


def test_a_topic_without_bank_questions_gets_an_empty_block() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL), start(bank={}))
    assert [b.questions for b in state.blocks] == [(), ()]


def test_a_repeated_bank_question_is_planned_once() -> None:
    bank = {PYTHON.id: [BANK[PYTHON.id][0], BANK[PYTHON.id][0]]}
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL), start(bank=bank))
    assert [q.bank_id for q in state.blocks[0].questions] == [101]


def test_shuffled_order_is_reproducible_from_the_seed() -> None:
    def order(seed: int) -> list[int | None]:
        state = run(lobby(shuffle=True, seed=seed), claim(ANN, PYTHON), claim(BOB, SQL))
        bank = {PYTHON.id: [*BANK[PYTHON.id], *BANK[PYTHON.id]]}
        bank[PYTHON.id] = [
            type(q)(id=100 + n, text=q.text, answer=q.answer, max_points=q.max_points)
            for n, q in enumerate(bank[PYTHON.id])
        ]
        started = run(state, start(bank=bank))
        return [q.bank_id for q in started.blocks[0].questions]

    assert order(1) == order(1)
    assert sorted(order(1)) == list(range(100, 106))
    assert any(order(seed) != sorted(order(seed)) for seed in range(5))


def test_the_lobby_is_over_once_started() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, SQL), start())
    assert refused(state, claim(ANN, SQL)).code == "wrong_phase"
    assert refused(state, start()).code == "wrong_phase"


def test_the_proposal_gives_each_topic_to_one_of_its_claimants() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, PYTHON), claim(BOB, SQL))
    assert propose(state) == {PYTHON.id: ANN, SQL.id: BOB}


def test_the_proposal_spreads_unclaimed_topics_by_time_then_count_then_id() -> None:
    state = lobby(topics=(PYTHON, SQL, OPS))
    # Nobody claimed anything: the longest topic goes to the lowest id, and so on.
    assert propose(state) == {PYTHON.id: LEAD, SQL.id: ANN, OPS.id: BOB}
    state = run(state, claim(ANN, PYTHON))
    assert propose(state) == {PYTHON.id: ANN, SQL.id: LEAD, OPS.id: BOB}


def test_a_requested_proposal_is_stored_for_all_and_the_lead_accepts_it() -> None:
    state = run(lobby(), claim(ANN, PYTHON), claim(BOB, PYTHON))
    asked = ok(state, RequestProposal(id=fresh_id(), actor=BOB))
    # Nobody claimed SQL: it goes to whoever has the least time so far, the lead by id.
    assert asked.state.proposal == ((PYTHON.id, ANN), (SQL.id, LEAD))
    assert asked.events[0].type == "proposal_made"
    assert refused(asked.state, AcceptProposal(id=fresh_id(), actor=ANN)).code == "not_lead"
    accepted = ok(asked.state, AcceptProposal(id=fresh_id(), actor=LEAD))
    assert accepted.state.claims == ((ANN,), (LEAD,))
    assert accepted.state.proposal is None
    assert accepted.state.ready


def test_accepting_needs_a_proposal() -> None:
    assert refused(lobby(), AcceptProposal(id=fresh_id(), actor=LEAD)).code == "no_proposal"


def test_a_claim_change_drops_a_stale_proposal() -> None:
    state = run(lobby(), RequestProposal(id=fresh_id(), actor=ANN), claim(BOB, PYTHON))
    assert state.proposal is None


def test_a_repeated_command_id_is_a_duplicate_and_a_refused_one_is_not_remembered() -> None:
    state = lobby()
    command = claim(ANN, PYTHON)
    first = ok(state, command)
    again = apply(first.state, command, T0)
    assert isinstance(again, Duplicate) and again.state is first.state
    # The same id from another member is another command.
    ok(first.state, type(command)(id=command.id, actor=BOB, topic_id=SQL.id, claimed=True))
    # A refused command can be retried with its id once it is allowed.
    bad_start = StartSession(id="start-1", actor=LEAD)
    refused(first.state, bad_start)
    ready = run(first.state, claim(BOB, SQL))
    ok(ready, bad_start)


def test_only_the_last_64_command_ids_are_remembered() -> None:
    state = lobby()
    first = claim(ANN, PYTHON)
    state = run(state, first)
    for _ in range(63):
        state = run(state, claim(ANN, SQL))
    assert (ANN, first.id) in state.recent  # still remembered: the 64th id back
    assert isinstance(apply(state, first, T0), Duplicate)
    state = run(state, claim(ANN, SQL))
    assert len(state.recent) == 64
    assert (ANN, first.id) not in state.recent
    assert ok(state, first).events == ()


def test_nobody_joins_a_finished_session() -> None:
    outcome = refused(finished(), JoinSession(id="late", actor=OUTSIDER, name="Oscar"))
    assert outcome.code == "wrong_phase"
