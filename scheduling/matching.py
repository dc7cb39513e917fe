"""The scheduler's matching: which round gets which interviewer(s) at which hour, and why.

Pure: no Django, no clock, no I/O. ``scheduling.services`` turns availability into hourly
starts (hours since the Unix epoch, UTC; an interview lasts one hour), each interviewer's
starts labelled with the day and week they fall in *in that interviewer's zone*, and calls
``solve``; it gets back the bookings, with why each slot was chosen, and the rounds it could
not place, with a reason. ``greedy`` is the first-fit baseline the benchmark compares with.

The objective is lexicographic:

1. the largest number of booked requests;
2. the fairest load: every interviewer's interviews in a day and in a week cost more the more
   they already have (marginal cost 0, 1, 2, … counting the ones booked before this run), so
   3 + 3 beats 5 + 1;
3. earlier starts.

One-to-one rounds only: an exact min-cost max-flow (OR-Tools ``SimpleMinCostFlow``) on

    source → request (1) → (interviewer, start) (1) → (interviewer, day)
           → (interviewer, week) → sink

where the day → week and week → sink capacities are the caps left, split into unit arcs of
increasing cost (the convex load cost). The flow is a maximum flow first (``solve_max_flow_
with_min_cost``), so the count is maximal before any cost is weighed; the load tier's unit is
larger than every possible sum of the earliness tier, so load beats earliness.

Panels (all members at once), or one candidate with two requests that could collide at the
same hour, are not a flow. The requests fall into groups that share no interviewer and no
candidate (teams, usually), each independent of the others: the groups without such requests
go to the flow together, the others to CP-SAT one by one, time-boxed (``panel_seconds`` in
all, shared by size), in two phases (the count, then the cost with the count held), starting
from first fit. The plan says whether the count is proved the most possible (``optimal``) and
by how much it may fall short (``gap``: the bound, the least of CP-SAT's and of a flow where
a panel needs only one of its members, less the count booked).

Deterministic: everything is built in sorted order (requests and interviewers by id, starts
ascending), so the same input, in any order, gives the same plan; CP-SAT runs one worker and
stops on its deterministic work limit (``panel_work``, else a quarter of the seconds a phase),
the wall clock being only the box's outer edge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from math import floor

import numpy as np
from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]  # no py.typed

Start = int  # an hourly start, as hours since the Unix epoch (UTC); an interview lasts one hour

NO_INTERVIEWER = "no_interviewer"
NO_OVERLAP = "no_overlap"
AT_CAP = "at_cap"
TAKEN = "taken"
REASONS = (NO_INTERVIEWER, NO_OVERLAP, AT_CAP, TAKEN)

DAY = "day"
WEEK = "week"


@dataclass(frozen=True)
class Interviewer:
    id: int
    # start -> (day key, week key) in the interviewer's own zone
    free: Mapping[Start, tuple[Hashable, Hashable]]
    per_day: int  # cap of interviews a day, already-booked ones included
    per_week: int
    booked_day: Mapping[Hashable, int] = field(default_factory=dict)  # booked before this run
    booked_week: Mapping[Hashable, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One round of one candidate to book."""

    id: int
    candidate: int
    starts: frozenset[Start]  # the candidate is free for [start, start + 1 h)
    pool: tuple[int, ...]  # one-to-one: any ONE of these interviewers
    panel: tuple[int, ...] = ()  # panel: ALL of these together (then pool is ignored)


@dataclass(frozen=True)
class Why:
    """Why this slot: stored as JSON with the booking (``to_dict``)."""

    alternatives: int  # other feasible (interviewer(s), start) choices before the run
    earliest_possible: Start | None  # the earliest of all feasible choices
    cap: str | None  # "day" / "week": an earlier choice was closed by that cap, else None
    load_before: int  # the chosen interviewer's week load before this booking (panel: busiest)
    open_alternatives: int = 0  # other choices still free and under the caps in this plan
    cap_interviewer: int | None = None  # whose cap closed the earlier choice
    cap_start: Start | None = None  # and which start it was
    load_week: int = 0  # the chosen interviewer's week load with the whole plan booked

    def to_dict(self) -> dict[str, int | str | None]:
        return asdict(self)


