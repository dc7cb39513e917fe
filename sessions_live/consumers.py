"""The live-session WebSocket: authenticate, check membership, validate a frame, call one
service, reply. Every rule lives in the arbiter; see docs/protocol.md for the messages."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

import arbiter
from sessions_live import presence, selectors, services
from sessions_live.broadcast import group_name
from sessions_live.db import db
from sessions_live.ratelimit import TokenBucket
from sessions_live.timers import SessionTimers

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_NO_SESSION = 4404


async def _advance(session_id: int) -> float | None:
    return await db(services.session_advance)(session_id=session_id)  # type: ignore[no-any-return]


TIMERS = SessionTimers(_advance)
_heartbeat_task: asyncio.Task[None] | None = None


async def _heartbeat_forever() -> None:
    """Keep this process's presence alive and heal presence left by processes that died."""
    while True:
        try:
            await db(services.presence_heal)()
        except Exception:  # keep beating through a database outage
            logger.exception("presence heartbeat failed")
        await asyncio.sleep(presence.HEARTBEAT_SECONDS)


def _ensure_heartbeat() -> None:
    global _heartbeat_task
    if _heartbeat_task is None or _heartbeat_task.done():
        _heartbeat_task = asyncio.get_running_loop().create_task(_heartbeat_forever())


class SessionConsumer(AsyncWebsocketConsumer):
    session_id: int | None = None
    user_id: int
    # The session's parsed state, shared (immutable) with the other sockets of this process.
    state: arbiter.SessionState | None = None
    online: list[int]
    online_stamp: float = 0.0

    async def connect(self) -> None:
        self.online = []
        self.bucket = TokenBucket(settings.WS_RATE_PER_SECOND, settings.WS_RATE_BURST)
        self.last_rate_error = 0.0
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        code = self.scope["url_route"]["kwargs"]["code"]
        found = await db(selectors.session_for_member)(code=code, user=user)
        if found is None:
            await self.close(code=CLOSE_NO_SESSION)
            return
        session_id, is_member = found
        if not is_member:
            await self.close(code=CLOSE_NOT_MEMBER)
            return
        self.user_id = user.pk
        self.session_id = session_id
        await self.channel_layer.group_add(group_name(session_id), self.channel_name)
        TIMERS.watch(session_id, self)
        _ensure_heartbeat()
        # Joining the group before reading the state means no change can slip between them.
        attached = await db(services.session_attach)(
            session_id=session_id, user_id=self.user_id, channel_name=self.channel_name
        )
        state = selectors.parsed_state(session_id, attached.state["version"], attached.state)
        if self.state is None or state.version >= self.state.version:
            self.state = state  # a push may have overtaken the read: keep the newer
        if attached.stamp >= self.online_stamp:
            self.online, self.online_stamp = attached.online, attached.stamp
        await self._push_view()  # the snapshot at once, without waiting for the layer

    async def disconnect(self, code: int) -> None:
        if self.session_id is None:
            return
        session_id, self.session_id = self.session_id, None
        TIMERS.unwatch(session_id, self)
        await self.channel_layer.group_discard(group_name(session_id), self.channel_name)
        try:
            await db(services.session_detach)(
                session_id=session_id, channel_name=self.channel_name
            )
        except DatabaseError:  # the sweep of a later heartbeat heals presence
            logger.warning("could not record the disconnect of %s", self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to its one shared database thread to close that
        # thread's stale connections, once per frame and once per push to every socket. This
        # consumer never uses that thread: its calls run on the pool of sessions_live.db, which
        # does the same housekeeping around each call. So go straight to the handler.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- frames from the browser -------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session_id is None:
            return
        if text_data is None:
            await self._error(None, "bad_request", "Send JSON text frames.")
            return
        if len(text_data.encode()) > settings.WS_MAX_FRAME_BYTES:
            await self._error(None, "too_large", "The frame is over 64 KiB and was ignored.")
            return
        if not self.bucket.take(time.monotonic()):
            now = time.monotonic()
            if now - self.last_rate_error >= 1.0:  # one notice a second, not one a frame
                self.last_rate_error = now
                await self._error(None, "rate_limited", "Too many messages; slow down.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._error(None, "bad_json", "The frame is not valid JSON.")
            return
        if not isinstance(frame, dict):
            await self._error(None, "bad_request", "A frame is a JSON object.")
            return
        command_id = frame.get("id") if isinstance(frame.get("id"), str) else None
        if frame.get("type") == "ping":
            await self._send({"type": "pong", "id": command_id, "server_time": time.time()})
            return
        try:
            command = arbiter.command_from_frame(self.user_id, frame)
        except arbiter.BadCommand as error:
            await self._error(command_id, error.code, error.message)
            return
        try:
            outcome = await db(services.session_command)(
                session_id=self.session_id, command=command
            )
        except DatabaseError:
            logger.exception("command %s could not be saved", command.id)
            await self._error(
                command.id, "unavailable", "The server could not save this just now; try again."
            )
            return
        if isinstance(outcome, arbiter.Refused):
            await self._error(command.id, outcome.code, outcome.message)
        else:
            await self._send(
                {
                    "type": "ack",
                    "id": command.id,
                    "version": outcome.state.version,
                    "duplicate": isinstance(outcome, arbiter.Duplicate),
                }
            )

    # --- pushes from the channel layer -------------------------------------------------

    async def session_state(self, event: dict[str, Any]) -> None:
        if self.session_id is None:
            return
        version = event["version"]
        selectors.note_received(self.session_id, version)
        if self.state is not None and version < self.state.version:
            return  # an older push overtaken by a newer one
        self.state = selectors.parsed_state(self.session_id, version, event["state"])
        await self._push_view()

    async def session_presence(self, event: dict[str, Any]) -> None:
        if event["stamp"] <= self.online_stamp:
            return  # an older reading overtaken by a newer one, or the one this socket has
        self.online, self.online_stamp = event["online"], event["stamp"]
        await self._push_view()

    async def _push_view(self) -> None:
        if self.session_id is None or self.state is None:
            return
        state = self.state
        view = arbiter.member_view(state, self.user_id, time.time(), self.online)
        await self._send({"type": "state", "protocol": PROTOCOL_VERSION, "state": view})
        TIMERS.schedule(self.session_id, arbiter.next_deadline(state))

    async def _error(self, command_id: str | None, code: str, message: str) -> None:
        await self._send({"type": "error", "id": command_id, "code": code, "message": message})

    async def _send(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))
