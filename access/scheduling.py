"""Who may keep and see availability and run the scheduler: part of the one access module
(``access`` re-exports it).

* interviewers keep their own availability (slots, weekly hours, exceptions, capacity);
* recruiters keep candidates' slots — the candidates they may see (``access.can_view_candidate``;
  a recruiter sees every candidate) — and see anyone's availability;
* a person sees their own; nobody else sees anyone's;
* recruiters run the scheduler (now, or a preview); recruiters and managers see its runs.

A superuser holds every permission, so passes every check here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

# ``access`` imports this module while it loads: its names are read at call time.
import access
from access.bank import has_all, has_any, signed_in


def can_edit_own_availability(user: Any) -> bool:
    return has_all(user, [access.INTERVIEW])


def can_manage_candidate_availability(user: Any, candidate: Any) -> bool:
    return access.can_manage_candidates(user) and access.can_view_candidate(user, candidate)


def can_view_availability(user: Any, owner: Any) -> bool:
    """``owner``: a person (their own availability) or a candidate (the slots kept for them)."""
    from candidates.models import Candidate

    if not signed_in(user):
        return False
    if isinstance(owner, Candidate):
        return can_manage_candidate_availability(user, owner)
    return owner.pk == user.pk or access.can_manage_candidates(user)


def can_run_scheduler(user: Any) -> bool:
    return has_all(user, [access.RECRUIT])


def can_view_scheduler_runs(user: Any) -> bool:
    return has_any(user, [access.RECRUIT, access.DECIDE])


def holders(permission: str) -> QuerySet[Any]:
    """Active people who hold ``permission`` (by a group, as their own, or as superusers)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    app, codename = permission.split(".")
    perm = Q(permissions__content_type__app_label=app, permissions__codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__in=Group.objects.filter(perm))
            | Q(
                user_permissions__content_type__app_label=app,
                user_permissions__codename=codename,
            )
        )
        .distinct()
        .order_by("pk")
    )


def recruiters() -> QuerySet[Any]:
    """Active people who keep candidates (by a group, a permission of their own, or as
    superusers): those told about a slot removed under an interview, or a round not placed."""
    return holders(access.RECRUIT)


def visible_slots(*, user: Any) -> QuerySet[Any]:
    """The slots ``user`` may read and change: their own (an interviewer's) and those of the
    candidates whose availability they keep (a recruiter's)."""
    from scheduling.models import Slot

    if not signed_in(user):
        return Slot.objects.none()
    mine = Q(user_id=user.pk) if can_edit_own_availability(user) else Q(pk__in=[])
    if access.can_manage_candidates(user):
        mine |= Q(candidate__in=access.visible_candidates(user=user).values("pk"))
    return Slot.objects.filter(mine)
