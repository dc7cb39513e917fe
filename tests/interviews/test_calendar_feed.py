"""The personal calendar feed: made from the calendar page by a POST (its address shown once,
only a hash kept), read by a calendar program without signing in, listing only the rounds
the person is on (interviewer or assistant) from 60 days back, cancelled ones as CANCELLED;
a wrong, replaced or turned-off token, or a deactivated person, is a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar

from interviews import feeds, ics, services
from interviews.models import CalendarFeed, Round
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():  # noqa: ANN201
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def rounds(recruiter, ann, lead, bob) -> dict[str, Round]:  # noqa: ANN001
    """Carla: round 1 Ann's next week, round 2 Lena's with Bob assisting, round 3 no time.
    Dave (another interview): Ann 70 days ago (too old for the feed), Ann cancelled."""
    position = three_round_position(recruiter, ann, lead, bob)
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first, second, third = interview.rounds.order_by("order")
    assign = services.round_assign
    assign(round_=first, by=recruiter, interviewer=ann, starts_at=NOW + timedelta(days=5))
    assign(round_=second, by=recruiter, interviewer=lead, assistants=[ann],
           starts_at=NOW + timedelta(days=6))  # fmt: skip
    dave = candidate_on(position, recruiter, name="Dave Data")
    old = services.interview_create(candidate=dave, position=position, by=recruiter)
    d1, d2, _d3 = old.rounds.order_by("order")
    d1 = assign(round_=d1, by=recruiter, interviewer=ann, starts_at=NOW + timedelta(days=8))
    Round.objects.filter(pk=d1.pk).update(starts_at=NOW - timedelta(days=70))
    d2 = assign(round_=d2, by=recruiter, interviewer=ann, starts_at=NOW + timedelta(days=9))
    d2 = services.round_cancel(round_=d2, by=recruiter)
    return {"first": first, "second": second, "third": third, "old": d1, "cancelled": d2}


def client_of(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def make_feed(user) -> str:  # noqa: ANN001
    """Through the page: POST, then the page shows the address once."""
    client = client_of(user)
    response = client.post("/calendar/feed/new/")
    assert response.status_code == 302 and response["Location"].endswith("/calendar/#feed")
    page = client.get("/calendar/").content.decode()
    match = re.search(r'id="feed-url" readonly value="([^"]+)"', page)
    assert match, page
    again = client.get("/calendar/").content.decode()
    assert 'id="feed-url"' not in again and match.group(1) not in again  # shown once
    assert 'id="feed-revoke"' in again
    return match.group(1)


def read(url: str):  # noqa: ANN201
    path = url.removeprefix("http://127.0.0.1:8000")
    return Client().get(path)  # a calendar program: not signed in


def uids(response) -> dict[str, str]:  # noqa: ANN001
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): str(e["status"]) for e in calendar.walk("VEVENT")}


def test_the_feed_lists_the_rounds_the_person_is_on_without_signing_in(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann)
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/calendar/feed/[A-Za-z0-9_-]{43}\.ics", url)
    response = read(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert uids(response) == {
        ics.event_uid(rounds["first"]): "CONFIRMED",
        ics.event_uid(rounds["second"]): "CONFIRMED",  # Ann assists on it
        ics.event_uid(rounds["cancelled"]): "CANCELLED",
    }  # not the round without a time, not the one 70 days ago
    calendar = Calendar.from_ical(response.content)
    assert "method" not in calendar
    assert "Ann Panel" in str(calendar["x-wr-calname"])


def test_the_feed_shows_only_the_owners_rounds(rounds, bob, lead) -> None:  # noqa: ANN001
    assert uids(read(make_feed(lead))) == {ics.event_uid(rounds["second"]): "CONFIRMED"}
    assert uids(read(make_feed(bob))) == {}


def test_a_wrong_token_is_a_404(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert read(url.replace(token, wrong)).status_code == 404
    assert Client().get("/calendar/feed/short.ics").status_code == 404
    assert Client().get(f"/calendar/feed/{token}.txt").status_code == 404


def test_only_a_hash_of_the_token_is_kept(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    row = CalendarFeed.objects.get(user=ann)
    assert token not in row.token_hash and len(row.token_hash) == 64
    assert not CalendarFeed.objects.filter(token_hash=token).exists()


def test_a_new_address_replaces_the_old_one(rounds, ann) -> None:  # noqa: ANN001
    old = make_feed(ann)
    new = make_feed(ann)
    assert old != new
    assert read(old).status_code == 404
    assert read(new).status_code == 200
    assert CalendarFeed.objects.filter(user=ann).count() == 1


def test_a_revoked_feed_is_a_404(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann)
    client = client_of(ann)
    assert client.get("/calendar/feed/revoke/").status_code == 405  # a POST only
    assert read(url).status_code == 200
    response = client.post("/calendar/feed/revoke/")
    assert response.status_code == 302
    assert read(url).status_code == 404
    page = client.get("/calendar/").content.decode()
    assert 'id="feed-state" class="muted"' in page and 'id="feed-revoke"' not in page


def test_a_deactivated_persons_feed_is_a_404(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann)
    ann.is_active = False
    ann.save(update_fields=["is_active"])
    assert read(url).status_code == 404


def test_making_a_feed_needs_signing_in_and_a_post(rounds, editor) -> None:  # noqa: ANN001
    assert Client().post("/calendar/feed/new/").status_code == 302  # to the login page
    assert not CalendarFeed.objects.exists()
    assert client_of(editor).post("/calendar/feed/new/").status_code == 403
    assert not CalendarFeed.objects.exists()


def test_the_feed_follows_changes_with_the_same_uid_and_a_higher_sequence(
    rounds, ann, recruiter  # noqa: ANN001
) -> None:
    url = make_feed(ann)
    before = Calendar.from_ical(read(url).content)
    services.round_assign(
        round_=rounds["first"], by=recruiter, interviewer=ann,
        starts_at=NOW + timedelta(days=7),
    )  # fmt: skip
    after = Calendar.from_ical(read(url).content)
    uid = ics.event_uid(rounds["first"])

    def event(calendar):  # noqa: ANN001, ANN202
        return next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == uid)

    assert int(event(after)["sequence"]) == int(event(before)["sequence"]) + 1
    assert event(after).decoded("dtstart") == NOW + timedelta(days=7)


def test_the_feed_costs_the_same_queries_for_1_and_many_rounds(
    rounds, ann, django_assert_num_queries  # noqa: ANN001
) -> None:
    url = make_feed(ann)
    read(url)  # notes when it was last read (once an hour)
    with django_assert_num_queries(3):
        assert read(url).status_code == 200
    first = rounds["first"]
    Round.objects.bulk_create(
        Round(
            interview_id=first.interview_id, candidate_id=first.candidate_id,
            position_id=first.position_id, order=10 + n, name=f"Extra {n}", kind=first.kind,
            interviewer_id=ann.pk, starts_at=NOW + timedelta(days=1, hours=n),
            status=Round.Status.SCHEDULED,
        )
        for n in range(60)
    )  # fmt: skip
    with django_assert_num_queries(3):
        assert len(uids(read(url))) == 63


def test_feed_owner_refuses_malformed_tokens(rounds, ann) -> None:  # noqa: ANN001
    feeds.feed_create(user=ann)
    for token in ["", "x" * 43 + "!", "a" * 42, None, "ä" * 43]:
        assert feeds.feed_owner(token) is None  # type: ignore[arg-type]


def test_the_feed_answers_head_and_refuses_writes(rounds, ann) -> None:  # noqa: ANN001
    url = make_feed(ann).removeprefix("http://127.0.0.1:8000")
    assert Client().head(url).status_code == 200
    assert Client().post(url).status_code == 405
