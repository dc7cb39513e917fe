"""The review of one-way video interviews for staff: an invitation's answers (status, length,
the addresses of their media), a reviewer's rating of an answer, their recommendation on an
invitation. Who may open and write what is ``access.video``'s (managers review every
interview, named interviewers theirs, recruiters watch and see counts only; blind until one's
own rating or recommendation is in); every write goes through
``video_interviews.review_services``, so nothing is written on a refusal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access import video as video_access
from api.common import valid
from api.errors import Refused
from api.permissions import Allows, RolePermissionsMixin
from video_interviews import review_selectors, review_services
from video_interviews.models import Answer, Invitation, Recommendation

# Refusals about what the request says (400); the others are about the state (409).
INPUT_REFUSALS = {
    "bad_score",
    "bad_choice",
    "bad_feedback",
    "bad_summary",
    "feedback_too_long",
    "summary_too_long",
    "control_character",
}


watches = Allows(video_access.works_on_video_reviews)


def _refused(refusal: review_services.ReviewRefused) -> Refused:
    if refusal.code == "not_reviewer":
        return Refused("permission_denied", refusal.message, 403)
    return Refused(refusal.code, refusal.message, 400 if refusal.code in INPUT_REFUSALS else 409)


# --- shapes -----------------------------------------------------------------------------------


class VideoReviewerOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": user.display_name}


class VideoRatingOut(serializers.Serializer):
    reviewer = VideoReviewerOut()
    score = serializers.IntegerField(help_text="1 (poor) to 5 (excellent)")
    feedback = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def _rating(rating: Any) -> dict[str, Any]:
    return {
        "reviewer": _person(rating.reviewer),
        "score": rating.score,
        "feedback": rating.feedback,
        "created_at": rating.created_at,
        "updated_at": rating.updated_at,
    }


class VideoReviewQuestionOut(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    text = serializers.CharField()


class VideoReviewAnswerOut(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null: nothing recorded yet")
    question = VideoReviewQuestionOut()
    status = serializers.ChoiceField(choices=Answer.Status.choices)
    status_label = serializers.CharField()
    error = serializers.CharField(allow_blank=True, help_text="why the processing failed")
    duration_ms = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    processed_at = serializers.DateTimeField(allow_null=True)
    video_url = serializers.CharField(allow_blank=True, help_text="the MP4 (ranges); ready only")
    thumbnail_url = serializers.CharField(allow_blank=True, help_text="the JPEG, when there is one")
    can_rate = serializers.BooleanField()
    own_rating = VideoRatingOut(allow_null=True)
    ratings_shown = serializers.BooleanField(help_text="false: the others' stay blind")
    others_count = serializers.IntegerField()
    ratings = VideoRatingOut(many=True, help_text="the others' (empty unless ratings_shown)")


def _answer_rows(review: review_selectors.Review) -> list[dict[str, Any]]:
    rows = []
    for row in review.answers:
        answer = row.answer
        ready = answer.pk is not None and answer.status == Answer.Status.READY
        rows.append(
            {
                "id": answer.pk,
                "question": {
                    "id": answer.question.pk,
                    "order": answer.question.order,
                    "text": answer.question.text,
                },
                "status": answer.status,
                "status_label": answer.get_status_display(),
                "error": row.error,  # in the reader's language, as on the review page
                "duration_ms": answer.duration_ms,
                "submitted_at": answer.submitted_at,
                "processed_at": answer.processed_at,
                "video_url": row.video_url if ready else "",
                "thumbnail_url": row.thumbnail_url if ready else "",
                "can_rate": row.can_rate,
                "own_rating": _rating(row.own) if row.own else None,
                "ratings_shown": row.shown,
                "others_count": row.others_count,
                "ratings": [_rating(r) for r in row.others],
            }
        )
    return rows


class VideoRecommendationOut(serializers.Serializer):
    reviewer = VideoReviewerOut()
    choice = serializers.ChoiceField(choices=Recommendation.Choice.choices)
    choice_label = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


def _recommendation(row: Any) -> dict[str, Any]:
    return {
        "reviewer": _person(row.reviewer),
        "choice": row.choice,
        "choice_label": row.get_choice_display(),
        "summary": row.summary,
        "at": row.at,
    }


class VideoRecommendationsOut(serializers.Serializer):
    can_recommend = serializers.BooleanField()
    own = VideoRecommendationOut(allow_null=True)
    shown = serializers.BooleanField(help_text="false: the others' stay blind")
    others_count = serializers.IntegerField()
    others = VideoRecommendationOut(many=True, help_text="empty unless shown")


def _recommendations(review: review_selectors.Review) -> dict[str, Any]:
    own = review.own_recommendation
    return {
        "can_recommend": review.can_review and review.ready_count > 0,
        "own": _recommendation(own) if own else None,
        "shown": review.recommendations_shown,
        "others_count": review.recommendations_count,
        "others": [_recommendation(r) for r in review.recommendations],
    }


class VideoRatingIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    feedback = serializers.CharField(
        max_length=review_services.FEEDBACK_MAX, allow_blank=True, default="", trim_whitespace=False
    )


class VideoRecommendationIn(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Recommendation.Choice.choices)
    summary = serializers.CharField(
        max_length=review_services.SUMMARY_MAX, allow_blank=True, default="", trim_whitespace=False
    )


class VideoRatedOut(serializers.Serializer):
    answer = VideoReviewAnswerOut()


# --- views ------------------------------------------------------------------------------------


class VideoReviewInvitationViewSet(RolePermissionsMixin, viewsets.GenericViewSet):
    """``/api/video-interviews/invitations/{id}/…``: an invitation under review."""

    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "put", "head", "options"]
    action_permissions = {"answers": watches, "recommendation": watches}
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return video_access.watchable_invitations(user=self.request.user).select_related(
            "interview", "candidate"
        )

    @extend_schema(responses={200: VideoReviewAnswerOut(many=True)})
    @action(detail=True, methods=["get"])
    def answers(self, request: Request, pk: str) -> Response:
        """Every question of the interview in order with the candidate's answer: its status
        (a failed one with the reason), length, the addresses of its video and thumbnail, the
        reader's own rating and the others' (blind until the reader's own is in)."""
        invitation = self.get_object()
        review = review_selectors.review(invitation=invitation, user=request.user)
        return Response(VideoReviewAnswerOut(_answer_rows(review), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses={200: VideoRecommendationsOut})
    @extend_schema(
        methods=["PUT"], request=VideoRecommendationIn, responses={200: VideoRecommendationsOut}
    )
    @action(detail=True, methods=["get", "put"])
    def recommendation(self, request: Request, pk: str) -> Response:
        """GET: the reader's own recommendation and the others' (blind until theirs is in).
        PUT: give or change one's own (reviewers and managers)."""
        invitation = self.get_object()
        if request.method == "PUT":
            if not video_access.can_review_video_interview(request.user, invitation.interview):
                raise PermissionDenied
            data = valid(VideoRecommendationIn, request.data)
            try:
                review_services.recommendation_give(
                    invitation=invitation, reviewer=request.user, choice=data["choice"],
                    summary=data["summary"],
                )  # fmt: skip
            except review_services.ReviewRefused as refusal:
                raise _refused(refusal) from refusal
        review = review_selectors.review(invitation=invitation, user=request.user)
        return Response(VideoRecommendationsOut(_recommendations(review)).data)


class VideoReviewAnswerViewSet(RolePermissionsMixin, viewsets.GenericViewSet):
    """``/api/video-interviews/answers/{id}/rating/``: one's rating of an answer."""

    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["put", "options"]
    action_permissions = {"rating": watches}
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Answer.objects.none()
        return video_access.watchable_answers(user=self.request.user).select_related(
            "invitation__interview", "question"
        )

    @extend_schema(request=VideoRatingIn, responses={200: VideoRatedOut})
    @action(detail=True, methods=["put"])
    def rating(self, request: Request, pk: str) -> Response:
        """Give or change one's rating (1–5) and feedback of a ready answer; the answer comes
        back as ``GET …/answers/`` shows it (now with the others' ratings)."""
        answer = self.get_object()
        invitation = answer.invitation
        if not video_access.can_review_video_interview(request.user, invitation.interview):
            raise PermissionDenied
        data = valid(VideoRatingIn, request.data)
        try:
            review_services.rating_give(
                answer=answer, reviewer=request.user, score=data["score"],
                feedback=data["feedback"],
            )  # fmt: skip
        except review_services.ReviewRefused as refusal:
            raise _refused(refusal) from refusal
        review = review_selectors.review(invitation=invitation, user=request.user)
        row = next(r for r in _answer_rows(review) if r["id"] == answer.pk)
        return Response(VideoRatedOut({"answer": row}).data)
