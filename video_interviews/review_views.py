"""The reviewers' pages of the one-way interviews (who may open what: ``access.video``):

* ``/video-interviews/reviews/`` — the reviewer's queue: invitations with a ready answer they
  have not rated, or no recommendation of theirs yet;
* ``/video-interviews/invitations/<id>/review/`` — one candidate's answers in question order,
  each playable (or its status: recording, processing, failed with the reason), a 1–5 rating
  and feedback per answer, the overall recommendation at the end; the others' ratings and
  recommendations once the reader's own are in (managers see them all);
* ``/video-interviews/answers/<id>/video/`` and ``…/thumbnail/`` — the media, streamed
  privately with HTTP ranges (``video_interviews.media``);
* ``/video-interviews/<id>/reviewers/`` — recruiters name an interview's reviewers (the form
  is on the interview's page).

An object the reader may not open answers 404 (as if it did not exist); a write the reader's
role does not allow on an object they may open answers 403. Writes are
``video_interviews.review_services``'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import video as video_access
from access.decorators import allowed
from video_interviews import media, review_selectors, review_services
from video_interviews.models import Answer, Invitation, Recommendation, VideoInterview

SCORE_CHOICES = review_services.SCORE_CHOICES


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        video_access.watchable_invitations(user=request.user).select_related(
            "interview", "candidate", "person"
        ),
        pk=pk,
    )


def _answer(request: HttpRequest, pk: int) -> Answer:
    return get_object_or_404(
        video_access.watchable_answers(user=request.user).select_related(
            "invitation__interview", "question"
        ),
        pk=pk,
    )


@allowed(video_access.can_use_review_queue)
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "video_interviews/review_queue.html",
        {"rows": review_selectors.queue(user=request.user)},
    )


def _page(request: HttpRequest, invitation: Invitation, status: int = 200,
          **extra: Any) -> HttpResponse:  # fmt: skip
    return render(
        request,
        "video_interviews/review_invitation.html",
        {
            "review": review_selectors.review(invitation=invitation, user=request.user),
            "invitation": invitation,
            "interview": invitation.interview,
            "score_choices": SCORE_CHOICES,
            "recommendation_choices": Recommendation.Choice.choices,
            "can_manage": video_access.can_manage_video_interviews(request.user),
            **extra,
        },
        status=status,
    )


@login_required
@require_GET
def review_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _invitation(request, pk))


@login_required
@require_POST
def answer_rate(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    invitation = answer.invitation
    if not video_access.can_review_video_interview(request.user, invitation.interview):
        raise PermissionDenied
    try:
        review_services.rating_give(
            answer=answer,
            reviewer=request.user,
            score=request.POST.get("score", ""),
            feedback=request.POST.get("feedback", ""),
        )
    except review_services.ReviewRefused as refused:
        return _page(
            request, invitation, 400,
            rating_error={"answer": answer.pk, "message": refused.message,
                          "score": request.POST.get("score", "")[:2],
                          "feedback": request.POST.get("feedback", "")[:10_000]},
        )  # fmt: skip
    messages.success(request, _("Your rating is saved."))
    return redirect(reverse("video_review", args=[invitation.pk]) + f"#answer-{answer.pk}")


@login_required
@require_POST
def invitation_recommend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    if not video_access.can_review_video_interview(request.user, invitation.interview):
        raise PermissionDenied
    try:
        review_services.recommendation_give(
            invitation=invitation,
            reviewer=request.user,
            choice=request.POST.get("choice", ""),
            summary=request.POST.get("summary", ""),
        )
    except review_services.ReviewRefused as refused:
        return _page(
            request, invitation, 400,
            recommendation_error={"message": refused.message,
                                  "choice": request.POST.get("choice", "")[:20],
                                  "summary": request.POST.get("summary", "")[:10_000]},
        )  # fmt: skip
    messages.success(request, _("Your recommendation is saved."))
    return redirect(reverse("video_review", args=[invitation.pk]) + "#recommendation")


@login_required
@require_http_methods(["GET", "HEAD"])
def answer_media(request: HttpRequest, pk: int) -> HttpResponse:
    """The answer's MP4, with HTTP ranges (Safari plays and seeks only so)."""
    answer = _answer(request, pk)
    if answer.status != Answer.Status.READY:
        return HttpResponse(status=404)
    return media.serve(request, answer.file, "video/mp4")


@login_required
@require_http_methods(["GET", "HEAD"])
def answer_thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    answer = _answer(request, pk)
    if answer.status != Answer.Status.READY:
        return HttpResponse(status=404)
    return media.serve(request, answer.thumbnail, "image/jpeg")


@allowed(video_access.can_set_video_reviewers)
@require_POST
def interview_reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(video_access.visible_video_interviews(user=request.user), pk=pk)
    try:
        chosen = review_services.reviewers_set(
            interview=interview, by=request.user, reviewers=request.POST.getlist("reviewers")[:100]
        )
    except review_services.ReviewRefused as refused:
        messages.error(request, refused.message)
    else:
        if chosen:
            messages.success(
                request,
                _("Reviewers: %(names)s.") % {"names": ", ".join(u.display_name for u in chosen)},
            )
        else:
            messages.success(request, _("No reviewer is named: managers review this interview."))
    return redirect(reverse("video_interview_detail", args=[interview.pk]) + "#reviewers")


def detail_extras(interview: VideoInterview, invitations: list[Invitation]) -> dict[str, Any]:
    """What the interview's page adds for the review: the reviewers' form, and on each of
    ``invitations`` (its rows) ``review``: the completion of its review (counts only, no
    score) and whether it has a review page yet (an answer begun)."""
    counts = review_selectors.review_counts(interview)
    for row in invitations:
        row.review = counts.get(row.pk, {})
    return {
        "reviewer_choices": review_selectors.reviewer_choices(),
        "reviewer_ids": set(interview.reviewers.values_list("pk", flat=True)),
    }
