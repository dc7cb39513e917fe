"""The review's writes (``video_interviews.review_services``): a rating and a recommendation
are checked first and refused with a clear code and nothing written; a second one changes
the first in place; the blind rule of ``access.video``; linking an invitation to the
pipeline's card by its address."""

from __future__ import annotations

from typing import Any

import pytest

from access import video as video_access
from candidates.models import CandidateEvent
from tests.interviews.helpers import candidate_on, three_round_position
from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import scene
from video_interviews import review_services
from video_interviews.models import Answer, AnswerRating, Invitation, Recommendation


@pytest.fixture
def anna(rita, lead, ann):  # noqa: ANN001, ANN201
    return scene(rita, (lead, ann))


def _state() -> tuple[list[Any], list[Any], int]:
    return (
        list(AnswerRating.objects.values_list("answer", "reviewer", "score", "feedback")),
        list(Recommendation.objects.values_list("invitation", "reviewer", "choice", "summary")),
        CandidateEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("score", "feedback", "code"),
    [
        (0, "", "bad_score"),
        (6, "", "bad_score"),
        ("", "", "bad_score"),
        ("five", "", "bad_score"),
        (True, "", "bad_score"),
        (3.5, "", "bad_score"),
        (None, "", "bad_score"),
        (3, "x" * 5001, "feedback_too_long"),
        (3, "nul\x00", "control_character"),
        (3, ["a list"], "bad_feedback"),
    ],
)
def test_a_bad_rating_is_refused_and_changes_nothing(anna, lead, score, feedback, code) -> None:  # noqa: ANN001
    review_services.rating_give(answer=anna.answers[0], reviewer=lead, score=4, feedback="Kept.")
    before = _state()
    with pytest.raises(review_services.ReviewRefused) as refused:
        review_services.rating_give(
            answer=anna.answers[0], reviewer=lead, score=score, feedback=feedback
        )
    assert refused.value.code == code
    assert refused.value.message
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["empty", "uploading", "uploaded", "processing", "failed"])
def test_an_answer_not_ready_cannot_be_rated(anna, lead, status) -> None:  # noqa: ANN001
    Answer.objects.filter(pk=anna.answers[0].pk).update(status=status)
    with pytest.raises(review_services.ReviewRefused) as refused:
        review_services.rating_give(answer=anna.answers[0], reviewer=lead, score=3)
    assert refused.value.code == "answer_not_ready"
    assert _state() == ([], [], 0)


@pytest.mark.django_db
def test_only_reviewers_rate(anna, rita, outsider, manager) -> None:  # noqa: ANN001
    for person in (rita, outsider, anna.candidate):
        with pytest.raises(review_services.ReviewRefused) as refused:
            review_services.rating_give(answer=anna.answers[0], reviewer=person, score=3)
        assert refused.value.code == "not_reviewer"
        with pytest.raises(review_services.ReviewRefused):
            review_services.recommendation_give(
                invitation=anna.invitation, reviewer=person, choice="yes"
            )
    assert _state() == ([], [], 0)
    review_services.rating_give(answer=anna.answers[0], reviewer=manager, score=3)
    assert AnswerRating.objects.get().reviewer == manager


@pytest.mark.django_db
def test_a_second_rating_changes_the_first(anna, lead) -> None:  # noqa: ANN001
    first = review_services.rating_give(answer=anna.answers[0], reviewer=lead, score=2)
    again = review_services.rating_give(
        answer=anna.answers[0], reviewer=lead, score="5", feedback="  Better on a second look. "
    )
    assert again.pk == first.pk
    row = AnswerRating.objects.get()
    assert (row.score, row.feedback) == (5, "Better on a second look.")
    assert row.updated_at >= row.created_at


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("choice", "summary", "code"),
    [
        ("maybe", "", "bad_choice"),
        ("", "", "bad_choice"),
        (None, "", "bad_choice"),
        ("YES", "", "bad_choice"),
        ("yes", "y" * 5001, "summary_too_long"),
        ("yes", "\x00", "control_character"),
    ],
)
def test_a_bad_recommendation_is_refused_and_changes_nothing(
    anna, lead, choice, summary, code
) -> None:  # noqa: ANN001,E501
    review_services.recommendation_give(invitation=anna.invitation, reviewer=lead, choice="no")
    before = _state()
    with pytest.raises(review_services.ReviewRefused) as refused:
        review_services.recommendation_give(
            invitation=anna.invitation, reviewer=lead, choice=choice, summary=summary
        )
    assert refused.value.code == code
    assert _state() == before


@pytest.mark.django_db
def test_nothing_to_recommend_on_before_an_answer_is_ready(anna, lead) -> None:  # noqa: ANN001
    Answer.objects.filter(invitation=anna.invitation).update(status=Answer.Status.PROCESSING)
    with pytest.raises(review_services.ReviewRefused) as refused:
        review_services.recommendation_give(invitation=anna.invitation, reviewer=lead, choice="yes")
    assert refused.value.code == "nothing_to_review"
    assert _state() == ([], [], 0)


