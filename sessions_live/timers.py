"""One wake-up per session this process serves, at the session's next deadline.

Nothing here is needed by another process: the deadline lives in the state, and a process
that dies just stops waking; the others (or the next connect) advance the session.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable

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

Advance = Callable[[int], Awaitable[float | None]]


class SessionTimers:
    def __init__(self, advance: Advance) -> None:
        self._advance = advance
        self._watchers: Counter[int] = Counter()
        self._handles: dict[int, tuple[float, asyncio.TimerHandle]] = {}

    def watch(self, session_id: int) -> None:
        self._watchers[session_id] += 1

    def unwatch(self, session_id: int) -> None:
        self._watchers[session_id] -= 1
        if self._watchers[session_id] <= 0:
            del self._watchers[session_id]
            self._cancel(session_id)

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
        delay = max(0.0, deadline - time.time()) + GRACE_SECONDS + PROCESS_OFFSET_SECONDS
        handle = loop.call_later(delay, lambda: loop.create_task(self._fire(session_id)))
        self._handles[session_id] = (deadline, handle)

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
            deadline = time.time() + RETRY_SECONDS
        # A broadcast usually reschedules first; this covers "nothing was due" (early wake-up
        # or another process advanced it) so the session is never left without a timer.
        self.schedule(session_id, deadline)
