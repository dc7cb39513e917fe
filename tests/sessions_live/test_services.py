"""The command path: one lock and one update of the session row (the repository's SQL, held to
the ORM in test_repository.py), the state the arbiter produced stored and handed to this
process's sockets, and the time read from the services' clock (frozen here, never slept)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import arbiter
from sessions_live import broadcast, repository, selectors, services
from sessions_live.models import LiveSession
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db(transaction=True)

_ids = itertools.count()


def _command(session: LiveSession, actor: int, frame: dict[str, object]) -> services.Outcome:
    command = arbiter.command_from_frame(actor, {"id": f"c{next(_ids)}", **frame})
    return services.session_command(session_id=session.pk, command=command)


def _claim(
    session: LiveSession, user_id: int, topic_id: int, claimed: bool = True
) -> arbiter.Applied:
    outcome = _command(session, user_id, {"type": "claim.set", "topic_id": topic_id,
                                          "claimed": claimed})  # fmt: skip
    assert isinstance(outcome, arbiter.Applied), outcome
    return outcome


def _in_blocks(lead, ann, bob, seconds=(60, 90)) -> LiveSession:  # noqa: ANN001
    """A session whose first block (Ann's) has just begun."""
    session = make_session(lead, [ann, bob], seconds=seconds)
    first, second = (t["id"] for t in session.state["topics"])
    _claim(session, ann.pk, first)
    _claim(session, bob.pk, second)
    for frame in ({"type": "session.start"}, {"type": "blocks.begin"}):
        assert isinstance(_command(session, lead.pk, frame), arbiter.Applied)
    return session


def test_a_command_stores_state_version_phase_deadline_and_touches_updated_at(lead, ann) -> None:  # noqa: ANN001
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


def test_a_command_is_one_lock_and_one_update_of_the_session_row(lead, ann) -> None:  # noqa: ANN001
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


def test_a_missing_session_is_refused_and_nothing_is_written(lead) -> None:  # noqa: ANN001
    with pytest.raises(LiveSession.DoesNotExist):
        services.session_command(
            session_id=987654,
            command=arbiter.SetClaim(id="x", actor=lead.pk, topic_id=1, claimed=True),
        )


def test_the_writer_hands_this_process_its_parsed_state(lead, ann) -> None:  # noqa: ANN001
    """The consumers of the writing process render the push from the state the command
    produced, without parsing the push's JSON again."""
    session = make_session(lead, [ann])
    outcome = _claim(session, ann.pk, session.state["topics"][0]["id"])
    cached = selectors.parsed_state(session.pk, outcome.state.version, "not json: not parsed")
    assert cached is outcome.state


# --- time, from the services' clock ------------------------------------------------------


def test_a_block_begun_now_is_due_at_now_plus_its_seconds(lead, ann, bob, clock) -> None:  # noqa: ANN001
    session = _in_blocks(lead, ann, bob)
    row = LiveSession.objects.get(pk=session.pk)
    assert row.next_deadline == clock.now() + 60
    assert row.started_at == datetime.fromtimestamp(clock.now(), tz=UTC)  # the start's stamp
    clock.move(59.9)
    assert services.session_advance(session_id=session.pk) == row.next_deadline  # not yet
    assert LiveSession.objects.get(pk=session.pk).version == row.version


def test_a_timer_hands_over_at_the_deadline_and_returns_the_next(lead, ann, bob, clock) -> None:  # noqa: ANN001
    session = _in_blocks(lead, ann, bob)
    began = clock.now()
    clock.move(75)  # 15 s late: the next block still starts at the deadline
    assert services.session_advance(session_id=session.pk) == began + 60 + 90
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    assert state.current == 1
    assert state.blocks[0].ended_at == state.blocks[1].started_at == began + 60
    assert services.session_advance(session_id=session.pk) == began + 150  # nothing more due


def test_a_timer_that_finds_nothing_due_does_not_parse_the_state(
    lead,
    ann,
    bob,
    clock,
    monkeypatch,  # noqa: ANN001
) -> None:
    session = _in_blocks(lead, ann, bob)
    deadline = LiveSession.objects.get(pk=session.pk).next_deadline

    def unparsed(_json: object) -> arbiter.SessionState:
        raise AssertionError("a state with nothing due was parsed")

    monkeypatch.setattr(arbiter.SessionState, "from_json", staticmethod(unparsed))
    clock.move(30)
    assert services.session_advance(session_id=session.pk) == deadline


def test_a_timer_does_not_wait_for_a_row_another_transaction_holds(lead, ann, bob, clock) -> None:  # noqa: ANN001
    """The holder (a command, another process's advance) applies what is due itself: the
    timer looks again shortly instead of holding a database thread on the lock."""
    import threading

    from django.db import connections

    session = _in_blocks(lead, ann, bob)
    before = LiveSession.objects.get(pk=session.pk).version
    clock.move(75)  # the hand-over is due
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            repository.lock(session.pk)
            held.set()
            release.wait(timeout=30)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=10)
        # (The holder waits for this call: a call that waited for the lock would hang here.)
        retry = services.session_advance(session_id=session.pk)
        assert retry == clock.now() + services.BUSY_RETRY_SECONDS
        assert LiveSession.objects.get(pk=session.pk).version == before
    finally:
        release.set()
        holder.join(timeout=10)
    assert services.session_advance(session_id=session.pk) == clock.now() - 15 + 90
    assert LiveSession.objects.get(pk=session.pk).version == before + 1
    assert services.session_advance(session_id=987654321) is None  # no such session


