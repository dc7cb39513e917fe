"""Positions and vendors through the API: recruiters write, managers read both, interviewers
read positions only; refusals in the API's one error shape."""

from __future__ import annotations

import pytest

from candidates import services
from candidates.models import Position, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world_copy):  # noqa: ANN001, ANN201
    """The API's world, made once for this module: each test reads it, or changes it in its
    own transaction, rolled back after it (``made_once``)."""
    return world_copy

ROLES = ("member", "outsider", "manager", "editor", "recruiter", "nobody", "anonymous")

MATRIX = [
    ("get", "/api/positions/", None, (200, 200, 200, 403, 200, 403, 401)),
    ("get", "/api/positions/{position}/", None, (200, 200, 200, 403, 200, 403, 401)),
    ("post", "/api/positions/", {"title": "QA"}, (403, 403, 403, 403, 201, 403, 401)),
    ("patch", "/api/positions/{position}/", {"openings": 3}, (403, 403, 403, 403, 200, 403, 401)),
    ("get", "/api/vendors/", None, (403, 403, 200, 403, 200, 403, 401)),
    ("get", "/api/vendors/{vendor}/", None, (403, 403, 200, 403, 200, 403, 401)),
    ("post", "/api/vendors/", {"name": "New agency"}, (403, 403, 403, 403, 201, 403, 401)),
    ("patch", "/api/vendors/{vendor}/", {"terms": "10%"}, (403, 403, 403, 403, 200, 403, 401)),
]
CASES = [
    pytest.param(method, path, body, role, expected[i], id=f"{method} {path} as {role}")
    for method, path, body, expected in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_what_the_access_module_allows(  # noqa: PLR0913
    world,
    api,
    method,
    path,
    body,
    role,
    expected,  # noqa: ANN001
) -> None:
    url = path.format(position=world["position"], vendor=world["vendor"])
    client = api(world["people"][role])
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"status", "code", "message"}


def test_a_recruiter_creates_and_closes_a_position(world, api) -> None:  # noqa: ANN001
    client = api(world["people"]["recruiter"])
    created = client.post(
        "/api/positions/",
        {"title": "Data engineer", "team": "Data", "openings": 2, "status": "on_hold"},
        format="json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["title"], body["team"], body["openings"], body["status"]) == (
        "Data engineer",
        "Data",
        2,
        "on_hold",
    )
    closed = client.patch(f"/api/positions/{body['id']}/", {"status": "closed"}, format="json")
    assert closed.json()["status"] == "closed"
    assert Position.objects.get(pk=body["id"]).created_by == world["people"]["recruiter"]
    listed = client.get("/api/positions/?status=closed").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_bad_position_input_is_a_400_by_field(world, api) -> None:  # noqa: ANN001
    client = api(world["people"]["recruiter"])
    response = client.post(
        "/api/positions/", {"title": "", "openings": 0, "status": "paused"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"title", "openings", "status"}


def test_a_vendor_name_is_unique_whatever_the_case(world, api) -> None:  # noqa: ANN001
    client = api(world["people"]["recruiter"])
    response = client.post("/api/vendors/", {"name": "talent bridge "}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert Vendor.objects.count() == 1


def test_the_refusal_speaks_the_request_language(world, api) -> None:  # noqa: ANN001
    client = api(world["people"]["recruiter"])
    response = client.post(
        "/api/vendors/", {"name": "Talent Bridge"}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 409
    assert "уже есть" in response.json()["message"]


def test_the_candidate_shows_its_source_and_positions(world, api) -> None:  # noqa: ANN001
    recruiter = world["people"]["recruiter"]
    vendor = Vendor.objects.get(pk=world["vendor"])
    position = Position.objects.get(pk=world["position"])
    candidate = services.candidate_create(
        by=recruiter,
        fields={"full_name": "Vera Vendor", "email": "vera@example.com"},
        source="vendor",
        vendor=vendor,
        positions=[position],
        tags="Python, SQL",
    )
    mine = api(recruiter).get(f"/api/candidates/{candidate.pk}/").json()
    assert (mine["source"], mine["vendor"], mine["positions"], mine["tags"]) == (
        "vendor",
        vendor.pk,
        [position.pk],
        ["python", "sql"],
    )


def test_an_interviewer_does_not_learn_the_vendor_of_a_candidate(world, api) -> None:  # noqa: ANN001
    session = world["session"]
    candidate = session.candidate
    candidate.source, candidate.vendor_id = "vendor", world["vendor"]
    candidate.save()
    seen = api(world["people"]["member"]).get(f"/api/candidates/{candidate.pk}/").json()
    assert (seen["source"], seen["vendor"]) == ("vendor", None)
    managed = api(world["people"]["manager"]).get(f"/api/candidates/{candidate.pk}/").json()
    assert managed["vendor"] == world["vendor"]


def test_candidates_are_filtered_by_position_and_source(world, api) -> None:  # noqa: ANN001
    recruiter = world["people"]["recruiter"]
    position = Position.objects.get(pk=world["position"])
    on_it = services.candidate_create(
        by=recruiter,
        fields={"full_name": "Paula Position", "email": "p@example.com"},
        source="referral",
        positions=[position],
    )
    client = api(recruiter)
    by_position = client.get(f"/api/candidates/?position={position.pk}").json()["results"]
    assert [row["id"] for row in by_position] == [on_it.pk]
    by_source = client.get("/api/candidates/?source=referral").json()["results"]
    assert [row["id"] for row in by_source] == [on_it.pk]
