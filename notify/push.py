"""Pushes to a person's open pages (the personal socket, ``notify.consumers``) through the
channel layer. Called after commit only; a push never fails its caller.

Each signed-in page holds one socket in two groups: ``notices.<user id>`` for what this app
pushes, and ``user.<user id>``, the group the site closes every socket of a login through
when it is signed out, its password changed or its account deactivated (``sessions_live``
publishes ``user.revoked`` there). Notices go to a group of their own: the other sockets in
``user.<id>`` (the live session's, the cabinet's) have no use for them.

Where the caller runs decides how the message goes out, so no request thread ever waits on
Redis: on an event loop (a consumer) as a task of that loop; in a thread that an event loop
handed its work (a view under daphne, ``database_sync_to_async``) handed back to that loop;
elsewhere (a Celery worker, a management command) sent at once, bounded by ``TIMEOUT``. If the
layer is away (Redis down) the push is logged and dropped: the notice is stored, and the page
shows it on its next connect (``hello`` counts it) or on /notices/.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Future
from typing import Any

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

TIMEOUT = 2.0  # seconds a push may take before it is given up
_TASKS: set[asyncio.Task[None]] = set()  # pushes in flight (a task nobody holds may vanish)


def notice_group(user_id: int) -> str:
    # Built from a primary key the database vouched for, never from client input.
    return f"notices.{int(user_id)}"


def revoke_group(user_id: int) -> str:
    """The site-wide group of one user's sockets, closed together on sign-out
    (the same name as ``sessions_live.broadcast.user_group_name``; a test holds them equal)."""
    return f"user.{int(user_id)}"


def notice_new(user_id: int, notice: dict[str, Any]) -> None:
    publish(notice_group(user_id), {"type": "notice.new", "notice": notice})


def unread_changed(user_id: int, unread: int) -> None:
    publish(notice_group(user_id), {"type": "notice.unread", "unread": unread})


def publish(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group`` from wherever the caller runs; never raises."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        task = loop.create_task(_send(group, message))
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)
        return
    calling = _calling_loop()
    if calling is not None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(_send(group, message), calling)
        future.add_done_callback(_log_failure)
        return
    try:
        async_to_sync(_send)(group, message)
    except Exception:  # _send logs its own failures; this is the loop machinery's
        logger.warning("could not push to %s", group, exc_info=True)


async def _send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:  # pragma: no cover - settings always configure a layer
        return
    try:
        await asyncio.wait_for(layer.group_send(group, message), TIMEOUT)
    except Exception as error:  # Redis away or slow: the row is stored, the page catches up
        logger.warning("could not push to %s (%r); the notice is stored", group, error)


def _log_failure(future: Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.warning("could not push", exc_info=future.exception())


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
