"""Reads of the one-way interviews that need care: counts per interview in one query, each
invitation with its newest e-mail's delivery, a candidate's dashboard. Pages and the API
share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from video_interviews import rules
from video_interviews.models import Invitation, InvitationMail, VideoInterview

# Counted as the interview's page shows them: invited (every invitation but the revoked),
# opened (added to a dashboard by the code), started (recording begun), completed.
_NOT_REVOKED = ~Q(invitations__status=Invitation.Status.REVOKED)


def with_counts(interviews: QuerySet[VideoInterview]) -> QuerySet[VideoInterview]:
    return interviews.annotate(
        invited_count=Count("invitations", filter=_NOT_REVOKED, distinct=True),
        opened_count=Count(
            "invitations",
            filter=_NOT_REVOKED & Q(invitations__accepted_at__isnull=False),
            distinct=True,
        ),
        started_count=Count(
            "invitations",
            filter=_NOT_REVOKED & Q(invitations__started_at__isnull=False),
            distinct=True,
        ),
        completed_count=Count(
            "invitations", filter=Q(invitations__status=Invitation.Status.COMPLETED), distinct=True
        ),
        questions_count=Count("questions", distinct=True),
    )


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.of) if self.of else None


def rates(interview: Any) -> dict[str, Rate]:
    """Opened, started and completed over invited (an interview from ``with_counts``)."""
    invited = interview.invited_count
    return {
        "opened": Rate(interview.opened_count, invited),
        "started": Rate(interview.started_count, invited),
        "completed": Rate(interview.completed_count, invited),
    }


def invitations_of(interview: VideoInterview) -> list[Invitation]:
    """The interview's invitations in order, each with ``current`` (its status now) and
    ``last_mail`` (the newest e-mail's outbox row, or None) — three queries in all."""
    rows = list(
        interview.invitations.select_related("candidate")
        .prefetch_related(
            Prefetch(
                "mails",
                queryset=InvitationMail.objects.select_related("outbox").order_by(
                    "-created_at", "-id"
                ),
            )
        )
        .order_by("id")
    )
    now = timezone.now()
    for row in rows:
        row.interview = interview
        row.current = rules.current_status(row.status, interview.deadline, now)
        mails = list(row.mails.all())
        row.last_mail = mails[0].outbox if mails else None
        row.last_purpose = mails[0].get_purpose_display() if mails else ""
        row.can_revoke = rules.can_revoke(row.current)
        row.can_resend = rules.resend_plan(row.current, interview.deadline, now) in (
            "same_code",
            "new_code",
        )
    return rows


def dashboard(*, invitations: QuerySet[Invitation], now: datetime | None = None) -> list[Any]:
    """A candidate's interviews (their own invitations, from ``access.video``), soonest
    deadline first, each with ``current`` and ``questions_count``."""
    now = now or timezone.now()
    rows = list(
        invitations.select_related("interview")
        .annotate(questions_count=Count("interview__questions"))
        .order_by("interview__deadline", "id")
    )
    for row in rows:
        row.current = rules.current_status(row.status, row.interview.deadline, now)
    return rows