@pytest.mark.django_db
def test_ratings_are_blind_until_ones_own_is_in(anna, lead, ann, rita, manager) -> None:  # noqa: ANN001
    answer = anna.answers[0]
    review_services.rating_give(answer=answer, reviewer=ann, score=5, feedback="Great.")
    assert not video_access.sees_others_ratings(lead, answer)
    assert video_access.sees_others_ratings(ann, answer)
    assert video_access.sees_others_ratings(manager, answer)  # managers see all, any time
    assert not video_access.sees_others_ratings(rita, answer)  # recruiters read no score
    review_services.rating_give(answer=answer, reviewer=lead, score=2)
    assert video_access.sees_others_ratings(lead, answer)
    # One answer's rating opens that answer only.
    assert not video_access.sees_others_ratings(lead, anna.answers[1])


@pytest.mark.django_db
def test_recommendations_are_blind_until_ones_own_is_in(anna, lead, ann, rita, manager) -> None:  # noqa: ANN001
    invitation = anna.invitation
    review_services.recommendation_give(invitation=invitation, reviewer=ann, choice="strong_yes")
    assert not video_access.sees_others_recommendations(lead, invitation)
    assert video_access.sees_others_recommendations(manager, invitation)
    assert not video_access.sees_others_recommendations(rita, invitation)
    review_services.recommendation_give(invitation=invitation, reviewer=lead, choice="no")
    assert video_access.sees_others_recommendations(lead, invitation)


@pytest.mark.django_db
def test_reviewers_are_interviewers_only(anna, rita, lead, ann, manager, editor) -> None:  # noqa: ANN001
    for bad in ([editor], [manager], [anna.candidate], ["nope"], [10**9]):
        with pytest.raises(review_services.ReviewRefused) as refused:
            review_services.reviewers_set(interview=anna.interview, by=rita, reviewers=bad)
        assert refused.value.code == "reviewer_not_interviewer"
        assert set(anna.interview.reviewers.all()) == {lead, ann}
    with pytest.raises(review_services.ReviewRefused) as refused:
        review_services.reviewers_set(interview=anna.interview, by=lead, reviewers=[lead])
    assert refused.value.code == "not_allowed"
    chosen = review_services.reviewers_set(
        interview=anna.interview, by=rita, reviewers=[str(ann.pk), ann.pk]
    )
    assert chosen == [ann]
    assert list(anna.interview.reviewers.all()) == [ann]


@pytest.mark.django_db
def test_an_invitation_links_to_the_card_of_its_address(rita, lead, no_broker) -> None:  # noqa: ANN001
    position = three_round_position(rita, lead, lead, lead)
    card = candidate_on(position, rita)
    email = card.email.upper()
    interview = helpers.interview(rita, (email, "nobody@example.com"))
    invitation = helpers.invitation(interview, email)
    assert invitation.person == card  # linked as it was invited
    assert helpers.invitation(interview, "nobody@example.com").person is None
    Invitation.objects.filter(pk=invitation.pk).update(person=None)
    invitation.refresh_from_db()
    assert review_services.link_person(invitation) == card
    invitation.refresh_from_db()
    assert invitation.person == card


@pytest.mark.django_db
def test_among_several_cards_the_one_on_the_interviews_position(rita, lead, no_broker) -> None:  # noqa: ANN001
    from candidates import services as candidates

    position = three_round_position(rita, lead, lead, lead)
    card = candidate_on(position, rita)
    other = candidates.candidate_create(
        by=rita, fields={"full_name": "Same Address", "email": card.email.upper()}
    )
    interview = helpers.interview(rita, (card.email,))
    invitation = helpers.invitation(interview, card.email)
    assert review_services.link_person(invitation) is None  # two cards, no position: unlinked
    interview.position = position
    interview.save(update_fields=["position"])
    assert review_services.link_person(invitation) == card
    assert other.pk != card.pk


@pytest.mark.django_db
def test_no_card_no_link(anna) -> None:  # noqa: ANN001
    assert review_services.link_person(anna.invitation) is None
    anna.invitation.refresh_from_db()
    assert anna.invitation.person is None


@pytest.mark.django_db
def test_a_recommendation_links_the_card_and_joins_its_history(rita, lead, no_broker) -> None:  # noqa: ANN001
    position = three_round_position(rita, lead, lead, lead)
    card = candidate_on(position, rita)
    found = scene(rita, (lead,), email=card.email)
    review_services.recommendation_give(
        invitation=found.invitation, reviewer=lead, choice="yes", summary="Solid answers."
    )
    found.invitation.refresh_from_db()
    assert found.invitation.person == card
    event = card.events.get(kind="video_recommended")
    assert event.by == lead
    assert event.details == {
        "video_invitation": found.invitation.pk,
        "video_interview": found.interview.title,
        "choice": "yes",
        "summary": "Solid answers.",
    }
    # The same again is no new line; a change is.
    review_services.recommendation_give(
        invitation=found.invitation, reviewer=lead, choice="yes", summary="Solid answers."
    )
    assert card.events.filter(kind="video_recommended").count() == 1
    review_services.recommendation_give(
        invitation=found.invitation, reviewer=lead, choice="strong_yes", summary="Even better."
    )
    assert card.events.filter(kind="video_recommended").count() == 2
    assert Recommendation.objects.get().choice == "strong_yes"
