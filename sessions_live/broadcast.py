"""Pushes to the sockets of one session, through the channel layer (after commit only).

The group message carries the session's full state JSON; each consumer builds its own
member's view from it, so a push costs no database read per member.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from sessions_live import presence


def group_name(session_id: int) -> str:
    # Built only from a primary key the database vouched for, never from client input.
    return f"session.{session_id}"


def state_changed(session_id: int, state: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    async_to_sync(layer.group_send)(
        group_name(session_id),
        {"type": "session.state", "state": state, "online": presence.online_user_ids(session_id)},
    )


def presence_changed(session_id: int, online: list[int]) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover
        return
    async_to_sync(layer.group_send)(
        group_name(session_id), {"type": "session.presence", "online": online}
    )
