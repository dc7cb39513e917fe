"""Pushes to the sockets of one session (after commit only), and the site's other groups.

**A session's pushes** (a committed state, a presence reading) go out on the live bus
(``sessions_live.bus``: a Redis pub/sub of its own, documented in docs/protocol.md). A state
push carries the session's version and its full state as JSON text. It reaches each process
once per session (the session's room in ``sessions_live.hub``), which parses it once per
version (``selectors.parsed_state``) and encodes each distinct member view once
(``sessions_live.fanout``) for every socket that shares it: no database read per member and
no per-socket decoding or encoding. Presence travels in its own pushes, stamped with the time
it was read, so a state push needs no presence query.

**Publishing keeps commit order and never waits on the event loop.** The thread whose command
just committed (a live database thread, a request's view, a Celery worker) publishes itself
and waits for Redis's answer: one ``PUBLISH`` round trip right after the commit, before the
next command of the session can commit in any process, so the versions of a session go out in
commit order. Handing the push to the serving event loop instead would let a busy loop hold it
back while another process publishes the next version first. Code running on an event loop
hands its push to the process's publisher thread instead, never blocking the loop. A publish
that fails (Redis away) is logged and never undoes or fails the caller: the state is saved,
and pages converge with a resend (``_Resender``), the next push, the timer's republish, or
their reconnect.

**Everything else** (a login's sign-out to all its sockets, the cabinet's updates) goes
through the channel layer's public ``group_send`` (``publish``), where the other kinds of
sockets listen. With channels-redis (a layer that keeps its connections per event loop, for
good) a thread with no loop running sends on the loop of the process's publisher thread and
waits for it; code on a loop puts its message on one ordered queue of that loop. The
in-memory layer of the embedded default keeps its queues on the serving loop, so with it
every message goes through that queue.
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

from sessions_live import bus as live_bus

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
    publish_live(
        group_name(session_id), {"type": "session.state", "version": version, "state": text}
    )


def push_text(state: dict[str, Any]) -> str:
    """The JSON text a state push carries: the state without the ids of recent commands."""
    return json.dumps({k: v for k, v in state.items() if k != "recent"}, separators=(",", ":"))


def presence_changed(session_id: int, online: list[int], stamp: float) -> None:
    """Announce who is online, as read at ``stamp`` (consumers drop an older reading)."""
    publish_live(
        group_name(session_id), {"type": "session.presence", "online": online, "stamp": stamp}
    )


def publish_live(group: str, message: dict[str, Any]) -> None:
    """A session's push on the live bus, from wherever the caller runs (see the module's
    docstring): the calling thread publishes and waits, or, on an event loop, the process's
    publisher thread does (the in-process bus never blocks: it publishes at once)."""
    bus = live_bus.current()
    if isinstance(bus, live_bus.RedisBus) and _on_event_loop():
        _shared_loop().call_soon_threadsafe(_send_live, bus, group, message)
    else:
        _send_live(bus, group, message)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send_live(bus: live_bus.Bus, group: str, message: dict[str, Any]) -> None:
    sent = bus.publish(group, message)
    if message.get("type") == "session.state":
        _RESENDER.note(group, message, sent)


def publish(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` through the channel layer from wherever the caller runs,
    without waiting on the event loop."""
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    if _on_event_loop():  # never block it
        _enqueue(group, message)
        return
    if not isinstance(layer, InMemoryChannelLayer):
        _send_shared(layer, group, message)
        return
    # The in-memory layer: its queues belong to the serving loop.
    loop = _calling_loop()
    if loop is not None:
        loop.call_soon_threadsafe(_enqueue, group, message)
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("could not publish to %s", group)


# A channel-layer send that takes longer is given up (a Redis that stopped answering without
# closing the connection must not hold the caller for long).
TIMEOUT = 0.5


_SHARED_LOCK = threading.Lock()
_SHARED: tuple[int, asyncio.AbstractEventLoop] | None = None


