"""Tell open cabinet pages that their lists changed (a session became ready, or was decided)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

GROUP = "cabinet"


def cabinet_changed(session_id: int) -> None:
    """Called after commit. A push that fails only delays a page's refresh, so it never
    breaks the caller: the lists are read from the database on every load."""
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    try:
        async_to_sync(layer.group_send)(GROUP, {"type": "cabinet.changed", "session": session_id})
    except Exception:
        logger.exception("could not notify cabinet pages about session %s", session_id)
