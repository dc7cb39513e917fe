"""Who may open and write what of the review, for every role on every review URL (pages,
media, API): a named reviewer and a manager review; a recruiter watches but rates nothing;
an interviewer not named and a question editor find nothing (404; the queue 403 to the
editor); a candidate — even the one whose answers these are — gets 404 on every one (the
fence and the predicates); anonymous people are sent to log in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import scene
from video_interviews.models import AnswerRating, Recommendation


@pytest.fixture
def anna(rita, lead):  # noqa: ANN001, ANN201
    return scene(rita, (lead,))


def _urls(anna: Any) -> dict[str, tuple[str, str]]:
    """name → (method, url) of every review address."""
    answer, invitation = anna.answers[0], anna.invitation
    return {
        "queue": ("get", reverse("video_review_queue")),
        "page": ("get", reverse("video_review", args=[invitation.pk])),
        "video": ("get", reverse("video_answer_media", args=[answer.pk])),
        "video_head": ("head", reverse("video_answer_media", args=[answer.pk])),
        "thumbnail": ("get", reverse("video_answer_thumbnail", args=[answer.pk])),
        "rate": ("post", reverse("video_answer_rate", args=[answer.pk])),
        "recommend": ("post", reverse("video_recommend", args=[invitation.pk])),
        "reviewers": ("post", reverse("video_interview_reviewers", args=[anna.interview.pk])),
        "api_answers": ("get", f"/api/video-interviews/invitations/{invitation.pk}/answers/"),
        "api_recommendation_get": (
            "get", f"/api/video-interviews/invitations/{invitation.pk}/recommendation/"
        ),
        "api_rating": ("put", f"/api/video-interviews/answers/{answer.pk}/rating/"),
        "api_recommendation": (
            "put", f"/api/video-interviews/invitations/{invitation.pk}/recommendation/"
        ),
    }  # fmt: skip


BODIES = {
    "rate": {"score": "4", "feedback": "Clear."},
    "recommend": {"choice": "yes", "summary": "Good."},
    "reviewers": {"reviewers": []},
    "api_rating": {"score": 4, "feedback": "Clear."},
    "api_recommendation": {"choice": "yes", "summary": "Good."},
}


def _call(client: Client, name: str, method: str, url: str) -> int:
    body = BODIES.get(name)
    if method == "put":
        response = client.put(url, json.dumps(body), content_type="application/json")
    elif method == "post":
        response = client.post(url, body)
    else:
        response = getattr(client, method)(url)
    return response.status_code


def _statuses(client: Client, anna: Any) -> dict[str, int]:
    return {name: _call(client, name, m, url) for name, (m, url) in _urls(anna).items()}


def _written() -> tuple[int, int]:
    return AnswerRating.objects.count(), Recommendation.objects.count()


@pytest.mark.django_db
def test_the_candidate_whose_answers_they_are_gets_404_everywhere(anna) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(anna.candidate), anna)
    assert statuses == {name: 404 for name in statuses}
    assert _written() == (0, 0)


@pytest.mark.django_db
def test_an_interviewer_not_named_finds_nothing(anna, outsider) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(outsider), anna)
    assert statuses.pop("queue") == 200  # their own queue, empty
    assert statuses.pop("reviewers") == 403  # a recruiter's form
    assert statuses == {name: 404 for name in statuses}
    assert _written() == (0, 0)
    page = helpers.signed_in(outsider).get(reverse("video_review_queue")).content.decode()
    assert anna.invitation.email not in page


@pytest.mark.django_db
def test_a_question_editor_finds_nothing(anna, editor) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(editor), anna)
    assert statuses.pop("queue") == 403
    assert statuses.pop("reviewers") == 403
    api = {n: statuses.pop(n) for n in list(statuses) if n.startswith("api_")}
    assert set(api.values()) == {403}  # the API's role check comes first
    assert statuses == {name: 404 for name in statuses}
    assert _written() == (0, 0)


@pytest.mark.django_db
def test_a_named_reviewer_reviews(anna, lead) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(lead), anna)
    assert statuses == {
        "queue": 200, "page": 200, "video": 200, "video_head": 200, "thumbnail": 200,
        "rate": 302, "recommend": 302, "reviewers": 403, "api_answers": 200,
        "api_recommendation_get": 200, "api_rating": 200, "api_recommendation": 200,
    }  # fmt: skip
    assert _written() == (1, 1)


@pytest.mark.django_db
def test_a_manager_reviews_every_interview_unnamed(anna, manager) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(manager), anna)
    assert statuses == {
        "queue": 200, "page": 200, "video": 200, "video_head": 200, "thumbnail": 200,
        "rate": 302, "recommend": 302, "reviewers": 403, "api_answers": 200,
        "api_recommendation_get": 200, "api_rating": 200, "api_recommendation": 200,
    }  # fmt: skip
    assert _written() == (1, 1)


@pytest.mark.django_db
def test_a_recruiter_watches_and_rates_nothing(anna, rita) -> None:  # noqa: ANN001
    statuses = _statuses(helpers.signed_in(rita), anna)
    assert statuses == {
        "queue": 403, "page": 200, "video": 200, "video_head": 200, "thumbnail": 200,
        "rate": 403, "recommend": 403, "reviewers": 302, "api_answers": 200,
        "api_recommendation_get": 200, "api_rating": 403, "api_recommendation": 403,
    }  # fmt: skip
    assert _written() == (0, 0)


@pytest.mark.django_db
def test_a_reviewer_no_longer_interviewing_is_out(anna, lead) -> None:  # noqa: ANN001
    lead.groups.clear()
    statuses = _statuses(helpers.signed_in(lead), anna)
    assert statuses.pop("queue") == 403
    assert statuses.pop("reviewers") == 403
    api = {n: statuses.pop(n) for n in list(statuses) if n.startswith("api_")}
    assert set(api.values()) == {403}
    assert statuses == {name: 404 for name in statuses}


@pytest.mark.django_db
def test_anonymous_people_are_sent_to_log_in(anna) -> None:  # noqa: ANN001
    client = Client()
    for name, (method, url) in _urls(anna).items():
        status = _call(client, name, method, url)
        assert status in ((401, 403) if name.startswith("api_") else (302,)), (name, status)
    assert _written() == (0, 0)
