"""Reads of the one-way interviews that need care: counts per interview in one query, each
invitation with its newest e-mail's delivery, a candidate's dashboard. Pages and the API
share them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
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


def recording_state(*, invitation: Invitation, now: datetime | None = None) -> dict[str, Any]:
    """What the recording page needs, as JSON (docs/protocol.md, "Recording an answer"): the
    invitation's state, each question's limits and answer, where the candidate is, and the
    take still open (to resume its upload or to keep it). A question's text is given only
    once a take of it has begun: it is shown when its thinking time starts."""
    from video_interviews import recording
    from video_interviews.models import Take

    now = now or timezone.now()
    answers = {a.question_id: a for a in invitation.answers.all()}
    open_takes = {
        t.answer.question_id: t
        for t in Take.objects.filter(
            answer__invitation=invitation,
            status__in=(Take.Status.RECORDING, Take.Status.UPLOADED),
        ).select_related("answer")
    }
    seen = {s.order: s for s in recording.answers_seen(invitation)}
    current = rules.current_question(list(seen.values()))
    questions = []
    take_row = None
    for question in invitation.interview.questions.order_by("order"):
        answer = answers.get(question.pk)
        started = answer is not None and answer.takes > 0
        left = rules.takes_left(question.retakes, seen[question.order].takes_counted)
        questions.append(
            {
                "position": question.order + 1,
                "order": question.order,
                "text": question.text if started else None,
                "thinking_seconds": question.thinking_seconds,
                "answer_seconds": question.answer_seconds,
                "retakes": question.retakes,
                "takes_left": left,
                "answer": answer.status if answer is not None else "empty",
                "kept": answer is not None and answer.submitted_at is not None,
                "max_bytes": recording.max_bytes(question),
            }
        )
        take = open_takes.get(question.pk)
        if take is not None:
            take_row = take_json(take)
    return {
        "invitation": invitation.pk,
        "status": rules.current_status(invitation.status, invitation.interview.deadline, now),
        "deadline": invitation.interview.deadline.isoformat(),
        "current": current,
        "questions": questions,
        "take": take_row,
        "chunk_bytes": settings.VIDEO_CHUNK_BYTES,
    }


def take_json(take: Any) -> dict[str, Any]:
    return {
        "id": str(take.pk),
        "question": take.answer.question.order,
        "number": take.number,
        "status": take.status,
        "offset": take.offset,
        "length": take.length,
        "interrupted": take.interrupted,
        "upload_url": f"/candidate/uploads/{take.pk}",
        "started_at": take.started_at.isoformat(),
    }
