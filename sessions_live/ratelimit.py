"""Token buckets: a steady rate of frames with some burst, per member and session.

Every socket of one member on one session in this process draws from the same bucket
(``SharedBuckets``), so opening more tabs does not buy more commands. Each process keeps its
own buckets (nothing is asked of Redis per frame); since a member holds at most
``presence.MAX_SOCKETS_PER_USER`` sockets on a session across all processes, a member can
reach at most that many buckets however many processes serve the session."""

from __future__ import annotations

from collections.abc import Hashable


class TokenBucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated: float | None = None

    def take(self, now: float) -> bool:
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class SharedBuckets:
    """One bucket per key, shared by the sockets holding it; forgotten with the last one."""

    def __init__(self) -> None:
        self._held: dict[Hashable, tuple[TokenBucket, int]] = {}

    def acquire(self, key: Hashable, rate: float, burst: float) -> TokenBucket:
        bucket, holders = self._held.get(key, (None, 0))
        if bucket is None:
            bucket = TokenBucket(rate, burst)
        self._held[key] = (bucket, holders + 1)
        return bucket

    def release(self, key: Hashable) -> None:
        held = self._held.get(key)
        if held is None:
            return
        bucket, holders = held
        if holders <= 1:
            del self._held[key]
        else:
            self._held[key] = (bucket, holders - 1)

    def __len__(self) -> int:
        return len(self._held)
