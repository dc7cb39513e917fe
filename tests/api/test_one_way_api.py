"""One-way video interview rounds through the API: a plan round names its video interview (the
refusals in the API's error shape, nothing written), a round shows its video interview and
invitation, it takes no assignment, its invitation is sent by hand once, its verdict's outcome
shows in the candidate's history only to those who may read it, and who gets what."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from candidates import services as candidates
from interviews import services
from interviews.models import PlanRound
from tests.interviews.helpers import A
from tests.video_interviews import helpers as video
from tests.video_interviews.review_helpers import completed, ready_answer
from video_interviews import review_services
from video_interviews import services as video_services
from video_interviews.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)


def _api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def world(recruiter: Any, ann: Any, bob: Any, django_capture_on_commit_callbacks: Any) -> Any:
    screening = video.interview(recruiter, (), title="Backend screening")
    screening.reviewers.set([ann])
    position = candidates.position_create(by=recruiter, fields={"title": "Backend engineer"})
    services.plan_round_create(
        position=position,
        fields={"name": "Video screening", "kind": "one_way", "video_interview": screening},
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Technical", "kind": "one_to_one", "default_interviewer": bob},
        aspects=[A("Python", 5)],
    )
    carla = candidates.candidate_create(
        by=recruiter,
        fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
        positions=[position],
    )
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    return {
        "screening": screening,
        "position": position,
        "candidate": carla,
        "first": interview.rounds.get(order=0),
        "second": interview.rounds.get(order=1),
    }


def test_a_plan_round_of_the_one_way_kind_names_its_video_interview(
    world: Any, recruiter: Any, ann: Any
) -> None:
    client = _api(recruiter)
    url = f"/api/positions/{world['position'].pk}/plan/"
    missing = client.post(url, {"name": "Video", "kind": "one_way"}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert "video_interview" in missing.json()["errors"]
    people = client.post(
        url,
        {"name": "Video", "kind": "one_way", "video_interview": world["screening"].pk,
         "assistants": [ann.pk]},
        format="json",
    )  # fmt: skip
    assert people.status_code == 400 and "assistants" in people.json()["errors"]
    other = client.post(
        url,
        {"name": "Talk", "kind": "one_to_one", "video_interview": world["screening"].pk},
        format="json",
    )
    assert other.status_code == 400 and "video_interview" in other.json()["errors"]
    retired = video.interview(recruiter, (), title="Old screening")
    video_services.interview_update(interview=retired, fields={"status": "inactive"})
    inactive = client.post(
        url, {"name": "Video", "kind": "one_way", "video_interview": retired.pk}, format="json"
    )
    assert inactive.status_code == 409 and inactive.json()["code"] == "video_interview_not_active"
    assert PlanRound.objects.filter(position=world["position"]).count() == 2

    made = client.post(
        url,
        {"name": "Second video", "kind": "one_way", "video_interview": world["screening"].pk},
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["kind"] == "one_way"
    assert body["video_interview"] == {"id": world["screening"].pk, "title": "Backend screening"}
    listed = client.get(url).json()["results"]
    assert [r["video_interview"] is not None for r in listed] == [True, False, True]


def test_a_round_shows_its_video_interview_and_invitation_and_takes_no_assignment(
    world: Any, recruiter: Any, manager: Any, ann: Any, outsider: Any
) -> None:
    first = world["first"]
    invitation = Invitation.objects.get(round=first)
    body = _api(recruiter).get(f"/api/rounds/{first.pk}/").json()
    assert body["kind"] == "one_way" and body["interviewer"] is None
    assert body["video_interview"]["title"] == "Backend screening"
    shown = body["video_invitation"]
    assert (shown["id"], shown["email"], shown["status"]) == (
        invitation.pk, "carla@example.com", "pending"
    )  # fmt: skip
    assert shown["review_url"] == f"/video-interviews/invitations/{invitation.pk}/review/"
    assert (
        _api(recruiter).get(f"/api/rounds/{world['second'].pk}/").json()["video_invitation"] is None
    )
    assert _api(ann).get(f"/api/rounds/{first.pk}/").status_code == 404  # nobody on it
    assert _api(outsider).get(f"/api/rounds/{first.pk}/").status_code == 404

    assign = _api(recruiter).post(
        f"/api/rounds/{first.pk}/assign/",
        {"interviewer": ann.pk, "starts_at": "2030-05-01T10:00:00+03:00"},
        format="json",
    )
    assert assign.status_code == 409 and assign.json()["code"] == "one_way_round"
    again = _api(recruiter).post(f"/api/rounds/{first.pk}/invite/")
    assert again.status_code == 409 and again.json()["code"] == "already_invited"
    not_one_way = _api(recruiter).post(f"/api/rounds/{world['second'].pk}/invite/")
    assert not_one_way.status_code == 409 and not_one_way.json()["code"] == "not_one_way"
    for person, expected in ((manager, 403), (outsider, 403), (None, 401)):
        assert _api(person).post(f"/api/rounds/{first.pk}/invite/").status_code == expected
    assert Invitation.objects.count() == 1


def test_a_new_interview_reaching_the_round_again_reopens_the_revoked_invitation(
    world: Any, recruiter: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = world["first"]
    old_code = Invitation.objects.get(round=first).code
    with django_capture_on_commit_callbacks(execute=True):
        services.round_cancel(round_=first, by=recruiter)
    assert Invitation.objects.get(round=first).status == "revoked"
    with django_capture_on_commit_callbacks(execute=True):
        interview = services.interview_create(
            candidate=world["candidate"], position=world["position"], by=recruiter,
            replace_open=True,
        )  # fmt: skip
    fresh = interview.rounds.get(order=0)
    invitation = Invitation.objects.get(email="carla@example.com")  # one per address
    assert (invitation.round_id, invitation.status) == (fresh.pk, "pending")
    assert invitation.code != old_code and invitation.mails.count() == 2
    body = _api(recruiter).get(f"/api/rounds/{fresh.pk}/").json()
    assert body["video_invitation"]["status"] == "pending"
    assert _api(recruiter).get(f"/api/rounds/{first.pk}/").json()["video_invitation"] is None


def test_the_verdict_shows_in_the_history_to_a_manager_not_to_a_recruiter(
    world: Any, recruiter: Any, manager: Any, ann: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invitation = completed(Invitation.objects.get(round=world["first"]))
    for question in world["screening"].questions.order_by("order"):
        ready_answer(invitation, question)
    with django_capture_on_commit_callbacks(execute=True):
        review_services.recommendation_give(invitation=invitation, reviewer=ann, choice="no")
    url = f"/api/candidates/{world['candidate'].pk}/history/"

    def rated(user: Any) -> dict[str, Any]:
        events = _api(user).get(url).json()["results"]
        return next(e for e in events if e["kind"] == "round_rated")

    assert rated(manager)["outcome"] == "rejected"
    assert rated(recruiter)["outcome"] in ("", None)
    kinds = [e["kind"] for e in _api(recruiter).get(url).json()["results"]]
    assert "reject" in kinds and "video_recommended" in kinds
    detail = _api(manager).get(f"/api/rounds/{world['first'].pk}/").json()
    assert detail["status"] == "done"
    assert (detail["ratings"]["recommendation"], detail["ratings"]["outcome"]) == ("no", "rejected")
    assert _api(recruiter).get(f"/api/rounds/{world['first'].pk}/").json()["ratings"] is None
