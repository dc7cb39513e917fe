"""Where the live session's database calls run: a small pool of worker threads per process.

Channels' ``database_sync_to_async`` defaults to asgiref's ``thread_sensitive=True``: every
database call of the process then waits its turn on one shared thread, so one slow call (a
connect storm after a process died, a start that loads the bank) holds up every command of
every session. The live session's calls are self-contained (each opens and ends its own
transaction, and the row lock orders the commands of one session), so they run on a pool of
``LIVE_DB_THREADS`` threads instead, each with its own database connection. The HTTP views and
channels' own middleware keep the thread-sensitive default.

**Each of these threads keeps its connection** (``LIVE_DB_KEEP_CONNECTIONS``, on outside
pytest): taken from the process's pool once and held, instead of handed out and back around
every call. The hand-out cost a round trip of its own (the pool checks a connection with an
empty query before handing it out) and the housekeeping around it, about a tenth of a
command's CPU in bench/command_steps.py. A kept connection is still never used dead: before
each call it is given back (and the pool's checked hand-out replaces it) if the server has
said anything on it while it sat idle, which is how a server that restarted or ended the
connection shows (a readable socket: an error notice or the end of the stream), if a call on
it raised a database error, or if it was left inside a transaction.
"""

from __future__ import annotations

import functools
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import psycopg
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from psycopg_pool import PoolTimeout

P = ParamSpec("P")
R = TypeVar("R")

_POOL = ThreadPoolExecutor(max_workers=settings.LIVE_DB_THREADS, thread_name_prefix="live-db")


class Breaker:
    """Fail fast while the database is unreachable. Without it, every call of an outage waits
    for the pool's hand-out timeout on one of the few threads, the calls queue behind each
    other, and a command sent during the outage is answered long after, against a state that
    moved on. After a connection failure the breaker stays open for ``window`` seconds (calls
    fail at once with ``OperationalError``); then one call at a time tries the database, and
    the first that reaches it closes the breaker. ``clock`` reads the time (a monotonic one;
    tests pass one they move)."""

    def __init__(self, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self.open_until = 0.0
        self.probing = False
        self.lock = threading.Lock()

    def before(self) -> bool:
        """May this call try the database? Returns whether it is the probe."""
        with self.lock:
            if self.open_until == 0.0:
                return False
            if self.clock() < self.open_until or self.probing:
                raise OperationalError("the database is unavailable")
            self.probing = True
            return True

    def after(self, error: BaseException | None, probe: bool) -> None:
        with self.lock:
            if probe:
                self.probing = False
            if error is not None and is_connection_failure(error):
                self.open_until = self.clock() + self.window
            elif probe or error is None:
                self.open_until = 0.0


def is_connection_failure(error: BaseException) -> bool:
    """The database could not be reached (as opposed to an error it answered with, such as a
    deadlock, which has an SQLSTATE)."""
    cause = error.__cause__ if isinstance(error, DatabaseError) else error
    if isinstance(cause, PoolTimeout):
        return True
    return isinstance(cause, psycopg.OperationalError) and cause.sqlstate is None


BREAKER = Breaker()


def release_if_unfit() -> None:
    """Give the calling thread's kept connection back to the pool (or close it, unpooled) if
    it must not serve another call: a database error was raised on it, it was left in a
    transaction, or the server has sent something while it sat idle (the connection was
    ended: a restart, an administrator, an idle timeout). No round trip: an idle connection
    the server still serves has nothing to read."""
    raw = connection.connection
    if raw is None:
        return
    if connection.errors_occurred or not connection.get_autocommit() or _readable(raw):
        connection.close()


def _readable(raw: Any) -> bool:
    """Whether a PostgreSQL connection's socket has something to read (SQLite has none)."""
    fileno = getattr(raw, "fileno", None)
    if fileno is None:
        return False
    try:
        ready, _, _ = select.select([fileno()], [], [], 0)
    except (OSError, ValueError):  # closed already
        return True
    return bool(ready)


def db(func: Callable[P, R]) -> Any:
    """``await db(service)(...)``: run ``service`` on the pool, on the thread's kept
    connection (see the module's docstring) or, where connections are not kept, with Django's
    housekeeping (close stale or obsolete connections) before and after, as channels'
    ``database_sync_to_async`` does. While the database is unreachable the call fails at once
    (``BREAKER``)."""

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        probe = BREAKER.before()
        keep = settings.LIVE_DB_KEEP_CONNECTIONS
        if keep:
            release_if_unfit()
        else:
            close_old_connections()
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            BREAKER.after(error, probe)
            raise
        finally:
            if not keep:
                close_old_connections()
        BREAKER.after(None, probe)
        return result

    return SyncToAsync(call, thread_sensitive=False, executor=_POOL)
