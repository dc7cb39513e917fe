"""Role checks of the API: the same Django permissions the pages check, named per action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

RUN_INTERVIEWS = "accounts.run_interviews"
DECIDE = "accounts.decide_candidates"
MANAGE_CANDIDATES = "accounts.manage_candidates"
# People who work with candidates: the pages let each of them see some candidates and sessions.
CANDIDATE_ROLES = (RUN_INTERVIEWS, DECIDE, MANAGE_CANDIDATES)


class HasAll(BasePermission):
    """Every permission in ``perms`` (all of them)."""

    def __init__(self, perms: Sequence[str]) -> None:
        self.perms = tuple(perms)

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perms(self.perms))


class HasAny(HasAll):
    """At least one permission in ``perms``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user) and any(user.has_perm(perm) for perm in self.perms)


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
