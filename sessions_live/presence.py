"""Who is connected to a session, right across processes.

Each open socket is a ``Connection`` row tagged with its process; each process refreshes a
heartbeat. Connections of a process whose heartbeat went stale (it died) do not count and are
swept by any live process, which then pushes the corrected presence.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions_live.models import Connection, LiveSession, Membership, ServerProcess

HEARTBEAT_SECONDS = 5
STALE_AFTER_SECONDS = 15
# Open sockets one member may hold on one session, across every process (a tab each).
MAX_SOCKETS_PER_USER = 5
SERVER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _alive_servers():  # noqa: ANN202 - a queryset of ids, used as a subquery
    cutoff = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    return ServerProcess.objects.filter(seen_at__gte=cutoff).values("server_id")


Presence = tuple[list[int], float]


def _stamp() -> float:
    """The time of a reading. The wall clock, not the services' clock (sessions_live/clock.py):
    a stamp is no deadline but the order of readings made in different processes, and a room
    keeps only a strictly newer one, so a frozen clock would make every later reading tie and
    be dropped."""
    return time.time()


def online(session_id: int) -> Presence:
    """Who is online in a session, and the time of the reading (newer readings win)."""
    stamp = _stamp()
    return online_user_ids(session_id), stamp


def online_user_ids(session_id: int) -> list[int]:
    return sorted(
        set(
            Connection.objects.filter(
                session_id=session_id, server_id__in=_alive_servers()
            ).values_list("user_id", flat=True)
        )
    )


def heartbeat(server_id: str = SERVER_ID) -> None:
    """Record that the process lives: one upsert (INSERT … ON CONFLICT DO UPDATE), outside any
    transaction. Every socket of the process beats as it connects, so the row must not be a
    lock held across round trips: ``update_or_create`` (a transaction with SELECT … FOR
    UPDATE, then UPDATE) queued every connect of a process behind the one before it."""
    ServerProcess.objects.bulk_create(
        [ServerProcess(server_id=server_id, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["server_id"],
        update_fields=["seen_at"],
    )


def max_sockets_per_user() -> int:
    return int(getattr(settings, "WS_MAX_SOCKETS_PER_USER", MAX_SOCKETS_PER_USER))


def connection_open(*, session_id: int, user_id: int, channel_name: str) -> Presence | None:
    """Record an open socket and return who is online; None (nothing recorded) when the
    member already holds ``max_sockets_per_user()`` sockets on the session, counted over
    every live process. The member's membership row is locked while counting, so sockets of
    one member opening at once in several processes cannot all slip under the limit."""
    # A connection only counts while its process beats: beat now, so the row is there even
    # for the first socket of a fresh process or after a sweep removed a stalled one.
    heartbeat()
    with transaction.atomic():
        list(
            Membership.objects.select_for_update()
            .filter(session_id=session_id, user_id=user_id)
            .values_list("pk", flat=True)
        )
        # Who is online and how many sockets this member holds, in one reading: the row
        # lock above keeps this member's count from moving until the commit, and what the
        # others open or close meanwhile is told by their own presence pushes.
        users = list(
            Connection.objects.filter(
                session_id=session_id, server_id__in=_alive_servers()
            ).values_list("user_id", flat=True)
        )
        stamp = _stamp()
        if users.count(user_id) >= max_sockets_per_user():
            return None
        # A socket's channel name is new with each socket (consumers.py): a plain INSERT.
        Connection.objects.create(
            channel_name=channel_name, session_id=session_id, user_id=user_id, server_id=SERVER_ID
        )
    return sorted({*users, user_id}), stamp


def connection_close(*, session_id: int, channel_name: str) -> Presence:
    Connection.objects.filter(channel_name=channel_name).delete()
    return online(session_id)


def sweep_dead_servers() -> list[int]:
    """Forget the connections of processes that stopped beating; return the sessions touched."""
    cutoff = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    with transaction.atomic():
        dead = list(
            ServerProcess.objects.filter(seen_at__lt=cutoff).values_list("server_id", flat=True)
        )
        if not dead:
            return []
        touched = sorted(
            set(Connection.objects.filter(server_id__in=dead).values_list("session_id", flat=True))
        )
        Connection.objects.filter(server_id__in=dead).delete()
        ServerProcess.objects.filter(server_id__in=dead).delete()
    return touched


def stored_versions(session_ids: list[int]) -> dict[int, int]:
    """The stored version of each of ``session_ids``, in one query (the convergence check)."""
    return dict(LiveSession.objects.filter(id__in=session_ids).values_list("id", "version"))


def stored_states(session_ids: list[int]) -> dict[int, tuple[int, dict]]:  # type: ignore[type-arg]
    """The stored version and state of each of ``session_ids``."""
    rows = LiveSession.objects.filter(id__in=session_ids).values_list("id", "version", "state")
    return {pk: (version, state) for pk, version, state in rows}
