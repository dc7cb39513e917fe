"""Reads of the review: an invitation's answers with the ratings its reader may see, the
reviewer's queue, an interview's reviewers, and a candidate card's recommendations. Pages,
the API and the cabinet share them; the blind rule is ``access.video``'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

import access
from access import video as video_access
from video_interviews import processing
from video_interviews.models import (
    Answer,
    AnswerRating,
    Invitation,
    Recommendation,
    VideoInterview,
)

QUEUE_LIMIT = 200


@dataclass
class AnswerRow:
    answer: Answer
    own: AnswerRating | None
    # Others' ratings, only when the reader may see them (else empty; ``others_count`` says
    # how many there are, which is no score).
    others: list[AnswerRating]
    others_count: int
    shown: bool
    can_rate: bool

    @property
    def duration(self) -> str:
        """The processed video's length as m:ss (empty before it is measured)."""
        ms = self.answer.duration_ms
        if ms is None:
            return ""
        seconds = round(ms / 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def error(self) -> str:
        """Why a FAILED answer's processing failed, in the reader's language (the row keeps
        its code and the English; ``processing.describe_error``); empty otherwise."""
        if self.answer.status != Answer.Status.FAILED or not self.answer.error:
            return ""
        return processing.describe_error(self.answer.error)

    @property
    def video_url(self) -> str:
        return reverse("video_answer_media", args=[self.answer.pk])

    @property
    def thumbnail_url(self) -> str:
        if not self.answer.thumbnail:
            return ""
        return reverse("video_answer_thumbnail", args=[self.answer.pk])


@dataclass
class Review:
    invitation: Invitation
    answers: list[AnswerRow]
    own_recommendation: Recommendation | None
    recommendations: list[Recommendation]  # the others', when shown
    recommendations_count: int  # the others', whether shown or not
    recommendations_shown: bool
    can_review: bool
    ready_count: int = 0
    reviewers: list[Any] = field(default_factory=list)


def review(*, invitation: Invitation, user: Any) -> Review:
    """What ``user`` sees of ``invitation``'s review: every question in order with its answer
    (status, media, their own rating, the others' by the blind rule) and the
    recommendations. Four queries, whatever the number of answers."""
    interview = invitation.interview
    can_review = video_access.can_review_video_interview(user, interview)
    manager = video_access.reviews_every_video_interview(user)
    questions = list(interview.questions.order_by("order"))
    answers = {
        a.question_id: a
        for a in invitation.answers.prefetch_related(
            Prefetch(
                "ratings",
                queryset=AnswerRating.objects.select_related("reviewer").order_by(
                    "created_at", "id"
                ),
            )
        )
    }
    rows = []
    for question in questions:
        answer = answers.get(question.pk) or Answer(
            invitation=invitation, question=question, status=Answer.Status.EMPTY
        )
        answer.question = question
        ratings = list(answer.ratings.all()) if answer.pk else []
        own = next((r for r in ratings if r.reviewer_id == user.pk), None)
        others = [r for r in ratings if r.reviewer_id != user.pk]
        shown = manager or (can_review and own is not None)
        rows.append(
            AnswerRow(
                answer=answer,
                own=own,
                others=others if shown else [],
                others_count=len(others),
                shown=shown,
                can_rate=can_review and answer.pk is not None
                and answer.status == Answer.Status.READY,
            )
        )  # fmt: skip
    recommendations = list(
        invitation.recommendations.select_related("reviewer").order_by("at", "id")
    )
    own_rec = next((r for r in recommendations if r.reviewer_id == user.pk), None)
    others_rec = [r for r in recommendations if r.reviewer_id != user.pk]
    rec_shown = manager or (can_review and own_rec is not None)
    return Review(
        invitation=invitation,
        answers=rows,
        own_recommendation=own_rec,
        recommendations=others_rec if rec_shown else [],
        recommendations_count=len(others_rec),
        recommendations_shown=rec_shown,
        can_review=can_review,
        ready_count=sum(1 for r in rows if r.answer.status == Answer.Status.READY),
        reviewers=list(interview.reviewers.order_by("first_name", "last_name", "username")),
    )


def queue(*, user: Any) -> list[Invitation]:
    """The invitations with answers waiting for ``user``'s review: a ready answer they have
    not rated, or no recommendation of theirs yet once an answer is ready. Oldest hand-in
    first; each with ``ready_count``, ``rated_count`` (by this user) and ``recommended``."""
    ready = Q(answers__status=Answer.Status.READY)
    rows = (
        video_access.reviewable_invitations(user=user)
        .exclude(status=Invitation.Status.REVOKED)
        .select_related("interview", "candidate")
        .annotate(
            ready_count=Count("answers", filter=ready, distinct=True),
            rated_count=Count(
                "answers__ratings",
                filter=ready & Q(answers__ratings__reviewer=user),
                distinct=True,
            ),
            recommended=Exists(
                Recommendation.objects.filter(invitation=OuterRef("pk"), reviewer=user)
            ),
        )
        .filter(ready_count__gt=0)
        .filter(Q(rated_count__lt=F("ready_count")) | Q(recommended=False))
        .order_by("completed_at", "started_at", "id")
    )
    return list(rows[:QUEUE_LIMIT])


def reviewer_choices() -> QuerySet[Any]:
    """Whom recruiters may name reviewers: the active interviewers."""
    return access.interviewers()


def review_counts(interview: VideoInterview) -> dict[int, dict[str, int]]:
    """Per invitation of ``interview``: ready answers, answers begun, ratings given and
    recommendations given (counts only: the completion a recruiter sees, no score)."""
    rows = interview.invitations.annotate(
        ready_count=Count("answers", filter=Q(answers__status=Answer.Status.READY), distinct=True),
        begun_count=Count("answers", filter=~Q(answers__status=Answer.Status.EMPTY), distinct=True),
        ratings_count=Count("answers__ratings", distinct=True),
        recommendations_count=Count("recommendations", distinct=True),
    ).values("pk", "ready_count", "begun_count", "ratings_count", "recommendations_count")
    return {
        row["pk"]: {
            "ready": row["ready_count"],
            "begun": row["begun_count"],
            "ratings": row["ratings_count"],
            "recommendations": row["recommendations_count"],
        }
        for row in rows
    }


@dataclass
class CandidateRecommendations:
    invitation: Invitation
    url: str
    shown: bool
    recommendations: list[Recommendation]


def for_candidate(*, candidate: Any, user: Any) -> list[CandidateRecommendations]:
    """The video interviews linked to ``candidate``'s card, each with its recommendations:
    their choice and summary only when ``user`` may read them (blind rule), the link to the
    review page only when they may open it."""
    shown_ids = video_access.video_recommendations_shown(user, candidate)
    watchable = set(
        video_access.watchable_invitations(user=user)
        .filter(person=candidate)
        .values_list("pk", flat=True)
    )
    invitations = (
        Invitation.objects.filter(person=candidate)
        .select_related("interview")
        .prefetch_related(
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("reviewer").order_by("at", "id"),
            )
        )
        .order_by("-created_at", "-id")
    )
    return [
        CandidateRecommendations(
            invitation=inv,
            url=reverse("video_review", args=[inv.pk]) if inv.pk in watchable else "",
            shown=inv.pk in shown_ids,
            recommendations=list(inv.recommendations.all()),
        )
        for inv in invitations
    ]