def test_a_refused_command_keeps_the_hand_over_the_clock_made(lead, ann, bob, clock) -> None:  # noqa: ANN001
    session = _in_blocks(lead, ann, bob)
    version = LiveSession.objects.get(pk=session.pk).version
    clock.move(61)
    # Ann's page still shows her block: she ends it, a second after its deadline.
    refused = _command(session, ann.pk, {"type": "block.yield", "block": 0})
    assert isinstance(refused, arbiter.Refused) and refused.code == "stale", refused
    row = LiveSession.objects.get(pk=session.pk)
    assert row.version == version + 1  # the hand-over was saved anyway
    assert arbiter.SessionState.from_json(row.state).current == 1


def test_the_report_rows_carry_the_clock_of_the_command(lead, ann, bob, clock) -> None:  # noqa: ANN001
    session = _in_blocks(lead, ann, bob)
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    question = state.blocks[0].questions[0].key
    clock.move(12.5)
    asked_at = clock.now()
    scored = _command(session, ann.pk, {"type": "question.next", "question": question,
                                        "score": 4})  # fmt: skip
    assert isinstance(scored, arbiter.Applied)
    row = session.asked.get(key=question)
    assert row.asked_at == datetime.fromtimestamp(asked_at, tz=UTC)
    assert row.score == 4


def test_the_stored_and_the_pushed_text_are_one_encoding_of_the_state(lead, ann) -> None:  # noqa: ANN001
    session = make_session(lead, [ann])
    state = _claim(session, ann.pk, session.state["topics"][0]["id"]).state
    encoded = services._encode(state)
    assert json.loads(encoded.stored) == encoded.payload == state.to_json()
    assert encoded.payload["recent"]  # the command's id is remembered …
    assert json.loads(encoded.pushed) == {k: v for k, v in encoded.payload.items() if k != "recent"}
    assert encoded.pushed == broadcast.push_text(encoded.payload)  # … and stays out of a push
    # what the row holds is that state
    assert LiveSession.objects.get(pk=session.pk).state == encoded.payload


def test_a_question_scored_is_one_row_and_a_second_write_updates_it(lead, ann, bob) -> None:  # noqa: ANN001
    session = _in_blocks(lead, ann, bob)
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    question = state.blocks[0].questions[0]
    scored = _command(session, ann.pk, {"type": "question.next", "question": question.key,
                                        "score": 3, "note": "fine"})  # fmt: skip
    assert isinstance(scored, arbiter.Applied)
    row = session.asked.get(key=question.key)
    assert (row.owner_id, row.question_id, row.text, row.max_points, row.score, row.note,
            row.skipped, row.adhoc, row.reviewed) == (
        ann.pk, question.bank_id, question.text, question.max_points, 3, "fine", False, False,
        False,
    )  # fmt: skip
    # The same event recorded again (the row exists) changes the row, never adds one, and
    # leaves what the bank editor marked.
    type(row).objects.filter(pk=row.pk).update(reviewed=True)
    event = next(e for e in scored.events if e.type == "question_scored")
    with transaction.atomic():
        locked = repository.lock(session.pk)
        services._record(locked, arbiter.Event(event.type, {**event.data, "score": 5}), 1.0)
    again = session.asked.get(key=question.key)
    assert (again.pk, again.score, again.reviewed) == (row.pk, 5, True)
    assert again.asked_at == datetime.fromtimestamp(1.0, tz=UTC)
