"""An answer's processing goes to ``VIDEO_QUEUE``, a Celery queue of its own, so a long encode
never delays the mail on ``NOTIFY_QUEUE``; ``manage.py serve`` (the embedded default) runs a
worker for each, one when the two are set to one queue. The message is read back from the real
broker (this run's Redis), on a queue named for this test alone."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from config.celery import app as celery_app
from sessions_live.management.commands.serve import worker_commands
from video_interviews import tasks


def _take(queue: str) -> Any:
    """The next message on ``queue`` (acknowledged), or None when there is none. The publish
    is done when ``apply_async`` returns, so nothing is waited for."""
    with celery_app.connection_for_read() as connection:
        simple = connection.SimpleQueue(queue)
        try:
            message = simple.get(block=False)
            message.ack()
            return message
        except simple.Empty:
            return None
        finally:
            simple.close()


@pytest.mark.django_db
def test_an_answers_processing_is_queued_on_the_video_queue_not_the_mails(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    settings.NOTIFY_QUEUE, settings.VIDEO_QUEUE = f"test-mail-{tag}", f"test-video-{tag}"
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_processing(4242)
    message = _take(settings.VIDEO_QUEUE)
    assert message is not None
    assert message.headers["task"] == "video_interviews.process_answer"
    assert message.payload[0] == [4242]
    assert _take(settings.NOTIFY_QUEUE) is None


def test_serve_runs_a_worker_for_the_mail_and_one_for_the_videos(settings: Any) -> None:
    settings.NOTIFY_QUEUE, settings.VIDEO_QUEUE = "celery", "video"
    mail, video = worker_commands("/venv/bin")
    assert mail[mail.index("-Q") + 1] == "celery" and "-B" in mail  # beat: with the mail
    assert video[video.index("-Q") + 1] == "video" and "-B" not in video
    # Prefork with one child: the processing's time limits hold (the solo pool has none).
    assert "solo" not in video and video[video.index("--concurrency") + 1] == "1"
    assert video[video.index("-n") + 1] != "celery@%h"  # two workers, two names


def test_one_queue_for_everything_is_one_worker(settings: Any) -> None:
    settings.NOTIFY_QUEUE = settings.VIDEO_QUEUE = "celery"
    [worker] = worker_commands("/venv/bin")
    assert worker[worker.index("-Q") + 1] == "celery"
