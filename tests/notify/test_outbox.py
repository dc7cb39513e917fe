"""The outbox's rules, one send at a time against the real peers: which errors end retries,
how long to wait, who may claim a row, and what the beat job picks up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from notify import services
from notify.models import Outbox
from tests.notify.peers import TG_429, TG_500, TOKEN


@pytest.fixture
def wired(settings: Any, peers):  # noqa: ANN001, ANN201
    """This process sends straight to the loopback peers, as a worker would."""
    smtp, telegram = peers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_BASE_URL = telegram.base_url
    settings.NOTIFY_RETRY_BASE_SECONDS = 10
    settings.NOTIFY_RETRY_MAX_SECONDS = 60
    return smtp, telegram


def enqueue(channel: str, recipient: str) -> Outbox:
    with transaction.atomic():
        return services.outbox_enqueue(
            channel=channel,
            recipient=recipient,
            subject="Hi",
            body_text="Hello",
            body_html="<p>Hello</p>",
        )


@pytest.fixture(autouse=True)
def captured(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(
        services, "queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued


def test_a_refused_address_fails_the_row_for_good(db, wired) -> None:  # noqa: ANN001
    smtp, _telegram = wired
    smtp.refuse.add("gone@example.com")
    row = enqueue("email", "gone@example.com")
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.Failed)
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error.startswith("recipient refused: gone@example.com: 550")
    assert smtp.messages == []


def test_an_unknown_chat_fails_the_row_for_good(db, wired) -> None:  # noqa: ANN001
    _smtp, telegram = wired
    telegram.script.append(
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
    )
    row = enqueue("telegram", "999")
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.Failed)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("failed", "Chat not found")


def test_transient_errors_back_off_exponentially_and_429_waits_at_least_retry_after(
    db, wired, settings
) -> None:  # noqa: ANN001
    _smtp, telegram = wired
    settings.NOTIFY_RETRY_BASE_SECONDS = 0  # so that only retry_after decides the first wait
    telegram.script[:] = [(429, {**TG_429[1], "parameters": {"retry_after": 7}})]
    row = enqueue("telegram", "4242")
    assert services.outbox_deliver(outbox_id=row.pk) == services.RetryLater(7.0)
    row.refresh_from_db()
    assert row.status == "pending" and row.claim_token is None
    assert timedelta(seconds=6) < row.next_attempt_at - timezone.now() <= timedelta(seconds=7)
    settings.NOTIFY_RETRY_BASE_SECONDS = 10
    assert [services.backoff_seconds(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]


def test_it_gives_up_after_the_last_attempt_and_says_so(db, wired, settings) -> None:  # noqa: ANN001
    _smtp, telegram = wired
    settings.NOTIFY_MAX_ATTEMPTS = 2
    telegram.script[:] = [TG_500, TG_500]
    row = enqueue("telegram", "4242")
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.RetryLater)
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.Failed)
    row.refresh_from_db()
    assert (
        row.status == "failed"
        and row.last_error == "gave up after 2 attempts: Internal Server Error"
    )


def test_a_row_is_claimed_by_one_sender_and_marked_sent_once(db, wired) -> None:  # noqa: ANN001
    row = enqueue("telegram", "4242")
    token = services.outbox_claim(outbox_id=row.pk)
    assert token is not None
    assert services.outbox_claim(outbox_id=row.pk) is None  # held: nobody else gets it
    assert services.outbox_deliver(outbox_id=row.pk) == services.NotMine()
    # Its lease runs out (the holder died): the next claimer takes it over.
    later = timezone.now() + timedelta(seconds=3600)
    assert services.outbox_claim(outbox_id=row.pk, now=later) not in (None, token)
    row.refresh_from_db()
    assert row.attempts == 2
    # The first holder's late "sent" no longer matches its token: it cannot mark the row.
    assert services._finish(row, token, status="sent", last_error="") is False


def test_the_beat_job_requeues_rows_whose_task_was_lost(db, wired, settings, captured) -> None:  # noqa: ANN001
    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 60
    now = timezone.now()
    fresh = enqueue("email", "a@example.com")  # its task is surely still on its way
    forgotten = enqueue("email", "b@example.com")
    Outbox.objects.filter(pk=forgotten.pk).update(next_attempt_at=now - timedelta(minutes=5))
    abandoned = enqueue("email", "c@example.com")
    Outbox.objects.filter(pk=abandoned.pk).update(
        status="sending", claimed_until=now - timedelta(seconds=1)
    )
    held = enqueue("email", "d@example.com")
    Outbox.objects.filter(pk=held.pk).update(
        status="sending", claimed_until=now + timedelta(minutes=1)
    )
    done = enqueue("email", "e@example.com")
    Outbox.objects.filter(pk=done.pk).update(
        status="sent", next_attempt_at=now - timedelta(hours=1)
    )
    failed = enqueue("email", "f@example.com")
    Outbox.objects.filter(pk=failed.pk).update(
        status="failed", next_attempt_at=now - timedelta(hours=1)
    )
    captured.clear()
    assert services.outbox_requeue_stuck(now=now) == [forgotten.pk, abandoned.pk]
    assert captured == [forgotten.pk, abandoned.pk]
    assert fresh.pk not in captured


@pytest.mark.django_db(transaction=True)
def test_rows_are_only_written_inside_their_causes_transaction_and_queued_after_commit(
    captured,
) -> None:  # noqa: ANN001
    with pytest.raises(RuntimeError):
        services.outbox_enqueue(
            channel="email", recipient="a@example.com", subject="", body_text="x"
        )
    with transaction.atomic():
        row = services.outbox_enqueue(
            channel="email", recipient="a@example.com", subject="", body_text="x"
        )
        assert captured == []  # not before commit
    assert captured == [row.pk]
    with pytest.raises(ValueError), transaction.atomic():
        services.outbox_enqueue(
            channel="email", recipient="b@example.com", subject="", body_text="x"
        )
        raise ValueError("the cause failed after the row was written")
    assert captured == [row.pk] and Outbox.objects.count() == 1  # rolled back: never queued


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_down(outbox_id: int, countdown: float | None = None) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(services, "queue_delivery", broker_down)
    with transaction.atomic():
        row = services.outbox_enqueue(
            channel="email", recipient="a@example.com", subject="", body_text="x"
        )
    # The commit went through despite the broker; the row waits for the beat job.
    row.refresh_from_db()
    assert row.status == "pending"
    queued: list[int] = []
    monkeypatch.setattr(
        services, "queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    assert services.outbox_requeue_stuck(now=timezone.now() + timedelta(minutes=5)) == [row.pk]
    assert queued == [row.pk]
