"""``POST /api/candidates/`` (recruiters, through ``candidate_create``) and
``GET /api/candidates/{id}/history/`` (whoever may see the candidate; newest first, paged,
labels in the reader's language, a session's code only for those who may see it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import services
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from interviews import services as interviews
from sessions_live import services as live
from tests.factories import QuestionFactory, TopicFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

ROLES = ("member", "outsider", "manager", "editor", "recruiter", "nobody", "anonymous")
CREATE = (403, 403, 403, 403, 201, 403, 401)
# The member is on the panel of the candidate's session; the outsider is on nothing of theirs.
HISTORY = (200, 404, 200, 403, 200, 403, 401)


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, CREATE, strict=True)))
def test_only_recruiters_create_a_candidate(world, api, role, expected) -> None:  # noqa: ANN001
    before = Candidate.objects.count()
    response = api(world["people"][role]).post(
        "/api/candidates/", {"full_name": "Nina New", "email": "nina@example.com"}, format="json"
    )
    assert response.status_code == expected, response.content
    assert Candidate.objects.count() == before + (expected == 201)


def test_a_recruiter_creates_a_candidate_from_a_vendor_on_a_position(world, api) -> None:  # noqa: ANN001
    recruiter = world["people"]["recruiter"]
    response = api(recruiter).post(
        "/api/candidates/",
        {
            "full_name": "Ирина Новикова",
            "email": "irina@example.com",
            "phone": "+7 900 000-00-00",
            "hr_language": "ru",
            "source": "vendor",
            "vendor": world["vendor"],
            "positions": [world["position"]],
            "tags": ["Go", " sql ", "go"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["full_name"], body["status"], body["source"], body["vendor"]) == (
        "Ирина Новикова",
        "created",
        "vendor",
        world["vendor"],
    )
    assert (body["positions"], body["tags"], body["sessions"]) == (
        [world["position"]],
        ["go", "sql"],
        [],
    )
    row = Candidate.objects.get(pk=body["id"])
    assert (row.created_by, row.phone, row.hr_language) == (recruiter, "+7 900 000-00-00", "ru")
    event = CandidateEvent.objects.get(candidate=row)
    assert (event.kind, event.by, event.details["vendor"]) == (
        "created",
        recruiter,
        world["vendor"],
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"full_name": "No mail"}, 400, "invalid"),
        ({"full_name": "A\nB", "email": "a@example.com"}, 400, "invalid"),
        ({"full_name": "V", "email": "v@example.com", "source": "vendor"}, 400, "vendor_required"),
        (
            {"full_name": "V", "email": "v@example.com", "vendor": "{vendor}"},
            400,
            "vendor_not_expected",
        ),
        (
            {"full_name": "V", "email": "v@example.com", "source": "vendor", "vendor": "{vendor}"},
            409,
            "vendor_inactive",
        ),
        (
            {"full_name": "P", "email": "p@example.com", "positions": ["{closed}"]},
            409,
            "position_closed",
        ),
        ({"full_name": "S", "email": "s@example.com", "status": "hired"}, 201, None),
    ],
)
def test_refusals_create_nothing(world, api, body, status, code) -> None:  # noqa: ANN001, PLR0913
    Vendor.objects.filter(pk=world["vendor"]).update(active=False)
    closed = Position.objects.create(title="Closed", status=Position.Status.CLOSED)
    ids = {"{vendor}": world["vendor"], "{closed}": closed.pk}

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        return ids.get(value, value) if isinstance(value, str) else value

    before = (Candidate.objects.count(), CandidateEvent.objects.count())
    response = api(world["people"]["recruiter"]).post(
        "/api/candidates/", {k: fill(v) for k, v in body.items()}, format="json"
    )
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
        assert (Candidate.objects.count(), CandidateEvent.objects.count()) == before
    else:  # the status is not writable: a new candidate starts as created
        assert response.json()["status"] == "created"


# --- the history ----------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), list(zip(ROLES, HISTORY, strict=True)))
def test_the_history_is_for_whoever_may_see_the_candidate(world, api, role, expected) -> None:  # noqa: ANN001
    response = api(world["people"][role]).get(f"/api/candidates/{world['candidate']}/history/")
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["count"] >= 1


@pytest.fixture
def journey(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    """Carla: created, card changed, an interview, round 1 assigned and rated by Ann, and a
    live session of Lena's (Ann not on its panel) whose results are written to the history."""
    position = three_round_position(recruiter, ann, lead, bob)
    candidate = candidate_on(position, recruiter)
    services.candidate_update(candidate=candidate, by=recruiter, fields={"phone": "+1 555"})
    interview = interviews.interview_create(candidate=candidate, position=position, by=recruiter)
    first = interview.rounds.get(order=0)
    from datetime import UTC, datetime

    interviews.round_assign(
        round_=first, by=recruiter, interviewer=ann, starts_at=datetime(2030, 5, 1, 9, tzinfo=UTC)
    )
    interviews.round_rate(
        round_=first,
        by=ann,
        ratings={a.pk: interviews.Rating(3) for a in first.aspects.all()},
        feedback="Fine.",
        recommendation="yes",
        outcome="selected",
    )
    topic = TopicFactory()
    QuestionFactory(topic=topic)
    session = live.session_create(
        lead=lead,
        candidate=candidate,
        topics=[live.TopicChoice(topic=topic, seconds=300)],
        shuffle=False,
        intro_text="Hi",
        closing_text="Bye",
    )
    services.candidate_record(
        candidate=candidate,
        kind="round_session",
        by=None,
        details={"round": 0, "round_name": "Panel", "session": session.code, "points": 7,
                 "expected": 10},
    )  # fmt: skip
    return {"candidate": candidate, "first": first, "session": session}


