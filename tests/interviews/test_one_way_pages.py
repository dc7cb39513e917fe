"""A one-way round on the pages: the plan form names its video interview (only active ones
offered, the refusals shown on their fields), the round page shows the invitation's status and
links the answers' review to those ``access`` lets open it, a recruiter sends a refused
invitation by hand, the verdict shows to a manager and not to a recruiter, and neither another
interviewer nor the candidate's own account opens the round. In English and in Russian."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from candidates import services as candidates
from interviews import services
from interviews.models import PlanRound, Round
from tests.factories import UserFactory
from tests.interviews.helpers import A
from tests.video_interviews import helpers as video
from tests.video_interviews.review_helpers import completed, ready_answer
from video_interviews import review_services
from video_interviews import services as video_services
from video_interviews.models import Invitation, VideoInterview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)


@pytest.fixture
def rita(roles: Any) -> Any:
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def screening(rita: Any, ann: Any) -> VideoInterview:
    interview = video.interview(rita, (), title="Backend screening")
    interview.reviewers.set([ann])
    return interview


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _plan(rita: Any, screening: VideoInterview, bob: Any, *, video_first: bool = True) -> Any:
    position = candidates.position_create(by=rita, fields={"title": "Backend engineer"})
    one_way = {"name": "Video screening", "kind": "one_way", "video_interview": screening}
    talk = {"name": "Technical", "kind": "one_to_one", "default_interviewer": bob}
    for fields in (one_way, talk) if video_first else (talk, one_way):
        services.plan_round_create(
            position=position,
            fields=fields,
            aspects=[A("Python", 5)] if fields is talk else (),
        )
    return position


def _interview(position: Any, rita: Any, capture: Any) -> Any:
    carla = candidates.candidate_create(
        by=rita,
        fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
        positions=[position],
    )
    with capture(execute=True):  # the invitation follows the interview's commit
        return services.interview_create(candidate=carla, position=position, by=rita)


def test_the_plan_form_offers_active_video_interviews_and_shows_the_refusals(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    retired = video.interview(rita, (), title="Old screening")
    video_services.interview_update(interview=retired, fields={"status": "completed"})
    position = candidates.position_create(by=rita, fields={"title": "Backend engineer"})
    client = _client(rita)
    url = f"/positions/{position.pk}/plan/new/"
    form = client.get(url).content.decode()
    assert 'name="video_interview"' in form
    assert "Backend screening" in form and "Old screening" not in form

    base = {"name": "Video screening", "kind": "one_way", "duration_minutes": "30"}
    missing = client.post(url, base).content.decode()
    assert "Choose the video interview of this one-way round." in missing
    with_people = client.post(
        url, {**base, "video_interview": screening.pk, "default_interviewer": ann.pk}
    ).content.decode()
    assert "has no interviewers of its own" in with_people
    assert not PlanRound.objects.filter(position=position).exists()

    saved = client.post(url, {**base, "video_interview": screening.pk})
    assert saved.status_code == 302
    made = PlanRound.objects.get(position=position)
    assert (made.kind, made.video_interview) == ("one_way", screening)
    plan = client.get(f"/positions/{position.pk}/plan/").content.decode()
    assert 'data-kind="one_way"' in plan and "Backend screening" in plan


def test_the_round_page_shows_the_invitation_and_links_the_answers_to_those_allowed(
    rita: Any,
    screening: VideoInterview,
    ann: Any,
    bob: Any,
    manager: Any,
    outsider: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    interview = _interview(_plan(rita, screening, bob), rita, django_capture_on_commit_callbacks)
    first = interview.rounds.get(order=0)
    invitation = Invitation.objects.get(round=first)
    url = f"/rounds/{first.pk}/"
    review = reverse("video_review", args=[invitation.pk])

    page = _client(rita).get(url).content.decode()
    assert 'id="round-invitation" data-status="pending"' in page
    assert "carla@example.com" in page and f'href="{review}"' in page
    assert 'id="round-assign"' not in page and 'id="round-cancel"' in page
    assert 'id="round-invite"' not in page  # invited already
    assert f'href="{review}"' in _client(manager).get(url).content.decode()

    # Nobody is on a one-way round: another interviewer may not open it; its named reviewer
    # reviews on the review page; the candidate's own account meets the fence.
    assert _client(outsider).get(url).status_code == 403
    assert _client(ann).get(url).status_code == 403
    assert _client(ann).get(review).status_code == 200
    assert _client(outsider).get(review).status_code == 404
    account = video.candidate("carla@example.com")
    assert _client(account).get(url).status_code == 404
    assert _client(account).get(review).status_code == 404

    russian = _client(rita).get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "видеоинтервью" in russian and "Смотреть и оценить ответы" in russian


@pytest.mark.django_db(transaction=True)  # the page reads what the fact did after commit
def test_a_recruiter_sends_a_refused_invitation_by_hand_from_the_round_page(
    rita: Any, screening: VideoInterview, bob: Any, outsider: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    interview = _interview(
        _plan(rita, screening, bob, video_first=False), rita, django_capture_on_commit_callbacks
    )
    talk, video_round = interview.rounds.order_by("order")
    video_services.interview_update(interview=screening, fields={"status": "inactive"})
    with django_capture_on_commit_callbacks(execute=True):
        services.round_rate(
            round_=talk,
            by=bob,
            ratings={a.pk: services.Rating(4) for a in talk.aspects.all()},
            feedback="Solid.",
            recommendation="yes",
            outcome="selected",
        )
    assert not Invitation.objects.exists()
    client = _client(rita)
    url = f"/rounds/{video_round.pk}/"
    page = client.get(url).content.decode()
    assert 'data-status="none"' in page and 'id="round-invite"' in page

    refused = client.post(f"{url}invite/", follow=True).content.decode()
    assert "is inactive" in refused and not Invitation.objects.exists()
    assert _client(outsider).post(f"{url}invite/").status_code == 403

    video_services.interview_update(interview=screening, fields={"status": "active"})
    sent = client.post(f"{url}invite/", follow=True).content.decode()
    assert "is invited into the video interview" in sent
    assert Invitation.objects.get().round_id == video_round.pk
    assert 'data-status="pending"' in client.get(url).content.decode()


def test_the_verdict_shows_to_a_manager_and_not_to_a_recruiter(
    rita: Any, screening: VideoInterview, ann: Any, bob: Any, manager: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    interview = _interview(_plan(rita, screening, bob), rita, django_capture_on_commit_callbacks)
    first = interview.rounds.get(order=0)
    invitation = completed(Invitation.objects.get(round=first))
    for question in screening.questions.order_by("order"):
        ready_answer(invitation, question)
    with django_capture_on_commit_callbacks(execute=True):
        review_services.recommendation_give(
            invitation=invitation, reviewer=ann, choice="yes", summary="Thoughtful answers."
        )
    assert Round.objects.get(pk=first.pk).status == "done"
    url = f"/rounds/{first.pk}/"
    seen = _client(manager).get(url).content.decode()
    assert 'id="round-sheet"' in seen and "Thoughtful answers." in seen
    assert 'class="sheet"' not in seen  # no aspects: no points table
    hidden = _client(rita).get(url).content.decode()
    assert 'id="round-sheet"' not in hidden and "Thoughtful answers." not in hidden
    card = _client(rita).get(f"/candidates/{interview.candidate_id}/").content.decode()
    assert "Video screening" in card
