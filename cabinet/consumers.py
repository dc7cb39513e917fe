"""The cabinet's WebSocket: managers only; it just says "your lists changed", never data."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from cabinet.broadcast import GROUP

CLOSE_NOT_LOGGED_IN = 4401
CLOSE_NOT_MANAGER = 4403


class CabinetConsumer(AsyncWebsocketConsumer):
    joined = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        if not await database_sync_to_async(user.has_perm)("accounts.decide_candidates"):
            await self.close(code=CLOSE_NOT_MANAGER)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.joined = True

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page never needs to say anything; ignore whatever arrives.
        return

    async def cabinet_changed(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"type": "changed", "session": event["session"]}))
