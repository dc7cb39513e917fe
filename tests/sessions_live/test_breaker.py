"""While the database is unreachable, live calls fail at once instead of queueing on the pool's
hand-out timeout; one probe at a time tries again, and the first success closes the breaker."""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError
from psycopg_pool import PoolTimeout

from sessions_live.clock import FrozenClock
from sessions_live.db import Breaker, is_connection_failure


def unreachable() -> OperationalError:
    error = OperationalError("connection refused")
    error.__cause__ = psycopg.OperationalError("connection failed: connection refused")
    return error


def test_connection_failures_are_told_apart_from_errors_the_server_answers() -> None:
    assert is_connection_failure(unreachable())
    timed_out = OperationalError("no connection")
    timed_out.__cause__ = PoolTimeout("couldn't get a connection after 2.00 sec")
    assert is_connection_failure(timed_out)
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    assert not is_connection_failure(deadlock)


def test_the_breaker_opens_on_a_connection_failure_and_one_probe_closes_it() -> None:
    clock = FrozenClock(start=1000.0)
    breaker = Breaker(window=0.2, clock=clock.now)
    assert breaker.before() is False  # closed: calls go through, none is a probe
    breaker.after(unreachable(), probe=False)
    with pytest.raises(OperationalError):
        breaker.before()  # open: fail at once
    clock.move(0.19)
    with pytest.raises(OperationalError):
        breaker.before()  # still inside the window
    clock.move(0.02)
    assert breaker.before() is True  # the one probe
    with pytest.raises(OperationalError):
        breaker.before()  # others still fail while it runs
    breaker.after(unreachable(), probe=True)  # still away: open again
    with pytest.raises(OperationalError):
        breaker.before()
    clock.move(0.21)
    assert breaker.before() is True
    breaker.after(None, probe=True)  # it answered: closed
    assert breaker.before() is False
    assert breaker.before() is False


def test_an_error_the_database_answered_does_not_open_the_breaker() -> None:
    breaker = Breaker(window=5)
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    breaker.after(deadlock, probe=False)
    assert breaker.before() is False
