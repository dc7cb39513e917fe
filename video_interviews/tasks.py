"""The one-way interviews' beat job: every ``VIDEO_EVERY_SECONDS``, expire the invitations
past their deadline and send the automatic reminders that are due (once per invitation)."""

from __future__ import annotations

from celery import shared_task

from video_interviews import services


@shared_task(name="video_interviews.due")
def due() -> dict[str, int]:
    return {
        "expired": services.invitations_expire(),
        "reminded": services.reminders_due(),
    }
