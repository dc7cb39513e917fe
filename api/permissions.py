"""Role checks of the API: DRF permission classes that ask the one access module, named per
action (they hold no rule of their own)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

import access

RUN_INTERVIEWS = access.INTERVIEW
DECIDE = access.DECIDE
MANAGE_CANDIDATES = access.RECRUIT
# People who work with candidates: the pages let each of them see some candidates and sessions.
CANDIDATE_ROLES = access.CANDIDATE_ROLES


class Allows(BasePermission):
    """The person passes ``predicate`` (an ``access`` predicate of one user)."""

    def __init__(self, predicate: Callable[[Any], bool]) -> None:
        self.predicate = predicate

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user) and self.predicate(request.user)


class HasAll(BasePermission):
    """Every permission in ``perms`` (all of them), as ``access.has_all`` decides."""

    def __init__(self, perms: Sequence[str]) -> None:
        self.perms = tuple(perms)

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user) and access.has_all(request.user, self.perms)


class HasAny(HasAll):
    """At least one permission in ``perms``, as ``access.has_any`` decides."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user) and access.has_any(request.user, self.perms)


class RolePermissionsMixin:
    """``action_permissions`` maps a view action to the check it needs; an action not
    listed is refused, so a new action cannot be open by accident."""

    action_permissions: dict[str, BasePermission] = {}
    action: str | None

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "metadata":  # OPTIONS: describes the endpoint, changes nothing
            return [IsAuthenticated()]
        check = self.action_permissions.get(self.action or "")
        return [IsAuthenticated(), check if check is not None else _Nobody()]


class _Nobody(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return False
