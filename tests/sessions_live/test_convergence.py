"""A process delivers a stored version its sockets missed (no push, no deadline)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from sessions_live import timers


class FakeSocket:
    def __init__(self, version: int) -> None:
        self.state = SimpleNamespace(version=version)
        self.events: list[dict[str, Any]] = []

    async def session_state(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.state = SimpleNamespace(version=event["version"])


def test_it_delivers_a_newer_stored_version_to_its_own_sockets(monkeypatch) -> None:
    monkeypatch.setattr(timers, "CONVERGE_GRACE_SECONDS", 0)
    reads: list[list[int]] = []

    async def versions(ids: list[int]) -> dict[int, int]:
        return {1: 7, 2: 3}

    async def states(ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
        reads.append(ids)
        return {1: (7, {"version": 7})}

    async def advance(_id: int) -> None:
        return None

    async def run() -> tuple[list[int], FakeSocket, FakeSocket]:
        clock = timers.SessionTimers(advance, versions, states)
        behind, current = FakeSocket(5), FakeSocket(3)
        clock.watch(1, behind)
        clock.watch(2, current)
        healed = await clock.converge()
        clock.unwatch(1, behind)
        clock.unwatch(2, current)
        return healed, behind, current

    healed, behind, current = asyncio.run(run())
    assert healed == [1] and reads == [[1]]  # the session up to date is not read
    assert behind.state.version == 7 and behind.events[0]["type"] == "session.state"
    assert current.events == []
