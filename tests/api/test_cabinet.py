"""Decisions and statistics through the API call the cabinet's own services and selectors."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cabinet.models import Decision, RejectionReason, Team
from candidates.models import Candidate
from notify.models import Outbox
from tests.api.conftest import ready_session
from tests.api.test_query_counts import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(db):  # noqa: ANN001, ANN201
    return Team.objects.create(name="Platform")


@pytest.fixture
def weak_sql(db):  # noqa: ANN001, ANN201
    return RejectionReason.objects.create(name="Weak SQL")


def test_a_manager_hires_through_the_api(api, lead, ann, manager, platform) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, "Hire")
    Candidate.objects.filter(pk=session.candidate_id).update(hr_email="hr@example.com")
    response = api(manager, token=True).post(
        "/api/decisions/",
        {"session": session.code, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert (decision["session"], decision["outcome"], decision["team"]["name"]) == (
        session.code,
        "hire",
        "Platform",
    )
    assert decision["current"] is True and decision["decided_by"]["id"] == manager.pk
    assert Candidate.objects.get(pk=session.candidate_id).status == "hired"
    assert Outbox.objects.filter(decision_id=decision["id"], channel="email").exists()

    again = api(manager).post(
        "/api/decisions/",
        {"session": session.code, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"

    reopened = api(manager).post(
        f"/api/decisions/{decision['id']}/reopen/", {"note": "oops"}, format="json"
    )
    assert reopened.status_code == 200 and reopened.json()["current"] is False
    listed = api(manager).get("/api/decisions/?current=false").json()["results"]
    assert [d["id"] for d in listed] == [decision["id"]]


def test_the_cabinet_rules_answer_with_their_codes(api, lead, ann, manager, weak_sql) -> None:  # noqa: ANN001
    from tests.sessions_live.conftest import make_session

    ready = ready_session(lead, ann, "Reject")
    client = api(manager)
    no_reason = client.post(
        "/api/decisions/", {"session": ready.code, "outcome": "reject"}, format="json"
    )
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    no_comment = client.post(
        "/api/decisions/",
        {"session": ready.code, "outcome": "reject", "reasons": [weak_sql.pk]},
        format="json",
    )
    assert no_comment.json()["code"] == "comment_required"
    early = make_session(lead, [ann])
    not_ready = client.post(
        "/api/decisions/",
        {"session": early.code, "outcome": "reject", "reasons": [weak_sql.pk], "comment": "x"},
        format="json",
    )
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "not_ready"
    unknown = client.post(
        "/api/decisions/", {"session": "NOP-E00-000", "outcome": "hire"}, format="json"
    )
    assert unknown.status_code == 404


def test_weekly_statistics_as_on_the_page(api, lead, ann, manager, platform, weak_sql) -> None:  # noqa: ANN001
    from cabinet import services

    services.decision_make(
        session=ready_session(lead, ann, "One"), manager=manager, outcome="hire", team=platform
    )
    services.decision_make(
        session=ready_session(lead, ann, "Two"),
        manager=manager,
        outcome="reject",
        reasons=[weak_sql],
        comment="SQL",
    )
    today = timezone.localdate().isoformat()
    stats = api(manager).get(f"/api/statistics/weekly/?start={today}&end={today}").json()
    assert stats["teams"] == ["Platform"] and stats["reasons"] == ["Weak SQL"]
    (week,) = stats["weeks"]
    assert (week["sessions"], week["hired"], week["rejected"]) == (2, 1, 1)
    assert week["hires"] == {"Platform": 1} and week["rejections"] == {"Weak SQL": 1}
    assert len(api(manager).get("/api/statistics/weekly/").json()["weeks"]) in (12, 13)
    bad = api(manager).get("/api/statistics/weekly/?start=0001-01-01")
    assert bad.status_code == 400 and "start" in bad.json()["errors"]


def test_the_decision_list_runs_constant_queries(api, lead, manager, platform, weak_sql) -> None:  # noqa: ANN001
    from sessions_live import services as live
    from tests.factories import TopicFactory

    topic = TopicFactory()

    def add(count: int) -> None:
        for _n in range(count):
            session = live.session_create(
                lead=lead,
                candidate_fields={"full_name": "C", "email": "c@example.com"},
                resume=None,
                topics=[live.TopicChoice(topic=topic, seconds=60)],
                shuffle=False,
                intro_text="",
                closing_text="",
            )
            decision = Decision.objects.create(
                session=session,
                outcome="reject",
                decided_by=manager,
                decided_at=timezone.now(),
                comment="no",
            )
            decision.reasons.set([weak_sql])

    client = api(manager)
    add(1)
    one = queries_for(client, "/api/decisions/")
    add(49)
    fifty = queries_for(client, "/api/decisions/")
    print(f"api decisions: {one} queries with 1 row, {fifty} with 50")
    assert one == fifty


# --- decisions on a candidate with no session ------------------------------------------------


def _selected(recruiter, ann, **fields):  # noqa: ANN001, ANN003, ANN202
    from tests.cabinet.helpers import selected_by_rounds

    return selected_by_rounds(recruiter, ann, **fields)


def test_a_manager_decides_on_a_candidate_of_one_to_one_rounds_through_the_api(
    api, recruiter, ann, manager, platform
) -> None:  # noqa: ANN001
    candidate = _selected(recruiter, ann, hr_email="hr@example.com", hr_language="ru")
    client = api(manager, token=True)
    response = client.post(
        "/api/decisions/",
        {"candidate": candidate.pk, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert decision["session"] is None and decision["candidate_id"] == candidate.pk
    assert decision["candidate"] == "Nora Rounds" and decision["team"]["name"] == "Platform"
    assert decision["hr_language"] == "ru"  # the HR contact's, left out of the request
    assert Candidate.objects.get(pk=candidate.pk).status == "hired"
    email = Outbox.objects.get(decision_id=decision["id"], channel="email")
    assert email.subject == "Найм: Nora Rounds → Platform"

    again = client.post(
        "/api/decisions/",
        {"candidate": candidate.pk, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    listed = client.get(f"/api/decisions/?candidate={candidate.pk}").json()["results"]
    assert [d["id"] for d in listed] == [decision["id"]]

    reopened = client.post(f"/api/decisions/{decision['id']}/reopen/", {}, format="json")
    assert reopened.status_code == 200 and reopened.json()["current"] is False
    assert Candidate.objects.get(pk=candidate.pk).status == "interviewing"
    # Interviewing with every round rated: decided again, in English this time.
    second = client.post(
        "/api/decisions/",
        {
            "candidate": candidate.pk,
            "outcome": "reject",
            "reasons": [RejectionReason.objects.create(name="Late").pk],
            "comment": "Changed our mind",
            "hr_language": "en",
        },
        format="json",
    )
    assert second.status_code == 201, second.json()
    assert Candidate.objects.get(pk=candidate.pk).status == "rejected"
    assert Outbox.objects.get(decision_id=second.json()["id"], channel="email").subject == (
        "Revised decision — Reject: Nora Rounds"
    )


def test_a_candidate_decision_is_refused_with_the_cabinets_codes(
    api, recruiter, ann, lead, manager, platform
) -> None:  # noqa: ANN001
    from tests.cabinet.helpers import in_rounds

    client = api(manager)
    candidate, _rounds = in_rounds(recruiter, ann)
    early = client.post(
        "/api/decisions/",
        {"candidate": candidate.pk, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert early.status_code == 409 and early.json()["code"] == "not_ready"
    session = ready_session(lead, ann, "Both")
    for body in (
        {"outcome": "hire", "team": platform.pk},  # neither
        {"session": session.code, "candidate": candidate.pk, "outcome": "hire"},  # both
    ):
        response = client.post("/api/decisions/", {**body, "team": platform.pk}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", body
    unknown = client.post(
        "/api/decisions/",
        {"candidate": 999999, "outcome": "hire", "team": platform.pk},
        format="json",
    )
    assert unknown.status_code == 404
    bad = client.post(
        "/api/decisions/",
        {"candidate": candidate.pk, "outcome": "hire", "team": platform.pk, "hr_language": "xx"},
        format="json",
    )
    assert bad.status_code == 400 and "hr_language" in bad.json()["errors"]
    assert not Decision.objects.exists()


def test_only_managers_decide_on_a_candidate_through_the_api(
    api, recruiter, ann, outsider, platform
) -> None:  # noqa: ANN001
    candidate = _selected(recruiter, ann)
    for person in (ann, recruiter, outsider):
        response = api(person).post(
            "/api/decisions/",
            {"candidate": candidate.pk, "outcome": "hire", "team": platform.pk},
            format="json",
        )
        assert response.status_code == 403, person.username
    assert not Decision.objects.exists()
    assert Candidate.objects.get(pk=candidate.pk).status == "selected"
