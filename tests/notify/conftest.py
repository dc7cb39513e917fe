"""Fixtures for the notification tests: real SMTP and Bot API peers on loopback, a Redis
database of their own for the broker, and real Celery worker processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.notify.peers import TOKEN, SmtpPeer, TelegramPeer, Worker, child_env, start_worker

# The broker lives in its own Redis database during these tests, flushed before and after,
# so that nothing is left behind for (or taken from) anyone else's queues.
BROKER_DB = 14


def _broker_url() -> str:
    base = (
        settings.REDIS_URL.rsplit("/", 1)[0]
        if settings.REDIS_URL.count("/") > 2
        else settings.REDIS_URL
    )
    return f"{base}/{BROKER_DB}"


@pytest.fixture(scope="session")
def broker_url() -> Iterator[str]:
    url = _broker_url()
    redis.Redis.from_url(url).flushdb()
    # Point this process's Celery app (it publishes on commit) at the same database. Pools
    # are built lazily, so dropping them makes the next publish use the new URL.
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpPeer]:
    peer = SmtpPeer()
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def telegram() -> Iterator[TelegramPeer]:
    peer = TelegramPeer()
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def queue_name() -> str:
    return f"notify-test-{uuid.uuid4().hex[:8]}"


def database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django created
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(
    smtp: SmtpPeer, telegram: TelegramPeer, queue: str, broker: str, **extra: str
) -> dict[str, str]:
    settings_for_worker = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_TIMEOUT": "5",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_TIMEOUT": "5",
        "NOTIFY_QUEUE": queue,
        "NOTIFY_RETRY_BASE_SECONDS": "1",
        "NOTIFY_LEASE_SECONDS": "20",
        "NOTIFY_REQUEUE_EVERY_SECONDS": "1",
        "NOTIFY_REQUEUE_GRACE_SECONDS": "3",
    }
    return child_env(**{**settings_for_worker, **extra})


@pytest.fixture(scope="module")
def worker(
    django_db_setup: Any,
    broker_url: str,
    smtp: SmtpPeer,
    telegram: TelegramPeer,
    queue_name: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Worker]:
    """One worker (with beat) for the module, consuming this module's queue."""
    tmp: Path = tmp_path_factory.mktemp("worker")
    running = start_worker(
        worker_env(smtp, telegram, queue_name, broker_url), tmp, queue=queue_name
    )
    yield running
    running.stop()


@pytest.fixture
def peers(smtp: SmtpPeer, telegram: TelegramPeer) -> Iterator[tuple[SmtpPeer, TelegramPeer]]:
    smtp.reset()
    telegram.reset()
    yield smtp, telegram


@pytest.fixture
def publish_to(settings: Any, queue_name: str) -> str:
    """Make this process queue deliveries where the module's worker listens."""
    settings.NOTIFY_QUEUE = queue_name
    # The enqueuing process decides whether a channel is configured (unconfigured rows are
    # written ``skipped``), so it must see the same bot token as the worker.
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    return queue_name
