"""When a round is assigned, changed or cancelled, each person concerned gets a notice and an
e-mail through the outbox (one row each) with the round's .ics: REQUEST for those on it,
CANCEL for those taken off and for a cancelled round; a round without a time gets no .ics.
Everything in the recipient's language and zone. The last test runs a real Celery worker and
a real SMTP server on loopback: the invitation arrives as a text/calendar part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from interviews import ics, services
from interviews.models import Round
from notify.models import Notice, Outbox
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position
from tests.notify.peers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """These tests read the outbox rows; delivery is the last test's (a real worker)."""
    queued: list[int] = []
    monkeypatch.setattr(
        "notify.services.queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def russian_ann(ann):  # noqa: ANN001, ANN201
    ann.language, ann.time_zone, ann.time_zone_from_browser = "ru", "Europe/Moscow", False
    ann.save()
    return ann


@pytest.fixture
def rounds(recruiter, russian_ann, lead, bob) -> list[Round]:  # noqa: ANN001
    position = three_round_position(recruiter, russian_ann, lead, bob)
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    return list(interview.rounds.order_by("order"))


def assign(round_, recruiter, interviewer, assistants=(), at=MONDAY) -> Round:  # noqa: ANN001
    return services.round_assign(
        round_=round_, by=recruiter, interviewer=interviewer, assistants=assistants, starts_at=at
    )


def mail_to(user, **filters) -> list[Outbox]:  # noqa: ANN001
    return list(Outbox.objects.filter(recipient=user.email, **filters).order_by("id"))


def calendar_of(row: Outbox) -> tuple[Calendar, object]:
    [attachment] = row.attachments
    calendar = Calendar.from_ical(attachment["content"])
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_everyone_on_an_assigned_round_gets_a_notice_and_an_invitation_in_their_language(
    no_broker, rounds, recruiter, russian_ann, bob  # noqa: ANN001
) -> None:
    first = assign(rounds[0], recruiter, russian_ann, [bob])
    [notice] = Notice.objects.filter(recipient=russian_ann)
    assert notice.kind == "round_assigned" and notice.link == f"/rounds/{first.pk}/"
    assert notice.title == "Раунд 1 «Screening»: кандидат Carla Candidate, 7 декабря 2026, 12:00 MSK"
    [bobs] = Notice.objects.filter(recipient=bob)
    assert bobs.title == "Round 1 “Screening” with Carla Candidate on 7 Dec 2026, 09:00 UTC"
    assert "Backend engineer" in bobs.body

    [to_ann] = mail_to(russian_ann)
    [to_bob] = mail_to(bob)
    # One row per recipient: the two on the round and the candidate (interviews.notices).
    assert Outbox.objects.count() == 3 and len(no_broker) == 3
    assert Outbox.objects.filter(recipient="carla@example.com").count() == 1
    assert (to_ann.kind, to_ann.channel, to_ann.subject) == ("assignment", "email", notice.title)
    assert "Кандидат: Carla Candidate" in to_ann.body_text
    assert f"http://127.0.0.1:8000/rounds/{first.pk}/" in to_ann.body_text
    assert f'href="http://127.0.0.1:8000/rounds/{first.pk}/"' in to_ann.body_html
    assert to_bob.subject == bobs.title and "Assisting: Bob Panel" in to_bob.body_text
    for row, summary in [
        (to_ann, "Раунд 1 «Screening»: кандидат Carla Candidate"),
        (to_bob, "Round 1 “Screening” with Carla Candidate"),
    ]:
        assert row.attachments[0]["content_type"] == "text/calendar; method=REQUEST"
        calendar, event = calendar_of(row)
        assert str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == ics.event_uid(first) and int(event["sequence"]) == 0
        assert str(event["summary"]) == summary
        assert event.decoded("dtstart") == MONDAY


def test_a_change_sends_the_new_version_and_those_taken_off_get_a_cancel(
    no_broker, rounds, recruiter, russian_ann, bob  # noqa: ANN001
) -> None:
    first = assign(rounds[0], recruiter, russian_ann, [bob])
    Outbox.objects.all().delete()
    Notice.objects.all().delete()
    moved = assign(first, recruiter, russian_ann, [bob], at=MONDAY + timedelta(days=1))
    for person in (russian_ann, bob):
        [row] = mail_to(person)
        _calendar, event = calendar_of(row)
        assert int(event["sequence"]) == 1 and event.decoded("dtstart") == MONDAY + timedelta(days=1)
        assert Notice.objects.get(recipient=person).kind == "round_changed"
    assert mail_to(bob)[0].subject.startswith("Changed: Round 1")
    Outbox.objects.all().delete()
    Notice.objects.all().delete()

    assign(moved, recruiter, russian_ann, [], at=MONDAY + timedelta(days=1))  # Bob off
    [to_bob] = mail_to(bob)
    assert to_bob.attachments[0]["content_type"] == "text/calendar; method=CANCEL"
    calendar, event = calendar_of(to_bob)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == ics.event_uid(first) and int(event["sequence"]) == 2
    assert str(event["attendee"]) == "mailto:bob@example.com"
    assert to_bob.subject.startswith("No longer yours: Round 1")
    assert Notice.objects.get(recipient=bob).kind == "round_unassigned"
    [to_ann] = mail_to(russian_ann)
    assert str(calendar_of(to_ann)[0]["method"]) == "REQUEST"


def test_a_cancelled_round_sends_everyone_on_it_a_cancel(
    no_broker, rounds, recruiter, russian_ann, bob  # noqa: ANN001
) -> None:
    first = assign(rounds[0], recruiter, russian_ann, [bob])
    Outbox.objects.all().delete()
    services.round_cancel(round_=first, by=recruiter)
    rows = list(Outbox.objects.order_by("recipient"))
    assert [r.recipient for r in rows] == ["ann@example.com", "bob@example.com", "carla@example.com"]
    for row in rows:
        calendar, event = calendar_of(row)
        assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert int(event["sequence"]) == 1
    assert mail_to(bob)[0].subject.startswith("Cancelled: Round 1")
    assert Notice.objects.filter(kind="round_cancelled").count() == 2


def test_a_round_without_a_time_gets_a_notice_and_an_email_without_ics(
    no_broker, rounds, recruiter, bob, lead  # noqa: ANN001
) -> None:
    services.round_assign(round_=rounds[2], by=recruiter, interviewer=lead, starts_at=None)
    [row] = mail_to(lead)
    assert row.attachments == [] and "not set yet" in row.body_text
    notice = Notice.objects.get(recipient=lead)
    assert notice.title == "Round 3 “Final” with Carla Candidate, time not set yet"
    # Bob, the plan's default interviewer for it, was never told of it: no CANCEL either.
    [to_bob] = mail_to(bob)
    assert to_bob.attachments == [] and to_bob.subject.startswith("No longer yours")


def test_a_round_that_loses_its_time_is_cancelled_in_calendars(
    no_broker, rounds, recruiter, russian_ann, bob  # noqa: ANN001
) -> None:
    first = assign(rounds[0], recruiter, russian_ann, [bob])
    Outbox.objects.all().delete()
    services.round_assign(
        round_=first, by=recruiter, interviewer=russian_ann, assistants=[bob], starts_at=None
    )
    for person in (russian_ann, bob):
        [row] = mail_to(person)
        calendar, event = calendar_of(row)
        assert str(calendar["method"]) == "CANCEL" and "dtstart" not in event
        assert str(event["uid"]) == ics.event_uid(first) and int(event["sequence"]) == 1
    assert "not set yet" in mail_to(bob)[0].body_text


def test_a_person_without_an_address_gets_the_notice_alone_and_a_refusal_sends_nothing(
    no_broker, rounds, recruiter, roles  # noqa: ANN001
) -> None:
    quiet = UserFactory(username="quiet", first_name="Quinn", email="", roles=["interviewer"])
    assign(rounds[0], recruiter, quiet)
    assert Notice.objects.filter(recipient=quiet).count() == 1
    assert not Outbox.objects.filter(recipient="").exists()
    before = (Notice.objects.count(), Outbox.objects.count())
    with pytest.raises(services.InterviewRefused):
        # Quinn is busy then: refused, nothing committed, nobody told.
        assign(rounds[2], recruiter, quiet, at=MONDAY + timedelta(minutes=30))
    assert (Notice.objects.count(), Outbox.objects.count()) == before


@pytest.mark.processes
def test_the_invitation_reaches_a_real_smtp_server_through_the_worker(
    worker, peers, publish_to, rounds, recruiter, russian_ann  # noqa: ANN001
) -> None:
    server, _telegram = peers
    first = assign(rounds[0], recruiter, russian_ann)
    wait_for(
        lambda: Outbox.objects.filter(kind="assignment", status="sent").exists(),
        what="the assignment e-mail to be sent",
    )
    wait_for(lambda: len(server.messages) == 2, what="the candidate's e-mail too")
    assert sorted(server.recipients) == [["ann@example.com"], ["carla@example.com"]]
    [message] = [m for m in server.messages if m["To"] == "ann@example.com"]
    # (Python's e-mail folds a long encoded subject right after "Subject:"; parsed back,
    # the fold leaves a leading space.)
    assert message["Subject"].strip() == (
        "Раунд 1 «Screening»: кандидат Carla Candidate, 7 декабря 2026, 12:00 MSK"
    )
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST" and part.get_content_disposition() == "attachment"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == ics.event_uid(first)
    assert event.decoded("dtstart") == MONDAY and event.decoded("dtend") == MONDAY + timedelta(hours=1)
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert f"/rounds/{first.pk}/" in text.get_content()
    # The same worker found the reminders' task (its beat runs it every few minutes).
    assert "interviews.reminders_due" in worker.output()
