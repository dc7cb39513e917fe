"""The scheduler's API (``api/scheduling.py``, docs/api.md "Scheduling"): start a run or a
preview, read runs with their bookings and no-matches, list scheduled interviews; who may do
what; errors in the API's one shape; a refused request changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from interviews.models import Interview
from scheduling.models import Run
from tests.factories import UserFactory
from tests.scheduling.scheduler_world import (
    at,
    candidate,
    free,
    interviewer,
    person,
    position_with_plan,
    recruiter,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen", "no_broker"),
]


@pytest.fixture
def w(roles) -> dict[str, Any]:  # noqa: ANN001
    rita = recruiter()
    ann = interviewer("ann", "Ann", "Europe/Berlin")
    bob = interviewer("bob", "Bob")
    mona = person("mona", "Mona", roles=("manager",))
    nemo = UserFactory(username="nemo")
    position = position_with_plan(rita, default=ann, pool=(ann, bob))
    carla = candidate(rita, position, "Carla Candidate")
    dan = candidate(rita, position, "Dan Candidate")
    free(carla, at(2), at(4), by=rita)
    free(ann, at(3), at(8), by=rita)
    free(bob, at(2), at(3), by=rita)
    return locals()


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_preview_answers_what_would_be_booked_and_books_nothing(w) -> None:  # noqa: ANN001
    answer = api(w["rita"]).post("/api/scheduling/runs/", {"preview": True}, format="json")
    assert answer.status_code == 201, answer.content
    run = answer.json()
    assert run["preview"] is True and run["trigger"] == "manual"
    assert run["by"] == {"id": w["rita"].pk, "name": "Rita Test"}
    assert (run["booked"], run["unmatched"], run["skipped"]) == (0, 1, 0)
    assert (run["optimal"], run["gap"], run["error"]) == (True, 0, "")
    assert run["window_start"] == "2026-12-07T07:00:00Z"
    assert run["window_end"] == "2026-12-21T07:00:00Z"
    [booking] = run["bookings"]
    assert booking["outcome"] == "preview" and booking["round"] is None
    assert booking["candidate"] == {"id": w["carla"].pk, "full_name": "Carla Candidate"}
    assert booking["plan_round"] is not None and booking["round_name"] == "Screening"
    assert booking["starts_at"] == "2026-12-07T09:00:00Z"
    assert booking["interviewer"] == {"id": w["bob"].pk, "name": "Bob Test"}
    assert booking["people"] == [w["bob"].pk]
    assert booking["why"]["earliest_possible"] == "2026-12-07T09:00:00+00:00"
    assert booking["why"]["alternatives"] == 1 and booking["why"]["cap"] is None
    [missed] = run["no_matches"]
    assert missed["candidate"]["full_name"] == "Dan Candidate"
    assert (missed["reason"], missed["notified_at"], missed["round"]) == ("no_overlap", None, None)
    assert missed["reason_label"].startswith("None of their free time overlaps")
    assert missed["detail"]["candidate_free_hours"] == 0
    assert sorted(missed["detail"]["interviewers"]) == sorted([w["ann"].pk, w["bob"].pk])
    assert not Interview.objects.exists()


def test_a_run_books_and_the_interview_is_listed_as_scheduled(w) -> None:  # noqa: ANN001
    answer = api(w["rita"]).post("/api/scheduling/runs/", {}, format="json")
    assert answer.status_code == 201, answer.content
    run = answer.json()
    assert run["preview"] is False and run["booked"] == 1
    [booking] = run["bookings"]
    assert booking["outcome"] == "booked" and booking["round"] is not None
    assert run["no_matches"][0]["notified_at"] == "2026-12-07T06:00:00Z"

    listed = api(w["rita"]).get("/api/scheduling/interviews/").json()
    assert listed["count"] == 1
    [row] = listed["results"]
    assert row["id"] == booking["round"] and row["booked_by_run"] == run["id"]
    assert (row["status"], row["starts_at"], row["ends_at"]) == (
        "scheduled", "2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z",
    )  # fmt: skip
    assert row["candidate"]["full_name"] == "Carla Candidate"
    assert row["interviewer"]["name"] == "Bob Test" and row["assistants"] == []

    # Filters: by interviewer, candidate, time.
    client = api(w["mona"])
    for query, count in [
        (f"?interviewer={w['bob'].pk}", 1),
        (f"?interviewer={w['ann'].pk}", 0),
        (f"?candidate={w['carla'].pk}", 1),
        (f"?candidate={w['dan'].pk}", 0),
        ("?from=2026-12-07T09:00:00Z&to=2026-12-07T09:30:00Z", 1),
        ("?from=2026-12-07T12:00:00%2B03:00", 1),  # the same moment: at or after
        ("?to=2026-12-07T12:00:00%2B03:00", 0),  # before it
    ]:
        found = client.get(f"/api/scheduling/interviews/{query}")
        assert found.status_code == 200, (query, found.content)
        assert found.json()["count"] == count, query
    assert client.get("/api/scheduling/interviews/?from=2026-12-07T09:00:01Z").json()["count"] == 0
    # An interviewer sees their own only.
    assert api(w["bob"]).get("/api/scheduling/interviews/").json()["count"] == 1
    assert api(w["ann"]).get("/api/scheduling/interviews/").json()["count"] == 0

    runs = api(w["mona"]).get("/api/scheduling/runs/").json()
    assert runs["count"] == 1 and "bookings" not in runs["results"][0]
    detail = api(w["mona"]).get(f"/api/scheduling/runs/{run['id']}/").json()
    assert detail["bookings"] == run["bookings"] and detail["no_matches"] == run["no_matches"]


def test_who_may_do_what(w) -> None:  # noqa: ANN001
    def status(user: Any, method: str, url: str, body: Any = None) -> int:
        client = api(user)
        call = getattr(client, method)
        return (call(url, body, format="json") if body is not None else call(url)).status_code

    assert status(None, "get", "/api/scheduling/runs/") == 401
    assert status(w["nemo"], "get", "/api/scheduling/runs/") == 403
    assert status(w["ann"], "get", "/api/scheduling/runs/") == 403
    assert status(w["ann"], "post", "/api/scheduling/runs/", {"preview": True}) == 403
    assert status(w["mona"], "post", "/api/scheduling/runs/", {"preview": True}) == 403
    assert status(w["mona"], "get", "/api/scheduling/runs/") == 200
    assert status(w["nemo"], "get", "/api/scheduling/interviews/") == 403
    assert status(None, "get", "/api/scheduling/interviews/") == 401
    refused = api(w["mona"]).post("/api/scheduling/runs/", {"preview": True}, format="json")
    assert refused.json()["code"] == "permission_denied"
    assert api(None).get("/api/scheduling/runs/").json()["code"] == "not_authenticated"
    assert not Run.objects.exists()  # nothing refused ran anything
    assert status(w["rita"], "get", "/api/scheduling/runs/999999/") == 404
    # Runs are never changed or deleted (no such operation: refused before anything is read).
    assert status(w["rita"], "delete", "/api/scheduling/runs/1/") == 403
    assert status(w["rita"], "put", "/api/scheduling/runs/1/", {}) == 403


def test_bad_input_is_a_clear_error_and_runs_nothing(w) -> None:  # noqa: ANN001
    client = api(w["rita"])
    answer = client.post("/api/scheduling/runs/", {"preview": "perhaps"}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and "preview" in body["errors"]
    broken = client.post(
        "/api/scheduling/runs/", "{not json", content_type="application/json"
    ).json()
    assert broken["code"] == "parse_error"
    assert client.get("/api/scheduling/interviews/?from=yesterday").status_code == 400
    assert client.get("/api/scheduling/interviews/?interviewer=-1").status_code == 400
    assert not Run.objects.exists()


def test_the_language_of_the_reason_follows_the_request(w) -> None:  # noqa: ANN001
    answer = api(w["rita"]).post(
        "/api/scheduling/runs/", {"preview": True}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    [missed] = answer.json()["no_matches"]
    assert missed["reason"] == "no_overlap"  # the code never changes
    assert missed["reason_label"] != "" and "free time" not in missed["reason_label"]


def test_a_plan_rounds_pool_is_kept_through_the_api(w) -> None:  # noqa: ANN001
    client = api(w["rita"])
    plan_round = w["position"].plan_rounds.get(order=1)
    answer = client.patch(
        f"/api/plan-rounds/{plan_round.pk}/", {"pool": [w["bob"].pk, w["ann"].pk]}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert [p["id"] for p in answer.json()["pool"]] == sorted([w["ann"].pk, w["bob"].pk])
    plan = client.get(f"/api/positions/{w['position'].pk}/plan/").json()["results"]
    assert [p["name"] for p in plan[0]["pool"]] == ["Ann Test", "Bob Test"]
    refused = client.patch(
        f"/api/plan-rounds/{plan_round.pk}/", {"pool": [w["mona"].pk]}, format="json"
    )  # a manager does not interview
    assert refused.status_code == 409 and refused.json()["code"] == "not_an_interviewer"
    assert set(plan_round.pool.all()) == {w["ann"], w["bob"]}