def _shared_loop() -> asyncio.AbstractEventLoop:
    """The event loop of this process's publisher thread (started on first use, and again in
    a forked child, which has the parent's loop but not its thread)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None or _SHARED[0] != os.getpid() or _SHARED[1].is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="live-publish", daemon=True).start()
            _SHARED = (os.getpid(), loop)
        return _SHARED[1]


def _send_shared(layer: Any, group: str, message: dict[str, Any]) -> bool:
    """``group_send`` on the publisher thread's loop, waited for (so the caller's messages keep
    their order); whether Redis took the message. For every thread with no loop running:
    Django's request threads, management commands, Celery's workers. (One loop for all of
    them: channels-redis keeps a connection per loop for good, so a loop per passing thread
    would leak one; under daphne every request's view runs in a thread of its own.)"""
    future = asyncio.run_coroutine_threadsafe(_timed_send(layer, group, message), _shared_loop())
    try:
        future.result(TIMEOUT * 2)
    except Exception as error:
        future.cancel()
        live_bus.log_outage(group, error)
        return False
    return True


async def _timed_send(layer: Any, group: str, message: dict[str, Any]) -> None:
    async with asyncio.timeout(TIMEOUT):
        await layer.group_send(group, message)


# --- resending what an outage held back ------------------------------------------------------


@dataclass
class _Held:
    """The newest state push of a group that could not be sent, kept for resending."""

    message: dict[str, Any]
    since: float  # when the first of its pushes failed
    answered_at: float | None = None  # when a resend first reached Redis again
    resends: list[float] = field(default_factory=list)  # seconds after that to send it again


class _Resender:
    """A state push that fails (Redis away) is held, the newest per session, and sent again
    every ``RESEND_EVERY`` seconds until Redis answers, then once more after each of
    ``RESEND_AFTER`` seconds: a ``PUBLISH`` reaches only the subscriptions that exist, the
    processes' subscriptions come back up to a second after Redis does (``bus.RedisListener``
    connects again with a backoff of up to a second), and no publisher knows how many
    processes should have received it. Without it a session whose last change fell in
    the outage (a hand-over, the last feedback) would show the old state on every page until
    its next change; states carry a version and pages drop an older one, so a late resend
    never undoes a newer push. Nothing is held longer than ``RESEND_FOR`` seconds. The
    resending runs in a thread of its own, started by the first push held and ended when
    nothing is left."""

    RESEND_EVERY = 0.25
    RESEND_AFTER = (1.0, 2.0, 4.0, 8.0)
    RESEND_FOR = 30.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, _Held] = {}
        self.thread: threading.Thread | None = None

    def note(self, group: str, message: dict[str, Any], sent: bool) -> None:
        """A state push of ``group`` was published (``sent``) or could not be."""
        with self.lock:
            held = self.held.get(group)
            if held is not None:  # a group in recovery: its newest state is what is resent
                if held.message["version"] <= message["version"]:
                    held.message = message
            elif not sent:
                self.held[group] = _Held(message, since=time.monotonic())
                if self.thread is None or not self.thread.is_alive():
                    self.thread = threading.Thread(
                        target=self._run, name="push-resend", daemon=True
                    )
                    self.thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.RESEND_EVERY)  # this thread's schedule, not a test's wait
            with self.lock:
                if not self.held:
                    self.thread = None
                    return
                due = [(group, held, held.message) for group, held in self.held.items()
                       if self._due(held)]  # fmt: skip
            for group, held, message in due:
                sent = live_bus.current().publish(group, message)
                with self.lock:
                    self._after(group, held, sent)

    def _due(self, held: _Held) -> bool:
        now = time.monotonic()
        if now - held.since > self.RESEND_FOR:
            return True  # to be dropped by _after
        return held.answered_at is None or now - held.answered_at >= held.resends[0]

    def _after(self, group: str, held: _Held, sent: bool) -> None:
        if self.held.get(group) is not held:
            return
        if time.monotonic() - held.since > self.RESEND_FOR:
            del self.held[group]
        elif not sent:
            held.answered_at = None  # away again: retry until it answers
        elif held.answered_at is None:
            held.answered_at = time.monotonic()
            held.resends = list(self.RESEND_AFTER)
        else:
            held.resends.pop(0)
            if not held.resends:
                del self.held[group]


_RESENDER = _Resender()


# --- the serving loop's queue ------------------------------------------------------------------


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
    """One per event loop that publishes (code on the loop; every caller with the in-memory
    layer): publishes queued messages one at a time, in order."""

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
            except Exception:
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
