"""The scheduler's problem, read from the database: which rounds to book, who may take them and
when everyone is free, as the pure solver's input (``scheduling.matching``).

* **Eligible** (seed 002, widened to plans): a candidate in *created* status with no round
  scheduled or running. Their round to book is the next one of their open interview (the
  lowest in order that is neither done nor cancelled, if it is not scheduled yet); a
  candidate with no open interview gets the first round of the plan of their position (open,
  with a plan; the oldest such position when they are on several), and the run creates the
  interview from the plan only when it books it. A one-way round (a video interview) is never
  booked: it has no time and nobody on it, so a candidate whose round to book is one is
  skipped (the recruiter creates that interview, which invites them into the video
  interview).
* **Who**: the round's pool (the plan round's, copied into the round), else its interviewer
  (the plan's default). A round with assistants is a panel: the interviewer and every
  assistant at once. Only active people who interview count (``access.interviewers``).
* **When**: hourly starts in UTC (an interview is one hour; a longer round also needs the
  candidate free for its whole length) inside the window, inside each person's free time
  (``scheduling.services.free_time_many``: slots, weekly hours, exceptions) and clear of
  every hold (``interviews.Hold``: the time scheduled rounds take).
* **Caps**: an interviewer's ``Capacity`` (else ``SCHEDULER_PER_DAY`` / ``SCHEDULER_PER_WEEK``)
  against their interviews already booked that day and week — days and ISO weeks in the
  interviewer's own zone, so a DST change or a zone far from UTC moves no interview into
  another day's count.

A fixed number of queries whatever the size: everything is read in bulk and joined here.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

import access
from accounts.zones import is_zone
from candidates.models import Candidate, Position
from interviews.models import Hold, Interview, PlanRound, Round, RoundKind
from scheduling import matching, services
from scheduling.models import Capacity

HOUR = timedelta(hours=1)
# Never book sooner than this from now: people need a little notice.
LEAD = timedelta(hours=1)


def hour_of(moment: datetime) -> matching.Start:
    """The hourly start ``moment`` falls in (hours since the epoch, UTC)."""
    return int(moment.timestamp() // 3600)


def moment_of(start: matching.Start) -> datetime:
    return datetime.fromtimestamp(start * 3600, UTC)


def window(now: datetime, days: int | None = None) -> tuple[datetime, datetime]:
    """From the first full hour at least ``LEAD`` after ``now``, ``days`` (default
    ``SCHEDULER_HORIZON_DAYS``) long."""
    first = now.astimezone(UTC) + LEAD
    start = moment_of(hour_of(first) + (0 if first == moment_of(hour_of(first)) else 1))
    return start, start + timedelta(days=days or settings.SCHEDULER_HORIZON_DAYS)


def zone_name(person: Any) -> str:
    name = getattr(person, "time_zone", "") or ""
    return name if is_zone(name) else settings.TIME_ZONE


def day_and_week(start: matching.Start, zone: zoneinfo.ZoneInfo) -> tuple[int, int]:
    """The interviewer's local date (ordinal) and ISO week (year × 100 + week) of a start."""
    local = moment_of(start).astimezone(zone)
    year, week, _day = local.isocalendar()
    return local.date().toordinal(), year * 100 + week


@dataclass(frozen=True)
class Target:
    """What a request stands for: a candidate's round to book."""

    request: int
    candidate_id: int
    candidate_name: str
    position_id: int
    position_title: str
    round_id: int | None  # None: no interview yet, the booking creates it from the plan
    plan_round_id: int | None
    order: int
    name: str
    kind: str
    duration_minutes: int
    lead: int | None  # who leads (a panel's interviewer); a one-to-one's comes from the pool
    assistants: tuple[int, ...]
    pool: tuple[int, ...]

    @property
    def panel(self) -> bool:
        return bool(self.assistants)


@dataclass
class Problem:
    start: datetime
    end: datetime
    requests: list[matching.Request] = field(default_factory=list)
    interviewers: list[matching.Interviewer] = field(default_factory=list)
    targets: dict[int, Target] = field(default_factory=dict)
    people: dict[int, Any] = field(default_factory=dict)  # user id -> User (the known ones)
    candidate_hours: dict[int, int] = field(default_factory=dict)  # candidate id -> free starts

    def stats(self) -> dict[str, int]:
        return {
            "requests": len(self.requests),
            "interviewers": len(self.interviewers),
            "interviewer_starts": sum(len(i.free) for i in self.interviewers),
            "candidate_starts": sum(len(r.starts) for r in self.requests),
        }