def test_the_history_lists_every_step_newest_first(journey, api, recruiter) -> None:  # noqa: ANN001
    candidate = journey["candidate"]
    body = api(recruiter).get(f"/api/candidates/{candidate.pk}/history/").json()
    kinds = [e["kind"] for e in body["results"]]
    assert kinds == [
        "round_session",
        "start",
        "round_rated",
        "round_assigned",
        "schedule",
        "interview_created",
        "updated",
        "created",
    ]
    assert body["count"] == len(kinds)
    events = {e["kind"]: e for e in body["results"]}
    assert events["updated"]["fields"] == ["phone"]
    assert events["updated"]["by"] == {"id": recruiter.pk, "name": recruiter.display_name}
    schedule = events["schedule"]
    assert (schedule["source"], schedule["target"], schedule["target_label"]) == (
        "created",
        "scheduled",
        "scheduled",
    )
    rated = events["round_rated"]
    assert (rated["round"], rated["round_name"], rated["points"], rated["expected"]) == (
        journey["first"].pk,
        "Screening",
        6,
        10,
    )
    assert rated["outcome"] == "selected"
    assert events["interview_created"]["position"] == "Backend engineer"
    assert events["round_session"]["session"] == journey["session"].code
    assert events["round_session"]["by"] is None
    assert events["created"]["label"] == "created"


def test_a_session_the_reader_may_not_see_is_not_named(journey, api, ann) -> None:  # noqa: ANN001
    """Ann sees Carla (she is on her first round) but not Lena's session: neither its code
    nor the points it gave (the session's results are not hers to read)."""
    body = api(ann).get(f"/api/candidates/{journey['candidate'].pk}/history/").json()
    session = next(e for e in body["results"] if e["kind"] == "round_session")
    assert session["session"] is None
    assert session["round_name"]  # the line itself stays
    assert session["points"] is None and session["expected"] is None
    rated = next(e for e in body["results"] if e["kind"] == "round_rated")
    assert rated["points"] == 6  # her own round's


def test_the_history_is_paged_and_speaks_the_readers_language(journey, api, recruiter) -> None:  # noqa: ANN001
    url = f"/api/candidates/{journey['candidate'].pk}/history/"
    page = api(recruiter).get(url + "?page_size=3").json()
    assert (len(page["results"]), page["count"]) == (3, 8)
    assert page["next"] and page["previous"] is None
    assert [e["kind"] for e in page["results"]] == ["round_session", "start", "round_rated"]
    russian = api(recruiter).get(url, HTTP_ACCEPT_LANGUAGE="ru").json()["results"]
    labels = {e["kind"]: e for e in russian}
    assert labels["created"]["label"] == str(services.EVENT_LABELS["created"]) != "created"
    assert labels["schedule"]["kind"] == "schedule"  # the code stays
    assert labels["schedule"]["target"] == "scheduled"
    assert all(any("а" <= ch <= "я" for ch in e["label"].lower()) for e in russian)
    assert any("а" <= ch <= "я" for ch in labels["schedule"]["target_label"].lower())


def test_the_history_costs_the_same_with_1_and_200_events(journey, api, recruiter, lead) -> None:  # noqa: ANN001
    candidate = candidate_on(journey["first"].position, recruiter, name="Fresh")
    url = f"/api/candidates/{candidate.pk}/history/?page_size=200"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    client = api(recruiter)
    one = queries()
    for n in range(199):
        services.candidate_record(
            candidate=candidate,
            kind="round_assigned",
            by=recruiter if n % 2 else lead,
            details={"round": n, "round_name": f"R{n}"},
        )
    many = queries()
    assert client.get(url).json()["count"] == 200
    assert one == many, f"{one} queries with 1 event, {many} with 200"
