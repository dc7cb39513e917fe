"""The problem the scheduler solves, read from the database (``scheduling.problem.build``):
who is eligible and for which round, who may take it, the hourly starts inside both free times
and clear of every hold, days and weeks in each interviewer's own zone, caps and what is
booked already — in a fixed number of queries whatever the size."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import services as candidates
from interviews import services as interviews
from scheduling import problem as problems
from scheduling import services as availability
from scheduling.models import Capacity
from tests.scheduling.scheduler_world import (
    HOUR,
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
    pytest.mark.usefixtures("frozen", "no_broker"),
]


@pytest.fixture
def rita(roles):  # noqa: ANN001, ANN201
    return recruiter()


@pytest.fixture
def ann(roles):  # noqa: ANN001, ANN201
    return interviewer("ann", "Ann", "Europe/Berlin")


@pytest.fixture
def bob(roles):  # noqa: ANN001, ANN201
    return interviewer("bob", "Bob")


def hours(*offsets: float) -> frozenset[int]:
    return frozenset(problems.hour_of(at(o)) for o in offsets)


def by_candidate(problem: problems.Problem) -> dict[int, tuple[problems.Target, Any]]:
    requests = {r.id: r for r in problem.requests}
    return {t.candidate_id: (t, requests[t.request]) for t in problem.targets.values()}


def test_the_window_opens_on_the_first_full_hour_an_hour_ahead() -> None:
    assert problems.window(NOW) == (NOW + HOUR, NOW + HOUR + timedelta(days=14))
    late = NOW + timedelta(minutes=59, seconds=30)
    assert problems.window(late, days=2) == (NOW + 2 * HOUR, NOW + 2 * HOUR + timedelta(days=2))


def test_who_is_eligible_and_for_which_round(rita, ann, bob) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann, pool=(ann, bob))
    fresh = candidate(rita, position, "Fresh Candidate")  # no interview: the plan's first
    opened = candidate(rita, position, "Open Candidate")
    interview = interviews.interview_create(candidate=opened, position=position, by=rita)
    first, second = interview.rounds.order_by("order")
    interviews.round_cancel(round_=first, by=rita)  # its next round is the second
    booked = candidate(rita, position, "Booked Candidate")
    booked_round = interviews.interview_create(
        candidate=booked, position=position, by=rita
    ).rounds.get(order=0)
    interviews.round_assign(round_=booked_round, by=rita, interviewer=ann, starts_at=at(30))
    closed = candidate(rita, position, "Closed Candidate")
    interviews.interview_close(
        interview=interviews.interview_create(candidate=closed, position=position, by=rita),
        by=rita,
    )
    later = position_with_plan(rita, title="Later position", default=bob)
    candidates.candidate_create(
        by=rita,
        fields={"full_name": "Two Positions", "email": "two@example.com"},
        positions=[later, position],
    )
    shut = position_with_plan(rita, title="Shut position", default=ann)
    candidate(rita, shut, "Shut Candidate")
    candidates.position_update(position=shut, fields={"status": "closed"})
    candidate(rita, candidates.position_create(by=rita, fields={"title": "No plan"}), "No Plan")

    found = {t.candidate_name: t for t in problems.eligible_targets()}

    # (Closed: their interview was closed and none is open — the plan's first round again.)
    assert set(found) == {"Fresh Candidate", "Open Candidate", "Two Positions", "Closed Candidate"}
    assert found["Closed Candidate"].round_id is None
    assert (found["Fresh Candidate"].round_id, found["Fresh Candidate"].order) == (None, 0)
    assert found["Fresh Candidate"].plan_round_id is not None
    assert found["Fresh Candidate"].pool == tuple(sorted([ann.pk, bob.pk]))
    assert (found["Open Candidate"].round_id, found["Open Candidate"].name) == (
        second.pk,
        "Final",
    )
    assert found["Open Candidate"].pool == (ann.pk,)  # no pool: the default interviewer
    # On two positions, both with a plan: the older one.
    assert found["Two Positions"].position_id == position.pk
    assert fresh.pk in {t.candidate_id for t in found.values()}


def test_starts_lie_inside_both_free_times_and_clear_of_every_hold(rita, ann, bob) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann, pool=(ann, bob))
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(0) + timedelta(minutes=30), at(4), by=rita)  # 07:30–11:00: 08, 09, 10
    free(ann, at(0), at(6), by=rita)
    free(bob, at(2), at(3) + timedelta(minutes=10), by=rita)  # 09:00–10:10: only 09
    # Ann is on another interview 10:30–11:30: 10 and 11 are not hers.
    other = candidate(rita, position, "Other Candidate")
    other_round = interviews.interview_create(
        candidate=other, position=position, by=rita
    ).rounds.get(order=0)
    interviews.round_assign(
        round_=other_round, by=rita, interviewer=ann, starts_at=at(3) + timedelta(minutes=30)
    )

    problem = problems.build(now=NOW)

    (target, request) = by_candidate(problem)[carla.pk]
    assert request.starts == hours(1, 2, 3) and request.pool == (ann.pk, bob.pk)
    assert request.panel == () and target.round_id is None
    people = {i.id: i for i in problem.interviewers}
    assert set(people[ann.pk].free) == set(hours(0, 1, 2, 5))
    assert set(people[bob.pk].free) == set(hours(2))
    assert problem.candidate_hours[carla.pk] == 3
    assert other.pk not in by_candidate(problem)  # scheduled: not eligible


def test_days_and_weeks_are_the_interviewers_own_and_caps_count_what_is_booked(
    rita,
    bob,
    roles,  # noqa: ANN001
) -> None:
    """Kiri in Auckland (UTC+13 in December): Monday 12:00 UTC is Tuesday 01:00 there; Sunday
    13 December 20:00 UTC is Monday 14 December, the next ISO week. Her capacity is her own;
    Bob has the site's. An interview she has on Tuesday (her Tuesday) counts for it."""
    kiri = interviewer("kiri", "Kiri", "Pacific/Auckland")
    Capacity.objects.create(user=kiri, per_day=2, per_week=None)
    position = position_with_plan(rita, default=kiri, pool=(kiri, bob))
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(0), at(24 * 7), by=rita)
    free(kiri, at(0), at(24 * 7), by=rita)
    free(bob, at(0), at(2), by=rita)
    dan = candidate(rita, position, "Dan Candidate")
    dans = interviews.interview_create(candidate=dan, position=position, by=rita).rounds.get(
        order=0
    )
    tuesday_there = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # Tuesday 09:00 in Auckland
    interviews.round_assign(round_=dans, by=rita, interviewer=kiri, starts_at=tuesday_there)

    problem = problems.build(now=NOW)

    people = {i.id: i for i in problem.interviewers}
    noon = problems.hour_of(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert people[kiri.pk].free[noon] == (date(2026, 12, 8).toordinal(), 2026 * 100 + 50)
    sunday_evening = problems.hour_of(datetime(2026, 12, 13, 20, 0, tzinfo=UTC))
    assert people[kiri.pk].free[sunday_evening] == (date(2026, 12, 14).toordinal(), 2026 * 100 + 51)
    assert (people[kiri.pk].per_day, people[kiri.pk].per_week) == (2, 10)  # week: the default
    assert (people[bob.pk].per_day, people[bob.pk].per_week) == (3, 10)
    assert people[kiri.pk].booked_day == {date(2026, 12, 8).toordinal(): 1}
    assert people[kiri.pk].booked_week == {2026 * 100 + 50: 1}
    assert people[bob.pk].booked_day == {}
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    assert problems.day_and_week(noon, zone) == people[kiri.pk].free[noon]


def test_a_longer_round_needs_the_candidate_free_for_all_of_it(rita, ann) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann, minutes=90)
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(0), at(3), by=rita)  # 07:00–10:00: 90 minutes fit from 07 and 08
    free(ann, at(0), at(6), by=rita)
    (_target, request) = by_candidate(problems.build(now=NOW))[carla.pk]
    assert request.starts == hours(0, 1)


