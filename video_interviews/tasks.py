"""The one-way interviews' tasks: the beat job (every ``VIDEO_EVERY_SECONDS``, expire the
invitations past their deadline, send the automatic reminders that are due, once per
invitation, and remove the part files of takes nobody will finish) and an answer's
processing (``video_interviews.processing``), on ``VIDEO_QUEUE``; the beat job runs from
``NOTIFY_QUEUE``."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from video_interviews import processing, services


@shared_task(name="video_interviews.due")
def due() -> dict[str, int]:
    from video_interviews import recording

    return {
        "expired": services.invitations_expire(),
        "reminded": services.reminders_due(),
        "uploads_swept": recording.parts_sweep(),
    }


# The storage failing is retried after 30 s, 2 min, 8 min, 32 min; then the answer is FAILED
# ("storage") and waits for `manage.py video_reprocess`. A recording refused is final at once.
PROCESS_RETRIES = 4


@shared_task(
    bind=True,
    name="video_interviews.process_answer",
    # A worker killed mid-way leaves the message to be delivered again; the answer's claim
    # keeps that to one processing (a PROCESSING row is taken again only once it is stale).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=PROCESS_RETRIES,
    ignore_result=True,
    # A wedged encode is stopped (soft: the answer is FAILED) before the claim goes stale.
    soft_time_limit=20 * 60,
    time_limit=22 * 60,
)
def process_answer(self: Any, answer_id: int) -> None:
    try:
        processing.process_answer(answer_id, last_attempt=self.request.retries >= self.max_retries)
    except processing.StorageError as error:
        countdown = 30 * 4**self.request.retries
        raise self.retry(exc=error, countdown=countdown, queue=settings.VIDEO_QUEUE) from error


def queue_processing(answer_id: int) -> None:
    """Hand an answer to the processing once the transaction that made it UPLOADED commits (at
    once outside one), on ``VIDEO_QUEUE``: a queue of its own, so a long encode never delays
    the mail on ``NOTIFY_QUEUE`` (unless the two are set to one). A broker that is down is
    logged, not raised: the answer stays UPLOADED and `manage.py video_reprocess --stuck`
    queues it again."""
    transaction.on_commit(
        lambda: process_answer.apply_async((answer_id,), queue=settings.VIDEO_QUEUE),
        robust=True,
    )
