"""Fixtures for the cabinet: teams and reasons as an admin keeps them, and a decided session."""

from __future__ import annotations

import pytest

from cabinet.models import RejectionReason, Team


@pytest.fixture
def platform(db) -> Team:  # noqa: ANN001
    return Team.objects.create(name="Platform")


@pytest.fixture
def payments(db) -> Team:  # noqa: ANN001
    return Team.objects.create(name="Payments")


@pytest.fixture
def weak_sql(db) -> RejectionReason:  # noqa: ANN001
    return RejectionReason.objects.create(name="Weak SQL")


@pytest.fixture
def no_culture_fit(db) -> RejectionReason:  # noqa: ANN001
    return RejectionReason.objects.create(name="Culture fit")


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Cabinet tests check what is queued, not Celery: capture it instead of publishing.
    (tests/notify runs the real broker and workers.)"""
    queued: list[int] = []
    monkeypatch.setattr(
        "notify.services.queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued
