"""A double booking is impossible in the database: each scheduled round holds its people's
time (interviewer, assistants, candidate) in ``interviews.Hold``, written by ``round_assign``
in the round's transaction, and the database refuses two overlapping holds of one person —
an exclusion constraint on PostgreSQL, triggers on SQLite (the embedded default), both made
by migration ``interviews.0005_hold``. A refusal by the database becomes the service's
``interviewer_busy`` / ``candidate_busy``, with nothing written; the candidate hears about
their interview too (their own ``.ics``)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from icalendar import Calendar

from interviews import services
from interviews.models import Hold, Round
from notify.models import Outbox
from tests.e2e.servers import manage_shell, migrated_sqlite
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position
from tests.notify.peers import child_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_broker"),
]

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    return three_round_position(recruiter, ann, lead, bob)


@pytest.fixture
def rounds(position, recruiter) -> list[Round]:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    return list(interview.rounds.order_by("order"))


@pytest.fixture
def other_rounds(position, recruiter) -> list[Round]:  # noqa: ANN001
    dan = candidate_on(position, recruiter, name="Dan Candidate")
    interview = services.interview_create(candidate=dan, position=position, by=recruiter)
    return list(interview.rounds.order_by("order"))


def holds_of(round_: Round) -> set[tuple[str, int, datetime, datetime]]:
    return {
        ("user", h.user_id, h.starts_at, h.ends_at)
        if h.user_id
        else ("candidate", h.candidate_id, h.starts_at, h.ends_at)
        for h in Hold.objects.filter(round=round_)
    }


def test_a_scheduled_round_holds_its_interviewer_assistants_and_candidate(
    rounds,
    recruiter,
    ann,
    bob,  # noqa: ANN001
) -> None:
    first = services.round_assign(
        round_=rounds[0], by=recruiter, interviewer=ann, assistants=[bob], starts_at=MONDAY
    )
    assert holds_of(first) == {
        ("user", ann.pk, MONDAY, MONDAY + HOUR),
        ("user", bob.pk, MONDAY, MONDAY + HOUR),
        ("candidate", first.candidate_id, MONDAY, MONDAY + HOUR),
    }
    # A new time replaces them; fewer people, fewer holds.
    moved = services.round_assign(
        round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY + 3 * HOUR
    )
    assert holds_of(moved) == {
        ("user", ann.pk, MONDAY + 3 * HOUR, MONDAY + 4 * HOUR),
        ("candidate", first.candidate_id, MONDAY + 3 * HOUR, MONDAY + 4 * HOUR),
    }
    # No time: nothing held.
    services.round_assign(round_=moved, by=recruiter, interviewer=ann, starts_at=None)
    assert holds_of(moved) == set()


def test_cancelling_or_rating_a_round_frees_its_time(rounds, recruiter, ann, lead) -> None:  # noqa: ANN001
    first = services.round_assign(round_=rounds[0], by=recruiter, interviewer=ann, starts_at=MONDAY)
    services.round_cancel(round_=first, by=recruiter)
    assert holds_of(first) == set()
    last = services.round_assign(round_=rounds[2], by=recruiter, interviewer=lead, starts_at=MONDAY)
    assert len(holds_of(last)) == 2
    services.round_rate(
        round_=last,
        by=lead,
        ratings={a.pk: services.Rating(3) for a in last.aspects.all()},
        feedback="Fine.",
        recommendation="yes",
        outcome="selected",
    )
    assert holds_of(last) == set()


def test_the_candidate_cannot_be_in_two_rounds_at_once(rounds, recruiter, ann, lead) -> None:  # noqa: ANN001
    services.round_assign(round_=rounds[0], by=recruiter, interviewer=ann, starts_at=MONDAY)
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_assign(
            round_=rounds[2], by=recruiter, interviewer=lead, starts_at=MONDAY + HOUR / 2
        )
    assert refused.value.code == "candidate_busy" and refused.value.field == "starts_at"
    assert "Carla Candidate" in refused.value.message
    assert Round.objects.get(pk=rounds[2].pk).starts_at is None and not holds_of(rounds[2])
    # Back to back is fine: [09:00, 10:00) and [10:00, 11:00) do not overlap.
    services.round_assign(round_=rounds[2], by=recruiter, interviewer=lead, starts_at=MONDAY + HOUR)
    assert len(holds_of(rounds[2])) == 2


def test_the_database_refuses_an_overlap_the_service_did_not_see(
    rounds,
    other_rounds,
    recruiter,
    ann,
    lead,
    monkeypatch,  # noqa: ANN001
) -> None:
    """Another writer got there first (its round is not even scheduled in the rows
    ``_busy`` reads): the exclusion constraint refuses the hold and the service says
    ``interviewer_busy``, nothing written, nobody told."""
    Hold.objects.create(
        round=other_rounds[0], user=ann, starts_at=MONDAY + HOUR / 2, ends_at=MONDAY + 2 * HOUR
    )
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_assign(round_=rounds[0], by=recruiter, interviewer=ann, starts_at=MONDAY)
    assert refused.value.code == "interviewer_busy"
    row = Round.objects.get(pk=rounds[0].pk)
    assert (row.status, row.starts_at, row.sequence) == ("planned", None, 0)
    assert not holds_of(rounds[0]) and not Outbox.objects.exists()
    assert row.candidate.status == "created"

    # The same for the candidate, with the service's own look-up blinded.
    monkeypatch.setattr(services, "_candidate_busy", lambda *args: None)
    Hold.objects.create(
        round=other_rounds[1],
        candidate_id=rounds[2].candidate_id,
        starts_at=MONDAY + 4 * HOUR,
        ends_at=MONDAY + 5 * HOUR,
    )
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_assign(
            round_=rounds[2], by=recruiter, interviewer=lead, starts_at=MONDAY + 4 * HOUR
        )
    assert refused.value.code == "candidate_busy"
    assert not holds_of(rounds[2]) and not Outbox.objects.exists()


def test_the_constraint_alone_refuses_an_overlapping_hold(rounds, other_rounds, ann) -> None:  # noqa: ANN001
    assert connection.vendor == "postgresql"
    Hold.objects.create(round=rounds[0], user=ann, starts_at=MONDAY, ends_at=MONDAY + HOUR)
    for starts, ends in [
        (MONDAY, MONDAY + HOUR),  # the same time
        (MONDAY - HOUR / 2, MONDAY + HOUR / 2),  # across its start
        (MONDAY + HOUR / 4, MONDAY + HOUR / 2),  # inside
        (MONDAY - HOUR, MONDAY + 2 * HOUR),  # around
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Hold.objects.create(round=other_rounds[0], user=ann, starts_at=starts, ends_at=ends)
    # Touching is not overlapping; someone else, or the candidate, at that time is fine.
    Hold.objects.create(
        round=other_rounds[0], user=ann, starts_at=MONDAY + HOUR, ends_at=MONDAY + 2 * HOUR
    )
    Hold.objects.create(
        round=rounds[0],
        candidate_id=rounds[0].candidate_id,
        starts_at=MONDAY,
        ends_at=MONDAY + HOUR,
    )
    Hold.objects.create(
        round=other_rounds[0],
        candidate_id=other_rounds[0].candidate_id,
        starts_at=MONDAY,
        ends_at=MONDAY + HOUR,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.create(
            round=rounds[2],
            candidate_id=rounds[0].candidate_id,
            starts_at=MONDAY + HOUR / 2,
            ends_at=MONDAY + 2 * HOUR,
        )
    # An update that would overlap is refused too.
    later = Hold.objects.get(round=other_rounds[0], user=ann)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.filter(pk=later.pk).update(starts_at=MONDAY + HOUR / 2)
    # Nor does the database take a hold of nobody, or of both at once.
    with pytest.raises(IntegrityError), transaction.atomic():
        Hold.objects.create(round=rounds[0], starts_at=MONDAY, ends_at=MONDAY + HOUR)


def test_the_migration_fills_holds_for_rounds_already_scheduled(
    rounds,
    other_rounds,
    ann,
    lead,
    bob,  # noqa: ANN001
) -> None:
    """Rounds scheduled before the holds existed (written here behind the service's back):
    the data migration gives each its holds; an overlap the old code let through (one
    candidate in two rounds at once) keeps the earlier round's."""
    from django.apps import apps

    Round.objects.filter(pk=rounds[0].pk).update(
        status="scheduled", starts_at=MONDAY, interviewer=ann
    )
    rounds[0].assistants.set([bob])
    Round.objects.filter(pk=rounds[2].pk).update(
        status="scheduled", starts_at=MONDAY + HOUR / 2, interviewer=lead
    )
    Round.objects.filter(pk=other_rounds[0].pk).update(
        status="running", starts_at=MONDAY + 2 * HOUR, interviewer=ann
    )
    Round.objects.filter(pk=other_rounds[1].pk).update(
        status="done", starts_at=MONDAY + 5 * HOUR, interviewer=ann
    )
    migration = importlib.import_module("interviews.migrations.0005_hold")
    with connection.schema_editor() as editor:
        migration.fill_holds(apps, editor)
    assert holds_of(rounds[0]) == {
        ("user", ann.pk, MONDAY, MONDAY + HOUR),
        ("user", bob.pk, MONDAY, MONDAY + HOUR),
        ("candidate", rounds[0].candidate_id, MONDAY, MONDAY + HOUR),
    }
    assert holds_of(rounds[2]) == {("user", lead.pk, MONDAY + HOUR / 2, MONDAY + 3 * HOUR / 2)}
    assert len(holds_of(other_rounds[0])) == 2 and holds_of(other_rounds[1]) == set()


def test_the_candidate_gets_their_own_invitation_and_its_changes(
    rounds, recruiter, ann, bob
) -> None:  # noqa: ANN001
    first = services.round_assign(
        round_=rounds[0], by=recruiter, interviewer=ann, assistants=[bob], starts_at=MONDAY
    )
    [row] = Outbox.objects.filter(recipient="carla@example.com")
    assert row.kind == "assignment" and row.subject.startswith(
        "Interview: Backend engineer on 7 Dec 2026"
    )
    assert "Dear Carla Candidate" in row.body_text and "Ann Panel" in row.body_text
    calendar = Calendar.from_ical(row.attachments[0]["content"])
    [event] = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST" and int(event["sequence"]) == 0
    assert (
        event.decoded("dtstart") == MONDAY and str(event["attendee"]) == "mailto:carla@example.com"
    )
    # Nothing of the interviewers' own: no instructions, no link to their pages.
    assert "url" not in event and "/rounds/" not in row.body_text

    # Only the people change: the candidate is not bothered.
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)
    assert Outbox.objects.filter(recipient="carla@example.com").count() == 1
    # A new time: the update, the next SEQUENCE.
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY + HOUR)
    moved = Outbox.objects.filter(recipient="carla@example.com").latest("id")
    assert moved.subject.startswith("Moved: Interview: Backend engineer")
    [event] = Calendar.from_ical(moved.attachments[0]["content"]).walk("VEVENT")
    assert event.decoded("dtstart") == MONDAY + HOUR and int(event["sequence"]) == 2
    # Cancelled: the CANCEL of the same event.
    services.round_cancel(round_=first, by=recruiter)
    cancelled = Outbox.objects.filter(recipient="carla@example.com").latest("id")
    calendar = Calendar.from_ical(cancelled.attachments[0]["content"])
    [event] = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 3 and cancelled.subject.startswith("Cancelled: Interview")


