"""The matching against independent oracles on random instances.

* Caps that cannot bind, one round per candidate: the number booked is networkx's
  Hopcroft–Karp maximum matching of request ↔ (interviewer, start).
* Caps that bind: networkx's maximum flow on the capacity network (request → (interviewer,
  start) → (interviewer, day) → (interviewer, week), the caps left as capacities).
* Tiny instances with panels and candidates with several rounds: every assignment tried.

Every plan is also checked for what must always hold: each booking inside both people's
free time, nobody in two interviews at one start, no cap exceeded, every request either
booked once or given a reason.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms import bipartite

from scheduling.matching import REASONS, Interviewer, Plan, Request, solve

# Few hours, so that rounds compete for them (first fit then falls short of the maximum):
# three days, the last in the next week; the day and week of a start depend on the zone.
HOURS = [9, 10, 11, 33, 34, 35, 24 * 7 + 9, 24 * 7 + 10]
UNKNOWN = 99  # an interviewer id nobody has


def labelled(free: set[int], offset: int) -> dict[int, tuple[int, int]]:
    return {s: ((s + offset) // 24, (s + offset) // (24 * 7)) for s in free}


@st.composite
def instances(draw, *, caps_bind: bool, panels: bool = False, shared_candidates: bool = False,
              hours: list[int] = HOURS, most: int = 10, most_starts: int = 4,
              most_pool: int = 3):  # fmt: skip
    n_people = draw(st.integers(1, 4))
    people = []
    for person in range(1, n_people + 1):
        offset = draw(st.sampled_from((0, 5, -7)))
        free = labelled(set(draw(st.lists(st.sampled_from(hours), min_size=len(hours) // 3,
                                          max_size=len(hours)))), offset)  # fmt: skip
        if caps_bind:
            days = sorted({d for d, _ in free.values()})
            weeks = sorted({w for _, w in free.values()})
            booked_day = {d: 1 for d in days if draw(st.integers(0, 3)) == 0}
            booked_week = {
                w: draw(st.integers(1, 2)) for w in weeks if draw(st.integers(0, 3)) == 0
            }
            per_day, per_week = draw(st.integers(1, 3)), draw(st.integers(1, 5))
        else:
            booked_day, booked_week, per_day, per_week = {}, {}, 100, 100
        people.append(Interviewer(person, free, per_day, per_week, booked_day, booked_week))
    ids = [p.id for p in people] + [UNKNOWN]
    requests = []
    for n in range(1, draw(st.integers(2, most)) + 1):
        candidate = draw(st.integers(1, 3)) if shared_candidates else n
        # Mostly rounds that could be booked; now and then one with no time or nobody.
        starts = frozenset(draw(st.lists(st.sampled_from(hours), min_size=int(n % 5 != 0),
                                         max_size=most_starts)))  # fmt: skip
        pool = tuple(draw(st.lists(st.sampled_from(ids), min_size=int(n % 7 != 0),
                                   max_size=most_pool, unique=True)))  # fmt: skip
        panel: tuple[int, ...] = ()
        if panels and draw(st.booleans()):
            panel = tuple(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True)))
        requests.append(Request(n, candidate, starts, pool, panel))
    return requests, people


def check(plan: Plan, requests: list[Request], people: list[Interviewer]) -> None:
    """What every plan must satisfy, whatever the solver."""
    by_id = {p.id: p for p in people}
    by_request = {r.id: r for r in requests}
    booked = [b.request for b in plan.bookings]
    assert len(booked) == len(set(booked))
    assert sorted(booked + [u.request for u in plan.unmatched]) == sorted(by_request)
    assert all(u.reason in REASONS for u in plan.unmatched)
    assert plan.gap >= 0 and (plan.gap == 0 or not plan.optimal)
    slots: set[tuple[int, int]] = set()
    candidates: set[tuple[int, int]] = set()
    day_load: Counter[tuple[int, object]] = Counter()
    week_load: Counter[tuple[int, object]] = Counter()
    for booking in plan.bookings:
        request = by_request[booking.request]
        assert booking.start in request.starts
        if len(set(request.panel)) >= 2:
            assert sorted(booking.interviewers) == sorted(set(request.panel))
        else:
            assert len(booking.interviewers) == 1
            assert booking.interviewers[0] in (request.panel or request.pool)
        assert (request.candidate, booking.start) not in candidates
        candidates.add((request.candidate, booking.start))
        for person in booking.interviewers:
            assert booking.start in by_id[person].free
            assert (person, booking.start) not in slots
            slots.add((person, booking.start))
            day, week = by_id[person].free[booking.start]
            day_load[(person, day)] += 1
            week_load[(person, week)] += 1
    for (person, day), load in day_load.items():
        assert by_id[person].booked_day.get(day, 0) + load <= by_id[person].per_day
    for (person, week), load in week_load.items():
        assert by_id[person].booked_week.get(week, 0) + load <= by_id[person].per_week


def hopcroft_karp_count(requests: list[Request], people: list[Interviewer]) -> int:
    by_id = {p.id: p for p in people}
    graph = nx.Graph()
    for request in requests:
        graph.add_node(("r", request.id))
        for person in request.pool:
            if person in by_id:
                for start in request.starts & by_id[person].free.keys():
                    graph.add_edge(("r", request.id), ("slot", person, start))
    top = {("r", r.id) for r in requests}
    return len(bipartite.hopcroft_karp_matching(graph, top_nodes=top)) // 2


def max_flow_count(requests: list[Request], people: list[Interviewer]) -> int:
    by_id = {p.id: p for p in people}
    network = nx.DiGraph()
    network.add_node("source")
    network.add_node("sink")
    for request in requests:
        for person in request.pool:
            if person not in by_id:
                continue
            iv = by_id[person]
            for start in request.starts & iv.free.keys():
                day, week = iv.free[start]
                network.add_edge("source", ("r", request.id), capacity=1)
                network.add_edge(("r", request.id), ("slot", person, start), capacity=1)
                network.add_edge(("slot", person, start), ("day", person, day), capacity=1)
                network.add_edge(("day", person, day), ("week", person, week),
                                 capacity=max(iv.per_day - iv.booked_day.get(day, 0), 0))  # fmt: skip
                network.add_edge(("week", person, week), "sink",
                                 capacity=max(iv.per_week - iv.booked_week.get(week, 0), 0))  # fmt: skip
    return int(nx.maximum_flow_value(network, "source", "sink"))


def brute_force_count(requests: list[Request], people: list[Interviewer]) -> int:
    """The most requests that can be booked at once, by trying every assignment."""
    by_id = {p.id: p for p in people}
    choices = []
    for request in requests:
        panel = sorted(set(request.panel))
        if len(panel) >= 2:
            teams = [tuple(panel)] if all(p in by_id for p in panel) else []
        else:
            teams = [(p,) for p in sorted(set(request.panel or request.pool)) if p in by_id]
        own = [None] + [(s, team) for s in sorted(request.starts) for team in teams
                        if all(s in by_id[p].free for p in team)]  # fmt: skip
        choices.append(own)
    best = 0
    for assignment in itertools.product(*choices):
        taken = [(r, a) for r, a in zip(requests, assignment, strict=True) if a is not None]
        if len(taken) <= best:
            continue
        people_at = Counter((p, s) for _, (s, team) in taken for p in team)
        candidates_at = Counter((r.candidate, s) for r, (s, _) in taken)
        days = Counter((p, by_id[p].free[s][0]) for _, (s, team) in taken for p in team)
        weeks = Counter((p, by_id[p].free[s][1]) for _, (s, team) in taken for p in team)
        if max(people_at.values()) > 1 or max(candidates_at.values()) > 1:
            continue
        if any(by_id[p].booked_day.get(d, 0) + n > by_id[p].per_day for (p, d), n in days.items()):
            continue
        if any(by_id[p].booked_week.get(w, 0) + n > by_id[p].per_week
               for (p, w), n in weeks.items()):  # fmt: skip
            continue
        best = len(taken)
    return best


@settings(max_examples=150, deadline=None)
@given(instances(caps_bind=False), st.randoms(use_true_random=False))
def test_with_caps_that_cannot_bind_it_books_a_maximum_matching(instance, rng: random.Random):
    requests, people = instance
    plan = solve(requests, people)
    check(plan, requests, people)
    assert len(plan.bookings) == hopcroft_karp_count(requests, people)
    assert plan.optimal and plan.gap == 0
    # The same instance in another order is the same plan.
    shuffled = [Request(r.id, r.candidate, r.starts, tuple(rng.sample(r.pool, len(r.pool))))
                for r in rng.sample(requests, len(requests))]  # fmt: skip
    assert solve(shuffled, rng.sample(people, len(people))) == plan


@settings(max_examples=150, deadline=None)
@given(instances(caps_bind=True))
def test_with_caps_that_bind_it_books_the_maximum_flow_and_keeps_every_cap(instance):
    requests, people = instance
    plan = solve(requests, people)
    check(plan, requests, people)
    assert len(plan.bookings) == max_flow_count(requests, people)


TINY_HOURS = [9, 10, 33, 34, 24 * 8 + 9]


@settings(max_examples=100, deadline=None)
@given(
    instances(
        caps_bind=True,
        panels=True,
        shared_candidates=True,
        hours=TINY_HOURS,
        most=6,
        most_starts=3,
        most_pool=2,
    )
)
def test_panels_and_shared_candidates_reach_the_brute_force_maximum(instance):
    requests, people = instance
    plan = solve(requests, people, panel_seconds=2.0)
    check(plan, requests, people)
    most = brute_force_count(requests, people)
    assert len(plan.bookings) <= most <= len(plan.bookings) + plan.gap
    if plan.optimal:
        assert len(plan.bookings) == most