# --- eligible rounds ---------------------------------------------------------------------------


def _eligible_candidates() -> dict[int, str]:
    booked = Round.objects.filter(
        candidate=OuterRef("pk"), status__in=[Round.Status.SCHEDULED, Round.Status.RUNNING]
    )
    return dict(
        Candidate.objects.filter(status=Candidate.Status.CREATED)
        .exclude(Exists(booked))
        .order_by("pk")
        .values_list("pk", "full_name")
    )


def _from_rounds(candidate_ids: Iterable[int]) -> dict[int, Round]:
    """Each candidate's next round of their open interview, when it is not scheduled yet."""
    rounds = (
        Round.objects.filter(candidate_id__in=list(candidate_ids), interview__status="open")
        .exclude(status__in=[Round.Status.DONE, Round.Status.CANCELLED])
        .select_related("position")
        .prefetch_related("assistants", "pool")
        .order_by("candidate_id", "order", "pk")
    )
    nexts: dict[int, Round] = {}
    for row in rounds:
        nexts.setdefault(row.candidate_id, row)
    return {
        pk: row
        for pk, row in nexts.items()
        if row.status == Round.Status.PLANNED and row.kind != RoundKind.ONE_WAY
    }


def _from_plans(candidate_ids: list[int]) -> dict[int, PlanRound]:
    """The first plan round of each candidate's (oldest open, planned) position."""
    if not candidate_ids:
        return {}
    on = Candidate.positions.through.objects.filter(
        candidate_id__in=candidate_ids, position__status=Position.Status.OPEN
    ).values_list("candidate_id", "position_id")
    positions: dict[int, list[int]] = defaultdict(list)
    for candidate_id, position_id in on:
        positions[candidate_id].append(position_id)
    wanted = {p for ids in positions.values() for p in ids}
    firsts: dict[int, PlanRound] = {}
    for row in (
        PlanRound.objects.filter(position_id__in=wanted)
        .select_related("position")
        .prefetch_related("assistants", "pool")
        .order_by("position_id", "order", "pk")
    ):
        firsts.setdefault(row.position_id, row)
    chosen = {}
    for candidate_id, ids in positions.items():
        planned = sorted(p for p in ids if p in firsts)
        if planned and firsts[planned[0]].kind != RoundKind.ONE_WAY:
            chosen[candidate_id] = firsts[planned[0]]
    return chosen


def eligible_targets() -> list[Target]:
    """The rounds to book, one per eligible candidate, by candidate id."""
    names = _eligible_candidates()
    rounds = _from_rounds(names)
    with_open = set(
        Interview.objects.filter(
            candidate_id__in=list(names), status=Interview.Status.OPEN
        ).values_list("candidate_id", flat=True)
    )
    plans = _from_plans([pk for pk in names if pk not in with_open])
    targets: list[Target] = []
    for candidate_id, name in names.items():
        row: Round | PlanRound | None = rounds.get(candidate_id) or plans.get(candidate_id)
        if row is None:
            continue
        if isinstance(row, Round):
            lead, round_id, plan_round_id = row.interviewer_id, row.pk, None
        else:
            lead, round_id, plan_round_id = row.default_interviewer_id, None, row.pk
        assistants = tuple(sorted(p.pk for p in row.assistants.all() if p.pk != lead))
        pool = tuple(sorted(p.pk for p in row.pool.all()))
        targets.append(
            Target(
                request=len(targets),
                candidate_id=candidate_id,
                candidate_name=name,
                position_id=row.position_id,
                position_title=row.position.title,
                round_id=round_id,
                plan_round_id=plan_round_id,
                order=row.order,
                name=row.name,
                kind=row.kind or RoundKind.ONE_TO_ONE,
                duration_minutes=row.duration_minutes,
                lead=lead,
                assistants=assistants,
                pool=pool or ((lead,) if lead is not None else ()),
            )
        )
    return targets


# --- time ---------------------------------------------------------------------------------------


def _hours(intervals: Iterable[tuple[datetime, datetime]], length: int = 1) -> set[int]:
    """The hourly starts ``h`` whose ``[h, h + length hours)`` lies inside one interval."""
    starts: set[int] = set()
    for begin, end in intervals:
        first = hour_of(begin) + (0 if begin == moment_of(hour_of(begin)) else 1)
        last = hour_of(end) - length  # [last, last + length) ends at or before ``end``
        starts.update(range(first, last + 1))
    return starts


