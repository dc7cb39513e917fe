"""Writes of the cabinet: decide, reopen, retry a notification. Keyword-only, typed; views
and tasks call these and hold no rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.roles import roles_of
from accounts.models import User
from cabinet import broadcast
from cabinet.messages import DecisionMessage, decision_message, reopen_message
from cabinet.models import Decision, DecisionAudit, RejectionReason, Team
from candidates import services as candidates
from candidates.models import Candidate
from notify import services as notify
from notify.models import Outbox
from sessions_live.models import LiveSession


class DecisionRefused(Exception):
    """A decision the rules do not allow; ``message`` is for the manager."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _require_manager(user: User) -> None:
    import access  # the one access module decides who is a manager

    if not access.can_decide(user):
        raise DecisionRefused("forbidden", _("Only managers decide on candidates."))


def _move_candidate(
    *, candidate: Candidate, move: str, manager: User, details: dict[str, Any]
) -> Candidate:
    """The decision's move of the candidate, by the manager, through the lifecycle; a move it
    refuses (a withdrawn candidate hired) refuses the whole decision."""
    try:
        return candidates.candidate_move(
            candidate=candidate,
            move=move,
            by=manager,
            roles=roles_of(manager, candidate),
            details=details,
        )
    except candidates.CandidateRefused as refused:
        raise DecisionRefused(f"candidate_{refused.code}", refused.message) from refused


def _tell_hr(
    *, decision: Decision, candidate: Candidate, message: DecisionMessage, kind: str
) -> None:
    """One outbox row per HR channel the candidate card names (in the caller's transaction):
    one bad address never stops the other channel."""
    for channel, recipient in (
        (Outbox.Channel.EMAIL, candidate.hr_email),
        (Outbox.Channel.TELEGRAM, candidate.hr_telegram_chat_id.strip()),
    ):
        if recipient:
            notify.outbox_enqueue(
                decision_id=decision.pk,
                kind=kind,
                channel=channel,
                recipient=recipient,
                subject=message.subject,
                body_text=message.text,
                body_html=message.html if channel == Outbox.Channel.EMAIL else "",
            )


def decision_make(
    *,
    session: LiveSession,
    manager: User,
    outcome: str,
    team: Team | None = None,
    reasons: Sequence[RejectionReason] = (),
    comment: str = "",
    hr_language: str | None = None,
) -> Decision:
    """Record the decision, the candidate's new status and one outbox row per HR channel, all
    in one transaction; the deliveries are queued once it commits."""
    _require_manager(manager)
    if outcome == Decision.Outcome.HIRE:
        if team is None:
            raise DecisionRefused("team_required", _("Choose the team to hire into."))
        reasons, comment_required = (), False
    elif outcome == Decision.Outcome.REJECT:
        if not reasons:
            raise DecisionRefused("reason_required", _("Choose at least one reason."))
        team, comment_required = None, True
    else:
        raise DecisionRefused("bad_outcome", _("Choose hire or reject."))
    if hr_language is None:  # the HR contact's language, else the site's
        hr_language = session.candidate.hr_language or settings.HR_LANGUAGE
    elif hr_language not in dict(settings.LANGUAGES):
        raise DecisionRefused("bad_language", _("Choose a language for HR's messages."))
    comment = comment.strip()
    if comment_required and not comment:
        raise DecisionRefused("comment_required", _("Add a comment for HR."))

    with transaction.atomic():
        # The session row's lock serialises two managers deciding at once.
        row = LiveSession.objects.select_for_update().select_related("candidate").get(pk=session.pk)
        if not row.ready_for_decision:
            # The arbiter's rule (finished, every block owner's feedback in), not a copy of it.
            raise DecisionRefused(
                "not_ready", _("Not every interviewer has submitted feedback yet.")
            )
        if Decision.objects.filter(session=row, reopened_at__isnull=True).exists():
            raise DecisionRefused(
                "already_decided", _("This session is already decided. Reopen it to change.")
            )
        revised = Decision.objects.filter(session=row).exists()
        now = timezone.now()
        decision = Decision.objects.create(
            session=row,
            outcome=outcome,
            team=team,
            comment=comment,
            hr_language=hr_language,
            decided_by=manager,
            decided_at=now,
        )
        decision.reasons.set(reasons)
        details = {
            "outcome": outcome,
            "team": team.name if team else None,
            "reasons": [reason.name for reason in reasons],
            "comment": comment,
            "hr_language": hr_language,
        }
        DecisionAudit.objects.create(
            session=row,
            decision=decision,
            kind=DecisionAudit.Kind.DECIDE,
            by=manager,
            at=now,
            details=details,
        )
        candidate = _move_candidate(
            candidate=row.candidate,
            move="hire" if outcome == Decision.Outcome.HIRE else "reject",
            manager=manager,
            details={**details, "session": row.code},
        )
        _tell_hr(
            decision=decision,
            candidate=candidate,
            message=decision_message(decision=decision, revised=revised),
            kind=Outbox.Kind.DECISION,
        )
        transaction.on_commit(lambda: broadcast.cabinet_changed(row.pk))
    return decision


def decision_reopen(*, session: LiveSession, manager: User, note: str = "") -> Decision:
    """Withdraw the current decision so a new one can be made; kept, with who and why, in the
    audit trail. Messages not yet sent are cancelled so HR never gets the withdrawn outcome."""
    _require_manager(manager)
    with transaction.atomic():
        row = LiveSession.objects.select_for_update().get(pk=session.pk)
        decision = Decision.objects.filter(session=row, reopened_at__isnull=True).first()
        if decision is None:
            raise DecisionRefused("not_decided", _("There is no decision to reopen."))
        now = timezone.now()
        decision.reopened_at = now
        decision.reopened_by = manager
        decision.save(update_fields=["reopened_at", "reopened_by"])
        cancelled = notify.outbox_cancel_unsent(decision_id=decision.pk)
        # HR was told (or was about to be): say plainly that the result no longer stands.
        candidate = Candidate.objects.get(pk=row.candidate_id)
        _tell_hr(
            decision=decision,
            candidate=candidate,
            message=reopen_message(decision=decision, note=note.strip()),
            kind=Outbox.Kind.REOPENED,
        )
        DecisionAudit.objects.create(
            session=row,
            decision=decision,
            kind=DecisionAudit.Kind.REOPEN,
            by=manager,
            at=now,
            details={"note": note.strip(), "cancelled_messages": cancelled},
        )
        _move_candidate(
            candidate=candidate,
            move="reopen",
            manager=manager,
            details={"session": row.code, "note": note.strip()},
        )
        transaction.on_commit(lambda: broadcast.cabinet_changed(row.pk))
    return decision


def notification_retry(*, outbox_id: int, manager: User) -> bool:
    """The manager's retry button: a failed row of a current decision goes out again."""
    _require_manager(manager)
    if not Outbox.objects.filter(pk=outbox_id, decision__reopened_at__isnull=True).exists():
        return False
    return notify.outbox_retry(outbox_id=outbox_id)
