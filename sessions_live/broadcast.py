"""Pushes to the sockets of one session, through the channel layer (after commit only).

A state push carries the session's version and its full state as JSON text; each process
parses that text once per version (``selectors.parsed_state``) and each consumer builds its
own member's view from the parsed state, so a push costs no database read per member and no
per-socket decoding. Presence travels in its own pushes, stamped with the time it was read,
so a state push needs no presence query.

**Publishing never waits on the event loop, and keeps commit order.** With the Redis pub/sub
layer a thread publishes straight to Redis (one ``PUBLISH`` round trip, right after the
commit, before the next command of the session can commit in any process: the versions of a
session go out in order). Handing the push to the event loop instead would let a busy loop
hold it back while another process publishes the next version first, and pages would skip a
version. On the event loop itself (presence, from a consumer) and with the in-memory layer of
the embedded default, messages go through one ordered queue per loop; only plain sync code
with no loop behind it and no Redis (a management command) publishes through
``async_to_sync``. A publish that fails (Redis away) is logged and dropped and never undoes or
fails the caller: the state is saved, and pages converge with the next push, the timer's
republish, or their reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import weakref
from typing import Any

import redis
from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

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


def state_changed(session_id: int, version: int, state: dict[str, Any]) -> None:
    """Announce a committed state (call from ``transaction.on_commit``). The ids of recent
    commands stay behind: only the stored state needs them, and no view shows them."""
    text = json.dumps({k: v for k, v in state.items() if k != "recent"}, separators=(",", ":"))
    publish(group_name(session_id), {"type": "session.state", "version": version, "state": text})


def presence_changed(session_id: int, online: list[int], stamp: float) -> None:
    """Announce who is online, as read at ``stamp`` (consumers drop an older reading)."""
    publish(group_name(session_id), {"type": "session.presence", "online": online, "stamp": stamp})


def publish(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` from wherever the caller runs, without waiting on it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # on the event loop itself
        _enqueue(group, message)
        return
    direct = _direct_redis()
    if direct is not None:
        direct.publish(group, message)
        return
    loop = _calling_loop()
    if loop is not None:
        loop.call_soon_threadsafe(_enqueue, group, message)
        return
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.exception("could not publish to %s", group)


class _DirectRedis:
    """PUBLISH to the channel that channels-redis's pub/sub layer subscribes a group to, with
    the layer's own serializer, from any thread (redis-py's client is thread-safe).

    A state push that fails (Redis away) is kept, the newest per session, and sent again once
    Redis is back, until a subscriber receives it (``PUBLISH`` counts them: the processes'
    subscriptions come back a moment after Redis does) or ``RESEND_FOR`` seconds have
    passed. Without it a session whose last change fell in the outage (a hand-over, the last
    feedback) would show the old state on every page until its next change; states carry a
    version and pages drop an older one, so a late resend never undoes a newer push."""

    RESEND_EVERY = 0.25
    RESEND_FOR = 30.0

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self.prefix = prefix
        self.failed_at = 0.0
        self.unsent: dict[str, tuple[float, dict[str, Any]]] = {}  # group -> (since, message)
        self.lock = threading.Lock()
        self.resender: threading.Thread | None = None

    def publish(self, group: str, message: dict[str, Any]) -> None:
        try:
            self._send(group, message)
        except redis.RedisError:
            now = time.monotonic()
            if now - self.failed_at > 5:  # one line every few seconds during an outage
                self.failed_at = now
                logger.exception("could not publish to %s; pushes are held for Redis", group)
            if message.get("type") == "session.state":
                self._hold(group, message)

    def _send(self, group: str, message: dict[str, Any]) -> int:
        layer = get_channel_layer()
        # channels_redis.pubsub.RedisPubSubLoopLayer._get_group_channel_name, pinned version
        return int(self.client.publish(f"{self.prefix}__group__{group}", layer.serialize(message)))

    def _hold(self, group: str, message: dict[str, Any]) -> None:
        with self.lock:
            held = self.unsent.get(group)
            if held is None or held[1]["version"] <= message["version"]:
                self.unsent[group] = (held[0] if held else time.monotonic(), message)
            if self.resender is None or not self.resender.is_alive():
                self.resender = threading.Thread(
                    target=self._resend, name="push-resend", daemon=True
                )
                self.resender.start()

    def _resend(self) -> None:
        while True:
            time.sleep(self.RESEND_EVERY)
            with self.lock:
                pending = list(self.unsent.items())
                if not pending:
                    self.resender = None
                    return
            for group, (since, message) in pending:
                try:
                    received = self._send(group, message)
                except redis.RedisError:
                    continue  # still away: try again
                expired = time.monotonic() - since > self.RESEND_FOR
                with self.lock:
                    if (received or expired) and self.unsent.get(group, (0, None))[1] is message:
                        del self.unsent[group]


_DIRECT: dict[tuple[str, str], _DirectRedis] = {}
_DIRECT_LOCK = threading.Lock()


def _direct_redis() -> _DirectRedis | None:
    config = settings.CHANNEL_LAYERS.get("default", {})
    if config.get("BACKEND") != "channels_redis.pubsub.RedisPubSubChannelLayer":
        return None
    hosts = config.get("CONFIG", {}).get("hosts") or []
    if len(hosts) != 1 or not isinstance(hosts[0], str):
        return None  # sharded or configured otherwise: leave it to the layer
    key = (hosts[0], config["CONFIG"].get("prefix", "asgi"))
    with _DIRECT_LOCK:
        if key not in _DIRECT:
            _DIRECT[key] = _DirectRedis(*key)
        return _DIRECT[key]


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


class _Publisher:
    """One per event loop: publishes queued messages one at a time, in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.task = loop.create_task(self._run())
        self.failed_since: float | None = None

    async def _run(self) -> None:
        while True:
            group, message = await self.queue.get()
            layer = get_channel_layer()
            if layer is None:  # pragma: no cover
                continue
            try:
                await layer.group_send(group, message)
            except Exception:
                # One line a few seconds during an outage, not one per message.
                now = time.monotonic()
                if self.failed_since is None or now - self.failed_since > 5:
                    self.failed_since = now
                    logger.exception("could not publish to %s; pushes are dropped", group)
            else:
                self.failed_since = None


_PUBLISHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher] = (
    weakref.WeakKeyDictionary()
)


def _enqueue(group: str, message: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    publisher = _PUBLISHERS.get(loop)
    if publisher is None or publisher.task.done():
        publisher = _PUBLISHERS[loop] = _Publisher(loop)
    publisher.queue.put_nowait((group, message))
