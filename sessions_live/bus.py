"""The live bus: how a session's pushes reach every process, on a Redis pub/sub of its own.

A command's state push and a presence reading are published once, by whoever committed them,
and every process with sockets of that session receives them once (its room in
``sessions_live.hub``). docs/protocol.md ("Between processes") is the contract:

* channel: ``<CHANNEL_PREFIX>:live:session.<id>``, one per session;
* message: one line of compact JSON (the push's ``type`` and its small fields), a newline,
  then the body: for ``session.state`` the state's JSON text exactly as pages get it (encoded
  once by the committing thread, never wrapped or escaped again), for ``session.presence``
  nothing.

Publishing is one ``PUBLISH`` of redis-py's plain client from the committing thread, which
waits for Redis's answer before it goes on: the pushes of a session leave in commit order,
and a command's database thread never needs an event loop. Each process subscribes with one
connection per event loop (``RedisListener``), and a room's subscription is confirmed by Redis
before the room reads the state it starts from, so no change can slip between the two.

Why not the channel layer, which carries everything else (sign-outs, notices, the cabinet):
with channels-redis a publish from a thread needs an event loop of that thread (its client is
redis-py's asyncio one, a connection per loop), and a push went through msgpack and the
layer's per-channel queues at both ends. Measured in bench/command_steps.py's toggle workload
(docs/benchmarks.md, "What a command costs"), the layer's publish was the largest single step
of a command. Without Redis (the embedded default, one process) ``LocalBus`` hands the same
messages to the subscribed loops of the process itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# A publish that takes longer is given up (a Redis that stopped answering without closing the
# connection must not hold a database thread for long); the caller's resender tries again.
TIMEOUT = 0.5
# How long a subscription waits for Redis to confirm it before the join fails.
SUBSCRIBE_TIMEOUT = 5.0
# After the subscriber's connection fails: the first retry, doubled up to the last.
RECONNECT_FIRST, RECONNECT_MOST = 0.05, 1.0
STATE = "session.state"

Deliver = Callable[[dict[str, Any]], None]


def encode(message: dict[str, Any]) -> bytes:
    """A push as it travels: its JSON head line, a newline, and the state's text if any."""
    if message.get("type") == STATE:
        head = {key: value for key, value in message.items() if key != "state"}
        state = message["state"]
        body = state if isinstance(state, str) else json.dumps(state, separators=(",", ":"))
    else:
        head, body = message, ""
    return f"{json.dumps(head, separators=(',', ':'))}\n{body}".encode()


def decode(data: bytes) -> dict[str, Any]:
    """``encode``'s inverse (compact JSON holds no raw newline, so the first one ends the
    head). Raises ``ValueError`` for anything else."""
    head, newline, body = data.partition(b"\n")
    message = json.loads(head)
    if not newline or not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ValueError("not a live-bus message")
    if message["type"] == STATE:
        message["state"] = body.decode()
    return message


class Listener(Protocol):
    """One event loop's subscriptions to the bus."""

    async def subscribe(self, group: str, deliver: Deliver) -> None: ...

    async def unsubscribe(self, group: str, deliver: Deliver) -> None: ...


class Bus(Protocol):
    def publish(self, group: str, message: dict[str, Any]) -> bool: ...

    def listener(self) -> Listener: ...


# --- Redis ------------------------------------------------------------------------------------


