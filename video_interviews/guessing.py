"""Counting what could be guessing: wrong interview codes per candidate account and per
client address, and sign-ups per client address, in the shared cache (Redis wherever Redis
is configured, so every process counts against one limit).

Fixed windows: a count lives in the window it started in (``VIDEO_CODE_WINDOW_SECONDS``,
an hour for sign-ups); past the limit every try is refused until the window ends, and
``Retry-After`` says how long that is. As the live sessions' join codes do
(``sessions_live.views``), with the address counted too: one person with many accounts, or
many behind one address, get no more tries than the limits give."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

SIGNUP_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Counter:
    name: str
    limit: int
    window: int

    def _key(self, now: float) -> str:
        return f"video:{self.name}:{int(now // self.window)}"

    def full(self, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return int(cache.get(self._key(now), 0)) >= self.limit

    def add(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        key = self._key(now)
        cache.add(key, 0, timeout=self.window + 5)
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout=self.window + 5)

    def retry_after(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        return max(1, math.ceil(self.window - now % self.window))


def code_counters(*, user_id: int, address: str) -> tuple[Counter, Counter]:
    window = settings.VIDEO_CODE_WINDOW_SECONDS
    return (
        Counter(f"code-account:{user_id}", settings.VIDEO_CODE_MISSES_PER_ACCOUNT, window),
        Counter(f"code-address:{address}", settings.VIDEO_CODE_MISSES_PER_ADDRESS, window),
    )


def signup_counter(*, address: str) -> Counter:
    return Counter(f"signup:{address}", settings.VIDEO_SIGNUPS_PER_HOUR, SIGNUP_WINDOW_SECONDS)


def blocked_for(counters: tuple[Counter, ...], now: float | None = None) -> int | None:
    """Seconds until the first full counter's window ends, or None: none is full."""
    now = time.time() if now is None else now
    waits = [c.retry_after(now) for c in counters if c.full(now)]
    return max(waits) if waits else None
