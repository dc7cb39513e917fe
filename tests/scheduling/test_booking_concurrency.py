"""Two scheduler runs at the same time on PostgreSQL, each in its own thread with its own
connection: they book no overlap. With the lock, the second waits for the first (seen waiting
on the advisory lock in ``pg_stat_activity``) and then finds nothing left to book; without it
and with the services' own look-up blinded, the database's exclusion constraint alone lets
exactly one of two runs that want the same interviewer at the same hour book it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection, connections

from interviews import services as interviews
from interviews.models import Hold, Round
from scheduling import booking, matching
from scheduling import problem as problems
from scheduling.models import Run
from tests.scheduling.scheduler_world import (
    NOW,
    at,
    candidate,
    free,
    interviewer,
    position_with_plan,
    recruiter,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_broker"),
]
WAIT = 30  # seconds any step may take before the test gives up (never a timing assertion)


def in_threads(*jobs: Callable[[], Any]) -> list[Any]:
    """Run each job in its own thread (its own database connection); their results."""
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        try:
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(n, job)) for n, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
        assert not thread.is_alive(), "a run never finished"
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def no_overlaps() -> None:
    """Nobody — interviewer, assistant or candidate — holds two overlapping times, and every
    scheduled round's people are held (the rounds themselves agree with the holds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM interviews_hold a JOIN interviews_hold b ON a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
            "AND (a.user_id = b.user_id OR a.candidate_id = b.candidate_id)"
        )
        assert cursor.fetchone() == (0,)
    seen: dict[tuple[str, int], list[Any]] = {}
    for row in Round.objects.filter(status="scheduled").prefetch_related("assistants"):
        for key in [("user", row.interviewer_id), ("candidate", row.candidate_id)] + [
            ("user", p.pk) for p in row.assistants.all()
        ]:
            for other in seen.get(key, []):
                assert not (other.starts_at < row.ends_at and row.starts_at < other.ends_at)
            seen.setdefault(key, []).append(row)
        assert Hold.objects.filter(round=row).count() == 2 + row.assistants.count()


def waiting_on_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        )
        return cursor.fetchone()[0] > 0


def test_two_runs_at_once_wait_for_each_other_and_book_no_overlap(roles, monkeypatch) -> None:  # noqa: ANN001
    assert connection.vendor == "postgresql"
    with time_machine.travel(NOW, tick=False):
        rita = recruiter()
        ann, bob = interviewer("ann", "Ann"), interviewer("bob", "Bob")
        position = position_with_plan(rita, default=ann, pool=(ann, bob))
        people = [candidate(rita, position, f"C{n} Candidate") for n in range(7)]
        for person in people:
            free(person, at(0), at(3), by=rita)
        free(ann, at(0), at(3), by=rita)
        free(bob, at(0), at(3), by=rita)

    real_solve = matching.solve
    inside, release = threading.Event(), threading.Event()
    solving: list[str] = []

    def solve(*args: Any, **kwargs: Any) -> Any:
        solving.append(threading.current_thread().name)
        if not inside.is_set():  # the first run holds the lock here until released
            inside.set()
            assert release.wait(WAIT)
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(matching, "solve", solve)

    def first() -> Run:
        return booking.scheduler_run(now=NOW)

    def second() -> Run:
        assert inside.wait(WAIT)
        return booking.scheduler_run(now=NOW)

    def watch() -> None:
        assert inside.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while not waiting_on_the_lock():  # the second run is blocked on the advisory lock
            assert time.monotonic() < deadline, "the second run never waited for the lock"
            time.sleep(0.02)
        assert len(solving) == 1  # …and has not reached the solver
        release.set()

    one, two, _watched = in_threads(first, second, watch)

    assert len(solving) == 2
    # Two interviewers, three hours: six of the seven booked, all by the first run; the
    # second, waiting, saw them booked and had only the seventh to place (taken / at cap).
    assert (one.booked, one.skipped, one.unmatched) == (6, 0, 1)
    assert (two.booked, two.skipped, two.unmatched) == (0, 0, 1)
    assert Round.objects.filter(status="scheduled").count() == 6
    no_overlaps()


def test_without_the_lock_the_constraint_alone_refuses_the_second(roles, monkeypatch) -> None:  # noqa: ANN001
    """Each run sees a different candidate (as two runs could, started a moment apart around
    a change), both want Ann at 09:00; the runs meet after solving, so both are inside their
    transactions before either books; the service's look-up of Ann's rounds is blinded."""
    with time_machine.travel(NOW, tick=False):
        rita = recruiter()
        ann = interviewer("ann", "Ann")
        position = position_with_plan(rita, default=ann)
        carla = candidate(rita, position, "Carla Candidate")
        dan = candidate(rita, position, "Dan Candidate")
        for person in (carla, dan):
            free(person, at(2), at(3), by=rita)
        free(ann, at(2), at(3), by=rita)

    monkeypatch.setattr(booking, "_lock", lambda: None)
    monkeypatch.setattr(interviews, "_busy", lambda *args, **kwargs: None)
    real_build, real_solve = problems.build, matching.solve
    mine: dict[str, int] = {}
    met = threading.Barrier(2, timeout=WAIT)

    def build(**kwargs: Any) -> problems.Problem:
        wanted = mine[threading.current_thread().name]
        targets = [t for t in problems.eligible_targets() if t.candidate_id == wanted]
        return real_build(targets=targets, **kwargs)

    def solve(*args: Any, **kwargs: Any) -> Any:
        plan = real_solve(*args, **kwargs)
        met.wait()  # both have solved; neither has booked
        return plan

    monkeypatch.setattr(problems, "build", build)
    monkeypatch.setattr(matching, "solve", solve)

    def run_for(person: Any) -> Callable[[], Run]:
        def job() -> Run:
            mine[threading.current_thread().name] = person.pk
            return booking.scheduler_run(now=NOW)

        return job

    runs = in_threads(run_for(carla), run_for(dan))

    assert sorted(r.booked for r in runs) == [0, 1] and sorted(r.skipped for r in runs) == [0, 1]
    [loser] = [r for r in runs if r.skipped]
    [refused] = loser.bookings.all()
    assert refused.outcome == "refused" and refused.why["refused"] == "interviewer_busy"
    assert refused.starts_at == at(2)
    [booked] = Round.objects.filter(status="scheduled")
    assert (booked.interviewer, booked.starts_at) == (ann, at(2))
    assert Hold.objects.filter(user=ann).count() == 1
    no_overlaps()
