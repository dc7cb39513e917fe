"""Celery tasks of the outbox: thin shells over ``notify.services``."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from notify import services


@shared_task(
    bind=True,
    name="notify.outbox_deliver",
    # A message is removed from the broker only after the task ran; a worker killed
    # mid-send leaves it to be delivered again (the claim keeps that to one sender).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the row counts its attempts (NOTIFY_MAX_ATTEMPTS)
    ignore_result=True,
)
def outbox_deliver(self: Any, outbox_id: int) -> str:
    result = services.outbox_deliver(outbox_id=outbox_id)
    if isinstance(result, services.RetryLater):
        raise self.retry(countdown=result.after, queue=settings.NOTIFY_QUEUE)
    return type(result).__name__


@shared_task(name="notify.outbox_requeue_stuck", ignore_result=True)
def outbox_requeue_stuck() -> int:
    return len(services.outbox_requeue_stuck())