@dataclass(frozen=True)
class Booking:
    request: int
    interviewers: tuple[int, ...]
    start: Start
    why: Why


@dataclass(frozen=True)
class Unmatched:
    request: int
    reason: str  # one of REASONS
    overlaps: int = 0  # (interviewer(s), start) choices where everyone was free

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    bookings: tuple[Booking, ...]  # by start, then request id
    unmatched: tuple[Unmatched, ...]  # by request id
    optimal: bool  # the count is proved the most possible
    gap: int  # bound − booked, in interviews (0 when optimal)
    stats: Mapping[str, float]


# A way to book a request: (start, the interviewers, sorted).
_Option = tuple[Start, tuple[int, ...]]


class _Problem:
    """The instance in canonical order, with every request's choices worked out."""

    def __init__(self, requests: Sequence[Request], interviewers: Sequence[Interviewer]) -> None:
        self.interviewers: dict[int, Interviewer] = {}
        for person in sorted(interviewers, key=lambda p: p.id):
            if person.id in self.interviewers:
                raise ValueError(f"interviewer {person.id} is given twice")
            self._check_days(person)
            self.interviewers[person.id] = person
        self.requests: list[Request] = sorted(requests, key=lambda r: r.id)
        ids = [r.id for r in self.requests]
        if len(set(ids)) != len(ids):
            raise ValueError("a request id is given twice")
        self.by_id = {r.id: r for r in self.requests}
        self.members: dict[int, tuple[int, ...]] = {}  # known interviewers; () when none
        self.panel: dict[int, bool] = {}
        self.overlap: dict[int, list[_Option]] = {}  # everyone free
        self.feasible: dict[int, list[_Option]] = {}  # … and under every cap before the run
        for request in self.requests:
            self._choices(request)
        starts = sorted({o[0] for options in self.feasible.values() for o in options})
        self.rank = {s: n for n, s in enumerate(starts)}
        # One unit of load cost outweighs the largest possible sum of earliness costs.
        self.load_unit = max(len(starts) - 1, 0) * max(len(self.requests), 1) + 1

    @staticmethod
    def _check_days(person: Interviewer) -> None:
        weeks: dict[Hashable, Hashable] = {}
        for start in sorted(person.free):
            day, week = person.free[start]
            if weeks.setdefault(day, week) != week:
                raise ValueError(f"interviewer {person.id}: day {day!r} is in two weeks")

    def _choices(self, request: Request) -> None:
        known = self.interviewers
        people = tuple(sorted(set(request.panel)))
        if len(people) >= 2:
            self.panel[request.id] = True
            members = people if all(p in known for p in people) else ()
        else:
            self.panel[request.id] = False
            members = tuple(sorted({p for p in people or request.pool if p in known}))
        self.members[request.id] = members
        overlap: list[_Option] = []
        if members and self.panel[request.id]:
            for start in sorted(request.starts):
                if all(start in known[p].free for p in members):
                    overlap.append((start, members))
        elif members:
            for start in sorted(request.starts):
                overlap.extend((start, (p,)) for p in members if start in known[p].free)
        self.overlap[request.id] = overlap
        self.feasible[request.id] = [o for o in overlap if self._room_before(o)]

    def _room_before(self, option: _Option) -> bool:
        start, people = option
        return all(min(self.room(p, start)) > 0 for p in people)

    def room(self, person: int, start: Start) -> tuple[int, int]:
        """Interviews left under the day and the week cap at that start, before the run."""
        iv = self.interviewers[person]
        day, week = iv.free[start]
        return iv.per_day - iv.booked_day.get(day, 0), iv.per_week - iv.booked_week.get(week, 0)

    def components(self) -> list[list[Request]]:
        """The requests that can be booked, in groups that share no interviewer and no
        candidate: each group's bookings, loads and costs are independent of the others'."""
        parent: dict[Hashable, Hashable] = {}

        def root(key: Hashable) -> Hashable:
            parent.setdefault(key, key)
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        bookable = [r for r in self.requests if self.feasible[r.id]]
        for request in bookable:
            here = root(("candidate", request.candidate))
            for person in {p for _, people in self.feasible[request.id] for p in people}:
                there = root(("interviewer", person))
                if there != here:
                    parent[there] = here
        groups: dict[Hashable, list[Request]] = {}
        for request in bookable:
            groups.setdefault(root(("candidate", request.candidate)), []).append(request)
        return list(groups.values())  # in order of their first request id

    def needs_cp_sat(self, group: Sequence[Request]) -> bool:
        """Panels, or one candidate's requests that could fall in the same hour: not a flow."""
        if any(self.panel[r.id] for r in group):
            return True
        seen: dict[tuple[int, Start], int] = {}
        for request in group:
            for start in {o[0] for o in self.feasible[request.id]}:
                if seen.setdefault((request.candidate, start), request.id) != request.id:
                    return True
        return False


