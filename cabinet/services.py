"""Writes of the cabinet: decide, reopen, retry a notification. Keyword-only, typed; views
and tasks call these and hold no rules. A decision is on a live session (and so on its
candidate), or on a candidate with no session: the one their one-to-one rounds selected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.roles import roles_of
from accounts.models import User
from cabinet import broadcast, selectors
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


def _subject(
    *, candidate: Candidate | None, session: LiveSession | None
) -> tuple[Candidate, LiveSession | None]:
    """What a decision is on: ``session`` (and its candidate), else ``candidate`` alone."""
    if session is not None:
        if candidate is not None and candidate.pk != session.candidate_id:
            raise ValueError("the session is another candidate's")
        return session.candidate, session
    if candidate is None:
        raise ValueError("decide on a candidate or a session")
    return candidate, None


def _lock_subject(*, candidate: Candidate, session: LiveSession | None) -> Any:
    """The row whose lock serialises two managers deciding at once: the session's (as ever),
    else the candidate's (``candidate_move`` takes it again later, in the same order)."""
    if session is not None:
        return (
            LiveSession.objects.select_for_update().select_related("candidate").get(pk=session.pk)
        )
    return Candidate.objects.select_for_update().get(pk=candidate.pk)


def _decisions_on(*, candidate: Candidate, session: LiveSession | None) -> Any:
    if session is not None:
        return Decision.objects.filter(session=session)
    return Decision.objects.filter(candidate=candidate, session__isnull=True)


def _changed(*, candidate: Candidate, session: LiveSession | None) -> None:
    """Open cabinet pages refresh their lists once this commits."""
    if session is not None:
        session_id = session.pk
        transaction.on_commit(lambda: broadcast.cabinet_changed(session_id))
    else:
        candidate_id = candidate.pk
        transaction.on_commit(lambda: broadcast.cabinet_candidate_changed(candidate_id))


def decision_make(
    *,
    manager: User,
    outcome: str,
    session: LiveSession | None = None,
    candidate: Candidate | None = None,
    team: Team | None = None,
    reasons: Sequence[RejectionReason] = (),
    comment: str = "",
    hr_language: str | None = None,
) -> Decision:
    """Record the decision, the candidate's new status and one outbox row per HR channel, all
    in one transaction; the deliveries are queued once it commits.

    On ``session`` (its feedback all in), or on ``candidate`` with no session: the candidate
    their rounds left to a manager (selected, or every round held and rated:
    ``selectors.candidate_ready_for_decision``)."""
    _require_manager(manager)
    subject, on_session = _subject(candidate=candidate, session=session)
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
        hr_language = subject.hr_language or settings.HR_LANGUAGE
    elif hr_language not in dict(settings.LANGUAGES):
        raise DecisionRefused("bad_language", _("Choose a language for HR's messages."))
    comment = comment.strip()
    if comment_required and not comment:
        raise DecisionRefused("comment_required", _("Add a comment for HR."))

    with transaction.atomic():
        locked = _lock_subject(candidate=subject, session=on_session)
        if on_session is not None:
            on_session = locked
            subject = locked.candidate
            if not locked.ready_for_decision:
                # The arbiter's rule (finished, every block owner's feedback in), not a copy.
                raise DecisionRefused(
                    "not_ready", _("Not every interviewer has submitted feedback yet.")
                )
        decisions = _decisions_on(candidate=subject, session=on_session)
        if decisions.filter(reopened_at__isnull=True).exists():
            if on_session is not None:
                message = _("This session is already decided. Reopen it to change.")
            else:
                message = _("This candidate is already decided on. Reopen it to change.")
            raise DecisionRefused("already_decided", message)
        if on_session is None and not selectors.candidate_ready_for_decision(candidate=locked):
            raise DecisionRefused(
                "not_ready",
                _(
                    "%(name)s is %(status)s: a decision waits until the rounds select them, "
                    "or until every round of theirs is held and rated."
                )
                % {"name": locked.full_name, "status": locked.get_status_display()},
            )
        revised = decisions.exists()
        now = timezone.now()
        decision = Decision.objects.create(
            candidate=subject,
            session=on_session,
            outcome=outcome,
            team=team,
            comment=comment,
            hr_language=hr_language,
            decided_by=manager,
            decided_at=now,
        )
        decision.reasons.set(reasons)
        details: dict[str, Any] = {
            "outcome": outcome,
            "team": team.name if team else None,
            "reasons": [reason.name for reason in reasons],
            "comment": comment,
            "hr_language": hr_language,
        }
        DecisionAudit.objects.create(
            candidate=subject,
            session=on_session,
            decision=decision,
            kind=DecisionAudit.Kind.DECIDE,
            by=manager,
            at=now,
            details=details,
        )
        # The candidate's history names what was decided on: the session, or the rounds.
        about = (
            {"session": on_session.code}
            if on_session is not None
            else {
                "decision": decision.pk,
                "rounds": [r.name for r in selectors.rated_rounds(candidate=subject)],
            }
        )
        moved = _move_candidate(
            candidate=subject,
            move="hire" if outcome == Decision.Outcome.HIRE else "reject",
            manager=manager,
            details={**details, **about},
        )
        _tell_hr(
            decision=decision,
            candidate=moved,
            message=decision_message(decision=decision, revised=revised),
            kind=Outbox.Kind.DECISION,
        )
        _changed(candidate=subject, session=on_session)
    return decision


def decision_reopen(
    *,
    manager: User,
    session: LiveSession | None = None,
    candidate: Candidate | None = None,
    note: str = "",
) -> Decision:
    """Withdraw the current decision (on ``session``, or on ``candidate`` without a session)
    so a new one can be made; kept, with who and why, in the audit trail. Messages not yet
    sent are cancelled so HR never gets the withdrawn outcome."""
    _require_manager(manager)
    subject, on_session = _subject(candidate=candidate, session=session)
    note = note.strip()
    with transaction.atomic():
        locked = _lock_subject(candidate=subject, session=on_session)
        if on_session is not None:
            on_session = locked
        decision = (
            _decisions_on(candidate=subject, session=on_session)
            .filter(reopened_at__isnull=True)
            .first()
        )
        if decision is None:
            raise DecisionRefused("not_decided", _("There is no decision to reopen."))
        now = timezone.now()
        decision.reopened_at = now
        decision.reopened_by = manager
        decision.save(update_fields=["reopened_at", "reopened_by"])
        cancelled = notify.outbox_cancel_unsent(decision_id=decision.pk)
        # HR was told (or was about to be): say plainly that the result no longer stands.
        row = Candidate.objects.get(pk=subject.pk)
        _tell_hr(
            decision=decision,
            candidate=row,
            message=reopen_message(decision=decision, note=note),
            kind=Outbox.Kind.REOPENED,
        )
        DecisionAudit.objects.create(
            candidate=row,
            session=on_session,
            decision=decision,
            kind=DecisionAudit.Kind.REOPEN,
            by=manager,
            at=now,
            details={"note": note, "cancelled_messages": cancelled},
        )
        about = (
            {"session": on_session.code} if on_session is not None else {"decision": decision.pk}
        )
        _move_candidate(
            candidate=row,
            move="reopen",
            manager=manager,
            details={**about, "note": note},
        )
        _changed(candidate=row, session=on_session)
    return decision


def notification_retry(*, outbox_id: int, manager: User) -> bool:
    """The manager's retry button: a failed row of a current decision goes out again."""
    _require_manager(manager)
    if not Outbox.objects.filter(pk=outbox_id, decision__reopened_at__isnull=True).exists():
        return False
    return notify.outbox_retry(outbox_id=outbox_id)
