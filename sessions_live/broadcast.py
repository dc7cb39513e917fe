"""Pushes to the sockets of one session, through the channel layer (after commit only).

A state push carries the session's version and its full state as JSON text; each process
parses that text once per version (``selectors.parsed_state``) and each consumer builds its
own member's view from the parsed state, so a push costs no database read per member and no
per-socket decoding. Presence travels in its own pushes, stamped with the time it was read,
so a state push needs no presence query.

**Publishing never waits on the event loop, and keeps commit order.** Every push goes out
through the channel layer's public ``group_send``. With channels-redis (a layer that keeps its
connections per event loop) a process hands every push to one publisher thread with an event
loop of its own (``_Publisher``), which sends them one after another in the order handed in.
A command hands its push over right after its commit, before the next command of the session
can commit, so the versions of a session go out in commit order; the database thread goes
back to work at once instead of waiting on Redis, and a busy serving loop cannot hold a push
back while another process publishes the next version first (pages would skip a version).
The in-memory layer of the embedded default (one process) keeps its queues on the serving
loop, so there messages go through one ordered queue on that loop; only plain sync code with
no loop behind it (a management command) publishes through ``async_to_sync``. A publish that
fails (Redis away) is logged and never undoes or fails the caller: the state is saved, and
pages converge with a resend (``_Publisher``), the next push, the timer's republish, or their
reconnect.

Measured against the direct ``PUBLISH`` this replaced (redis-py from the database thread, to
channels-redis's private channel name), with bench/command_steps.py's publish part and an A/B
script alternating both in one process (2,000 pushes of an 850-byte state from a database
thread to a subscriber on the serving loop, six rounds each, this 2-core machine under other
load): the database thread is held 37–39 µs per push instead of 209–232 µs (it no longer
waits for Redis), every push arrives in order, and the process spends 222–233 µs of CPU per
push instead of 161–162 µs (redis-py's asyncio client and the hop to the publisher's loop; a
thread-local event loop in the database thread, publishing with the same ``group_send`` and
waiting for it, cost the same CPU, 249 µs, and held the thread 363 µs). At one push per
millisecond a push reaches the subscriber in 479–582 µs (median) against 375–491 µs. So the
public API costs about 70 µs of CPU per push and frees the committing thread about 200 µs
sooner; kept for the public API and for the freed thread, not for speed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)


def group_name(session_id: int) -> str:
    # Built only from a primary key the database vouched for, never from client input.
    return f"session.{session_id}"


def user_group_name(user_id: int) -> str:
    """Every live-session socket of one user: closed together on sign-out (signals.py)."""
    return f"user.{user_id}"


def user_revoked(user_id: int, session_key: str | None, reason: str) -> None:
    """Close the user's sockets: those of browser session ``session_key``, or all of them."""
    publish(
        user_group_name(user_id),
        {"type": "user.revoked", "session_key": session_key, "reason": reason},
    )


def state_changed(
    session_id: int, version: int, state: dict[str, Any], text: str | None = None
) -> None:
    """Announce a committed state (call from ``transaction.on_commit``). The ids of recent
    commands stay behind: only the stored state needs them, and no view shows them. ``text``
    is ``state`` without them, encoded already, when the caller has it."""
    if text is None:
        text = push_text(state)
    publish(group_name(session_id), {"type": "session.state", "version": version, "state": text})


def push_text(state: dict[str, Any]) -> str:
    """The JSON text a state push carries: the state without the ids of recent commands."""
    return json.dumps({k: v for k, v in state.items() if k != "recent"}, separators=(",", ":"))


def presence_changed(session_id: int, online: list[int], stamp: float) -> None:
    """Announce who is online, as read at ``stamp`` (consumers drop an older reading)."""
    publish(group_name(session_id), {"type": "session.presence", "online": online, "stamp": stamp})


