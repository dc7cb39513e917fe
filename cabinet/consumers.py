"""The cabinet's WebSocket: managers only; it just says "your lists changed", never data."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

import access
from cabinet.broadcast import GROUP
from sessions_live.broadcast import user_group_name

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_MANAGER = 4403
CLOSE_REVOKED = 4410  # as the live session's socket: signed out, password changed, deactivated


class CabinetConsumer(AsyncWebsocketConsumer):
    joined = False
    user_id: int | None = None
    session_key: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        if not await database_sync_to_async(access.can_decide)(user):
            await self.close(code=CLOSE_NOT_MANAGER)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        key = getattr(session, "session_key", None) if session is not None else None
        self.session_key = key if isinstance(key, str) else None
        # The user's group first: a sign-out published from now on reaches this socket.
        await self.channel_layer.group_add(user_group_name(user.pk), self.channel_name)
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.joined = True

    async def disconnect(self, code: int) -> None:
        if self.joined:
            self.joined = False
            await self.channel_layer.group_discard(GROUP, self.channel_name)
            if self.user_id is not None:
                await self.channel_layer.group_discard(
                    user_group_name(self.user_id), self.channel_name
                )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page never needs to say anything; ignore whatever arrives.
        return

    async def user_revoked(self, event: dict[str, Any]) -> None:
        """Sign-out of this browser's login (or of every login when ``session_key`` is None),
        a password change or a deactivation: the socket does not outlive it."""
        key = event.get("session_key")
        if key is not None and key != self.session_key:
            return
        await self.disconnect(CLOSE_REVOKED)
        await self.close(code=CLOSE_REVOKED)

    async def cabinet_changed(self, event: dict[str, Any]) -> None:
        # What changed: a session, or a candidate decided on without one (docs/protocol.md).
        subject = "session" if "session" in event else "candidate"
        await self.send(text_data=json.dumps({"type": "changed", subject: event[subject]}))
