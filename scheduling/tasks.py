"""Celery tasks of the scheduler: thin shells (the beat schedule is in settings)."""

from __future__ import annotations

from celery import shared_task

from scheduling import booking


@shared_task(name="scheduling.run_scheduler", ignore_result=True)
def run_scheduler() -> int:
    """Every ``SCHEDULER_EVERY_SECONDS`` (an hour): book what can be booked, tell the
    recruiters what cannot. Returns the run's id."""
    return booking.scheduler_run().pk
