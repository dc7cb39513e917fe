"""Celery tasks of the interviews app: thin shells (the beat schedule is in settings)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from interviews import reminders


@shared_task(name="interviews.reminders_due", ignore_result=True)
def reminders_due() -> int:
    """Every ``REMINDER_EVERY_SECONDS``: send the reminders due now (each exactly once)."""
    return len(reminders.reminders_due(now=timezone.now()))
