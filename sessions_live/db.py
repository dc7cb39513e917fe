"""Where the live session's database calls run: a small pool of worker threads per process.

Channels' ``database_sync_to_async`` defaults to asgiref's ``thread_sensitive=True``: every
database call of the process then waits its turn on one shared thread, so one slow call (a
connect storm after a process died, a start that loads the bank) holds up every command of
every session. The live session's calls are self-contained (each opens and ends its own
transaction, and the row lock orders the commands of one session), so they run on a pool of
``LIVE_DB_THREADS`` threads instead, each with its own database connection. The HTTP views and
channels' own middleware keep the thread-sensitive default.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections

P = ParamSpec("P")
R = TypeVar("R")

_POOL = ThreadPoolExecutor(max_workers=settings.LIVE_DB_THREADS, thread_name_prefix="live-db")


def db(func: Callable[P, R]) -> Any:
    """``await db(service)(...)``: run ``service`` on the pool, with Django's connection
    housekeeping (close stale or obsolete connections) before and after, as channels'
    ``database_sync_to_async`` does. It runs inside the call's own context, where asgiref
    keeps the connection objects the call used."""

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return SyncToAsync(call, thread_sensitive=False, executor=_POOL)
