"""The availability API (``api/availability.py``, docs/api.md "Availability"): slots of one's own
and of candidates, weekly hours, exceptions, capacity, free time; who may do what; errors in
the API's one shape; refused writes change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from interviews import services as interviews
from scheduling import services
from scheduling.models import Capacity, DayException, Slot, WeeklyHours
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(roles, lead, bob) -> dict[str, Any]:  # noqa: ANN001
    return {
        "ivan": UserFactory(
            username="ivan", first_name="Ivan", roles=["interviewer"], time_zone="Europe/Berlin"
        ),
        "olga": UserFactory(username="olga", roles=["interviewer"]),
        "rita": UserFactory(username="rita", first_name="Rita", roles=["recruiter"]),
        "mona": UserFactory(username="mona", roles=["manager"]),
        "nemo": UserFactory(username="nemo"),
        "lead": lead,
        "bob": bob,
    }


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def carla(people) -> Any:  # noqa: ANN001
    return candidate_on(
        three_round_position(people["rita"], people["ivan"], people["lead"], people["bob"]),
        people["rita"],
    )


SLOT = {"starts_at": "2026-12-03T10:00:00+01:00", "ends_at": "2026-12-03T12:00:00+01:00"}


def test_an_interviewer_adds_lists_moves_and_deletes_own_slots(people) -> None:  # noqa: ANN001
    client = api(people["ivan"])
    made = client.post("/api/availability/slots/", SLOT, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["starts_at"] == "2026-12-03T09:00:00Z" and body["ends_at"] == "2026-12-03T11:00:00Z"
    assert body["zone"] == "Europe/Berlin"  # the requester's own, not given
    assert body["user"] == people["ivan"].pk and body["candidate"] is None
    listed = client.get(
        "/api/availability/slots/?from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z"
    ).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert client.get("/api/availability/slots/?from=2026-12-04T00:00:00Z").json()["count"] == 0
    moved = client.patch(
        f"/api/availability/slots/{body['id']}/", {"ends_at": "2026-12-03T13:00:00Z"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["ends_at"] == "2026-12-03T13:00:00Z"
    assert (
        client.get(f"/api/availability/slots/{body['id']}/").json()["starts_at"]
        == "2026-12-03T09:00:00Z"
    )
    assert client.delete(f"/api/availability/slots/{body['id']}/").status_code == 204
    assert not Slot.objects.exists()


def test_a_recruiter_keeps_a_candidates_slots(people, carla) -> None:  # noqa: ANN001
    rita = api(people["rita"])
    made = rita.post(
        f"/api/availability/slots/?candidate={carla.pk}",
        {**SLOT, "zone": "Europe/Moscow"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["candidate"] == carla.pk
    assert made.json()["zone"] == "Europe/Moscow"
    assert rita.get(f"/api/availability/slots/?candidate={carla.pk}").json()["count"] == 1
    free = rita.get(
        f"/api/availability/free-time/?candidate={carla.pk}&from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z"
    )
    assert free.json() == {
        "intervals": [{"starts_at": "2026-12-03T09:00:00Z", "ends_at": "2026-12-03T11:00:00Z"}]
    }
    # Her own: a recruiter who does not interview keeps none.
    assert rita.get("/api/availability/slots/").status_code == 403


@pytest.mark.parametrize(
    ("who", "own", "candidate"),
    [
        ("ivan", 200, 404),  # a candidate one may not see is not found, as elsewhere
        ("rita", 403, 200),
        ("mona", 403, 403),  # managers see every candidate, keep no one's slots
        ("nemo", 403, 404),
        (None, 401, 401),
    ],
)
def test_who_may_read_which_slots(people, carla, who, own, candidate) -> None:  # noqa: ANN001
    client = api(people[who] if who else None)
    assert client.get("/api/availability/slots/").status_code == own
    assert client.get(f"/api/availability/slots/?candidate={carla.pk}").status_code == candidate
    assert client.get("/api/availability/weekly-hours/").status_code == own
    assert client.get("/api/availability/capacity/").status_code == own


def test_someone_elses_slot_is_not_found_and_stays(people, carla) -> None:  # noqa: ANN001
    ivan_slot = services.slot_add(
        by=people["ivan"], user=people["ivan"], starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 10, tzinfo=UTC), zone="UTC",
    )  # fmt: skip
    carla_slot = services.slot_add(
        by=people["rita"], candidate=carla, starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 10, tzinfo=UTC), zone="UTC",
    )  # fmt: skip
    olga = api(people["olga"])
    for slot in (ivan_slot, carla_slot):
        assert olga.get(f"/api/availability/slots/{slot.pk}/").status_code == 404
        assert olga.delete(f"/api/availability/slots/{slot.pk}/").status_code == 404
        assert (
            olga.patch(
                f"/api/availability/slots/{slot.pk}/",
                {"ends_at": "2026-12-03T11:00:00Z"},
                format="json",
            ).status_code
            == 404
        )
    # A recruiter reaches a candidate's slot, not an interviewer's.
    rita = api(people["rita"])
    assert rita.get(f"/api/availability/slots/{carla_slot.pk}/").status_code == 200
    assert rita.delete(f"/api/availability/slots/{ivan_slot.pk}/").status_code == 404
    assert Slot.objects.count() == 2
    assert api(None).get(f"/api/availability/slots/{ivan_slot.pk}/").status_code == 401


def test_an_unknown_candidate_is_not_found(people) -> None:  # noqa: ANN001
    assert api(people["rita"]).get("/api/availability/slots/?candidate=999999").status_code == 404
    assert api(people["rita"]).get("/api/availability/slots/?candidate=x").status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"starts_at": "2026-12-03T10:00:00", "ends_at": "2026-12-03T12:00:00Z"}, 400, "invalid"),
        (
            {"starts_at": "2026-12-03T12:00:00Z", "ends_at": "2026-12-03T10:00:00Z"},
            400,
            "ends_before_start",
        ),
        ({"starts_at": "2026-12-03T10:00:00Z", "ends_at": "2026-12-20T10:00:00Z"}, 400, "too_long"),
        (
            {"starts_at": "2026-11-20T10:00:00Z", "ends_at": "2026-11-20T11:00:00Z"},
            400,
            "in_the_past",
        ),
        ({**SLOT, "zone": "Mars/Base"}, 400, "bad_zone"),
        ({"starts_at": "2026-12-03T10:00:00Z"}, 400, "invalid"),
    ],
)
def test_a_bad_slot_is_an_error_in_the_one_shape(people, body, status, code) -> None:  # noqa: ANN001
    response = api(people["ivan"]).post("/api/availability/slots/", body, format="json")
    assert response.status_code == status
    error = response.json()
    assert error["status"] == status and error["code"] == code and error["message"]
    assert not Slot.objects.exists()


def test_a_slot_under_an_interview_is_409_until_confirmed(people, carla) -> None:  # noqa: ANN001
    ivan, rita = people["ivan"], people["rita"]
    slot = services.slot_add(
        by=ivan, user=ivan, starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 12, tzinfo=UTC), zone="UTC",
    )  # fmt: skip
    interview = interviews.interview_create(
        candidate=carla, position=carla.positions.get(), by=rita
    )
    interviews.round_assign(
        round_=interview.rounds.get(order=0), by=rita, interviewer=ivan,
        starts_at=datetime(2026, 12, 3, 10, tzinfo=UTC),
    )  # fmt: skip
    client = api(ivan)
    refused = client.delete(f"/api/availability/slots/{slot.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "holds_interview"
    assert "Screening" in refused.json()["message"]
    shrunk = client.patch(
        f"/api/availability/slots/{slot.pk}/", {"ends_at": "2026-12-03T10:30:00Z"}, format="json"
    )
    assert shrunk.status_code == 409
    assert Slot.objects.get().ends_at == datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert client.delete(f"/api/availability/slots/{slot.pk}/?confirm=true").status_code == 204
    assert not Slot.objects.exists()


def test_weekly_hours_exceptions_capacity_and_free_time(people) -> None:  # noqa: ANN001
    client = api(people["ivan"])
    week = {"hours": [{"weekday": d, "starts": "09:00", "ends": "17:00"} for d in range(5)]}
    put = client.put("/api/availability/weekly-hours/", week, format="json")
    assert put.status_code == 200
    assert put.json()["zone"] == "Europe/Berlin" and len(put.json()["hours"]) == 5
    assert put.json()["hours"][0] == {"weekday": 0, "starts": "09:00", "ends": "17:00"}
    bad = client.put(
        "/api/availability/weekly-hours/",
        {
            "hours": [
                {"weekday": 0, "starts": "09:00", "ends": "12:00"},
                {"weekday": 0, "starts": "11:00", "ends": "13:00"},
            ]
        },
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "overlap"
    assert WeeklyHours.objects.count() == 5
    off = client.post("/api/availability/exceptions/", {"day": "2026-12-08"}, format="json")
    assert off.status_code == 201 and off.json()["available"] is False
    again = client.post("/api/availability/exceptions/", {"day": "2026-12-08"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    extra = client.post(
        "/api/availability/exceptions/",
        {"day": "2026-12-12", "starts": "10:00", "ends": "11:00"},
        format="json",
    )
    assert extra.status_code == 201 and extra.json()["starts"] == "10:00"
    assert client.get("/api/availability/exceptions/").json()["count"] == 2
    cap = client.put("/api/availability/capacity/", {"per_day": 2, "per_week": 6}, format="json")
    assert cap.json() == {"per_day": 2, "per_week": 6}
    assert (
        client.put(
            "/api/availability/capacity/", {"per_day": 5, "per_week": 2}, format="json"
        ).json()["code"]
        == "bad_capacity"
    )
    assert Capacity.objects.values_list("per_day", "per_week").get() == (2, 6)
    free = client.get(
        "/api/availability/free-time/?from=2026-12-07T00:00:00Z&to=2026-12-13T00:00:00Z"
    ).json()
    starts = [i["starts_at"] for i in free["intervals"]]
    assert starts == [
        "2026-12-07T08:00:00Z",
        "2026-12-09T08:00:00Z",
        "2026-12-10T08:00:00Z",
        "2026-12-11T08:00:00Z",
        "2026-12-12T09:00:00Z",
    ]
    too_long = client.get(
        "/api/availability/free-time/?from=2026-12-01T00:00:00Z&to=2027-03-01T00:00:00Z"
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "range_too_long"
    assert client.get("/api/availability/free-time/?from=2026-12-01T00:00:00Z").status_code == 400
    assert client.delete(f"/api/availability/exceptions/{off.json()['id']}/").status_code == 204
    assert DayException.objects.count() == 1
    assert (
        api(people["olga"])
        .delete(f"/api/availability/exceptions/{extra.json()['id']}/")
        .status_code
        == 404
    )


def test_messages_follow_the_language_codes_do_not(people) -> None:  # noqa: ANN001
    body = {"starts_at": "2026-12-03T12:00:00Z", "ends_at": "2026-12-03T10:00:00Z"}
    english = api(people["ivan"]).post(
        "/api/availability/slots/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    russian = api(people["ivan"]).post(
        "/api/availability/slots/", body, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert english.json()["code"] == russian.json()["code"] == "ends_before_start"
    assert english.json()["message"] != russian.json()["message"]


def test_a_candidate_created_then_given_slots_at_once(people) -> None:  # noqa: ANN001
    rita = api(people["rita"])
    made = rita.post(
        "/api/candidates/", {"full_name": "Dana Doe", "email": "dana@example.com"}, format="json"
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    assert (
        rita.post(f"/api/availability/slots/?candidate={pk}", SLOT, format="json").status_code
        == 201
    )
