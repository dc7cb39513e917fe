"""The staff API of the one-way interviews (docs/api.md, "One-way video interviews"): the
pages' rules through the same services, recruiters only, every refusal in the one error body
with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notify.models import Outbox
from tests.factories import QuestionFactory
from tests.video_interviews import helpers
from video_interviews.models import Invitation, VideoInterview

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(**changes: object) -> dict[str, object]:
    return {
        "title": "API screening",
        "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        "questions": [
            {"text": "Why us?", "thinking_seconds": 20, "answer_seconds": 90, "retakes": 0},
            {"text": "Your best project?"},
        ],
        "emails": ["anna@example.com", "boris@example.com"],
        "language": "ru",
        **changes,
    }


def test_a_recruiter_creates_an_interview_with_questions_and_invitations(rita) -> None:  # noqa: ANN001
    bank = QuestionFactory(text="What is a closure?")
    created = api(rita).post(
        "/api/video-interviews/",
        body(questions=[{"text": bank.text, "bank_question": bank.pk}, {"text": "And?"}]),
        format="json",
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "active" and data["created_by"]["name"] == "Rita Recruiter"
    assert [(q["order"], q["text"], q["bank_question"]) for q in data["questions"]] == [
        (0, "What is a closure?", bank.pk), (1, "And?", None),
    ]  # fmt: skip
    assert data["questions"][1]["answer_seconds"] == 120  # the default
    assert data["counts"] == {"invited": 2, "opened": 0, "started": 0, "completed": 0,
                              "opened_percent": 0, "started_percent": 0,
                              "completed_percent": 0}  # fmt: skip
    rows = api(rita).get(f"/api/video-interviews/{data['id']}/invitations/").json()
    assert [r["email"] for r in rows] == ["anna@example.com", "boris@example.com"]
    assert all(len(r["code"]) == 6 and r["status"] == "pending" for r in rows)
    assert rows[0]["delivery"]["purpose"] == "invite" and rows[0]["delivery"]["status"] == "pending"
    assert rows[0]["language"] == "ru"
    questions = api(rita).get(f"/api/video-interviews/{data['id']}/questions/").json()
    assert [q["text"] for q in questions] == ["What is a closure?", "And?"]


def test_invitations_in_bulk_revoke_resend_and_remind(rita) -> None:  # noqa: ANN001
    interview = helpers.interview(rita, ("anna@example.com",))
    client = api(rita)
    url = f"/api/video-interviews/{interview.pk}/invitations/"
    invited = client.post(url, {"emails": ["b@example.com", "B@example.com", "anna@example.com"],
                                "language": "en"}, format="json")  # fmt: skip
    assert invited.status_code == 201
    assert [i["email"] for i in invited.json()["created"]] == ["b@example.com"]
    assert invited.json()["duplicates"] == ["B@example.com"]
    assert invited.json()["existing"] == ["anna@example.com"]
    bad = client.post(url, {"emails": ["c@example.com", "nope"], "language": "en"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_addresses"
    assert "nope" in bad.json()["message"]
    assert not Invitation.objects.filter(email="c@example.com").exists()

    anna = helpers.invitation(interview)
    revoked = client.post(f"/api/video-invitations/{anna.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    twice = client.post(f"/api/video-invitations/{anna.pk}/revoke/")
    assert twice.status_code == 409 and twice.json()["code"] == "not_revocable"
    resent = client.post(f"/api/video-invitations/{anna.pk}/resend/")
    assert resent.json()["status"] == "pending" and resent.json()["code"] != anna.code
    assert resent.json()["delivery"]["purpose"] == "resend"
    reminded = client.post(f"/api/video-interviews/{interview.pk}/remind/")
    assert reminded.json() == {"reminded": 2}
    assert Outbox.objects.filter(kind="reminder").count() == 2


def test_each_refusal_has_its_code_and_writes_nothing(rita) -> None:  # noqa: ANN001
    client = api(rita)
    cases = [
        (body(title=" "), 400, "invalid"),  # blank: the field's own error
        (body(title="two\nlines"), 400, "control_character"),
        (body(deadline=(timezone.now() - timedelta(hours=1)).isoformat()), 400, "deadline_past"),
        (body(deadline="2026-12-10T10:00:00"), 400, "invalid"),  # no offset
        (body(questions=[]), 400, "invalid"),
        (body(questions=[{"text": "  "}]), 400, "invalid"),
        (body(questions=[{"text": "Q", "answer_seconds": 5}]), 400, "invalid"),
        (body(questions=[{"text": "Q", "bank_question": 999999}]), 400, "bank_question_not_found"),
        (body(emails=["ok@example.com", "x@"]), 400, "invalid_addresses"),
        (body(language="de"), 400, "bad_language"),
        (body(position=999999), 400, "position_not_found"),
    ]
    for data, status, code in cases:
        answer = client.post("/api/video-interviews/", data, format="json")
        assert (answer.status_code, answer.json()["code"]) == (status, code), data
    assert not VideoInterview.objects.exists() and not Outbox.objects.exists()
    interview = helpers.interview(rita)
    closed = client.patch(f"/api/video-interviews/{interview.pk}/", {"status": "inactive"},
                          format="json")  # fmt: skip
    assert closed.json()["status"] == "inactive"
    refused = client.post(f"/api/video-interviews/{interview.pk}/remind/")
    assert refused.status_code == 409 and refused.json()["code"] == "interview_not_active"


def test_question_sets_are_kept_and_named_once(rita) -> None:  # noqa: ANN001
    client = api(rita)
    data = {"name": "Intro", "questions": [{"text": "Hello?", "answer_seconds": 30}]}
    saved = client.post("/api/video-question-sets/", data, format="json")
    assert saved.status_code == 201
    assert saved.json()["questions"] == [{"text": "Hello?", "thinking_seconds": 30,
                                          "answer_seconds": 30, "retakes": 1,
                                          "bank_question": None}]  # fmt: skip
    again = client.post("/api/video-question-sets/", {**data, "name": "INTRO"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "template_name_taken"
    assert [t["name"] for t in client.get("/api/video-question-sets/").json()["results"]] == [
        "Intro"
    ]


def test_only_recruiters_use_it(rita, lead, manager) -> None:  # noqa: ANN001
    interview = helpers.interview(rita)
    invitation = helpers.invitation(interview)
    for person in (lead, manager):
        client = api(person)
        assert client.get("/api/video-interviews/").status_code == 403
        assert client.post("/api/video-interviews/", body(), format="json").status_code == 403
        assert client.get(f"/api/video-invitations/{invitation.pk}/").status_code == 403
        assert client.post(f"/api/video-invitations/{invitation.pk}/revoke/").status_code == 403
        assert client.get("/api/video-question-sets/").status_code == 403
    assert APIClient().get("/api/video-interviews/").status_code == 401
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