class RedisBus:
    """The bus between processes (see the module's docstring)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._client: tuple[int, redis.Redis] | None = None
        self._lock = threading.Lock()
        self._listeners: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RedisListener] = (
            weakref.WeakKeyDictionary()
        )

    def channel(self, group: str) -> str:
        return f"{self.prefix}:live:{group}"

    def client(self) -> redis.Redis:
        """The process's plain client (thread-safe: one pooled connection per thread that
        publishes at the same time; built again in a forked child)."""
        with self._lock:
            if self._client is None or self._client[0] != os.getpid():
                client = redis.Redis.from_url(
                    self.url,
                    socket_timeout=TIMEOUT,
                    socket_connect_timeout=TIMEOUT,
                    retry=Retry(NoBackoff(), 0),  # the resender retries, not the caller
                )
                self._client = (os.getpid(), client)
            return self._client[1]

    def publish(self, group: str, message: dict[str, Any]) -> bool:
        """Publish from a thread with no event loop running (it waits for Redis); whether Redis
        took it. Never raises for Redis's sake."""
        try:
            self.client().publish(self.channel(group), encode(message))
        except redis.RedisError as error:
            log_outage(group, error)
            return False
        return True

    def listener(self) -> RedisListener:
        loop = asyncio.get_running_loop()
        listener = self._listeners.get(loop)
        if listener is None:
            listener = self._listeners[loop] = RedisListener(self)
        return listener


class RedisListener:
    """One event loop's connection to the bus: its subscriptions and one task that reads them.

    What it is subscribed to is its own record (``deliveries``): after the connection fails
    it connects again and subscribes to all of it (the first retry after 50 ms, up to 1 s
    apart), so a Redis restart costs the pushes published while it was away, which the
    publishers' resender and the rooms' convergence make up for (docs/protocol.md)."""

    def __init__(self, bus: RedisBus) -> None:
        self.bus = bus
        self.deliveries: dict[str, Deliver] = {}  # channel -> the room's intake
        self.confirming: dict[str, list[asyncio.Future[None]]] = {}
        self.pubsub: aioredis.client.PubSub | None = None
        self.reader: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def subscribe(self, group: str, deliver: Deliver) -> None:
        """Subscribe ``deliver`` to ``group`` and return once Redis confirmed it (raises if it
        could not within ``SUBSCRIBE_TIMEOUT``)."""
        channel = self.bus.channel(group)
        self.deliveries[channel] = deliver
        confirmed = asyncio.get_running_loop().create_future()
        self.confirming.setdefault(channel, []).append(confirmed)
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                if self.reader is None or self.reader.done():
                    self.reader = asyncio.get_running_loop().create_task(self._read())
                await self.connected.wait()
                if self.pubsub is not None:
                    # (A connection that failed meanwhile subscribes to it as it comes back.)
                    await self.pubsub.subscribe(channel)
                await confirmed
        except BaseException:
            if self.deliveries.get(channel) is deliver:
                del self.deliveries[channel]
            raise
        finally:
            waiting = self.confirming.get(channel, [])
            if confirmed in waiting:
                waiting.remove(confirmed)
            if not waiting:
                self.confirming.pop(channel, None)

    async def unsubscribe(self, group: str, deliver: Deliver) -> None:
        channel = self.bus.channel(group)
        if self.deliveries.get(channel) is not deliver:
            return  # subscribed anew by another room since (or never)
        del self.deliveries[channel]
        if self.pubsub is not None and self.connected.is_set():
            try:
                await self.pubsub.unsubscribe(channel)
            except (redis.RedisError, OSError):  # away: it forgets us with the connection
                logger.warning("could not unsubscribe from %s", channel)

    async def _connect(self) -> aioredis.client.PubSub:
        client = aioredis.Redis.from_url(
            self.bus.url,
            socket_connect_timeout=TIMEOUT * 4,
            health_check_interval=15,  # a PING on a quiet connection finds a silent death
            retry=Retry(NoBackoff(), 0),  # _read reconnects, with its own backoff
        )
        pubsub = client.pubsub()
        # The connection opens with the first SUBSCRIBE; a channel of this process's own that
        # nobody publishes on keeps it subscribed while no room is.
        await pubsub.subscribe(self.bus.channel(f"process.{os.getpid()}.{id(self)}"))
        if self.deliveries:
            await pubsub.subscribe(*self.deliveries)
        return pubsub

    async def _read(self) -> None:
        backoff = RECONNECT_FIRST
        while True:
            try:
                if self.pubsub is None:
                    self.pubsub = await self._connect()
                    self.connected.set()
                    backoff = RECONNECT_FIRST
                message = await self.pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis away: connect again, then subscribe again
                await self._drop(error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_MOST)
                continue
            if message is not None:
                try:
                    self._handle(message)
                except Exception:  # never the end of this process's pushes
                    logger.exception("a message of the live bus could not be handed over")

    async def _drop(self, error: BaseException) -> None:
        self.connected.clear()
        pubsub, self.pubsub = self.pubsub, None
        log_outage("the live bus's subscriptions", error)
        if pubsub is not None:
            try:
                await pubsub.aclose()
            except Exception:  # noqa: S110 - the connection is broken already
                pass

    def _handle(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        kind = message["type"]
        if kind == "subscribe":
            for confirmed in self.confirming.pop(channel, []):
                if not confirmed.done():
                    confirmed.set_result(None)
        elif kind == "message":
            deliver = self.deliveries.get(channel)
            if deliver is None:
                return  # a room that left; its UNSUBSCRIBE is on its way
            try:
                decoded = decode(message["data"])
            except (ValueError, UnicodeDecodeError):
                logger.warning("dropping a malformed message on %s", channel)
                return
            deliver(decoded)

    async def close(self) -> None:
        """Stop reading and close the connection (the tests' clean-up: a process's listener
        lives as long as its event loop)."""
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)
            self.reader = None
        pubsub, self.pubsub = self.pubsub, None
        self.connected.clear()
        if pubsub is not None:
            await pubsub.aclose()


