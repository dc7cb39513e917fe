"""The review's API: an invitation's answers with their status, length and media addresses
(the addresses play), a rating and a recommendation by PUT with the API's error body on a
refusal and nothing written, the blind rule as on the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import scene, tiny_mp4
from video_interviews import processing, review_services
from video_interviews.models import Answer, AnswerRating, Recommendation


@pytest.fixture
def anna(rita, lead, ann):  # noqa: ANN001, ANN201
    return scene(rita, (lead, ann))


def _put(user: Any, url: str, body: Any) -> Any:
    return helpers.signed_in(user).put(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_the_answers_with_their_status_length_and_media(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(pk=anna.answers[1].pk).update(
        status=Answer.Status.FAILED, error="Not a video."
    )
    client = helpers.signed_in(lead)
    rows = client.get(f"/api/video-interviews/invitations/{anna.invitation.pk}/answers/").json()
    assert [r["question"]["order"] for r in rows] == [0, 1]
    first, second = rows
    assert first["id"] == anna.answers[0].pk
    assert (first["status"], first["status_label"], first["duration_ms"]) == (
        "ready",
        "ready",
        2000,
    )
    assert first["video_url"] == f"/video-interviews/answers/{anna.answers[0].pk}/video/"
    assert first["thumbnail_url"] == f"/video-interviews/answers/{anna.answers[0].pk}/thumbnail/"
    assert first["can_rate"] is True and first["own_rating"] is None
    assert (first["ratings_shown"], first["others_count"], first["ratings"]) == (False, 0, [])
    assert (second["status"], second["error"], second["video_url"]) == (
        "failed",
        "Not a video.",
        "",
    )
    assert second["can_rate"] is False
    played = client.get(first["video_url"], HTTP_RANGE="bytes=0-99")
    assert played.status_code == 206
    assert b"".join(played.streaming_content) == tiny_mp4()[:100]


@pytest.mark.django_db
def test_a_processing_failure_reads_in_the_readers_language(anna, lead) -> None:  # noqa: ANN001
    stored = processing.Refused("too_long", "70.0 s; at most 66 s").text()
    Answer.objects.filter(pk=anna.answers[1].pk).update(status=Answer.Status.FAILED, error=stored)
    url = f"/api/video-interviews/invitations/{anna.invitation.pk}/answers/"
    english = helpers.signed_in(lead).get(url).json()[1]["error"]
    assert english == "the recording is longer than the question allows"
    lead.language = "ru"
    lead.save(update_fields=["language"])
    russian = helpers.signed_in(lead).get(url, HTTP_ACCEPT_LANGUAGE="ru").json()[1]["error"]
    assert russian == "запись длиннее, чем позволяет вопрос"


@pytest.mark.django_db
def test_a_rating_by_put_and_the_others_then(anna, lead, ann) -> None:  # noqa: ANN001
    answer = anna.answers[0]
    review_services.rating_give(answer=answer, reviewer=ann, score=5, feedback="Ann's")
    url = f"/api/video-interviews/answers/{answer.pk}/rating/"
    response = _put(lead, url, {"score": 3, "feedback": "Fine."})
    assert response.status_code == 200
    body = response.json()["answer"]
    assert body["own_rating"]["score"] == 3 and body["own_rating"]["feedback"] == "Fine."
    assert body["own_rating"]["reviewer"] == {"id": lead.pk, "name": "Lena Lead"}
    assert body["ratings_shown"] is True
    assert [(r["reviewer"]["name"], r["score"], r["feedback"]) for r in body["ratings"]] == [
        ("Ann Panel", 5, "Ann's")
    ]
    again = _put(lead, url, {"score": 4})
    assert again.json()["answer"]["own_rating"]["score"] == 4
    assert AnswerRating.objects.filter(reviewer=lead).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"score": 0}, 400, "invalid", "score"),
        ({"score": 6}, 400, "invalid", "score"),
        ({"score": "x"}, 400, "invalid", "score"),
        ({}, 400, "invalid", "score"),
        ({"score": 3, "feedback": "x" * 5001}, 400, "invalid", "feedback"),
        ({"score": 3, "feedback": "nul\u0000"}, 400, None, None),
    ],
)
def test_a_bad_rating_gets_the_error_body_and_writes_nothing(
    anna, lead, body, status, code, field
) -> None:  # noqa: ANN001,E501
    response = _put(lead, f"/api/video-interviews/answers/{anna.answers[0].pk}/rating/", body)
    assert response.status_code == status
    error = response.json()
    assert error["status"] == status and error["message"]
    if code:
        assert error["code"] == code
    if field:
        assert field in error["errors"]
    assert AnswerRating.objects.count() == 0


@pytest.mark.django_db
def test_an_answer_not_ready_is_409(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(pk=anna.answers[0].pk).update(status=Answer.Status.PROCESSING)
    response = _put(
        lead, f"/api/video-interviews/answers/{anna.answers[0].pk}/rating/", {"score": 3}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "answer_not_ready"
    assert AnswerRating.objects.count() == 0


@pytest.mark.django_db
def test_a_recommendation_by_put_blind_until_ones_own(anna, lead, ann) -> None:  # noqa: ANN001
    url = f"/api/video-interviews/invitations/{anna.invitation.pk}/recommendation/"
    review_services.recommendation_give(
        invitation=anna.invitation, reviewer=ann, choice="strong_no", summary="Ann's view"
    )
    before = helpers.signed_in(lead).get(url).json()
    assert before == {
        "can_recommend": True, "own": None, "shown": False, "others_count": 1, "others": [],
    }  # fmt: skip
    response = _put(lead, url, {"choice": "yes", "summary": "Good answers."})
    assert response.status_code == 200
    body = response.json()
    assert body["own"]["choice"] == "yes" and body["own"]["choice_label"] == "yes"
    assert body["own"]["summary"] == "Good answers."
    assert body["shown"] is True
    assert [(r["reviewer"]["name"], r["choice"], r["summary"]) for r in body["others"]] == [
        ("Ann Panel", "strong_no", "Ann's view")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"choice": "maybe"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"choice": "yes", "summary": "s" * 5001}, 400, "invalid"),
        ({"choice": "yes", "summary": "\u0000"}, 400, None),
    ],
)
def test_a_bad_recommendation_writes_nothing(anna, lead, body, status, code) -> None:  # noqa: ANN001
    url = f"/api/video-interviews/invitations/{anna.invitation.pk}/recommendation/"
    response = _put(lead, url, body)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_nothing_ready_to_recommend_on_is_409(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(invitation=anna.invitation).update(status=Answer.Status.UPLOADED)
    url = f"/api/video-interviews/invitations/{anna.invitation.pk}/recommendation/"
    response = _put(lead, url, {"choice": "yes"})
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_review"
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_a_recruiter_reads_the_answers_and_no_score(anna, ann, rita) -> None:  # noqa: ANN001
    review_services.rating_give(answer=anna.answers[0], reviewer=ann, score=5, feedback="Ann's")
    client = helpers.signed_in(rita)
    rows = client.get(f"/api/video-interviews/invitations/{anna.invitation.pk}/answers/").json()
    assert rows[0]["others_count"] == 1 and rows[0]["ratings"] == []
    assert rows[0]["can_rate"] is False
    refused = _put(
        rita, f"/api/video-interviews/answers/{anna.answers[0].pk}/rating/", {"score": 1}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_the_schema_names_the_review_endpoints(anna, lead) -> None:  # noqa: ANN001
    schema = helpers.signed_in(lead).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/video-interviews/invitations/{id}/answers/" in paths
    assert "put" in paths["/api/video-interviews/answers/{id}/rating/"]
    assert "put" in paths["/api/video-interviews/invitations/{id}/recommendation/"]
