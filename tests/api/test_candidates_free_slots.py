"""``free_slots`` on ``POST /api/candidates/``: the new candidate's free time, kept through
``scheduling.services.slot_add`` in the transaction that creates the card — all or nothing;
a bad slot is a field error (``errors.free_slots["<index>"]``) and creates nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from candidates import services as candidates
from candidates.models import Candidate
from scheduling import services
from scheduling.models import Slot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rita(roles) -> Any:  # noqa: ANN001
    return UserFactory(username="rita", roles=["recruiter"], time_zone="Europe/Berlin")


def new(api, user, **more: Any) -> Any:  # noqa: ANN001
    body = {"full_name": "Nina New", "email": "nina@example.com", **more}
    return api(user).post("/api/candidates/", body, format="json")


def test_a_recruiter_creates_a_candidate_with_free_slots(api, rita) -> None:  # noqa: ANN001
    answer = new(api, rita, free_slots=[
        {"start": "2026-12-03T10:00:00+09:00", "end": "2026-12-03T13:00:00+09:00",
         "zone": "Asia/Tokyo"},
        {"start": "2026-12-04T09:00:00+01:00", "end": "2026-12-04T10:00:00+01:00"},
        # Touches the one before: merged into it, as slot_add merges.
        {"start": "2026-12-04T10:00:00+01:00", "end": "2026-12-04T11:00:00+01:00"},
    ])  # fmt: skip

    assert answer.status_code == 201, answer.content
    nina = Candidate.objects.get(pk=answer.json()["id"])
    slots = list(Slot.objects.filter(candidate=nina).order_by("starts_at"))
    assert [(s.starts_at, s.ends_at, s.zone) for s in slots] == [
        (datetime(2026, 12, 3, 1, tzinfo=UTC), datetime(2026, 12, 3, 4, tzinfo=UTC), "Asia/Tokyo"),
        # No zone given: the requester's.
        (datetime(2026, 12, 4, 8, tzinfo=UTC), datetime(2026, 12, 4, 10, tzinfo=UTC),
         "Europe/Berlin"),
    ]  # fmt: skip
    assert {s.created_by for s in slots} == {rita}
    listed = api(rita).get(f"/api/availability/slots/?candidate={nina.pk}").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["starts_at"] for row in rows] == ["2026-12-03T01:00:00Z", "2026-12-04T08:00:00Z"]


def test_without_free_slots_nothing_changes(api, rita) -> None:  # noqa: ANN001
    assert new(api, rita).status_code == 201
    assert new(api, rita, email="n2@example.com", free_slots=[]).status_code == 201
    assert not Slot.objects.exists()


@pytest.mark.parametrize(
    ("slot", "field"),
    [
        ({"start": "2026-12-03T10:00:00Z", "end": "2026-12-03T09:00:00Z"}, "end"),
        ({"start": "2026-11-20T10:00:00Z", "end": "2026-11-20T11:00:00Z"}, "start"),
        ({"start": "2026-12-01T10:00:00Z", "end": "2026-12-20T10:00:00Z"}, "end"),
        ({"start": "2026-12-03T10:00:00", "end": "2026-12-03T11:00:00Z"}, "start"),
        ({"start": "2026-12-03T10:00:00Z"}, "end"),
        ({"start": "2026-12-03T10:00:00Z", "end": "2026-12-03T11:00:00Z", "zone": "Mars/Base"},
         "zone"),
    ],
    ids=["ends-before-start", "in-the-past", "too-long", "no-offset", "no-end", "bad-zone"],
)  # fmt: skip
def test_a_bad_slot_is_its_field_error_and_nothing_is_created(api, rita, slot, field) -> None:  # noqa: ANN001
    good = {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}
    answer = new(api, rita, free_slots=[good, slot])

    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["code"] == "invalid"
    # By the index of the bad slot (the good one has nothing to say).
    errors = body["errors"]["free_slots"]
    assert list(errors) == ["1"] and list(errors["1"]) == [field] and errors["1"][field][0]
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_more_slots_than_a_new_candidate_takes_is_refused(api, rita) -> None:  # noqa: ANN001
    many = [
        {"start": f"2026-12-{2 + n // 12:02d}T{n % 12 * 2:02d}:00:00Z",
         "end": f"2026-12-{2 + n // 12:02d}T{n % 12 * 2:02d}:30:00Z"}
        for n in range(services.MAX_SLOTS_AT_CREATION + 1)
    ]  # fmt: skip
    answer = new(api, rita, free_slots=many)
    assert answer.status_code == 400
    assert "free_slots" in answer.json()["errors"]
    assert not Candidate.objects.exists() and not Slot.objects.exists()
    assert new(api, rita, free_slots=many[:-1]).status_code == 201
    assert Slot.objects.count() == services.MAX_SLOTS_AT_CREATION


def test_a_card_refused_keeps_no_free_slots(api, rita) -> None:  # noqa: ANN001
    closed = candidates.position_create(by=rita, fields={"title": "Closed", "status": "closed"})
    answer = new(api, rita, positions=[closed.pk], free_slots=[
        {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    ])  # fmt: skip
    assert answer.status_code == 409 and answer.json()["code"] == "position_closed"
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_a_slot_refused_inside_the_transaction_undoes_the_card(api, rita, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(services, "MAX_SLOTS", 0)  # past the checks: the owner's limit
    answer = new(api, rita, free_slots=[
        {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    ])  # fmt: skip
    assert answer.status_code == 409 and answer.json()["code"] == "too_many_slots"
    assert not Candidate.objects.exists() and not Slot.objects.exists()


def test_only_recruiters_create_with_free_slots(api, ann) -> None:  # noqa: ANN001
    answer = new(api, ann, free_slots=[
        {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    ])  # fmt: skip
    assert answer.status_code == 403
    assert not Candidate.objects.exists() and not Slot.objects.exists()