SQLITE_SCRIPT = """
from datetime import UTC, datetime, timedelta
from django.db import IntegrityError, connection, transaction
from accounts.models import User
from accounts.roles import ensure_roles
from django.contrib.auth.models import Group
from candidates import services as candidates
from interviews import services
from interviews.models import Hold

assert connection.vendor == "sqlite"
ensure_roles()
rita = User.objects.create_user("rita", email="rita@example.com")
rita.groups.add(Group.objects.get(name="recruiter"))
ann = User.objects.create_user("ann", email="ann@example.com")
ann.groups.add(Group.objects.get(name="interviewer"))
position = candidates.position_create(by=rita, fields={"title": "Backend engineer"})
services.plan_round_create(position=position, fields={"name": "Screening", "default_interviewer": ann})
rounds = []
for name in ("Carla", "Dan"):
    person = candidates.candidate_create(by=rita, fields={"full_name": name, "email": name + "@example.com"}, positions=[position])
    rounds.append(services.interview_create(candidate=person, position=position, by=rita).rounds.get())
monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
services.round_assign(round_=rounds[0], by=rita, interviewer=ann, starts_at=monday)
print("HOLDS", Hold.objects.count())
for starts in (monday, monday + timedelta(minutes=30), monday - timedelta(minutes=59)):
    try:
        with transaction.atomic():
            Hold.objects.create(round=rounds[1], user=ann, starts_at=starts, ends_at=starts + timedelta(hours=1))
    except IntegrityError as error:
        print("REFUSED", error)
    else:
        print("TAKEN", starts)
Hold.objects.create(round=rounds[1], user=ann, starts_at=monday + timedelta(hours=1), ends_at=monday + timedelta(hours=2))
print("TOUCHING OK")
try:
    with transaction.atomic():
        Hold.objects.filter(round=rounds[1], user=ann).update(starts_at=monday + timedelta(minutes=59))
except IntegrityError:
    print("UPDATE REFUSED")
with transaction.atomic():  # moving a hold without overlapping anything is fine
    Hold.objects.filter(round=rounds[1], user=ann).update(starts_at=monday + timedelta(hours=1, minutes=30))
Hold.objects.filter(round=rounds[1]).delete()
# Round 2 has no time yet, so the service's own look-up sees nothing: the trigger refuses.
services._busy = lambda *args, **kwargs: None
try:
    services.round_assign(round_=rounds[1], by=rita, interviewer=ann, starts_at=monday)
except services.InterviewRefused as refused:
    print("SERVICE", refused.code)
print("HOLDS", Hold.objects.count())
"""


@pytest.mark.processes
def test_on_sqlite_the_migration_makes_triggers_that_refuse_an_overlap(tmp_path: Path) -> None:
    """The embedded default: a SQLite file as ``migrate`` makes it from nothing (its template
    is made so once for this code, ``migrated_sqlite``), then the same refusals."""
    env = child_env(ROUNDTABLE_VAR_DIR=str(tmp_path / "var"))
    migrated_sqlite(tmp_path / "var" / "roundtable.sqlite3")
    done = manage_shell(env, SQLITE_SCRIPT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    said = ("HOLDS", "REFUSED", "TAKEN", "TOUCHING", "UPDATE", "SERVICE")
    lines = [line for line in done.stdout.splitlines() if line.startswith(said)]
    assert lines[0] == "HOLDS 2"  # Ann and Carla
    assert [line.split(":")[0] for line in lines[1:4]] == ["REFUSED hold_overlap"] * 3
    assert lines[4:] == ["TOUCHING OK", "UPDATE REFUSED", "SERVICE interviewer_busy", "HOLDS 2"]