def publish(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` from wherever the caller runs, without waiting on it."""
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    if not isinstance(layer, InMemoryChannelLayer):
        _publisher().submit(group, message)
        return
    # The in-memory layer: its queues belong to the serving loop.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # on the event loop itself
        _enqueue(group, message)
        return
    loop = _calling_loop()
    if loop is not None:
        loop.call_soon_threadsafe(_enqueue, group, message)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("could not publish to %s", group)


# --- the publisher thread (channels-redis) ---------------------------------------------------


@dataclass
class _Held:
    """The newest state push of a group that could not be sent, kept for resending."""

    message: dict[str, Any]
    since: float  # when the first of its pushes failed
    answered_at: float | None = None  # when a resend first reached Redis again
    resends: list[float] = field(default_factory=list)  # seconds after that to send it again


class _Publisher:
    """One thread with an event loop of its own, sending every push of this process through
    the channel layer's ``group_send``, one at a time, in the order ``submit`` was called
    (from any thread: the database threads, the serving loop, a request's thread).

    A state push that fails (Redis away) is held, the newest per session, and sent again every
    ``RESEND_EVERY`` seconds until Redis answers, then once more after each of
    ``RESEND_AFTER`` seconds: a ``PUBLISH`` reaches only the subscriptions that exist, and the
    processes' subscriptions come back about a second after Redis does (channels-redis's
    receiver waits a second after an error, then redis-py subscribes again). Without it a
    session whose last change fell in the outage (a hand-over, the last feedback) would show
    the old state on every page until its next change; states carry a version and pages drop
    an older one, so a late resend never undoes a newer push. Nothing is held longer than
    ``RESEND_FOR`` seconds."""

    RESEND_EVERY = 0.25
    RESEND_AFTER = (1.0, 2.0, 4.0, 8.0)
    RESEND_FOR = 30.0
    # A publish that takes longer is given up (a Redis that stopped answering without closing
    # the connection must not stall every later push behind it).
    TIMEOUT = 1.0

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.held: dict[str, _Held] = {}
        self.resender: asyncio.Task[None] | None = None
        self.failed_logged = 0.0
        self.thread = threading.Thread(target=self._run, name="live-publisher", daemon=True)
        self.thread.start()

    def submit(self, group: str, message: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (group, message))

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.create_task(self._drain())
        self.loop.run_forever()

    async def _drain(self) -> None:
        while True:
            group, message = await self.queue.get()
            sent = await self._send(group, message)
            if message.get("type") == "session.state":
                held = self.held.get(group)
                if held is not None:  # a group in recovery: its newest state is what is resent
                    if held.message["version"] <= message["version"]:
                        held.message = message
                elif not sent:
                    self._hold(group, message)

    async def _send(self, group: str, message: dict[str, Any]) -> bool:
        layer = get_channel_layer()
        if layer is None:  # pragma: no cover - settings always configure a layer
            return False
        try:
            async with asyncio.timeout(self.TIMEOUT):
                await layer.group_send(group, message)
        except Exception:
            now = time.monotonic()
            if now - self.failed_logged > 5:  # one line every few seconds during an outage
                self.failed_logged = now
                logger.exception("could not publish to %s; state pushes are held", group)
            return False
        return True

    def _hold(self, group: str, message: dict[str, Any]) -> None:
        self.held[group] = _Held(message, since=time.monotonic())
        if self.resender is None or self.resender.done():
            self.resender = self.loop.create_task(self._resend())

    async def _resend(self) -> None:
        while self.held:
            await asyncio.sleep(self.RESEND_EVERY)
            for group, held in list(self.held.items()):
                now = time.monotonic()
                if now - held.since > self.RESEND_FOR:
                    del self.held[group]
                elif held.answered_at is None or now - held.answered_at >= held.resends[0]:
                    if held.answered_at is not None:
                        held.resends.pop(0)
                    if not await self._send(group, held.message):
                        held.answered_at = None  # away again: retry until it answers
                    elif held.answered_at is None:
                        held.answered_at = time.monotonic()
                        held.resends = list(self.RESEND_AFTER)
                    elif not held.resends:
                        del self.held[group]


_PUBLISHER: _Publisher | None = None
_PUBLISHER_LOCK = threading.Lock()


def _publisher() -> _Publisher:
    global _PUBLISHER
    publisher = _PUBLISHER
    if publisher is None or publisher.pid != os.getpid() or not publisher.thread.is_alive():
        with _PUBLISHER_LOCK:
            publisher = _PUBLISHER
            if publisher is None or publisher.pid != os.getpid() or not publisher.thread.is_alive():
                publisher = _PUBLISHER = _Publisher()
    return publisher


# --- the serving loop's queue (the in-memory layer) ------------------------------------------


def _calling_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that handed this thread its work, if any (asgiref records it
    for the worker threads of ``sync_to_async``)."""
    local = SyncToAsync.threadlocal
    if getattr(local, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(local, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


class _LoopQueue:
    """One per serving loop (the in-memory layer): publishes queued messages one at a time, in
    order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.task = loop.create_task(self._run())

    async def _run(self) -> None:
        while True:
            group, message = await self.queue.get()
            layer = get_channel_layer()
            if layer is None:  # pragma: no cover
                continue
            try:
                await layer.group_send(group, message)
            except Exception:  # the in-memory layer: a full channel, at worst
                logger.exception("could not publish to %s", group)


_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopQueue] = (
    weakref.WeakKeyDictionary()
)


def _enqueue(group: str, message: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    queue = _QUEUES.get(loop)
    if queue is None or queue.task.done():
        queue = _QUEUES[loop] = _LoopQueue(loop)
    queue.queue.put_nowait((group, message))
