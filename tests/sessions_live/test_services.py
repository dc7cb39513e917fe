"""The command path's own SQL (``services._lock`` / ``services._update``) stores what the
ORM's ``select_for_update().get()`` and ``save(update_fields=…)`` would."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import arbiter
from sessions_live import selectors, services
from sessions_live.models import LiveSession
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db(transaction=True)


def _claim(
    session: LiveSession, user_id: int, topic_id: int, claimed: bool = True
) -> arbiter.Applied:
    outcome = services.session_command(
        session_id=session.pk,
        command=arbiter.SetClaim(
            id=f"c{time.time_ns()}", actor=user_id, topic_id=topic_id, claimed=claimed
        ),  # fmt: skip
    )
    assert isinstance(outcome, arbiter.Applied), outcome
    return outcome


def test_a_command_stores_state_version_phase_deadline_and_touches_updated_at(lead, ann) -> None:
    session = make_session(lead, [ann])
    before = LiveSession.objects.get(pk=session.pk)
    topic_id = before.state["topics"][0]["id"]

    outcome = _claim(session, ann.pk, topic_id)

    after = LiveSession.objects.get(pk=session.pk)
    assert after.state == outcome.state.to_json()
    assert after.version == outcome.state.version == before.version + 1
    assert after.phase == outcome.state.phase
    assert after.next_deadline == arbiter.next_deadline(outcome.state)
    assert after.updated_at > before.updated_at
    # what the ORM reads back parses to the very state the arbiter produced
    assert arbiter.SessionState.from_json(after.state) == outcome.state
    # the columns the command does not write are untouched
    assert (after.code, after.candidate_id, after.lead_id, after.created_at) == (
        before.code, before.candidate_id, before.lead_id, before.created_at,
    )  # fmt: skip


def test_the_locked_row_reads_as_the_orm_would_and_loads_the_rest_on_demand(lead, ann) -> None:
    session = make_session(lead, [ann])
    with transaction.atomic():
        row = services._lock(session.pk)
        assert row.state == LiveSession.objects.get(pk=session.pk).state
        assert (row.code, row.candidate_id, row.version) == (
            session.code, session.candidate_id, LiveSession.objects.get(pk=session.pk).version,
        )  # fmt: skip
        assert row.lead_id == lead.pk  # deferred: one more query, still right


def test_a_command_is_one_lock_and_one_update_of_the_session_row(lead, ann) -> None:
    session = make_session(lead, [ann])
    topic_id = session.state["topics"][0]["id"]
    with CaptureQueriesContext(connection) as queries:
        _claim(session, ann.pk, topic_id)
    table = LiveSession._meta.db_table
    touching = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert len(touching) == 2, touching
    assert touching[0].startswith("SELECT")
    if connection.features.has_select_for_update:
        assert touching[0].endswith("FOR UPDATE")
    assert touching[1].startswith("UPDATE")


def test_a_missing_session_is_refused_and_nothing_is_written(lead) -> None:
    with pytest.raises(LiveSession.DoesNotExist):
        services.session_command(
            session_id=987654,
            command=arbiter.SetClaim(id="x", actor=lead.pk, topic_id=1, claimed=True),
        )


def test_the_writer_hands_this_process_its_parsed_state(lead, ann) -> None:
    """The consumers of the writing process render the push from the state the command
    produced, without parsing the push's JSON again."""
    session = make_session(lead, [ann])
    outcome = _claim(session, ann.pk, session.state["topics"][0]["id"])
    cached = selectors.parsed_state(session.pk, outcome.state.version, "not json: not parsed")
    assert cached is outcome.state
