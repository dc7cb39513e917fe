"""Writes of the candidate: create it, move its status. Keyword-only, typed; the only code
that writes a candidate's status or its history of moves.

Each move asks the pure rules (``candidates.lifecycle.check_move``) under the candidate row's
lock and writes the new status and one history event (the move, who, details) in the same
transaction. Who acts is given as lifecycle roles by the caller: a person's roles come from
``access.roles.roles_of`` (this lower app imports no higher one); a service acting on a fact
(a session started) passes ``{"system"}``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from candidates import lifecycle
from candidates.models import Candidate, CandidateEvent

if TYPE_CHECKING:
    from accounts.models import User

# The moves as the person reading a refusal calls them.
MOVE_LABELS = {
    "schedule": pgettext_lazy("candidate move", "schedule"),
    "start": pgettext_lazy("candidate move", "start interviewing"),
    "select": pgettext_lazy("candidate move", "select"),
    "reject": pgettext_lazy("candidate move", "reject"),
    "hire": pgettext_lazy("candidate move", "hire"),
    "withdraw": pgettext_lazy("candidate move", "withdraw"),
    "reopen": pgettext_lazy("candidate move", "reopen"),
}


class CandidateRefused(Exception):
    """A move the lifecycle does not allow; ``code`` is the lifecycle's, ``message`` is for
    the person (translated)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _refusal_message(refused: lifecycle.Refused) -> str:
    move = str(MOVE_LABELS.get(refused.move, refused.move))
    status = str(dict(Candidate.Status.choices).get(refused.source, refused.source))
    if refused.code == lifecycle.NOT_FROM_HERE:
        return _("The candidate is %(status)s: “%(move)s” is not possible from there.") % {
            "status": status,
            "move": move,
        }
    if refused.code == lifecycle.NOT_ALLOWED:
        return _("You may not make the move “%(move)s” for this candidate.") % {"move": move}
    if refused.code == lifecycle.UNKNOWN_MOVE:
        return _("There is no such move for a candidate: %(move)s.") % {"move": move}
    return _("The candidate's status “%(status)s” is unknown.") % {"status": status}


def candidate_create(
    *, by: User | None, fields: Mapping[str, Any], resume: UploadedFile | None = None
) -> Candidate:
    """A new candidate card in ``created``, with its first history event."""
    if "status" in fields:
        raise ValueError("a new candidate starts as created; its status moves by the lifecycle")
    with transaction.atomic():
        candidate = Candidate(**fields, created_by=by)
        if resume is not None:
            candidate.resume_name = (resume.name or "resume.pdf")[:200]
            candidate.resume.save("resume.pdf", resume, save=False)
        candidate.save()
        CandidateEvent.objects.create(candidate=candidate, kind="created", by=by)
    return candidate


def candidate_move(
    *,
    candidate: Candidate | int,
    move: str,
    by: User | None = None,
    roles: Collection[str],
    details: Mapping[str, Any] | None = None,
) -> Candidate:
    """Make ``move`` on ``candidate`` as someone holding ``roles``: the new status and one
    history event, or ``CandidateRefused`` and nothing written. Returns the row as moved."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        row = Candidate.objects.select_for_update().get(pk=pk)
        outcome = lifecycle.check_move(row.status, move, roles)
        if isinstance(outcome, lifecycle.Refused):
            raise CandidateRefused(outcome.code, _refusal_message(outcome))
        row.status = outcome.target
        row.save(update_fields=["status", "updated_at"])
        CandidateEvent.objects.create(
            candidate=row,
            kind=move,
            by=by,
            details={"from": outcome.source, "to": outcome.target, **(details or {})},
        )
    if isinstance(candidate, Candidate):
        candidate.status = row.status
        candidate.updated_at = row.updated_at
    return row
