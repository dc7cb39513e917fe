"""The live-session WebSocket: authenticate, check membership, validate a frame, call one
service, reply. Every rule lives in the arbiter; see docs/protocol.md for the messages."""

from __future__ import annotations

import asyncio
import json
import logging
import time
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
from sessions_live.broadcast import group_name, user_group_name
from sessions_live.db import db
from sessions_live.ratelimit import SharedBuckets, TokenBucket
from sessions_live.timers import SessionTimers

logger = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_MEMBER = 4403
CLOSE_NO_SESSION = 4404
# The member signed out, changed their password or was deactivated: the socket is closed and
# a reconnect with the same cookie is refused with 4401.
CLOSE_REVOKED = 4410
# The member already holds presence.MAX_SOCKETS_PER_USER sockets on this session.
CLOSE_TOO_MANY_SOCKETS = 4429

# One rate bucket per (member, session), shared by that member's sockets in this process.
BUCKETS = SharedBuckets()
# Clean-ups started on an exception path, kept until done (a task nobody holds may vanish).
_CLEANUPS: set[asyncio.Task[None]] = set()


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
    bucket: TokenBucket | None = None
    # Whether this socket may hold a presence row and group memberships to undo on leaving.
    joined: bool = False
    session_key: str | None = None
    language: str = "en"

    async def connect(self) -> None:
        self.online = []
        self.last_rate_error = 0.0
        self.language = refusals.language_of(self.scope)
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
        self.bucket = BUCKETS.acquire(
            self._bucket_key, settings.WS_RATE_PER_SECOND, settings.WS_RATE_BURST
        )
        await self.channel_layer.group_add(group_name(session_id), self.channel_name)
        await self.channel_layer.group_add(user_group_name(self.user_id), self.channel_name)
        TIMERS.watch(session_id, self)
        _ensure_heartbeat()
        # Joining the group before reading the state means no change can slip between them.
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
        state = selectors.parsed_state(session_id, attached.state["version"], attached.state)
        if self.state is None or state.version >= self.state.version:
            self.state = state  # a push may have overtaken the read: keep the newer
        if attached.stamp >= self.online_stamp:
            self.online, self.online_stamp = attached.online, attached.stamp
        await self._push_view()  # the snapshot at once, without waiting for the layer

    @property
    def _bucket_key(self) -> tuple[int, int | None]:
        return (self.user_id, self.session_id)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        """Forget this socket everywhere: timers, groups, rate bucket and presence. Idempotent;
        every close path runs it (the browser's close, a server close, an exception)."""
        if not self.joined:
            return
        self.joined = False
        session_id, self.session_id = self.session_id, None
        if session_id is None:  # pragma: no cover - joined implies a session
            return
        BUCKETS.release((self.user_id, session_id))
        TIMERS.unwatch(session_id, self)
        try:
            try:
                await self.channel_layer.group_discard(group_name(session_id), self.channel_name)
                await self.channel_layer.group_discard(
                    user_group_name(self.user_id), self.channel_name
                )
            except Exception:  # Redis away: the layer forgets the channel with its process
                logger.warning("could not leave the groups of %s", self.channel_name)
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
        # thread's stale connections, once per frame and once per push to every socket. This
        # consumer never uses that thread: its calls run on the pool of sessions_live.db, which
        # does the same housekeeping around each call. So go straight to the handler.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            # The member's group may carry messages for other kinds of sockets: not ours.
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
            cleanup = asyncio.get_running_loop().create_task(self._leave())
            _CLEANUPS.add(cleanup)
            cleanup.add_done_callback(_CLEANUPS.discard)
            try:
                await asyncio.shield(cleanup)
            except BaseException:  # noqa: S110 - the original error is what matters
                pass
            raise

    # --- frames from the browser -------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session_id is None or self.bucket is None:
            return
        if not self.bucket.take(time.monotonic()):
            now = time.monotonic()
            if now - self.last_rate_error >= 1.0:  # one notice a second, not one a frame
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
            await self._send({"type": "pong", "id": parsed.id, "server_time": time.time()})
            return
        command = parsed
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
        if self.session_id is None:
            return
        if event["stamp"] <= self.online_stamp:
            return  # an older reading overtaken by a newer one, or the one this socket has
        self.online, self.online_stamp = event["online"], event["stamp"]
        await self._push_view()

    async def user_revoked(self, event: dict[str, Any]) -> None:
        """The member signed out (of the browser session ``session_key``, or of every one
        when it is None), changed their password or was deactivated."""
        if self.session_id is None:
            return
        key = event.get("session_key")
        if key is not None and key != self.session_key:
            return  # signed out elsewhere: this browser's login still holds
        await self._close_for(CLOSE_REVOKED, str(event.get("reason") or "signed out"))

    async def _push_view(self) -> None:
        if self.session_id is None or self.state is None:
            return
        state = self.state
        view = arbiter.member_view(state, self.user_id, time.time(), self.online)
        await self._send({"type": "state", "protocol": PROTOCOL_VERSION, "state": view})
        TIMERS.schedule(self.session_id, arbiter.next_deadline(state))

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
