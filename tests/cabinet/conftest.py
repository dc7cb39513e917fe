"""Fixtures for the cabinet: teams and reasons as an admin keeps them, a recruiter, and the
notification tests' real SMTP peer and worker (for the deliveries followed to the wire)."""

from __future__ import annotations

import pytest

from cabinet.models import RejectionReason, Team
from tests.notify.conftest import (  # noqa: F401 - the real peers and worker, by name
    broker_url,
    peers,
    publish_to,
    queue_name,
    smtp,
    telegram,
    worker,
)


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


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    from tests.factories import UserFactory

    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])
