"""Named people of the one-way interview tests: Rita the recruiter, and the outbox's broker
kept out of the way (these tests read the rows; the SMTP tests deliver them)."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def rita(roles):  # noqa: ANN001, ANN201
    return UserFactory(
        username="rita", first_name="Rita", last_name="Recruiter", roles=["recruiter"]
    )


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(
        "notify.services.queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued
