"""Who may onboard people and set their roles: part of the one access module (``access``
re-exports it).

* recruiters (``manage_candidates``) keep people: the People page and ``/api/users/``;
* a recruiter grants and takes away the ``interviewer`` and ``recruiter`` roles; the
  ``manager`` and ``question editor`` roles only a recruiter who is a manager too, or a
  superuser; nobody grants superuser or staff status here (the admin does, for superusers);
* nobody changes their own roles or deactivates themselves here (no one locks themselves out
  or raises themselves);
* a person may be changed (roles, deactivation, a new set-password link) only by someone
  who could have given them every role they hold: a recruiter does not deactivate a manager,
  and only a superuser changes a superuser;
* people are never deleted, only deactivated (and reactivated).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

# ``access`` imports this module while it loads: the role constants are read at call time,
# so they stay defined once, there.
import access
from access.bank import has_any
from access.bank import signed_in as _signed_in
from accounts.roles import INTERVIEWER, MANAGER, QUESTION_EDITOR, RECRUITER, ROLE_PERMISSIONS

# Roles every keeper of people may grant, and those that take a manager (or a superuser).
RECRUITER_GRANTS = frozenset({INTERVIEWER, RECRUITER})
MANAGER_GRANTS = frozenset({MANAGER, QUESTION_EDITOR})


def can_manage_people(user: Any) -> bool:
    """The People page and ``/api/users/``: list, create, change roles, deactivate."""
    return has_any(user, [access.RECRUIT])


def grantable_roles(user: Any) -> frozenset[str]:
    """The roles ``user`` may give or take away (names of ``accounts.roles``)."""
    if not can_manage_people(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLE_PERMISSIONS)
    if has_any(user, [access.DECIDE]):
        return RECRUITER_GRANTS | MANAGER_GRANTS
    return RECRUITER_GRANTS


def _role_names(person: Any) -> set[str]:
    return {group.name for group in person.groups.all()}


def can_change_person(user: Any, person: Any) -> bool:
    """Change ``person``'s roles or active flag, or send them a new set-password link: not
    oneself, not a superuser (unless one is), and nobody holding a role ``user`` may not
    grant."""
    if not can_manage_people(user) or not _signed_in(user) or person.pk == user.pk:
        return False
    if person.is_superuser and not user.is_superuser:
        return False
    return _role_names(person) <= grantable_roles(user)


def can_set_roles(user: Any, person: Any, roles: Collection[str]) -> bool:
    """Give ``person`` exactly ``roles`` (every other role taken away)."""
    return can_change_person(user, person) and set(roles) <= grantable_roles(user)


def can_create_person(user: Any, roles: Collection[str]) -> bool:
    """Create a person holding ``roles``."""
    return can_manage_people(user) and set(roles) <= grantable_roles(user)


def can_set_active(user: Any, person: Any) -> bool:
    """Deactivate or reactivate ``person`` (never oneself)."""
    return can_change_person(user, person)