def test_a_round_with_assistants_is_a_panel_of_all_of_them(rita, ann, bob, roles) -> None:  # noqa: ANN001
    lena = interviewer("lena", "Lena")
    position = position_with_plan(rita, default=lena, assistants=(ann, bob), pool=(ann,))
    carla = candidate(rita, position, "Carla Candidate")
    (target, request) = by_candidate(problems.build(now=NOW))[carla.pk]
    assert target.panel and request.panel == (lena.pk, *sorted([ann.pk, bob.pk]))
    assert request.pool == ()


def test_only_active_interviewers_are_known(rita, ann, bob) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann, pool=(ann, bob))
    candidate(rita, position, "Carla Candidate")
    bob.is_active = False
    bob.save()
    problem = problems.build(now=NOW)
    assert [i.id for i in problem.interviewers] == [ann.pk]


def test_the_weekly_hours_count_as_free_time_in_the_interviewers_zone(rita, ann) -> None:  # noqa: ANN001
    """Ann works 09:00–12:00 Berlin time on Mondays: 08:00–11:00 UTC in December."""
    availability.weekly_hours_set(
        by=ann,
        user=ann,
        hours=[availability.Hours(0, *map(_time, ("09:00", "12:00")))],
        zone="Europe/Berlin",
    )
    position = position_with_plan(rita, default=ann)
    candidate(rita, position, "Carla Candidate")
    problem = problems.build(now=NOW)
    [ann_free] = [set(i.free) for i in problem.interviewers]
    monday = {s for s in ann_free if s < problems.hour_of(at(24))}
    assert monday == set(hours(1, 2, 3))


def _time(text: str) -> Any:
    from datetime import time

    return time.fromisoformat(text)


def _world(rita: Any, size: int, roles: Any) -> None:
    people = [interviewer(f"i{size}x{n}", f"I{n}") for n in range(size)]
    for n, person in enumerate(people):
        free(person, at(n), at(n + 8), by=rita)
        Capacity.objects.create(user=person, per_day=2, per_week=5)
    position = position_with_plan(rita, title=f"P{size}", default=people[0], pool=tuple(people))
    for n in range(size * 2):
        person = candidate(rita, position, f"C{size}x{n} Candidate", f"c{size}x{n}@example.com")
        free(person, at(n % 5), at(n % 5 + 3), by=rita)
        if n % 3 == 0:  # an open interview, its first round planned
            interviews.interview_create(candidate=person, position=position, by=rita)


def test_the_problem_is_read_in_a_fixed_number_of_queries(rita, roles) -> None:  # noqa: ANN001
    _world(rita, 3, roles)
    with CaptureQueriesContext(connection) as small:
        small_problem = problems.build(now=NOW)
    _world(rita, 9, roles)
    with CaptureQueriesContext(connection) as large:
        large_problem = problems.build(now=NOW)
    assert len(small_problem.requests) == 6 and len(large_problem.requests) == 24
    assert len(large_problem.interviewers) == 12
    assert len(large.captured_queries) == len(small.captured_queries) <= 20