@dataclass(frozen=True)
class HistoryLens:
    """What one reader may see of a candidate card's video recommendations: the invitations
    whose choice and summary they may read (blind rule), and whose review page they may
    open."""

    shown: frozenset[int]
    openable: frozenset[int]


def history_lens(*, user: Any, candidate: Any) -> HistoryLens:
    return HistoryLens(
        shown=frozenset(video_access.video_recommendations_shown(user, candidate)),
        openable=frozenset(
            video_access.watchable_invitations(user=user)
            .filter(person=candidate)
            .values_list("pk", flat=True)
        ),
    )


def history_fields(details: dict[str, Any], lens: HistoryLens) -> dict[str, Any]:
    """A ``video_recommended`` history event's own fields as its reader may see them: the
    interview's title, the review page's address (when they may open it), the choice and
    summary (when the blind rule lets them read it). Other events: all empty."""
    pk = details.get("video_invitation")
    if not isinstance(pk, int) or isinstance(pk, bool):
        return {"video_invitation": None, "video_interview": "", "video_url": "", "choice": "",
                "choice_label": "", "summary": ""}  # fmt: skip
    shown = pk in lens.shown
    choice = details.get("choice") if shown and isinstance(details.get("choice"), str) else ""
    summary = details.get("summary") if shown and isinstance(details.get("summary"), str) else ""
    labels = dict(Recommendation.Choice.choices)
    return {
        "video_invitation": pk,
        "video_interview": str(details.get("video_interview") or ""),
        "video_url": reverse("video_review", args=[pk]) if pk in lens.openable else "",
        "choice": choice,
        "choice_label": str(labels.get(choice, "")) if choice else "",
        "summary": summary,
    }
