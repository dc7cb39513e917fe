"""Who may do what with one-way video interviews: part of the one access module.

Staff side:

* recruiters (``accounts.manage_candidates``; a superuser holds every permission) build
  interviews, invite, revoke, resend and remind, keep question-set templates, and see every
  interview with its invitations and their delivery;
* to pick questions from the bank for an interview they read the bank's question texts (not
  the reference answers) on the wizard's page, though their role has no bank permission;
* nobody else opens these pages or their API.

Candidate side (``accounts.User.kind == "candidate"``; no predicate above lets one in,
``access.bank.signed_in`` refuses them):

* a candidate uses their own area (dashboard, adding an interview by its code, their
  interviews' pages) and sees only the invitations they added themselves, never a revoked
  one;
* staff accounts do not use the candidates' area.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

# ``access`` imports nothing from here while it loads: names are read at call time.
import access
from access.bank import has_all


def can_manage_video_interviews(user: Any) -> bool:
    return has_all(user, [access.RECRUIT])


def can_view_video_interview(user: Any, interview: Any) -> bool:
    return can_manage_video_interviews(user)


def can_pick_bank_questions(user: Any) -> bool:
    """The wizard's bank picker: question texts by topic, no reference answers."""
    return can_manage_video_interviews(user)


def visible_video_interviews(*, user: Any) -> QuerySet[Any]:
    from video_interviews.models import VideoInterview

    interviews = VideoInterview.objects.all()
    return interviews if can_manage_video_interviews(user) else interviews.none()


def is_candidate(user: Any) -> bool:
    """An active candidate's account, signed in."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "kind", "") == "candidate"
    )


def can_use_candidate_area(user: Any) -> bool:
    return is_candidate(user)


def own_invitations(*, user: Any) -> QuerySet[Any]:
    """The invitations a candidate added to their dashboard (revoked ones leave it)."""
    from video_interviews.models import Invitation

    if not is_candidate(user):
        return Invitation.objects.none()
    return Invitation.objects.filter(candidate=user).exclude(status=Invitation.Status.REVOKED)


def can_open_invitation(user: Any, invitation: Any) -> bool:
    return own_invitations(user=user).filter(pk=invitation.pk).exists()