# --- the exact flow (one-to-one only) -------------------------------------------------------


def _solve_flow(
    problem: _Problem,
    group: Sequence[Request],
    options_of: Mapping[int, list[_Option]] | None = None,
) -> tuple[dict[int, _Option], dict[str, float]]:
    """The exact plan of one-to-one ``group`` (its choices from ``options_of``, by default
    the feasible ones)."""
    options_of = problem.feasible if options_of is None else options_of
    nodes: dict[Hashable, int] = {"source": 0, "sink": 1}

    def node(key: Hashable) -> int:
        return nodes.setdefault(key, len(nodes))

    tails: list[int] = []
    heads: list[int] = []
    capacities: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, capacity: int, cost: int) -> int:
        tails.append(tail)
        heads.append(head)
        capacities.append(capacity)
        costs.append(cost)
        return len(tails) - 1

    choice_arcs: list[tuple[int, int, _Option]] = []  # (arc, request, option)
    slots: dict[tuple[int, Start], int] = {}
    for request in group:
        options = options_of[request.id]
        here = node(("request", request.id))
        arc(0, here, 1, 0)
        for option in options:
            start, (person,) = option
            slot = slots.get((person, start))
            if slot is None:
                slot = slots[(person, start)] = node(("slot", person, start))
            choice_arcs.append((arc(here, slot, 1, problem.rank[start]), request.id, option))
    # Slots into days, days into weeks, weeks into the sink: in the order the slots came.
    days: dict[tuple[int, Hashable], tuple[Hashable, list[int]]] = {}  # -> (week, slots)
    for (person, start), slot in sorted(slots.items()):
        day, week = problem.interviewers[person].free[start]
        days.setdefault((person, day), (week, []))[1].append(slot)
    weeks: dict[tuple[int, Hashable], int] = {}  # week node -> slots feeding it
    unit = problem.load_unit
    for (person, day), (week, day_slots) in days.items():
        iv = problem.interviewers[person]
        day_node = node(("day", person, day))
        for slot in day_slots:
            arc(slot, day_node, 1, 0)
        week_node = node(("week", person, week))
        weeks[(person, week)] = weeks.get((person, week), 0) + len(day_slots)
        booked = iv.booked_day.get(day, 0)
        for k in range(min(iv.per_day - booked, len(day_slots))):
            arc(day_node, week_node, 1, unit * (booked + k))
    for (person, week), feeding in weeks.items():
        iv = problem.interviewers[person]
        booked = iv.booked_week.get(week, 0)
        week_node = nodes[("week", person, week)]
        for k in range(min(iv.per_week - booked, feeding)):
            arc(week_node, 1, 1, unit * (booked + k))

    flow = min_cost_flow.SimpleMinCostFlow()
    if tails:
        flow.add_arcs_with_capacity_and_unit_cost(
            np.array(tails, dtype=np.int32),
            np.array(heads, dtype=np.int32),
            np.array(capacities, dtype=np.int64),
            np.array(costs, dtype=np.int64),
        )
    supply = len(group)
    flow.set_node_supply(0, supply)
    flow.set_node_supply(1, -supply)
    chosen: dict[int, _Option] = {}
    cost = 0
    if tails:
        status = flow.solve_max_flow_with_min_cost()
        if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
            raise RuntimeError(f"the min-cost flow failed: {status}")
        cost = flow.optimal_cost()
        picked = np.asarray(flow.flows(np.array([a for a, _, _ in choice_arcs], dtype=np.int32)))
        for (_, request_id, option), used in zip(choice_arcs, picked.tolist(), strict=True):
            if used:
                chosen[request_id] = option
    stats: dict[str, float] = {
        "flow_nodes": float(len(nodes)),
        "flow_arcs": float(len(tails)),
        "load_cost": float(cost // unit),
        "earliness_cost": float(cost % unit),
    }
    return chosen, stats


# --- CP-SAT (panels, or a candidate's requests that could collide) --------------------------


def _solve_cp_sat(
    problem: _Problem, group: Sequence[Request], seconds: float, work: float | None = None
) -> tuple[dict[int, _Option], bool, int, dict[str, float]]:
    """Book ``group`` by CP-SAT in two phases of ``seconds / 2`` (and ``work / 2`` of
    deterministic time, when given) each: the most bookings, then, with that count held, the
    least load and earliness cost. Returns the choices, whether the count is proved the most
    possible, and the bound on it."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    picks: list[tuple[int, _Option, cp_model.IntVar]] = []
    by_slot: dict[tuple[int, Start], list[cp_model.IntVar]] = defaultdict(list)
    by_candidate: dict[tuple[int, Start], list[cp_model.IntVar]] = defaultdict(list)
    by_day: dict[tuple[int, Hashable], list[cp_model.IntVar]] = defaultdict(list)
    by_week: dict[tuple[int, Hashable], list[cp_model.IntVar]] = defaultdict(list)
    for request in group:
        own = []
        for n, option in enumerate(problem.feasible[request.id]):
            start, people = option
            var = model.new_bool_var(f"r{request.id}_{n}")
            own.append(var)
            picks.append((request.id, option, var))
            by_candidate[(request.candidate, start)].append(var)
            for person in people:
                day, week = problem.interviewers[person].free[start]
                by_slot[(person, start)].append(var)
                by_day[(person, day)].append(var)
                by_week[(person, week)].append(var)
        if len(own) > 1:
            model.add_at_most_one(own)
    for hour in (by_slot, by_candidate):
        for at_once in hour.values():
            if len(at_once) > 1:
                model.add_at_most_one(at_once)
    # (kind, person, booked before, left under the cap, the choices that load it)
    loads: list[tuple[str, int, int, int, list[cp_model.IntVar]]] = []
    for (person, day), load in by_day.items():
        iv = problem.interviewers[person]
        booked = iv.booked_day.get(day, 0)
        loads.append((DAY, person, booked, iv.per_day - booked, load))
    for (person, week), load in by_week.items():
        iv = problem.interviewers[person]
        booked = iv.booked_week.get(week, 0)
        loads.append((WEEK, person, booked, iv.per_week - booked, load))
    for _, _, _, left, load in loads:
        if len(load) > left:
            model.add(sum(load) <= left)
    count = sum(var for _, _, var in picks)
    model.maximize(count)
    # First fit is the starting point (and what is kept if the solver finds nothing).
    chosen: dict[int, _Option] = {}
    _fill(problem, chosen, group)
    for request_id, option, var in picks:
        model.add_hint(var, chosen.get(request_id) == option)

    def engine(limit: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        # One worker and a limit on deterministic time (the solver's count of work, not the
        # clock): the same input gives the same plan, so a preview and the run after it
        # agree. The wall-clock limit is the box. The stronger linear relaxation proves the
        # count where the default one cannot.
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.linearization_level = 2
        solver.parameters.max_deterministic_time = (
            max(limit / 2, 0.005) if work is None else work / 2
        )
        solver.parameters.max_time_in_seconds = max(limit, 0.01)
        return solver

    first = engine(seconds / 2)
    status = first.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = {r: o for r, o, var in picks if first.boolean_value(var)}
        if len(found) >= len(chosen):
            chosen = found
    # The bound: CP-SAT's, or the relaxation where a panel needs only one of its members and
    # a candidate may be in two places at once (a flow, exact), or one booking per request.
    relaxed: dict[int, list[_Option]] = {
        r.id: sorted({(s, (p,)) for s, people in problem.feasible[r.id] for p in people})
        for r in group
    }
    bound = min(len(group), len(_solve_flow(problem, group, relaxed)[0]))
    # A solve stopped before its first solution (UNKNOWN) reports a bound of 0, which is no
    # bound at all: taking it would call first fit the most possible.
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = min(bound, floor(first.best_objective_bound + 1e-6))
    optimal = status == cp_model.OPTIMAL or len(chosen) >= bound
    stats: dict[str, float] = {"cp_sat_variables": float(len(picks))}
    # Phase 2, the count held: the convex load cost C(L) = booked·L + L(L−1)/2 of each day
    # and week (the k-th interview costing booked + k), its square part as the largest of
    # the lines through consecutive points, which the minimum meets exactly; then earliness.
    model.add(count >= len(chosen))
    model.clear_hints()  # type: ignore[no-untyped-call]
    for request_id, option, var in picks:
        model.add_hint(var, chosen.get(request_id) == option)
    picked = {var.index for r, o, var in picks if chosen.get(r) == o}
    cost_terms: list[cp_model.LinearExprT] = []
    for kind, person, booked, left, load in loads:
        top = min(left, len(load))
        cost_terms.append(booked * sum(load))
        if top < 2:
            continue
        square = model.new_int_var(0, top * (top - 1) // 2, f"{kind}{person}")
        for j in range(1, top):
            model.add(square >= j * sum(load) - j * (j + 1) // 2)
        cost_terms.append(square)
        used = sum(var.index in picked for var in load)
        model.add_hint(square, used * (used - 1) // 2)
    load_cost = cp_model.LinearExpr.sum(cost_terms)
    earliness = cp_model.LinearExpr.weighted_sum(
        [var for _, _, var in picks], [problem.rank[o[0]] for _, o, _ in picks]
    )
    model.minimize(problem.load_unit * load_cost + earliness)
    second = engine(seconds / 2)
    status = second.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {r: o for r, o, var in picks if second.boolean_value(var)}
    stats["cp_sat_cost_optimal"] = float(status == cp_model.OPTIMAL)
    # A solve stopped short may leave a choice open: fill those first-fit (a proved optimum
    # has none).
    _fill(problem, chosen, group)
    return chosen, optimal or len(chosen) >= bound, max(bound, len(chosen)), stats


# --- first fit ------------------------------------------------------------------------------


class _Ledger:
    """Who is busy when and how loaded, as bookings are added."""

    def __init__(self, problem: _Problem) -> None:
        self.problem = problem
        self.slot: dict[tuple[int, Start], int] = {}  # (interviewer, start) -> request
        self.candidate: dict[tuple[int, Start], int] = {}
        self.day: dict[tuple[int, Hashable], int] = defaultdict(int)  # this run's only
        self.week: dict[tuple[int, Hashable], int] = defaultdict(int)

    def add(self, request: Request, option: _Option) -> None:
        start, people = option
        self.candidate[(request.candidate, start)] = request.id
        for person in people:
            day, week = self.problem.interviewers[person].free[start]
            self.slot[(person, start)] = request.id
            self.day[(person, day)] += 1
            self.week[(person, week)] += 1

    def cap(self, person: int, start: Start, own: _Option | None = None) -> str | None:
        """WEEK or DAY when that cap of the person is reached at ``start`` (``own`` left
        out of the count), else None."""
        iv = self.problem.interviewers[person]
        day, week = iv.free[start]
        own_day = own_week = 0
        if own is not None and person in own[1]:
            own_day_key, own_week_key = iv.free[own[0]]
            own_day, own_week = int(own_day_key == day), int(own_week_key == week)
        if iv.booked_week.get(week, 0) + self.week[(person, week)] - own_week >= iv.per_week:
            return WEEK
        if iv.booked_day.get(day, 0) + self.day[(person, day)] - own_day >= iv.per_day:
            return DAY
        return None

    def status(self, request: Request, option: _Option, own: _Option | None = None) -> str:
        """ "open", WEEK / DAY (a cap of someone on it closes it), or TAKEN (a person on it
        is busy then), leaving the booking ``own`` of ``request`` out."""
        start, people = option
        caps = {self.cap(person, start, own) for person in people}
        if WEEK in caps:
            return WEEK
        if DAY in caps:
            return DAY
        others = {None, request.id}
        if self.candidate.get((request.candidate, start)) not in others:
            return TAKEN
        if any(self.slot.get((person, start)) not in others for person in people):
            return TAKEN
        return "open"


def _fill(problem: _Problem, chosen: dict[int, _Option], order: Iterable[Request]) -> None:
    """Book, in ``order``, each request not yet in ``chosen`` at its first open choice."""
    ledger = _Ledger(problem)
    for request_id, option in chosen.items():
        ledger.add(problem.by_id[request_id], option)
    for request in order:
        if request.id in chosen:
            continue
        for option in problem.feasible[request.id]:
            if ledger.status(request, option) == "open":
                chosen[request.id] = option
                ledger.add(request, option)
                break


def greedy(requests: Sequence[Request], interviewers: Sequence[Interviewer]) -> Plan:
    """First fit, as the usual schedulers do: requests in the order given, each at its
    earliest start with the first free interviewer of its pool (in the pool's order)."""
    problem = _Problem(requests, interviewers)
    ordered = dict(problem.feasible)
    for request in requests:
        # The pool's own order, not the sorted one: "first" is whoever is listed first.
        position = {p: n for n, p in enumerate(request.panel or request.pool)}
        ordered[request.id] = sorted(
            problem.feasible[request.id],
            key=lambda o: (o[0], [position.get(p, len(position)) for p in o[1]]),
        )
    problem.feasible = ordered
    chosen: dict[int, _Option] = {}
    _fill(problem, chosen, requests)
    return _plan(problem, chosen, optimal=False, gap=0, stats={"greedy": 1.0})


# --- the plan, with why and why not ---------------------------------------------------------


def _plan(
    problem: _Problem,
    chosen: Mapping[int, _Option],
    *,
    optimal: bool,
    gap: int,
    stats: Mapping[str, float],
) -> Plan:
    ledger = _Ledger(problem)
    for request_id in sorted(chosen):
        ledger.add(problem.by_id[request_id], chosen[request_id])
    # Week loads in booking order, for "the load before this booking".
    order = sorted(chosen, key=lambda r: (chosen[r][0], r))
    running: dict[tuple[int, Hashable], int] = defaultdict(int)
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    for request_id in order:
        start, people = chosen[request_id]
        loads = []
        for person in people:
            iv = problem.interviewers[person]
            week = iv.free[start][1]
            loads.append(iv.booked_week.get(week, 0) + running[(person, week)])
            running[(person, week)] += 1
        before[request_id] = max(loads)
    for request_id in order:
        start, people = chosen[request_id]
        after[request_id] = max(
            problem.interviewers[p].booked_week.get(problem.interviewers[p].free[start][1], 0)
            + ledger.week[(p, problem.interviewers[p].free[start][1])]
            for p in people
        )
    bookings = []
    for request_id in order:
        request = problem.by_id[request_id]
        own = chosen[request_id]
        feasible = problem.feasible[request_id]
        others = [o for o in feasible if o != own]
        cap: str | None = None
        cap_interviewer: int | None = None
        cap_start: Start | None = None
        for option in problem.overlap[request_id]:
            if option[0] >= own[0]:
                break
            closed = ledger.status(request, option, own)
            if closed in (DAY, WEEK):
                cap, cap_start = closed, option[0]
                cap_interviewer = next(
                    p for p in option[1] if ledger.cap(p, option[0], own) == closed
                )
                break
        why = Why(
            alternatives=len(others),
            earliest_possible=min(o[0] for o in feasible) if feasible else None,
            cap=cap,
            load_before=before[request_id],
            open_alternatives=sum(ledger.status(request, o, own) == "open" for o in others),
            cap_interviewer=cap_interviewer,
            cap_start=cap_start,
            load_week=after[request_id],
        )
        bookings.append(Booking(request_id, own[1], own[0], why))
    unmatched = []
    for request in problem.requests:
        if request.id in chosen:
            continue
        overlap = problem.overlap[request.id]
        if not problem.members[request.id]:
            reason = NO_INTERVIEWER
        elif not overlap:
            reason = NO_OVERLAP
        elif all(ledger.status(request, o) in (DAY, WEEK) for o in overlap):
            reason = AT_CAP
        else:
            reason = TAKEN
        unmatched.append(Unmatched(request.id, reason, len(overlap)))
    return Plan(tuple(bookings), tuple(unmatched), optimal, gap, dict(stats))


# --- the entry point ------------------------------------------------------------------------


def solve(
    requests: Sequence[Request],
    interviewers: Sequence[Interviewer],
    *,
    panel_seconds: float = 5.0,
    panel_work: float | None = None,
) -> Plan:
    """The most bookings possible, then the fairest load, then the earliest starts.

    Groups of requests that share no interviewer and no candidate are independent: the
    one-to-one ones go to one exact flow together, the others to CP-SAT one by one, each
    with a share of ``panel_seconds`` by its size. ``panel_work`` boxes CP-SAT in its
    deterministic time instead (its own count of work, not seconds), shared the same way: it
    stops at the same point on any machine, the clock staying the outer edge."""
    if panel_work is not None and panel_work < 0:
        raise ValueError("panel_work is negative")
    problem = _Problem(requests, interviewers)
    groups = problem.components()
    flow = [r for g in groups if not problem.needs_cp_sat(g) for r in g]
    hard = [g for g in groups if problem.needs_cp_sat(g)]
    stats: dict[str, float] = {
        "requests": float(len(problem.requests)),
        "interviewers": float(len(problem.interviewers)),
        "options": float(sum(len(o) for o in problem.feasible.values())),
        "groups": float(len(groups)),
        "cp_sat_groups": float(len(hard)),
    }
    chosen: dict[int, _Option] = {}
    optimal, gap = True, 0
    if flow:
        chosen, more = _solve_flow(problem, flow)
        stats.update(more)
    sizes = [sum(len(problem.feasible[r.id]) for r in g) for g in hard]
    for group, size in zip(hard, sizes, strict=True):
        share = panel_seconds * size / sum(sizes)
        work = None if panel_work is None else panel_work * size / sum(sizes)
        picked, proved, bound, more = _solve_cp_sat(problem, group, share, work)
        chosen.update(picked)
        optimal = optimal and proved
        gap += bound - len(picked)
        for key, value in more.items():
            stats[key] = stats.get(key, 0.0) + value
    return _plan(problem, chosen, optimal=optimal, gap=gap, stats=stats)
