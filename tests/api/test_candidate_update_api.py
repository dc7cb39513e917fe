"""``PATCH /api/candidates/{id}/``: recruiters only; checked as on creation; one ``updated``
event in the history."""

from __future__ import annotations

import pytest

from candidates.models import Candidate, CandidateEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world_copy):  # noqa: ANN001, ANN201
    """The API's world, made once for this module: each test reads it, or changes it in its
    own transaction, rolled back after it (``made_once``)."""
    return world_copy

ROLES = ("member", "outsider", "manager", "editor", "recruiter", "nobody", "anonymous")
EXPECTED = (403, 403, 403, 403, 200, 403, 401)


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, EXPECTED, strict=True)))
def test_only_recruiters_change_a_candidate(world, api, role, expected) -> None:  # noqa: ANN001
    client = api(world["people"][role])
    response = client.patch(
        f"/api/candidates/{world['candidate']}/", {"phone": "+1 555"}, format="json"
    )
    assert response.status_code == expected, response.content
    phone = Candidate.objects.get(pk=world["candidate"]).phone
    assert (phone == "+1 555") == (expected == 200)


def test_a_recruiter_changes_the_pipeline_fields(world, api) -> None:  # noqa: ANN001
    client = api(world["people"]["recruiter"])
    response = client.patch(
        f"/api/candidates/{world['candidate']}/",
        {
            "full_name": "Renamed",
            "source": "vendor",
            "vendor": world["vendor"],
            "positions": [world["position"]],
            "tags": ["Go", "SQL"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["full_name"], body["source"], body["vendor"]) == (
        "Renamed",
        "vendor",
        world["vendor"],
    )
    assert (body["positions"], body["tags"]) == ([world["position"]], ["go", "sql"])
    event = CandidateEvent.objects.get(candidate_id=world["candidate"], kind="updated")
    assert event.details["fields"] == ["full_name", "positions", "source", "tags", "vendor"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"full_name": "A\nB"}, 400, "invalid"),
        ({"source": "vendor"}, 400, "vendor_required"),
        ({"status": "hired", "full_name": "Still here"}, 200, None),
    ],
)
def test_refusals_and_a_status_that_is_not_writable(world, api, body, status, code) -> None:  # noqa: ANN001, PLR0913
    client = api(world["people"]["recruiter"])
    response = client.patch(f"/api/candidates/{world['candidate']}/", body, format="json")
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    assert Candidate.objects.get(pk=world["candidate"]).status != "hired"


def test_a_refusal_of_state_is_409(world, api) -> None:  # noqa: ANN001
    from candidates.models import Vendor

    Vendor.objects.filter(pk=world["vendor"]).update(active=False)
    client = api(world["people"]["recruiter"])
    response = client.patch(
        f"/api/candidates/{world['candidate']}/",
        {"source": "vendor", "vendor": world["vendor"]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "vendor_inactive")
