"""The session row's own SQL (``sessions_live.repository``) reads and stores exactly what the
ORM's ``select_for_update().get()`` and ``save(update_fields=…)`` would."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import arbiter
from sessions_live import repository
from sessions_live.models import LiveSession
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db(transaction=True)

# Every column the command path writes (services._save), with a value unlike the stored one.
WRITTEN = ("next_deadline", "phase", "ready_at", "ready_for_decision", "started_at", "state",
           "finished_at", "updated_at", "version")  # fmt: skip


def stored(pk: int) -> dict[str, object]:
    """The row as the database holds it: the JSON as PostgreSQL's text of it, every other
    column as the driver reads it (no model field in between)."""
    table = LiveSession._meta.db_table
    cast = "::text" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT *, state{cast} AS state_text FROM "{table}" WHERE id = %s', [pk])
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def changed(row: LiveSession, state: arbiter.SessionState) -> None:
    """Give ``row`` new values for every column the command path writes."""
    row.state = state.to_json()
    row.version = state.version
    row.phase = "blocks"
    row.next_deadline = 1_800_000_123.25
    row.started_at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    row.finished_at = datetime(2026, 3, 29, 2, 45, 10, 500, tzinfo=UTC)
    row.ready_for_decision = True
    row.ready_at = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)


@pytest.fixture
def twins(lead, ann):  # noqa: ANN001, ANN201
    """Two sessions alike in everything the command path writes."""
    session = make_session(lead, [ann])
    twin = LiveSession.objects.create(
        code=f"{session.code}-TWIN", candidate=session.candidate, lead=session.lead,
        state=session.state, version=session.version, phase=session.phase,
    )  # fmt: skip
    return session, twin


def _new_state(session: LiveSession) -> arbiter.SessionState:
    state = arbiter.SessionState.from_json(session.state)
    topic = state.topics[0].id
    claim = arbiter.SetClaim(id="c1", actor=state.members[1].id, topic_id=topic, claimed=True)
    outcome = arbiter.apply(state, claim, 1_800_000_000.0)
    assert isinstance(outcome, arbiter.Applied)
    return outcome.state


@pytest.mark.parametrize("pre_encoded", [False, True], ids=["encoded-here", "text-given"])
def test_an_update_stores_what_save_with_update_fields_stores(twins, pre_encoded: bool) -> None:  # noqa: ANN001
    ours, theirs = twins
    new = _new_state(ours)
    before = stored(ours.pk)
    with transaction.atomic():
        row = repository.lock(ours.pk)
        changed(row, new)
        text = repository.json_text(row.state) if pre_encoded else None
        repository.update(row, WRITTEN, text)
    with transaction.atomic():
        orm = LiveSession.objects.select_for_update().get(pk=theirs.pk)
        changed(orm, new)
        orm.save(update_fields=WRITTEN)

    mine, orms = stored(ours.pk), stored(theirs.pk)
    assert mine["updated_at"] > before["updated_at"]  # auto_now still runs
    for column in mine:
        if column in {"id", "code", "candidate_id", "created_at", "updated_at"}:
            continue  # the twins' own (and the moment each was written)
        assert mine[column] == orms[column], column
    # What the ORM reads back is the state itself, and parses to it.
    assert LiveSession.objects.get(pk=ours.pk).state == new.to_json()
    assert arbiter.SessionState.from_json(LiveSession.objects.get(pk=ours.pk).state) == new
    # The columns not written are untouched.
    for column in ("code", "candidate_id", "lead_id", "created_at"):
        assert mine[column] == before[column], column


def test_a_part_of_the_columns_is_written_and_the_rest_left_alone(twins) -> None:  # noqa: ANN001
    ours, _ = twins
    before = stored(ours.pk)
    with transaction.atomic():
        row = repository.lock(ours.pk)
        row.version, row.phase = 41, "intro"
        repository.update(row, ("phase", "version"))
    after = stored(ours.pk)
    assert (after["version"], after["phase"]) == (41, "intro")
    assert after["updated_at"] == before["updated_at"]  # not named: not written
    assert after["state_text"] == before["state_text"]


def test_the_locked_row_reads_as_the_orm_would_and_loads_the_rest_on_demand(twins, lead) -> None:  # noqa: ANN001
    session, _ = twins
    orm = LiveSession.objects.get(pk=session.pk)
    with transaction.atomic():
        row = repository.lock(session.pk)
        for name in repository.LOCKED_COLUMNS:
            assert getattr(row, name) == getattr(orm, name), name
        assert row.get_deferred_fields() == {
            f.attname for f in LiveSession._meta.concrete_fields
        } - set(repository.LOCKED_COLUMNS)
        assert row.lead_id == lead.pk  # deferred: one more query, still right
        assert row.created_at == orm.created_at


def test_the_lock_is_one_select_for_update_and_the_update_one_update(twins) -> None:  # noqa: ANN001
    session, _ = twins
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        row = repository.lock(session.pk)
        repository.update(row, ("version",))
    sql = [q["sql"] for q in queries.captured_queries if LiveSession._meta.db_table in q["sql"]]
    assert len(sql) == 2, sql
    assert sql[0].startswith("SELECT")
    if connection.features.has_select_for_update:
        assert sql[0].endswith("FOR UPDATE")
    assert sql[1].startswith("UPDATE")


def test_a_missing_row_is_does_not_exist_for_the_lock_and_the_update(twins) -> None:  # noqa: ANN001
    with pytest.raises(LiveSession.DoesNotExist), transaction.atomic():
        repository.lock(987654)
    session, _ = twins
    with transaction.atomic():
        row = repository.lock(session.pk)
    LiveSession.objects.filter(pk=session.pk).delete()
    with pytest.raises(LiveSession.DoesNotExist), transaction.atomic():
        repository.update(row, ("version",))
