"""The clock the live session's services read: Unix seconds, as the arbiter takes them.

The arbiter never reads the clock (``now`` is an argument of everything that cares about
time); the services are where the time is read, and they read it here, so a test freezes or
moves the clock instead of sleeping for a deadline to pass.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """The time, in Unix seconds."""
        ...


class SystemClock:
    """The machine's wall clock (``time.time()``)."""

    def now(self) -> float:
        return time.time()


class FrozenClock:
    """A clock that stands still until moved (tests): ``move(2.1)`` stands for 2.1 seconds of
    waiting. It starts at the wall clock's time, so the dates it gives look like today's."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)

    def now(self) -> float:
        return self._now

    def move(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock moves forward only")
        self._now += seconds

    def set(self, unix: float) -> None:
        self._now = float(unix)


# The clock every service reads. A module-level default rather than a keyword of each service,
# because it is the plainer of the two here: the services are entered from the socket consumer,
# the timers, the pages, the API and management commands, and a test that drives a real socket
# cannot hand a keyword through the consumer to the service behind it. One default, replaced
# for a test by the ``clock`` fixture (tests/sessions_live/conftest.py), reaches every entry and
# keeps every service's signature as its callers know it.
CLOCK: Clock = SystemClock()


def now() -> float:
    """The time by the current clock."""
    return CLOCK.now()