# --- in memory (the embedded default) ----------------------------------------------------------


class LocalBus:
    """The bus of one process with no Redis: a publish from any thread is handed to each
    subscribed event loop of the process, in the order published."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribed: dict[str, list[tuple[asyncio.AbstractEventLoop, Deliver]]] = {}

    def publish(self, group: str, message: dict[str, Any]) -> bool:
        with self._lock:
            targets = list(self._subscribed.get(group, ()))
        for loop, deliver in targets:
            try:
                loop.call_soon_threadsafe(deliver, message)
            except RuntimeError:  # that loop has closed (it left without unsubscribing)
                self._forget(group, deliver)
        return True

    def _forget(self, group: str, deliver: Deliver) -> None:
        with self._lock:
            kept = [entry for entry in self._subscribed.get(group, []) if entry[1] is not deliver]
            if kept:
                self._subscribed[group] = kept
            else:
                self._subscribed.pop(group, None)

    def listener(self) -> LocalBus:
        return self

    async def subscribe(self, group: str, deliver: Deliver) -> None:
        with self._lock:
            self._subscribed.setdefault(group, []).append((asyncio.get_running_loop(), deliver))

    async def unsubscribe(self, group: str, deliver: Deliver) -> None:
        self._forget(group, deliver)


# --- the process's bus ---------------------------------------------------------------------------

_BUSES: dict[tuple[str | None, str], Bus] = {}
_BUSES_LOCK = threading.Lock()


def current() -> Bus:
    """The bus the settings configure: Redis (``REDIS_URL``, channels under
    ``CHANNEL_PREFIX``) or, without Redis, the process's own."""
    url: str | None = getattr(settings, "REDIS_URL", None)
    key = (url, settings.CHANNEL_PREFIX)
    bus = _BUSES.get(key)
    if bus is None:
        with _BUSES_LOCK:
            bus = _BUSES.get(key)
            if bus is None:
                bus = _BUSES[key] = RedisBus(url, key[1]) if url else LocalBus()
    return bus


_failed_logged = 0.0


def log_outage(what: str, error: BaseException) -> None:
    """Log that Redis could not be reached for ``what``: one line every few seconds during an
    outage, not one per push (the channel layer's sends in broadcast.py use it too)."""
    global _failed_logged
    now = time.monotonic()
    if now - _failed_logged > 5:
        _failed_logged = now
        logger.warning("could not reach Redis (%s): %r", what, error)
