"""A round as a calendar event, parsed back with icalendar: one UID for ever (at the site's
host), SEQUENCE bumped on every change, times in UTC, the people as attendees, the round's
link; a cancelled round (or a person taken off it) gets METHOD:CANCEL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from interviews import ics, services
from interviews.models import Round
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def first_round(recruiter, ann, lead, bob) -> Round:  # noqa: ANN001
    position = three_round_position(recruiter, ann, lead, bob)
    candidate = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=candidate, position=position, by=recruiter)
    return interview.rounds.get(order=0)


def parse(text: str) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def assign(round_: Round, recruiter, interviewer, assistants=(), at=MONDAY, **kw) -> Round:  # noqa: ANN001
    return services.round_assign(
        round_=round_, by=recruiter, interviewer=interviewer, assistants=assistants,
        starts_at=at, **kw,
    )  # fmt: skip


def test_an_invitation_parses_back_with_the_rounds_facts(
    first_round, recruiter, ann, bob, settings  # noqa: ANN001
) -> None:
    settings.SITE_URL = "https://hire.example.com"
    settings.DEFAULT_FROM_EMAIL = "Roundtable <roundtable@hire.example.com>"
    row = assign(first_round, recruiter, ann, [bob], instructions="Ask about the last project.")
    calendar, event = parse(ics.invite(row, "REQUEST"))
    assert str(calendar["method"]) == "REQUEST" and str(calendar["version"]) == "2.0"
    assert str(event["uid"]) == f"{row.uid}@hire.example.com"
    assert int(event["sequence"]) == row.sequence == 0
    assert event.decoded("dtstart") == MONDAY and event.decoded("dtstart").tzinfo is not None
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") == MONDAY + timedelta(minutes=60)
    assert str(event["summary"]) == "Round 1 “Screening” with Carla Candidate"
    assert str(event["status"]) == "CONFIRMED"
    description = str(event["description"])
    assert "Ask about the last project." in description
    assert f"https://hire.example.com/rounds/{row.pk}/" in description
    assert str(event["url"]) == f"https://hire.example.com/rounds/{row.pk}/"
    assert str(event["organizer"]) == "mailto:roundtable@hire.example.com"
    attendees = {str(a): (a.params["ROLE"], a.params["CN"]) for a in event["attendee"]}
    assert attendees == {
        "mailto:ann@example.com": ("CHAIR", "Ann Panel"),
        "mailto:bob@example.com": ("REQ-PARTICIPANT", "Bob Panel"),
    }
    # The raw text is what calendar programs read: UTC times, CRLF line ends.
    text = ics.invite(row, "REQUEST")
    assert "DTSTART:20261207T090000Z\r\n" in text


def test_the_uid_stays_and_the_sequence_grows_across_reschedules_and_cancel(
    first_round, recruiter, ann, bob  # noqa: ANN001
) -> None:
    first = assign(first_round, recruiter, ann)
    _c, event1 = parse(ics.invite(first, "REQUEST"))
    moved = assign(first, recruiter, ann, at=MONDAY + timedelta(days=1))
    _c, event2 = parse(ics.invite(moved, "REQUEST"))
    assert str(event2["uid"]) == str(event1["uid"])
    assert int(event2["sequence"]) == int(event1["sequence"]) + 1
    assert event2.decoded("dtstart") == MONDAY + timedelta(days=1)
    # Same time, another assistant: still a change of the same event.
    again = assign(moved, recruiter, ann, [bob], at=MONDAY + timedelta(days=1))
    assert again.sequence == moved.sequence + 1
    # Nothing changed: no new version.
    same = assign(again, recruiter, ann, [bob], at=MONDAY + timedelta(days=1))
    assert same.sequence == again.sequence
    cancelled = services.round_cancel(round_=same, by=recruiter)
    calendar, event3 = parse(ics.invite(cancelled, "CANCEL"))
    assert str(calendar["method"]) == "CANCEL" and str(event3["status"]) == "CANCELLED"
    assert str(event3["uid"]) == str(event1["uid"])
    assert int(event3["sequence"]) == same.sequence + 1 == cancelled.sequence


def test_a_cancel_for_a_person_taken_off_names_only_them(first_round, recruiter, ann, bob) -> None:  # noqa: ANN001
    row = assign(first_round, recruiter, ann, [bob])
    row = assign(row, recruiter, ann)  # bob is taken off
    calendar, event = parse(ics.invite(row, "CANCEL", attendees=[bob]))
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:bob@example.com"


def test_a_round_without_a_time_is_never_requested(first_round) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        ics.invite(first_round, "REQUEST")
    with pytest.raises(ValueError):
        ics.invite(first_round, "PUBLISH")
    # A cancellation needs no time (calendars drop the event by its UID).
    _calendar, event = parse(ics.invite(first_round, "CANCEL"))
    assert "dtstart" not in event and str(event["status"]) == "CANCELLED"


def test_the_attachment_is_an_outbox_file_of_text_calendar(first_round, recruiter, ann) -> None:  # noqa: ANN001
    row = assign(first_round, recruiter, ann)
    request = ics.attachment(row, "REQUEST")
    assert request["filename"] == f"round-{row.pk}.ics"
    assert request["content_type"] == "text/calendar; method=REQUEST"
    assert parse(request["content"])[1]["uid"] == ics.event_uid(row)
    cancel = ics.attachment(row, "CANCEL")
    assert cancel["content_type"] == "text/calendar; method=CANCEL"


def test_the_summary_is_in_the_language_asked_for(first_round, recruiter, ann) -> None:  # noqa: ANN001
    row = assign(first_round, recruiter, ann)
    _calendar, event = parse(ics.invite(row, "REQUEST", language="ru"))
    assert str(event["summary"]) == "Раунд 1 «Screening»: кандидат Carla Candidate"
    assert "Кандидат: Carla Candidate" in str(event["description"])


def test_a_feed_has_no_method_and_leaves_out_rounds_without_a_time(
    first_round, recruiter, ann  # noqa: ANN001
) -> None:
    row = assign(first_round, recruiter, ann)
    unscheduled = row.interview.rounds.get(order=2)
    feed = Calendar.from_ical(ics.feed([row, unscheduled], name="Ann"))
    assert "method" not in feed
    assert [str(e["uid"]) for e in feed.walk("VEVENT")] == [ics.event_uid(row)]
    # The same rounds give the same bytes (DTSTAMP is the round's last change).
    assert ics.feed([row], name="Ann") == ics.feed([row], name="Ann")
