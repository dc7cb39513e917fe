"""The live database threads keep their connections (sessions_live/db.py), and never use one
the server ended or that an error left in doubt; against the machine's PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import psycopg
import pytest
from django.db import ProgrammingError, connection

from sessions_live import db as live_db

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _on_every_thread(action) -> None:  # noqa: ANN001
    """Run ``action`` once on each of the pool's threads (each call holds its thread until
    all have started, so no thread takes two)."""
    threads = live_db._POOL._max_workers
    started = threading.Barrier(threads)

    def run() -> None:
        started.wait(timeout=10)
        action()

    for future in [live_db._POOL.submit(run) for _ in range(threads)]:
        future.result(timeout=10)


@pytest.fixture
def kept(settings) -> Iterator[None]:  # noqa: ANN001
    settings.LIVE_DB_KEEP_CONNECTIONS = True
    yield
    _on_every_thread(lambda: connection.close())  # the test database must be droppable


async def pids(calls: int) -> set[int]:
    return {await live_db.db(backend_pid)() for _ in range(calls)}


async def test_calls_reuse_each_threads_connection(kept) -> None:  # noqa: ANN001
    assert len(await pids(12)) <= live_db._POOL._max_workers


async def test_without_keeping_every_call_has_a_connection_of_its_own(settings) -> None:  # noqa: ANN001
    settings.LIVE_DB_KEEP_CONNECTIONS = False
    assert len(await pids(6)) == 6


def _terminate(backends: set[int], dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        for pid in backends:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        # The server has ended them (waiting for a real process, not a test's sleep).
        for _ in range(500):
            left = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(backends)]
            ).fetchone()
            if left is not None and left[0] == 0:
                return
            threading.Event().wait(0.01)
        raise AssertionError("the backends did not end")


def _dsn() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    )


async def test_a_connection_the_server_ended_is_replaced_before_the_next_call(kept) -> None:  # noqa: ANN001
    before = await pids(8)
    dsn = await live_db.db(_dsn)()
    await asyncio.to_thread(_terminate, before, dsn)
    after = await pids(8)  # no call fails
    assert after and not after & before


def _on_one_thread(*funcs) -> list[object]:  # noqa: ANN002
    """Each of ``funcs`` as ``db`` runs it (its connection housekeeping included), one after
    the other on this one thread; an exception is returned instead of raised."""
    results: list[object] = []
    try:
        for func in funcs:
            try:
                results.append(live_db.db(func).func())
            except Exception as error:  # noqa: BLE001
                results.append(error)
    finally:
        connection.close()
    return results


def _bad_sql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELEC 1")


def _left_in_a_transaction() -> int:
    connection.set_autocommit(False)
    return backend_pid()


async def test_a_thread_serves_its_calls_on_one_connection(kept) -> None:  # noqa: ANN001
    first, second = await asyncio.to_thread(_on_one_thread, backend_pid, backend_pid)
    assert first == second


async def test_a_connection_an_error_was_raised_on_is_not_used_again(kept) -> None:  # noqa: ANN001
    first, error, second = await asyncio.to_thread(
        _on_one_thread, backend_pid, _bad_sql, backend_pid
    )
    assert isinstance(error, ProgrammingError)
    assert isinstance(second, int) and second != first


async def test_a_connection_left_in_a_transaction_is_not_used_again(kept) -> None:  # noqa: ANN001
    first, second = await asyncio.to_thread(_on_one_thread, _left_in_a_transaction, backend_pid)
    assert second != first
