"""The clocks of one server process's live sessions, each with a start and a stop (the hub
of sessions_live/hub.py owns them): one wake-up per session this process serves, at the
session's next deadline; the convergence check; the presence heartbeat.

Nothing here is needed by another process: the deadline lives in the state, and a process
that dies just stops waking; the others (or the next connect) advance the session.

Each process also checks, every ``CONVERGE_SECONDS``, the stored version of every session it
holds sockets for against the version its sockets show (one query for all of them), and
delivers a newer stored state to its own sockets. A push that never left the process that
committed it (Redis away, then ``kill -9``) so costs the other pages a few seconds, not a
deadline or a reload.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# Fire a hair after the deadline so the advance never runs just before it is due.
GRACE_SECONDS = 0.005
# Plus an offset of this process's own (0-30 ms): with several processes serving one session
# the earliest advances it, and its push usually reaches the others before their own wake-up,
# which the push then moves to the next deadline. Without it every process woke at the same
# instant and each hand-over cost one locked advance per process (the later ones finding
# nothing due), doubling the timers' database work with two processes.
PROCESS_OFFSET_SECONDS = random.uniform(0.0, 0.03)
RETRY_SECONDS = 1.0
CONVERGE_SECONDS = 2.0
# A session found behind is checked again after this long before its state is loaded: a push
# in flight usually lands meanwhile, and then nothing is read.
CONVERGE_GRACE_SECONDS = 0.3

Advance = Callable[[int], Awaitable[float | None]]
Clock = Callable[[], float]
Versions = Callable[[list[int]], Awaitable[dict[int, int]]]
States = Callable[[list[int]], Awaitable[dict[int, tuple[int, dict[str, Any]]]]]


class Socket(Protocol):
    """What convergence needs of a session's sockets in this process (the hub's room): the
    state they show and the push handler."""

    state: Any  # arbiter.SessionState | None

    async def session_state(self, event: dict[str, Any]) -> None: ...


async def _stored_versions(session_ids: list[int]) -> dict[int, int]:
    from sessions_live import presence
    from sessions_live.db import db

    return await db(presence.stored_versions)(session_ids)  # type: ignore[no-any-return]


async def _stored_states(session_ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
    from sessions_live import presence
    from sessions_live.db import db

    return await db(presence.stored_states)(session_ids)  # type: ignore[no-any-return]


class SessionTimers:
    def __init__(
        self,
        advance: Advance,
        versions: Versions = _stored_versions,
        states: States = _stored_states,
        clock: Clock = time.time,
    ) -> None:
        self._advance = advance
        self._versions = versions
        self._states = states
        self._clock = clock
        self._watchers: Counter[int] = Counter()
        self._handles: dict[int, tuple[float, asyncio.TimerHandle]] = {}
        self._firing: set[asyncio.Task[None]] = set()
        self._sockets: dict[int, set[Socket]] = {}
        self._converger: asyncio.Task[None] | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the convergence check (every ``CONVERGE_SECONDS``) on the running loop."""
        if self._converger is None or self._converger.done():
            self._converger = asyncio.get_running_loop().create_task(self._converge_forever())

    def stop(self) -> None:
        """Cancel every wake-up and the convergence check; forget every session."""
        if self._converger is not None:
            self._converger.cancel()
            self._converger = None
        for session_id in list(self._handles):
            self._cancel(session_id)
        for task in list(self._firing):
            task.cancel()
        self._watchers.clear()
        self._sockets.clear()

    def watch(self, session_id: int, socket: Socket | None = None) -> None:
        self._watchers[session_id] += 1
        if socket is not None:
            self._sockets.setdefault(session_id, set()).add(socket)

    def unwatch(self, session_id: int, socket: Socket | None = None) -> None:
        if socket is not None:
            sockets = self._sockets.get(session_id)
            if sockets is not None:
                sockets.discard(socket)
                if not sockets:
                    del self._sockets[session_id]
        self._watchers[session_id] -= 1
        if self._watchers[session_id] <= 0:
            del self._watchers[session_id]
            self._cancel(session_id)

    # --- convergence on the stored version ----------------------------------------------

    def _shown(self) -> dict[int, int]:
        """session id -> the oldest version a socket of this process shows."""
        shown: dict[int, int] = {}
        for session_id, sockets in self._sockets.items():
            versions = [s.state.version if s.state is not None else 0 for s in sockets]
            if versions:
                shown[session_id] = min(versions)
        return shown

    async def converge(self) -> list[int]:
        """Deliver the stored state to this process's sockets of every session they show an
        older version of; return the sessions so healed."""
        shown = self._shown()
        if not shown:
            return []
        stored = await self._versions(list(shown))
        behind = [pk for pk, version in stored.items() if version > shown.get(pk, version)]
        if not behind:
            return []
        await asyncio.sleep(CONVERGE_GRACE_SECONDS)
        shown = self._shown()
        behind = [pk for pk in behind if stored[pk] > shown.get(pk, stored[pk])]
        if not behind:
            return []
        healed = []
        for session_id, (version, state) in (await self._states(behind)).items():
            logger.info("session %s: delivering stored version %s missed here", session_id, version)
            event = {"type": "session.state", "version": version, "state": state}
            for socket in list(self._sockets.get(session_id, ())):
                await socket.session_state(event)
            healed.append(session_id)
        return healed

    async def _converge_forever(self) -> None:
        while True:
            await asyncio.sleep(CONVERGE_SECONDS)
            try:
                await self.converge()
            except Exception:  # the database may be away: the next round tries again
                logger.exception("checking stored versions failed")

    def schedule(self, session_id: int, deadline: float | None) -> None:
        if session_id not in self._watchers:
            return
        current = self._handles.get(session_id)
        if current is not None and current[0] == deadline:
            return
        self._cancel(session_id)
        if deadline is None:
            return
        loop = asyncio.get_running_loop()
        delay = max(0.0, deadline - self._clock()) + GRACE_SECONDS + PROCESS_OFFSET_SECONDS
        handle = loop.call_later(delay, self._start_firing, session_id)
        self._handles[session_id] = (deadline, handle)

    def _start_firing(self, session_id: int) -> None:
        task = asyncio.get_running_loop().create_task(self._fire(session_id))
        self._firing.add(task)  # held until done (a task nobody holds may vanish)
        task.add_done_callback(self._firing.discard)

    def clock_moved(self) -> None:
        """Set every wake-up again by the clock: after the clock jumped (a test moves a frozen
        one instead of sleeping), a deadline now past fires at once."""
        for session_id, (deadline, handle) in list(self._handles.items()):
            handle.cancel()
            del self._handles[session_id]
            self.schedule(session_id, deadline)

    def _cancel(self, session_id: int) -> None:
        current = self._handles.pop(session_id, None)
        if current is not None:
            current[1].cancel()

    async def _fire(self, session_id: int) -> None:
        self._handles.pop(session_id, None)
        try:
            deadline = await self._advance(session_id)
        except Exception:  # the database may be away for a moment: try again shortly
            logger.exception("advancing session %s failed; retrying", session_id)
            deadline = self._clock() + RETRY_SECONDS
        # A broadcast usually reschedules first; this covers "nothing was due" (early wake-up
        # or another process advanced it) so the session is never left without a timer.
        self.schedule(session_id, deadline)


class Heartbeat:
    """This process's presence heartbeat: ``beat`` (record that the process lives, sweep the
    connections of processes that stopped beating) every ``every`` seconds, from ``start``
    until ``stop``. A failing beat (the database away) is logged and the next one tries again."""

    def __init__(self, beat: Callable[[], Awaitable[None]], every: float) -> None:
        self._beat = beat
        self.every = every
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _forever(self) -> None:
        while True:
            try:
                await self._beat()
            except Exception:  # keep beating through a database outage
                logger.exception("presence heartbeat failed")
            await asyncio.sleep(self.every)
