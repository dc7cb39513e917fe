"""Template context: what the signed-in person may do, for the navigation bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {
        "can": {
            "interview": user.has_perm("accounts.run_interviews"),
            "decide": user.has_perm("accounts.decide_candidates"),
            "edit_questions": user.has_perm("questionbank.change_question"),
            "recruit": user.has_perm("accounts.manage_candidates"),
        }
    }
