"""Reads of plans, rounds and rating sheets, shaped for pages and the API. Each list is a fixed
number of queries whatever its length (select_related / prefetch_related)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

import access
from interviews.models import Interview, PlanRound, Round, RoundKind

# Rounds on one page of an interviewer's history (the rest on the pages after it).
HISTORY_PER_PAGE = 50
WEEKS_SHOWN = 12


def plan_of(position: Any) -> list[PlanRound]:
    return list(
        PlanRound.objects.filter(position=position)
        .select_related("default_interviewer", "video_interview")
        .prefetch_related("aspects", "assistants", "topics", "pool")
        .order_by("order")
    )


def rounds_with_parts(rounds: QuerySet[Round]) -> QuerySet[Round]:
    return rounds.select_related(
        "interviewer",
        "candidate",
        "position",
        "session",
        "rated_by",
        "interview",
        "video_interview",
        "video_invitation__interview",
    ).prefetch_related("aspects", "assistants", "topics")


def one_way_of(round_: Round, user: Any) -> dict[str, Any] | None:
    """A one-way round's video interview and invitation as ``user`` may see them: the
    invitation's status as of now (pending, accepted, completed, expired, revoked; ``None``:
    not sent yet), the video interview's page and the review page (the answers) for those
    ``access`` lets open them, and whether they may send the invitation by hand."""
    from django.urls import reverse

    from access import video as video_access
    from video_interviews.models import Invitation

    if round_.kind != RoundKind.ONE_WAY or round_.video_interview is None:
        return None
    invitation = access.interviews.round_invitation(round_)
    status = invitation.current_status() if invitation is not None else None
    return {
        "video_interview": round_.video_interview,
        "video_interview_url": reverse("video_interview_detail", args=[round_.video_interview_id])
        if video_access.can_view_video_interview(user, round_.video_interview)
        else "",
        "invitation": invitation,
        "status": status,
        "status_label": dict(Invitation.Status.choices).get(status, "") if status else "",
        "review_url": reverse("video_review", args=[invitation.pk])
        if invitation is not None and access.interviews.can_open_round_review(user, round_)
        else "",
        "can_invite": access.interviews.can_invite_round(user, round_),
    }


def candidate_interviews(candidate: Any, user: Any) -> list[dict[str, Any]]:
    """The candidate's interviews with the rounds ``user`` may see, newest first."""
    visible = rounds_with_parts(access.visible_rounds(user=user).filter(candidate=candidate))
    interviews = (
        Interview.objects.filter(candidate=candidate)
        .select_related("position")
        .prefetch_related(Prefetch("rounds", queryset=visible.order_by("order"), to_attr="shown"))
        .order_by("-created_at", "-id")
    )
    return [{"interview": i, "rounds": i.shown} for i in interviews if i.shown]


def rating_sheets(rounds: Iterable[Round], user: Any) -> list[dict[str, Any]]:
    """A sheet per rated round whose ratings ``user`` may see: each aspect's points against
    the expected with its comment, the totals, the feedback and the verdict."""
    sheets = []
    for round_ in rounds:
        if round_.status != Round.Status.DONE or not access.can_view_round_ratings(user, round_):
            continue
        aspects = list(round_.aspects.all())
        points = sum(a.points or 0 for a in aspects)
        expected = sum(a.expected_points for a in aspects)
        sheets.append(
            {
                "round": round_,
                "aspects": aspects,
                "points": points,
                "expected": expected,
                "percent": round(100 * points / expected) if expected else None,
            }
        )
    return sheets


def history_rounds(person: Any) -> QuerySet[Round]:
    """Every round ``person`` was on, as interviewer or assistant, whatever its status: newest
    first by its time, those with no time yet before all (they are still to come), then the
    newest made. The page takes one page of it at a time (``HISTORY_PER_PAGE``)."""
    return rounds_with_parts(access.interviews.rounds_on(person)).order_by(
        F("starts_at").desc(nulls_first=True), "-id"
    )


def history_entries(rounds: Iterable[Round], user: Any) -> list[dict[str, Any]]:
    """Each of ``rounds`` in its order with its rating sheet (``rating_sheets``) when it is
    rated and ``user`` may read its ratings, else ``None``: the page shows its status."""
    rounds = list(rounds)
    sheets = {sheet["round"].pk: sheet for sheet in rating_sheets(rounds, user)}
    return [{"round": round_, "sheet": sheets.get(round_.pk)} for round_ in rounds]


def sheet_chart(sheets: list[dict[str, Any]]) -> dict[str, Any]:
    """Expected against received points per aspect, for ``cabinet/stats.js``'s bar chart (the
    same shape the cabinet's charts use) and the table beside it."""
    labels, expected, received = [], [], []
    for sheet in sheets:
        for aspect in sheet["aspects"]:
            name = aspect.name if len(sheets) == 1 else f"{sheet['round'].name}: {aspect.name}"
            labels.append(name)
            expected.append(aspect.expected_points)
            received.append(aspect.points or 0)
    series = [
        {"name": _("Expected"), "values": expected, "colour": "#b7c3d0"},
        {"name": _("Received"), "values": received, "colour": "#2f6f9f"},
    ]
    return {
        "title": _("Points per aspect: expected and received"),
        "horizontal": True,
        "stacked": False,
        "series": series if labels else [],
        "data": {
            "labels": labels,
            "series": series if labels else [],
            "horizontal": True,
            "stacked": False,
        },
        "rows": [
            (label, [e, r], None) for label, e, r in zip(labels, expected, received, strict=True)
        ],
    }


def load_per_week(person: Any, *, weeks: int = WEEKS_SHOWN) -> list[dict[str, Any]]:
    """How many rounds ``person`` is on per week (by the round's time, in the viewer's zone),
    the last ``weeks`` weeks up to the next four."""
    now = timezone.localtime()
    start = (now - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    start -= timedelta(days=start.weekday())
    end = start + timedelta(weeks=weeks + 5)
    counted = (
        Round.objects.filter(access.interviews.on_rounds_filter(person))
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=Round.Status.CANCELLED)
        .annotate(week=TruncWeek("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(count=Count("id", distinct=True))
    )
    by_week = {row["week"].date(): row["count"] for row in counted}
    rows = []
    for n in range(weeks + 5):
        monday = (start + timedelta(weeks=n)).date()
        rows.append({"week": monday, "count": by_week.get(monday, 0)})
    return rows
