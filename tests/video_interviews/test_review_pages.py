"""The review's pages: an invitation's answers (each playable with its poster, or its status;
the rating form; the others' ratings once one's own is in), the recommendation, the queue,
the reviewers' form on the interview's page; the recommendation on the candidate card's
history (page and API) and the cabinet's decision page, blind by the same rule; Russian;
times in the reader's zone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from candidates.models import CandidateEvent
from tests.interviews.helpers import candidate_on, three_round_position
from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import scene
from video_interviews import processing, review_services
from video_interviews.models import Answer, AnswerRating, Recommendation


@pytest.fixture
def anna(rita, lead, ann):  # noqa: ANN001, ANN201
    return scene(rita, (lead, ann))


def _page(user: Any, anna: Any) -> tuple[int, str]:
    response = helpers.signed_in(user).get(reverse("video_review", args=[anna.invitation.pk]))
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_each_answer_plays_with_its_poster_and_its_rating_form(anna, lead) -> None:  # noqa: ANN001
    status, page = _page(lead, anna)
    assert status == 200
    for answer in anna.answers:
        video = re.search(
            rf'<video [^>]*src="/video-interviews/answers/{answer.pk}/video/"[^>]*>', page
        )
        assert video, page
        tag = video.group(0)
        assert " controls" in tag and " playsinline" in tag and 'preload="metadata"' in tag
        assert f'poster="/video-interviews/answers/{answer.pk}/thumbnail/"' in tag
        assert f'action="/video-interviews/answers/{answer.pk}/rating/"' in page
    assert "Tell us about a project you are proud of." in page and "Why this team?" in page
    # 1–5 as radio buttons, each with its label, in a fieldset with a legend.
    for value, label in [(1, "poor"), (3, "fair"), (5, "excellent")]:
        assert re.search(
            rf'<label class="score-choice"><input type="radio" name="score" value="{value}" required> {value} — {label}</label>',
            page,
        )  # noqa: E501
    assert "<legend>Rate this answer</legend>" in page
    assert 'id="recommendation-form"' in page
    assert "0:02" in page  # the measured length
    assert 'src="/static/video_interviews/review.js"' in page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline script or style


@pytest.mark.django_db
def test_an_answer_not_ready_shows_its_status_and_a_failure_its_reason(anna, lead) -> None:  # noqa: ANN001
    first, second = anna.answers
    Answer.objects.filter(pk=first.pk).update(status=Answer.Status.PROCESSING)
    Answer.objects.filter(pk=second.pk).update(
        status=Answer.Status.FAILED, error="The file holds no audio or video stream."
    )
    status, page = _page(lead, anna)
    assert status == 200
    assert "<video" not in page
    assert 'class="pill answer-processing">processing<' in page
    assert 'class="pill answer-failed">failed<' in page
    assert "The file holds no audio or video stream." in page
    assert "rating-form" not in page
    assert 'id="recommendation-waiting"' in page


@pytest.mark.django_db
def test_a_processing_failure_reads_in_the_readers_language(anna, lead) -> None:  # noqa: ANN001
    second = anna.answers[1]
    stored = processing.Refused("too_long", "70.0 s; at most 66 s").text()
    assert stored.startswith("too_long: the recording is longer")  # the row keeps the English
    Answer.objects.filter(pk=second.pk).update(status=Answer.Status.FAILED, error=stored)
    status, page = _page(lead, anna)
    assert status == 200
    english = "the recording is longer than the question allows"
    assert f'<span class="error answer-error">{english}</span>' in page
    lead.language = "ru"
    lead.save(update_fields=["language"])
    status, page = _page(lead, anna)
    assert status == 200
    assert '<html lang="ru">' in page
    assert '<span class="error answer-error">запись длиннее, чем позволяет вопрос</span>' in page
    assert "the recording is longer" not in page and "too_long" not in page


@pytest.mark.django_db
def test_a_question_not_answered_yet_is_listed_without_a_player(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(pk=anna.answers[1].pk).delete()
    status, page = _page(lead, anna)
    assert status == 200
    assert page.count("<video ") == 1
    assert "not recorded" in page


@pytest.mark.django_db
def test_the_others_ratings_show_once_ones_own_is_in(anna, lead, ann) -> None:  # noqa: ANN001
    answer = anna.answers[0]
    review_services.rating_give(answer=answer, reviewer=ann, score=5, feedback="Ann's secret note")
    review_services.recommendation_give(
        invitation=anna.invitation, reviewer=ann, choice="strong_yes", summary="Ann's summary"
    )
    _status, before = _page(lead, anna)
    assert "Ann's secret note" not in before and "5 / 5" not in before
    assert "1 reviewer has rated this answer. Their ratings show once yours is in." in before
    assert "Ann&#x27;s summary" not in before and "recommendation-strong_yes" not in before
    assert "1 reviewer has given a recommendation." in before

    client = helpers.signed_in(lead)
    rated = client.post(reverse("video_answer_rate", args=[answer.pk]), {"score": "2"})
    assert rated.status_code == 302
    assert (
        rated["Location"]
        == f"/video-interviews/invitations/{anna.invitation.pk}/review/#answer-{answer.pk}"
    )  # noqa: E501
    _status, after = _page(lead, anna)
    assert "Ann&#x27;s secret note" in after and "5 / 5" in after
    assert 'value="2" required checked' in after  # one's own rating, kept in the form
    # The other answer stays blind; the recommendations too until one's own is given.
    assert "Ann&#x27;s summary" not in after
    client.post(reverse("video_recommend", args=[anna.invitation.pk]), {"choice": "no"})
    _status, last = _page(lead, anna)
    assert "Ann&#x27;s summary" in last and "recommendation-strong_yes" in last


@pytest.mark.django_db
def test_a_manager_sees_every_rating_and_a_recruiter_none(anna, ann, manager, rita) -> None:  # noqa: ANN001
    review_services.rating_give(answer=anna.answers[0], reviewer=ann, score=4, feedback="Clear")
    review_services.recommendation_give(
        invitation=anna.invitation, reviewer=ann, choice="yes", summary="Hire her"
    )
    _status, managers = _page(manager, anna)
    assert "Clear" in managers and "4 / 5" in managers and "Hire her" in managers
    assert "rating-form" in managers  # a manager may rate too
    _status, recruiters = _page(rita, anna)
    assert "Clear" not in recruiters and "4 / 5" not in recruiters and "Hire her" not in recruiters
    assert "rating-form" not in recruiters and "recommendation-form" not in recruiters
    assert "1 reviewer has rated this answer." in recruiters  # the completion, no score
    assert "<video " in recruiters


@pytest.mark.django_db
def test_a_bad_rating_on_the_page_says_why_and_changes_nothing(anna, lead) -> None:  # noqa: ANN001
    answer = anna.answers[0]
    client = helpers.signed_in(lead)
    response = client.post(
        reverse("video_answer_rate", args=[answer.pk]), {"score": "9", "feedback": "Typed text"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a score from 1 to 5." in page
    assert "Typed text</textarea>" in page  # what was typed is kept
    assert AnswerRating.objects.count() == 0
    bad = client.post(reverse("video_recommend", args=[anna.invitation.pk]), {"choice": "maybe"})
    assert bad.status_code == 400
    assert "Choose one of: strong yes, yes, no, strong no." in bad.content.decode()
    assert Recommendation.objects.count() == 0


@pytest.mark.django_db
def test_the_queue_lists_what_waits_for_the_reviewer(anna, lead, ann) -> None:  # noqa: ANN001
    client = helpers.signed_in(lead)
    page = client.get(reverse("video_review_queue")).content.decode()
    assert f'data-invitation="{anna.invitation.pk}"' in page
    assert "0 of 2" in page
    for answer in anna.answers:
        review_services.rating_give(answer=answer, reviewer=lead, score=3)
    page = client.get(reverse("video_review_queue")).content.decode()
    assert "2 of 2" in page  # the recommendation is still owed
    review_services.recommendation_give(invitation=anna.invitation, reviewer=lead, choice="yes")
    page = client.get(reverse("video_review_queue")).content.decode()
    assert f'data-invitation="{anna.invitation.pk}"' not in page
    assert 'id="queue-empty"' in page
    # Ann's queue is her own.
    page = helpers.signed_in(ann).get(reverse("video_review_queue")).content.decode()
    assert f'data-invitation="{anna.invitation.pk}"' in page


@pytest.mark.django_db
def test_the_queue_leaves_out_answers_not_ready(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(invitation=anna.invitation).update(status=Answer.Status.PROCESSING)
    page = helpers.signed_in(lead).get(reverse("video_review_queue")).content.decode()
    assert f'data-invitation="{anna.invitation.pk}"' not in page


@pytest.mark.django_db
def test_recruiters_name_the_reviewers_on_the_interviews_page(
    anna, rita, lead, ann, outsider
) -> None:  # noqa: ANN001,E501
    client = helpers.signed_in(rita)
    page = client.get(reverse("video_interview_detail", args=[anna.interview.pk])).content.decode()
    assert 'id="reviewers-form"' in page
    assert re.search(rf'value="{lead.pk}" checked> Lena Lead', page)
    assert re.search(rf'value="{outsider.pk}"> ', page)
    assert f'href="/video-interviews/invitations/{anna.invitation.pk}/review/"' in page
    assert "2 answers ready" in page
    response = client.post(
        reverse("video_interview_reviewers", args=[anna.interview.pk]),
        {"reviewers": [str(outsider.pk)]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#reviewers")
    assert list(anna.interview.reviewers.all()) == [outsider]
    # A person who does not interview is refused, and nothing changes.
    client.post(
        reverse("video_interview_reviewers", args=[anna.interview.pk]),
        {"reviewers": [str(outsider.pk), str(rita.pk)]},
    )
    assert list(anna.interview.reviewers.all()) == [outsider]


@pytest.mark.django_db
def test_the_review_page_in_russian_and_in_the_readers_zone(anna, lead) -> None:  # noqa: ANN001
    lead.language, lead.time_zone = "ru", "Asia/Tokyo"
    lead.save(update_fields=["language", "time_zone"])
    review_services.rating_give(answer=anna.answers[0], reviewer=lead, score=4)
    status, page = _page(lead, anna)
    assert status == 200
    assert '<html lang="ru">' in page
    for text in ("Оценить ответ", "Ваша оценка", "Общая рекомендация", "Взяли бы вы этого кандидата?",
                 "4 — хорошо", "5 — отлично", "Точно да", "Изменить оценку"):  # fmt: skip
        assert text in page, text
    assert "Asia/Tokyo" in page
    queue = helpers.signed_in(lead).get(reverse("video_review_queue")).content.decode()
    assert "Проверка видеоинтервью" in queue and "1 из 2" in queue


# --- the candidate's card and the cabinet ------------------------------------------------------


@pytest.fixture
def carla(rita, lead, ann, no_broker) -> dict[str, Any]:  # noqa: ANN001
    """Carla's pipeline card and her video interview, linked by her address; Lena and Ann
    recommend."""
    position = three_round_position(rita, lead, lead, lead)
    card = candidate_on(position, rita)
    found = scene(rita, (lead, ann), email=card.email)
    review_services.recommendation_give(
        invitation=found.invitation, reviewer=ann, choice="strong_yes", summary="Ann says hire"
    )
    return {"card": card, "scene": found}


@pytest.mark.django_db
def test_the_recommendation_joins_the_cards_history(carla, manager, rita) -> None:  # noqa: ANN001
    card, found = carla["card"], carla["scene"]
    assert CandidateEvent.objects.filter(candidate=card, kind="video_recommended").count() == 1
    url = reverse("candidate_detail", args=[card.pk])
    managers = helpers.signed_in(manager).get(url).content.decode()
    assert 'data-kind="video_recommended"' in managers
    assert "Video interview recommendation" in managers
    assert 'data-choice="strong_yes">Strong yes<' in managers and "Ann says hire" in managers
    assert f'href="/video-interviews/invitations/{found.invitation.pk}/review/"' in managers
    # A recruiter sees that it was given, by whom, and the link — not what it says.
    recruiters = helpers.signed_in(rita).get(url).content.decode()
    assert 'data-kind="video_recommended"' in recruiters and "Ann Panel" in recruiters
    assert "Strong yes" not in recruiters and "Ann says hire" not in recruiters
    assert f'href="/video-interviews/invitations/{found.invitation.pk}/review/"' in recruiters


@pytest.mark.django_db
def test_the_history_api_keeps_the_same_blind_rule(carla, manager, rita) -> None:  # noqa: ANN001
    card, found = carla["card"], carla["scene"]
    url = f"/api/candidates/{card.pk}/history/"

    def event(user: Any) -> dict[str, Any]:
        rows = helpers.signed_in(user).get(url).json()["results"]
        return next(r for r in rows if r["kind"] == "video_recommended")

    seen = event(manager)
    assert seen["label"] == "video interview recommendation"
    assert seen["video_invitation"] == found.invitation.pk
    assert seen["video_interview"] == found.interview.title
    assert (seen["choice"], seen["choice_label"], seen["summary"]) == (
        "strong_yes",
        "strong yes",
        "Ann says hire",
    )  # noqa: E501
    assert seen["video_url"] == f"/video-interviews/invitations/{found.invitation.pk}/review/"
    blind = event(rita)
    assert (blind["choice"], blind["choice_label"], blind["summary"]) == ("", "", "")
    assert blind["by"]["name"] == "Ann Panel"


@pytest.mark.django_db
def test_the_cabinets_decision_page_shows_the_recommendations(carla, manager, lead) -> None:  # noqa: ANN001
    card, found = carla["card"], carla["scene"]
    review_services.recommendation_give(
        invitation=found.invitation, reviewer=lead, choice="no", summary="Lena is unsure"
    )
    page = (
        helpers.signed_in(manager)
        .get(reverse("cabinet_candidate_decide", args=[card.pk]))
        .content.decode()
    )
    assert 'id="video-recommendations"' in page
    assert found.interview.title in page
    assert 'data-choice="strong_yes">Strong yes<' in page and "Ann says hire" in page
    assert 'data-choice="no">No<' in page and "Lena is unsure" in page
    assert f'href="/video-interviews/invitations/{found.invitation.pk}/review/"' in page


@pytest.mark.django_db
def test_a_card_without_a_video_interview_shows_no_section(rita, lead, manager, no_broker) -> None:  # noqa: ANN001
    card = candidate_on(three_round_position(rita, lead, lead, lead), rita)
    page = (
        helpers.signed_in(manager)
        .get(reverse("cabinet_candidate_decide", args=[card.pk]))
        .content.decode()
    )
    assert 'id="video-recommendations"' not in page
