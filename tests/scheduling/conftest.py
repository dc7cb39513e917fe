"""Fixtures the scheduler's tests share; a module asks for them with
``pytest.mark.usefixtures`` (none is autouse, so the DST tests keep their own clocks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.scheduling.scheduler_world import NOW


@pytest.fixture
def frozen() -> Iterator[None]:
    """The clock stands at the world's NOW."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox rows are written; nothing is handed to a broker (no worker runs here)."""
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)
