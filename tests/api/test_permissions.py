"""Each role against each endpoint: the API allows exactly what the pages allow.

Roles: ``member`` (an interviewer on the session's panel), ``outsider`` (an interviewer who is
not), ``manager``, ``editor`` (question editor), ``recruiter``, ``nobody`` (logged in, no
role) and ``anonymous``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world_copy):  # noqa: ANN001, ANN201
    """The API's world, made once for this module: each test reads it, or changes it in its
    own transaction, rolled back after it (``made_once``)."""
    return world_copy


ROLES = ("member", "outsider", "manager", "editor", "recruiter", "nobody", "anonymous")

NEW_SESSION = {
    "candidate": {"full_name": "Dana Doe", "email": "dana@example.com"},
    "topics": [{"topic": "{topic}", "seconds": 300}],
}

# (method, path, body, expected status per role in ROLES order)
MATRIX = [
    ("get", "/api/topics/", None, (200, 200, 200, 200, 403, 403, 401)),
    ("get", "/api/topics/{topic}/", None, (200, 200, 200, 200, 403, 403, 401)),
    ("post", "/api/topics/", {"name": "Brand new"}, (403, 403, 403, 201, 403, 403, 401)),
    ("patch", "/api/topics/{topic}/", {"description": "x"}, (403, 403, 403, 200, 403, 403, 401)),
    ("delete", "/api/topics/{empty_topic}/", None, (403, 403, 403, 204, 403, 403, 401)),
    ("get", "/api/questions/", None, (200, 200, 200, 200, 403, 403, 401)),
    ("get", "/api/questions/{unused}/", None, (200, 200, 200, 200, 403, 403, 401)),
    (
        "post",
        "/api/questions/",
        {"topic": "{topic}", "text": "Why?"},
        (403, 403, 403, 201, 403, 403, 401),
    ),
    ("patch", "/api/questions/{unused}/", {"max_points": 7}, (403, 403, 403, 200, 403, 403, 401)),
    ("delete", "/api/questions/{unused}/", None, (403, 403, 403, 204, 403, 403, 401)),
    ("post", "/api/questions/{used}/retire/", None, (403, 403, 403, 200, 403, 403, 401)),
    ("get", "/api/candidates/", None, (200, 200, 200, 403, 200, 403, 401)),
    ("get", "/api/candidates/{candidate}/", None, (200, 404, 200, 403, 200, 403, 401)),
    ("get", "/api/sessions/", None, (200, 200, 200, 403, 200, 403, 401)),
    ("get", "/api/sessions/{code}/", None, (200, 404, 200, 403, 200, 403, 401)),
    ("post", "/api/sessions/", NEW_SESSION, (201, 201, 403, 403, 403, 403, 401)),
    # Before the end only managers see scores, as on the results page.
    ("get", "/api/sessions/{code}/results/", None, (403, 403, 200, 403, 403, 403, 401)),
    # The cabinet's decisions and statistics are for managers only.
    ("get", "/api/decisions/", None, (403, 403, 200, 403, 403, 403, 401)),
    ("get", "/api/decisions/{decision}/", None, (403, 403, 200, 403, 403, 403, 401)),
    (
        "post",
        "/api/decisions/",
        {"session": "{ready}", "outcome": "hire", "team": "{team}"},
        (403, 403, 201, 403, 403, 403, 401),
    ),
    ("post", "/api/decisions/{decision}/reopen/", {}, (403, 403, 200, 403, 403, 403, 401)),
    ("get", "/api/teams/", None, (403, 403, 200, 403, 403, 403, 401)),
    ("get", "/api/rejection-reasons/", None, (403, 403, 200, 403, 403, 403, 401)),
    ("get", "/api/statistics/weekly/", None, (403, 403, 200, 403, 403, 403, 401)),
]

CASES = [
    pytest.param(method, path, body, role, expected, id=f"{method} {path} as {role}")
    for method, path, body, statuses in MATRIX
    for role, expected in zip(ROLES, statuses, strict=True)
]


def _fill(value, world):  # noqa: ANN001, ANN202
    if isinstance(value, str):
        filled = value.format(**{k: v for k, v in world.items() if k != "people"})
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    return value


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_against_each_endpoint(api, world, method, path, body, role, expected) -> None:  # noqa: ANN001
    client = api(world["people"][role])
    response = getattr(client, method)(_fill(path, world), _fill(body, world), format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        error = response.json()
        assert error["status"] == expected
        assert error["code"] and error["message"]


def test_a_token_works_like_a_login(api, world) -> None:  # noqa: ANN001
    client = api(world["people"]["editor"], token=True)
    response = client.post("/api/topics/", {"name": "By token"}, format="json")
    assert response.status_code == 201
    assert api(world["people"]["recruiter"], token=True).get("/api/topics/").status_code == 403


def test_a_bad_token_is_refused_with_the_error_body(world) -> None:  # noqa: ANN001
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/topics/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"


def test_a_logged_in_browser_still_needs_the_csrf_token_to_write(world) -> None:  # noqa: ANN001
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["people"]["editor"])
    response = client.post("/api/topics/", {"name": "Forged"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_lists_show_only_what_the_person_may_see(api, world) -> None:  # noqa: ANN001
    code, candidate = world["code"], world["candidate"]
    for role, sees in [
        ("member", True),
        ("outsider", False),
        ("manager", True),
        ("recruiter", True),
    ]:
        client = api(world["people"][role])
        codes = [s["code"] for s in client.get("/api/sessions/").json()["results"]]
        assert (code in codes) is sees, role
        assert (codes != []) is sees, role  # the outsider is on no panel at all
        candidates = [c["id"] for c in client.get("/api/candidates/").json()["results"]]
        assert (candidate in candidates) is sees, role
