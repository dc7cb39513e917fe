"""The live-session WebSocket: authenticate, check membership, validate a frame, call one
service, reply. Every rule lives in the arbiter; see docs/protocol.md for the messages.

Pushes do not come through a channel of the socket's own: this process's hub (hub.py)
subscribes once per session and per user, builds the views once per distinct view and hands
each socket its frame (``deliver``) or its sign-out (``user_revoked``)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext_noop

import arbiter
from sessions_live import presence, refusals, selectors, services
from sessions_live.db import db
from sessions_live.hub import LiveHub, Room, hub
from sessions_live.ratelimit import TokenBucket

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_NO_SESSION = 4404
# The member signed out, changed their password or was deactivated: the socket is closed and
# a reconnect with the same cookie is refused with 4401.
CLOSE_REVOKED = 4410
# The member already holds presence.MAX_SOCKETS_PER_USER sockets on this session.
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_SERVER_ERROR = 1011


class SessionConsumer(AsyncWebsocketConsumer):
    # No channel layer for the socket itself (channels gives a consumer none when its alias
    # names no configured layer): the hub's subscriptions carry its pushes.
    channel_layer_alias = "sessions_live.hub"
    session_id: int | None = None
    user_id: int
    bucket: TokenBucket | None = None
    live: LiveHub
    room: Room | None = None
    # Whether this socket may hold a presence row and a place in the hub to undo on leaving.
    joined: bool = False
    session_key: str | None = None
    language: str = "en"

    async def connect(self) -> None:
        self.live = hub()
        self.last_rate_error = -1.0
        self.language = refusals.language_of(self.scope)
        # Frames the hub hands over while this socket's command is out wait here (None: none
        # is out), and a sign-out that came meanwhile: both after the reply.
        self.held: list[str] | None = None
        self.revoked: dict[str, Any] | None = None
        # The presence row's key (unique; no channel is behind it).
        self.channel_name = f"live.{uuid.uuid4().hex}"
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
        self.session_key = _session_key(self.scope)
        # From here on every way out (a refusal, an exception, a close) goes through _leave.
        self.session_id, self.joined = session_id, True
        self.bucket = self.live.buckets.acquire(
            self._bucket_key, settings.WS_RATE_PER_SECOND, settings.WS_RATE_BURST
        )
        self.held = []  # a sign-out arriving before the first snapshot is acted on after it
        try:
            await self._attach(session_id)
        finally:
            await self._release()

    async def _attach(self, session_id: int) -> None:
        # In the session's room (subscribed) before reading the state: no change can slip
        # between them.
        self.room = await self.live.join(self, session_id)
        attached = await db(services.session_attach)(
            session_id=session_id, user_id=self.user_id, channel_name=self.channel_name
        )
        if attached is None:
            limit = presence.max_sockets_per_user()
            # The reason of a close does not reach the browser through daphne 4.2 (it drops
            # it): an error frame says why first.
            await self._error(
                None,
                "too_many_sockets",
                gettext_noop("You have %(n)s live pages of this session open already."),
                (("n", limit),),
            )
            await self._close_for(CLOSE_TOO_MANY_SOCKETS, f"at most {limit} sockets")
            return
        await self.room.welcome(self, attached)  # the snapshot at once

    @property
    def _bucket_key(self) -> tuple[int, int | None]:
        return (self.user_id, self.session_id)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Forget this socket everywhere: hub (room, timers, groups), rate bucket and
        presence. Idempotent; every close path runs it (the browser's close, a server close,
        an exception)."""
        if not self.joined:
            return
        self.joined = False
        session_id, self.session_id = self.session_id, None
        self.room, self.held = None, None
        if session_id is None:  # pragma: no cover - joined implies a session
            return
        self.live.buckets.release((self.user_id, session_id))
        try:
            await self.live.leave(self, session_id)
        finally:
            try:
                await db(services.session_detach)(
                    session_id=session_id, channel_name=self.channel_name
                )
            except DatabaseError:  # the sweep of a later heartbeat heals presence
                logger.warning("could not record the disconnect of %s", self.channel_name)

    async def _close_for(self, code: int, reason: str) -> None:
        await self._leave()
        await self.close(code=code, reason=reason)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to its one shared database thread to close that
        # thread's stale connections, once per frame. This consumer never uses that thread:
        # its calls run on the pool of sessions_live.db, which does the same housekeeping
        # around each call. So go straight to the handler.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            logger.debug("ignoring a %s message", message.get("type"))
            return
        try:
            await handler(message)
        except StopConsumer:
            raise
        except BaseException:
            # The socket dies with this exception (daphne closes it with 1011, and no
            # disconnect will run): forget it first, so nobody is left shown online. Run as a
            # task of its own so that a cancellation of this one cannot cut it short.
            cleanup = self.live.spawn(self._leave())
            try:
                await asyncio.shield(cleanup)
            except BaseException:  # noqa: S110 - the original error is what matters
                pass
            raise

    # --- frames from the browser -------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session_id is None or self.bucket is None:
            return
        now = self.live.monotonic()
        if not self.bucket.take(now):
            # One notice a second, not one a frame.
            if self.last_rate_error < 0 or now - self.last_rate_error >= 1.0:
                self.last_rate_error = now
                await self._error(
                    None, "rate_limited", gettext_noop("Too many messages; slow down.")
                )
            return
        parsed = arbiter.parse_frame(self.user_id, text_data, settings.WS_MAX_FRAME_BYTES)
        if isinstance(parsed, arbiter.FrameError):
            await self._error(parsed.id, parsed.code, parsed.template, parsed.params)
            return
        if isinstance(parsed, arbiter.Ping):
            await self._send({"type": "pong", "id": parsed.id, "server_time": self.live.clock()})
            return
        self.held = []  # the state of this command's version comes after its ack
        try:
            await self._command(parsed)
        finally:
            await self._release()

    async def _command(self, command: arbiter.Command) -> None:
        assert self.session_id is not None
        try:
            outcome = await db(services.session_command)(
                session_id=self.session_id, command=command
            )
        except DatabaseError:
            logger.exception("command %s could not be saved", command.id)
            await self._error(
                command.id,
                "unavailable",
                gettext_noop("The server could not save this just now; try again."),
            )
            return
        if isinstance(outcome, arbiter.Refused):
            await self._error(
                command.id, outcome.code, outcome.template or outcome.message, outcome.params
            )
        else:
            await self._send(
                {
                    "type": "ack",
                    "id": command.id,
                    "version": outcome.state.version,
                    "duplicate": isinstance(outcome, arbiter.Duplicate),
                }
            )

    async def _release(self) -> None:
        """The reply is out: send what the hub held for this socket meanwhile, in order and
        before any newer push (under the room's lock), then a sign-out that came meanwhile."""
        room = self.room
        if room is not None:
            async with room.lock:
                held, self.held = self.held, None
                for frame in held or ():
                    await self.send(text_data=frame)
        self.held = None
        revoked, self.revoked = self.revoked, None
        if revoked is not None:
            await self.user_revoked(revoked)

    # --- from the hub ------------------------------------------------------------------

    async def deliver(self, frame: str) -> None:
        """A ``state`` frame for this socket (the same text as the other sockets of its
        member get)."""
        if self.held is not None:
            self.held.append(frame)
        elif self.session_id is not None:
            await self.send(text_data=frame)

    async def user_revoked(self, event: dict[str, Any]) -> None:
        """The member signed out (of the browser session ``session_key``, or of every one
        when it is None), changed their password or was deactivated."""
        if self.session_id is None:
            return
        key = event.get("session_key")
        if key is not None and key != self.session_key:
            return  # signed out elsewhere: this browser's login still holds
        if self.held is not None:  # a command is out: close after its reply, as it was sent
            self.revoked = event
            return
        await self._close_for(CLOSE_REVOKED, str(event.get("reason") or "signed out"))

    async def fail(self) -> None:
        """A push to this socket failed: close it as a server error (presence cleared)."""
        await self._close_for(CLOSE_SERVER_ERROR, "server error")

    async def _error(
        self,
        command_id: str | None,
        code: str,
        template: str,
        params: tuple[tuple[str, str | int], ...] = (),
    ) -> None:
        with translation.override(self.language):
            text = refusals.message(template, params, template)
        await self._send({"type": "error", "id": command_id, "code": code, "message": text})

    async def _send(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))


def _session_key(scope: dict[str, Any]) -> str | None:
    """The browser session (login) this socket came with, to match a sign-out against."""
    session = scope.get("session")
    key = getattr(session, "session_key", None) if session is not None else None
    return key if isinstance(key, str) else None
