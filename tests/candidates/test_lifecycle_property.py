"""Property tests of the candidate lifecycle: the pure rules never accept an illegal move, and
through the service every accepted move — and only those — is in the history, the chain of
``from`` → ``to`` unbroken; two recruiters moving one candidate at once on PostgreSQL leave one
consistent status."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidates import lifecycle, services
from candidates.models import Candidate, CandidateEvent
from tests.factories import UserFactory

MOVE_NAMES = [*lifecycle.MOVES, "promote", ""]
STATUS_NAMES = [*lifecycle.STATUSES, "archived"]
ROLE_SETS = st.frozensets(st.sampled_from([*lifecycle.ROLES, "visitor"]), max_size=3)


@given(status=st.sampled_from(STATUS_NAMES), move=st.sampled_from(MOVE_NAMES), roles=ROLE_SETS)
def test_no_illegal_move_is_ever_accepted(status: str, move: str, roles: frozenset[str]) -> None:
    outcome = lifecycle.check_move(status, move, roles)
    rule = lifecycle.MOVES.get(move)
    legal = (
        status in lifecycle.STATUSES
        and rule is not None
        and status in rule.sources
        and bool(rule.roles & roles)
    )
    assert isinstance(outcome, lifecycle.Allowed) == legal
    if legal:
        assert rule is not None and (outcome.source, outcome.target) == (status, rule.target)
        assert move in lifecycle.moves_for(status, roles)
    else:
        assert move not in lifecycle.moves_for(status, roles)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(MOVE_NAMES[:-2]), ROLE_SETS), max_size=12))
def test_every_accepted_move_and_only_those_is_in_the_history(
    steps: list[tuple[str, frozenset[str]]], roles  # noqa: ANN001
) -> None:
    candidate = services.candidate_create(
        by=None, fields={"full_name": "Prop Candidate", "email": "prop@example.com"}
    )
    accepted = []
    status = lifecycle.CREATED
    for move, held in steps:
        expected = lifecycle.check_move(status, move, held)
        try:
            moved = services.candidate_move(candidate=candidate, move=move, roles=held)
        except services.CandidateRefused as refused:
            assert isinstance(expected, lifecycle.Refused) and refused.code == expected.code
            continue
        assert isinstance(expected, lifecycle.Allowed) and moved.status == expected.target
        accepted.append((move, status, expected.target))
        status = expected.target
    events = [
        (e.kind, e.details["from"], e.details["to"])
        for e in CandidateEvent.objects.filter(candidate=candidate).exclude(kind="created").order_by("id")
    ]
    assert events == accepted
    assert Candidate.objects.get(pk=candidate.pk).status == status


@pytest.mark.django_db(transaction=True)
def test_two_recruiters_moving_one_candidate_at_once_leave_one_consistent_status(roles) -> None:  # noqa: ANN001
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises whole transactions")
    rita = UserFactory(username="rita", roles=["recruiter"])
    rob = UserFactory(username="rob", roles=["recruiter"])
    for attempt in range(5):
        candidate = services.candidate_create(
            by=rita, fields={"full_name": f"Race {attempt}", "email": "race@example.com"}
        )
        # Both act on the same created candidate: one schedules, the other withdraws.
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def act(user, move: str, barrier=barrier, candidate=candidate, results=results) -> None:  # noqa: ANN001
            close_old_connections()
            barrier.wait()
            try:
                services.candidate_move(
                    candidate=candidate.pk, move=move, by=user, roles={lifecycle.RECRUITER}
                )
                results[move] = "ok"
            except services.CandidateRefused as refused:
                results[move] = refused.code
            finally:
                connection.close()

        threads = [threading.Thread(target=act, args=(rita, "schedule")),
                   threading.Thread(target=act, args=(rob, "withdraw"))]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        row = Candidate.objects.get(pk=candidate.pk)
        chain = [
            (e.details["from"], e.details["to"])
            for e in CandidateEvent.objects.filter(candidate=row).exclude(kind="created").order_by("id")
        ]
        # The history is one unbroken chain from created to the stored status, and each move
        # reported as made is in it exactly once.
        assert chain and chain[0][0] == "created" and chain[-1][1] == row.status
        assert all(a[1] == b[0] for a, b in zip(chain, chain[1:], strict=False))
        assert len(chain) == sum(1 for outcome in results.values() if outcome == "ok")
        # Withdrawing is allowed from created and from scheduled: it always lands; scheduling
        # lands only when it came first.
        assert results["withdraw"] == "ok" and row.status == "withdrawn"