def _blocked(holds: Iterable[tuple[datetime, datetime]]) -> set[int]:
    """Hourly starts that overlap any of ``holds``."""
    hours: set[int] = set()
    for begin, end in holds:
        last = hour_of(end) - (1 if end == moment_of(hour_of(end)) else 0)
        hours.update(range(hour_of(begin), last + 1))
    return hours


def _booked_counts(
    user_ids: list[int], start: datetime, end: datetime, zones: dict[int, zoneinfo.ZoneInfo]
) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, int]]]:
    """Interviews each interviewer already has on the local days and weeks the window
    touches (scheduled, running or done: a round rated this week still counted this week)."""
    since, until = start - timedelta(days=8), end + timedelta(days=8)
    counted = [Round.Status.SCHEDULED, Round.Status.RUNNING, Round.Status.DONE]
    on: set[tuple[int, int, datetime]] = set()
    for round_id, user_id, starts_at in Round.objects.filter(
        interviewer_id__in=user_ids,
        status__in=counted,
        starts_at__gte=since,
        starts_at__lt=until,
    ).values_list("pk", "interviewer_id", "starts_at"):
        on.add((round_id, user_id, starts_at))
    for round_id, user_id, starts_at in Round.assistants.through.objects.filter(
        user_id__in=user_ids,
        round__status__in=counted,
        round__starts_at__gte=since,
        round__starts_at__lt=until,
    ).values_list("round_id", "user_id", "round__starts_at"):
        on.add((round_id, user_id, starts_at))
    days: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    weeks: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _round_id, user_id, starts_at in on:
        day, week = day_and_week(hour_of(starts_at), zones[user_id])
        days[user_id][day] += 1
        weeks[user_id][week] += 1
    return days, weeks


def build(*, now: datetime, targets: list[Target] | None = None) -> Problem:
    """The solver's input for the window from ``now`` (``window``)."""
    start, end = window(now)
    problem = Problem(start=start, end=end)
    targets = eligible_targets() if targets is None else targets
    if not targets:
        return problem
    wanted = {p for t in targets for p in (*t.pool, *t.assistants, t.lead) if p is not None}
    people = {p.pk: p for p in access.interviewers().filter(pk__in=wanted)}
    problem.people = people
    user_ids = sorted(people)
    candidate_ids = sorted({t.candidate_id for t in targets})
    free_users, free_candidates = services.free_time_many(
        users=user_ids, candidates=candidate_ids, start=start, end=end
    )
    held_users: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    held_candidates: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for user_id, candidate_id, begin, finish in Hold.objects.filter(
        Q(user_id__in=user_ids) | Q(candidate_id__in=candidate_ids),
        starts_at__lt=end,
        ends_at__gt=start,
    ).values_list("user_id", "candidate_id", "starts_at", "ends_at"):
        if user_id is not None:
            held_users[user_id].append((begin, finish))
        else:
            held_candidates[candidate_id].append((begin, finish))
    caps = {
        c.user_id: (c.per_day, c.per_week) for c in Capacity.objects.filter(user_id__in=user_ids)
    }
    zones = {pk: zoneinfo.ZoneInfo(zone_name(person)) for pk, person in people.items()}
    booked_days, booked_weeks = _booked_counts(user_ids, start, end, zones)
    for pk in user_ids:
        starts = _hours(free_users.get(pk, ())) - _blocked(held_users.get(pk, ()))
        per_day, per_week = caps.get(pk, (None, None))
        problem.interviewers.append(
            matching.Interviewer(
                id=pk,
                free={s: day_and_week(s, zones[pk]) for s in sorted(starts)},
                per_day=settings.SCHEDULER_PER_DAY if per_day is None else per_day,
                per_week=settings.SCHEDULER_PER_WEEK if per_week is None else per_week,
                booked_day=dict(booked_days.get(pk, {})),
                booked_week=dict(booked_weeks.get(pk, {})),
            )
        )
    for target in targets:
        hours = -(-target.duration_minutes // 60)  # the whole round, rounded up to hours
        free = free_candidates.get(target.candidate_id, ())
        blocked = _blocked(held_candidates.get(target.candidate_id, ()))
        starts = {s for s in _hours(free, hours) if not any(s + k in blocked for k in range(hours))}
        problem.candidate_hours[target.candidate_id] = len(starts)
        problem.targets[target.request] = target
        problem.requests.append(
            matching.Request(
                id=target.request,
                candidate=target.candidate_id,
                starts=frozenset(starts),
                pool=() if target.panel else target.pool,
                panel=(target.lead, *target.assistants)
                if target.panel and target.lead is not None
                else (),
            )
        )
    return problem
