"""Template context: what the signed-in person may do, for the navigation bar (asked of the
access module, so a link shows exactly when its page lets the person in)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

import access
import access.video


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {
        "can": {
            "interview": access.can_run_interviews(user),
            "decide": access.can_decide(user),
            "edit_questions": access.can_keep_bank(user),
            "recruit": access.can_manage_candidates(user),
            "view_positions": access.can_view_positions(user),
            "view_vendors": access.can_view_vendors(user),
            "manage_plans": access.can_manage_plans(user),
            "manage_interviews": access.can_manage_interviews(user),
            "view_plans": access.can_view_plans(user),
            "manage_people": access.can_manage_people(user),
            "view_reports": access.can_view_reports(user),
            "edit_availability": access.can_edit_own_availability(user),
            "view_scheduler_runs": access.can_view_scheduler_runs(user),
            "video_interviews": access.video.can_manage_video_interviews(user),
            "video_reviews": access.video.can_use_review_queue(user),
        }
    }
