"""Plans, interviews, rounds and ratings through the API: the pages' access rules per role
(recruiter, manager, the round's interviewer, an interviewer not on it, no role, anonymous),
and the services' refusals in the API's error shape with nothing changed. The lists' query
counts are in ``test_interviews_query_counts.py``."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from candidates import services as candidates
from candidates.models import Candidate
from interviews import services
from interviews.models import Interview, PlanAspect, PlanRound, Round
from tests.conftest import made_once, person
from tests.factories import TopicFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

A = services.AspectSpec


def make_loop(recruiter, ann, lead, bob, manager, outsider, nobody):  # noqa: ANN001, ANN201, PLR0913
    """A three-round plan (Ann screens, Lena leads the panel, Bob has the final), Carla's
    interview built from it, and the people by role."""
    position = three_round_position(recruiter, ann, lead, bob)
    candidate = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=candidate, position=position, by=recruiter)
    first, panel, last = interview.rounds.order_by("order")
    return {
        "position": position,
        "candidate": candidate,
        "interview": interview,
        "first": first,
        "panel": panel,
        "last": last,
        "plan_round": position.plan_rounds.get(order=0),
        "people": {
            "recruiter": recruiter,
            "manager": manager,
            "on": ann,  # the interviewer of the first round
            "off": outsider,  # an interviewer on none of Carla's rounds
            "nobody": nobody,
            "anonymous": None,
        },
    }


@pytest.fixture(scope="module")
def loop_once(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """``make_loop`` once for the module (``made_once``): each test reads it or changes it in
    its own transaction, rolled back after it."""
    people = ("recruiter", "ann", "lead", "bob", "manager", "outsider", "nobody")
    yield from made_once(django_db_blocker, lambda: make_loop(*map(person, people)))


@pytest.fixture
def loop(loop_once, db):  # noqa: ANN001, ANN201
    return copy.deepcopy(loop_once)


ROLES = ("recruiter", "manager", "on", "off", "nobody", "anonymous")

# (method, path, body, expected status per role in ROLES)
MATRIX: list[tuple[str, str, Any, tuple[int, ...]]] = [
    ("get", "/api/positions/{position}/plan/", None, (200, 200, 200, 200, 403, 401)),
    (
        "post",
        "/api/positions/{position}/plan/",
        {"name": "Bar raiser"},
        (201, 403, 403, 403, 403, 401),
    ),
    ("get", "/api/plan-rounds/{plan_round}/", None, (200, 200, 200, 200, 403, 401)),
    (
        "patch",
        "/api/plan-rounds/{plan_round}/",
        {"name": "Phone screen"},
        (200, 403, 403, 403, 403, 401),
    ),
    ("delete", "/api/plan-rounds/{plan_round}/", None, (204, 403, 403, 403, 403, 401)),
    ("post", "/api/plan-rounds/{plan_round}/move/", {"by": 1}, (200, 403, 403, 403, 403, 401)),
    ("get", "/api/interviews/", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/interviews/{interview}/", None, (200, 200, 200, 404, 403, 401)),
    (
        "post",
        "/api/interviews/",
        {"candidate_id": "{candidate}", "position_id": "{position}", "replace_open": True},
        (201, 403, 403, 403, 403, 401),
    ),
    ("get", "/api/rounds/", None, (200, 200, 200, 200, 403, 401)),
    ("get", "/api/rounds/{first}/", None, (200, 200, 200, 404, 403, 401)),
    (
        "post",
        "/api/rounds/{first}/assign/",
        {"interviewer": "{on}", "starts_at": "2030-05-01T10:00:00+03:00"},
        (200, 403, 403, 403, 403, 401),
    ),
    ("post", "/api/rounds/{last}/cancel/", None, (200, 403, 403, 403, 403, 401)),
    ("post", "/api/rounds/{first}/rating/", "{rating}", (403, 403, 200, 404, 403, 401)),
    ("post", "/api/rounds/{panel}/session/", None, (403, 403, 404, 404, 403, 401)),
    ("get", "/api/candidates/{candidate}/history/", None, (200, 200, 200, 404, 403, 401)),
    (
        "post",
        "/api/candidates/",
        {"full_name": "Nina New", "email": "nina@example.com"},
        (201, 403, 403, 403, 403, 401),
    ),
]
CASES = [
    pytest.param(method, path, body, role, expected[i], id=f"{method} {path} as {role}")
    for method, path, body, expected in MATRIX
    for i, role in enumerate(ROLES)
]


def _ids(loop: dict[str, Any]) -> dict[str, int]:
    ids = {name: row.pk for name, row in loop.items() if hasattr(row, "pk")}
    ids |= {role: person.pk for role, person in loop["people"].items() if person is not None}
    return ids


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_each_role_gets_what_the_access_module_allows(  # noqa: PLR0913
    loop,
    api,
    method,
    path,
    body,
    role,
    expected,  # noqa: ANN001
) -> None:
    """Interviewers off the round get 404 where the round (or candidate) is not theirs to
    see, as for candidates; those with a role that does not allow the action get 403."""
    ids = _ids(loop)
    before = _state(loop)
    client = api(loop["people"][role])
    body = _rating(loop["first"]) if body == "{rating}" else _fill(body, ids)
    response = getattr(client, method)(path.format(**ids), body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"status", "code", "message"}
        assert _state(loop) == before  # a refusal changes nothing


def _state(loop: dict[str, Any]) -> tuple[Any, ...]:
    return (
        list(PlanRound.objects.order_by("id").values_list("id", "order", "name")),
        list(Interview.objects.order_by("id").values_list("id", "status")),
        list(Round.objects.order_by("id").values_list("id", "status", "interviewer", "starts_at")),
        Candidate.objects.count(),
        Candidate.objects.get(pk=loop["candidate"].pk).status,
        loop["candidate"].events.count(),
    )


# --- plans ----------------------------------------------------------------------------------


def test_the_plan_lists_rounds_in_order_with_their_aspects(loop, api) -> None:  # noqa: ANN001
    body = api(loop["people"]["on"]).get(f"/api/positions/{loop['position'].pk}/plan/").json()
    assert body["count"] == 3
    rounds = body["results"]
    assert [(r["order"], r["name"], r["kind"]) for r in rounds] == [
        (0, "Screening", "one_to_one"),
        (1, "Technical panel", "panel"),
        (2, "Final", "one_to_one"),
    ]
    assert [(a["name"], a["expected_points"]) for a in rounds[2]["aspects"]] == [
        ("System design", 10),
        ("Culture", 5),
    ]
    assert rounds[0]["default_interviewer"]["id"] == loop["people"]["on"].pk
    assert len(rounds[1]["topics"]) == 2


def test_a_recruiter_appends_changes_moves_and_removes_a_plan_round(loop, api, bob) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    topic = TopicFactory(name="Go")
    created = client.post(
        f"/api/positions/{loop['position'].pk}/plan/",
        {
            "name": "Bar raiser",
            "kind": "one_to_one",
            "duration_minutes": 45,
            "default_interviewer": loop["people"]["on"].pk,
            "assistants": [bob.pk],
            "instructions": "Probe ownership.",
            "topics": [topic.pk],
            "aspects": [{"name": "Judgement", "expected_points": 10}, {"name": "Ownership"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["order"], body["duration_minutes"], body["instructions"]) == (
        3,
        45,
        "Probe ownership.",
    )
    assert [a["name"] for a in body["aspects"]] == ["Judgement", "Ownership"]
    assert [p["id"] for p in body["assistants"]] == [bob.pk]
    added = PlanRound.objects.get(pk=body["id"])
    assert list(added.aspects.values_list("name", "expected_points")) == [
        ("Judgement", 10),
        ("Ownership", 5),
    ]

    changed = client.patch(
        f"/api/plan-rounds/{added.pk}/",
        {"name": "Bar raiser 2", "aspects": [{"name": "Judgement", "expected_points": 5}]},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Bar raiser 2"
    assert list(added.aspects.values_list("name", "expected_points")) == [("Judgement", 5)]
    assert [p["id"] for p in changed.json()["assistants"]] == [bob.pk]  # not given: kept

    moved = client.post(f"/api/plan-rounds/{added.pk}/move/", {"by": -1}, format="json")
    assert (moved.status_code, moved.json()["order"]) == (200, 2)
    assert PlanRound.objects.get(position=loop["position"], order=3).name == "Final"

    removed = client.delete(f"/api/plan-rounds/{loop['plan_round'].pk}/")
    assert removed.status_code == 204
    names = list(
        PlanRound.objects.filter(position=loop["position"]).order_by("order").values_list("name")
    )
    assert names == [("Technical panel",), ("Bar raiser 2",), ("Final",)]
    assert client.get(f"/api/plan-rounds/{loop['plan_round'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"name": "   "}, 400, "invalid", "name"),
        (
            {"name": "Twice", "aspects": [{"name": "Go"}, {"name": "go"}]},
            409,
            "duplicate_aspect",
            None,
        ),
        ({"name": "X", "default_interviewer": "{nobody}"}, 409, "not_an_interviewer", None),
        ({"name": "X", "duration_minutes": 4}, 400, "invalid", "duration_minutes"),
        ({"name": "X", "topics": [999999]}, 400, "invalid", "topics"),
    ],
)
def test_a_refused_plan_round_changes_nothing(loop, api, body, status, code, field) -> None:  # noqa: ANN001, PLR0913
    before = _state(loop)
    aspects = PlanAspect.objects.count()
    response = api(loop["people"]["recruiter"]).post(
        f"/api/positions/{loop['position'].pk}/plan/", _fill(body, _ids(loop)), format="json"
    )
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["code"] == code
    if field:
        assert field in answer["errors"]
    assert _state(loop) == before and PlanAspect.objects.count() == aspects


def test_a_plan_of_a_position_that_is_not_there_is_404(loop, api) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    assert client.get("/api/positions/999999/plan/").status_code == 404
    assert (
        client.post("/api/positions/999999/plan/", {"name": "X"}, format="json").status_code == 404
    )


# --- interviews -----------------------------------------------------------------------------


def test_an_open_interview_is_asked_about_first(loop, api) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    body = {"candidate_id": loop["candidate"].pk, "position_id": loop["position"].pk}
    before = _state(loop)
    asked = client.post("/api/interviews/", body, format="json")
    assert asked.status_code == 409
    assert asked.json()["code"] == "open_interview"
    assert _state(loop) == before

    replaced = client.post("/api/interviews/", {**body, "replace_open": True}, format="json")
    assert replaced.status_code == 201, replaced.content
    new = replaced.json()
    assert new["status"] == "open" and len(new["rounds"]) == 3
    assert [r["name"] for r in new["rounds"]] == ["Screening", "Technical panel", "Final"]
    old = Interview.objects.get(pk=loop["interview"].pk)
    assert old.status == "closed"
    assert set(old.rounds.values_list("status", flat=True)) == {"cancelled"}
    listed = client.get(f"/api/interviews/?candidate={loop['candidate'].pk}&status=open").json()
    assert [i["id"] for i in listed["results"]] == [new["id"]]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"candidate_id": 999999}, 400, "candidate_not_found"),
        ({"position_id": 999999}, 400, "position_not_found"),
        ({"position_id": "{other}"}, 409, "not_on_position"),
        ({"position_id": "{empty}"}, 409, "empty_plan"),
        ({"candidate_id": "x"}, 400, "invalid"),
    ],
)
def test_interview_refusals(loop, api, change, status, code) -> None:  # noqa: ANN001, PLR0913
    recruiter = loop["people"]["recruiter"]
    other = three_round_position(recruiter, loop["people"]["on"], loop["people"]["on"], None)
    empty = candidates.position_create(by=recruiter, fields={"title": "No plan yet"})
    candidates.candidate_update(candidate=loop["candidate"], by=recruiter, fields={
        "positions": [loop["position"], empty]})  # fmt: skip
    ids = {**_ids(loop), "other": other.pk, "empty": empty.pk}
    before = _state(loop)
    body = {"candidate_id": loop["candidate"].pk, "position_id": loop["position"].pk}
    body |= _fill(change, ids)
    response = api(recruiter).post(
        "/api/interviews/", {**body, "replace_open": True}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert _state(loop)[:2] == before[:2]


def test_an_interviewer_sees_the_interview_with_only_their_rounds(loop, api) -> None:  # noqa: ANN001
    listed = api(loop["people"]["on"]).get("/api/interviews/").json()
    assert [i["id"] for i in listed["results"]] == [loop["interview"].pk]
    assert [r["name"] for r in listed["results"][0]["rounds"]] == ["Screening"]
    assert api(loop["people"]["off"]).get("/api/interviews/").json()["count"] == 0
    everything = api(loop["people"]["manager"]).get(f"/api/interviews/{loop['interview'].pk}/")
    assert len(everything.json()["rounds"]) == 3


# --- rounds ---------------------------------------------------------------------------------


def test_the_round_list_holds_only_visible_rounds_and_filters(loop, api) -> None:  # noqa: ANN001
    on = loop["people"]["on"]
    mine = api(on).get("/api/rounds/").json()
    assert [r["id"] for r in mine["results"]] == [loop["first"].pk]
    client = api(loop["people"]["recruiter"])
    assert client.get("/api/rounds/").json()["count"] == 3
    assert [r["id"] for r in client.get(f"/api/rounds/?interviewer={on.pk}").json()["results"]] == [
        loop["first"].pk
    ]
    assert client.get("/api/rounds/?kind=panel").json()["count"] == 1
    services.round_assign(
        round_=loop["first"],
        by=loop["people"]["recruiter"],
        interviewer=on,
        starts_at=_moment("2030-05-01T10:00:00+00:00"),
    )
    timed = client.get("/api/rounds/?from=2030-05-01T09:00:00Z&to=2030-05-01T11:00:00Z").json()
    assert [r["id"] for r in timed["results"]] == [loop["first"].pk]
    assert client.get("/api/rounds/?from=2030-05-02T00:00:00Z").json()["count"] == 0
    scheduled = client.get(f"/api/rounds/?status=scheduled&candidate={loop['candidate'].pk}")
    assert scheduled.json()["count"] == 1
    assert client.get("/api/rounds/?from=yesterday").status_code == 400


def _moment(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_a_recruiter_assigns_a_round_with_a_time_and_its_offset(loop, api, bob) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    on = loop["people"]["on"]
    response = client.post(
        f"/api/rounds/{loop['first'].pk}/assign/",
        {
            "interviewer": on.pk,
            "assistants": [bob.pk],
            "instructions": "Ask about the last project.",
            "starts_at": "2030-05-01T10:00:00+03:00",
            "duration_minutes": 30,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["starts_at"].startswith("2030-05-01T07:00:00")
    assert body["ends_at"].startswith("2030-05-01T07:30:00")
    assert [p["id"] for p in body["assistants"]] == [bob.pk]
    row = Round.objects.get(pk=loop["first"].pk)
    assert row.starts_at == _moment("2030-05-01T07:00:00+00:00")
    assert row.instructions == "Ask about the last project."
    assert Candidate.objects.get(pk=loop["candidate"].pk).status == "scheduled"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"interviewer": "{on}", "starts_at": "2030-05-01T10:00:00"}, 400, "invalid", "starts_at"),
        (
            {"interviewer": "{on}", "starts_at": "0001-01-01T00:30:00+01:00"},
            400,
            "invalid",
            "starts_at",
        ),
        ({"interviewer": "{on}", "starts_at": "tomorrow"}, 400, "invalid", "starts_at"),
        ({"interviewer": None, "starts_at": "2030-05-01T10:00:00Z"}, 409, "no_interviewer", None),
        ({"interviewer": "{nobody}"}, 409, "not_an_interviewer", None),
        ({"interviewer": "{on}", "duration_minutes": 481}, 400, "invalid", "duration_minutes"),
        ({"interviewer": 999999}, 400, "invalid", "interviewer"),
    ],
)
def test_a_refused_assignment_changes_nothing(loop, api, body, status, code, field) -> None:  # noqa: ANN001, PLR0913
    before = _state(loop)
    response = api(loop["people"]["recruiter"]).post(
        f"/api/rounds/{loop['first'].pk}/assign/", _fill(body, _ids(loop)), format="json"
    )
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["code"] == code
    if field:
        assert field in answer["errors"]
    assert _state(loop) == before


def test_an_interviewer_booked_at_that_time_is_refused(loop, api) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    on = loop["people"]["on"].pk
    first = client.post(
        f"/api/rounds/{loop['first'].pk}/assign/",
        {"interviewer": on, "starts_at": "2030-05-01T10:00:00Z"},
        format="json",
    )
    assert first.status_code == 200
    before = _state(loop)
    clash = client.post(
        f"/api/rounds/{loop['last'].pk}/assign/",
        {"interviewer": on, "starts_at": "2030-05-01T10:30:00Z"},
        format="json",
    )
    assert (clash.status_code, clash.json()["code"]) == (409, "interviewer_busy")
    assert _state(loop) == before


def test_a_cancelled_round_cannot_be_cancelled_again(loop, api) -> None:  # noqa: ANN001
    client = api(loop["people"]["recruiter"])
    url = f"/api/rounds/{loop['last'].pk}/cancel/"
    assert client.post(url).json()["status"] == "cancelled"
    before = _state(loop)
    again = client.post(url)
    assert (again.status_code, again.json()["code"]) == (409, "round_closed")
    assert _state(loop) == before


def _rating(round_: Round, points: int = 4) -> dict[str, Any]:
    return {
        "ratings": [
            {"aspect_id": a.pk, "points": points, "comment": f"on {a.name}"}
            for a in round_.aspects.all()
        ],
        "feedback": "Clear and motivated.",
        "recommendation": "yes",
        "outcome": "selected",
    }


def test_the_interviewer_rates_a_one_to_one_round(loop, api) -> None:  # noqa: ANN001
    first = loop["first"]
    client = api(loop["people"]["on"])
    assert client.get(f"/api/rounds/{first.pk}/").json()["ratings"] is None  # not rated yet
    response = client.post(f"/api/rounds/{first.pk}/rating/", _rating(first), format="json")
    assert response.status_code == 200, response.content
    ratings = response.json()["ratings"]
    assert (ratings["points"], ratings["expected"], ratings["outcome"]) == (8, 10, "selected")
    assert [(a["name"], a["points"], a["comment"]) for a in ratings["aspects"]] == [
        ("Communication", 4, "on Communication"),
        ("Motivation", 4, "on Motivation"),
    ]
    assert ratings["rated_by"]["id"] == loop["people"]["on"].pk
    assert Round.objects.get(pk=first.pk).status == "done"
    assert Candidate.objects.get(pk=loop["candidate"].pk).status == "interviewing"
    # Those allowed see the sheet; the next try is no longer a rating this person may give.
    for role in ("recruiter", "manager"):
        detail = api(loop["people"][role]).get(f"/api/rounds/{first.pk}/").json()
        assert detail["ratings"]["points"] == 8, role
    again = client.post(f"/api/rounds/{first.pk}/rating/", _rating(first), format="json")
    assert (again.status_code, again.json()["code"]) == (403, "not_rateable")


def test_only_the_rounds_interviewer_rates_it(loop, api, bob) -> None:  # noqa: ANN001
    first, before = loop["first"], _state(loop)
    # Bob is on Carla's last round (he sees her) but not on the first: it is not there for him.
    assert (
        api(bob).post(f"/api/rounds/{first.pk}/rating/", _rating(first), format="json").status_code
        == 404
    )
    assert api(bob).get(f"/api/rounds/{first.pk}/").status_code == 404
    for role, expected in (("recruiter", 403), ("manager", 403), ("off", 404), ("anonymous", 401)):
        response = api(loop["people"][role]).post(
            f"/api/rounds/{first.pk}/rating/", _rating(first), format="json"
        )
        assert response.status_code == expected, role
    # A panel round is rated in its live session, not here.
    panel = api(loop["people"]["recruiter"]).get(f"/api/rounds/{loop['panel'].pk}/")
    assert panel.status_code == 200
    lead_rates = api(Round.objects.get(pk=loop["panel"].pk).interviewer).post(
        f"/api/rounds/{loop['panel'].pk}/rating/", _rating(loop["panel"]), format="json"
    )
    assert lead_rates.status_code == 403
    assert _state(loop) == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"ratings": "{missing}"}, 409, "unrated_aspect"),
        ({"ratings": "{too_many_points}"}, 400, "invalid"),
        ({"ratings": "{twice}"}, 400, "invalid"),
        ({"feedback": "   "}, 400, "invalid"),
        ({"outcome": "maybe"}, 400, "invalid"),
    ],
)
def test_a_refused_rating_changes_nothing(loop, api, change, status, code) -> None:  # noqa: ANN001, PLR0913
    first = loop["first"]
    body = _rating(first)
    shapes = {
        "{missing}": body["ratings"][:1],
        "{too_many_points}": [{**r, "points": 6} for r in body["ratings"]],
        "{twice}": [body["ratings"][0], body["ratings"][0]],
    }
    body |= {k: shapes.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    before = _state(loop)
    response = api(loop["people"]["on"]).post(
        f"/api/rounds/{first.pk}/rating/", body, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (status, code), response.content
    assert _state(loop) == before
    assert set(first.aspects.values_list("points", flat=True)) == {None}


def test_the_panel_rounds_interviewer_starts_its_live_session(loop, api, lead) -> None:  # noqa: ANN001
    panel = loop["panel"]
    for role, expected in (("recruiter", 403), ("on", 404), ("off", 404)):
        response = api(loop["people"][role]).post(f"/api/rounds/{panel.pk}/session/")
        assert response.status_code == expected, role
    assert Round.objects.get(pk=panel.pk).session_id is None
    started = api(lead).post(f"/api/rounds/{panel.pk}/session/")
    assert started.status_code == 201, started.content
    body = started.json()
    row = Round.objects.select_related("session").get(pk=panel.pk)
    assert (row.status, row.session.code) == ("running", body["code"])
    assert body["round"] == panel.pk
    assert body["url"] == f"http://testserver/s/{body['code']}/"
    assert api(lead).get(f"/api/rounds/{panel.pk}/").json()["session"] == body["code"]
    again = api(lead).post(f"/api/rounds/{panel.pk}/session/")
    assert (again.status_code, again.json()["code"]) == (403, "not_startable")
    # A one-to-one round has no live session.
    first = api(loop["people"]["on"]).post(f"/api/rounds/{loop['first'].pk}/session/")
    assert first.status_code == 403


def test_messages_follow_the_request_language(loop, api) -> None:  # noqa: ANN001
    response = api(loop["people"]["recruiter"]).post(
        f"/api/rounds/{loop['first'].pk}/assign/",
        {"interviewer": loop["people"]["on"].pk, "starts_at": "2030-05-01T10:00:00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 400
    message = response.json()["errors"]["starts_at"][0]
    assert "UTC" in message and any("а" <= ch <= "я" for ch in message.lower()), message
    refused = api(loop["people"]["recruiter"]).post(
        "/api/interviews/",
        {"candidate_id": loop["candidate"].pk, "position_id": loop["position"].pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert refused.json()["code"] == "open_interview"
    assert any("а" <= ch <= "я" for ch in refused.json()["message"].lower())
