"""The scheduler's matching on small instances a person can check by hand: the load spread
where first fit piles it on one interviewer, determinism, every reason a round stays
unplaced, why a slot was chosen, panels."""

from __future__ import annotations

import json
import random

import pytest

from scheduling.matching import (
    AT_CAP,
    NO_INTERVIEWER,
    NO_OVERLAP,
    TAKEN,
    Interviewer,
    Request,
    greedy,
    solve,
)

MONDAY = 490_000  # an hour since the epoch that starts a day; the exact date does not matter


def at(day: int, hour: int) -> int:
    return MONDAY + day * 24 + hour


def interviewer(id: int, starts, *, per_day=3, per_week=10, booked_day=None, booked_week=None):
    """Free at ``starts``; days and weeks counted in UTC from MONDAY."""
    free = {s: ((s - MONDAY) // 24, (s - MONDAY) // (24 * 7)) for s in starts}
    return Interviewer(id, free, per_day, per_week, booked_day or {}, booked_week or {})


def loads(plan) -> dict[int, int]:
    count: dict[int, int] = {}
    for booking in plan.bookings:
        for person in booking.interviewers:
            count[person] = count.get(person, 0) + 1
    return count


def placed(plan) -> dict[int, tuple[tuple[int, ...], int]]:
    return {b.request: (b.interviewers, b.start) for b in plan.bookings}


def reasons(plan) -> dict[int, str]:
    return {u.request: u.reason for u in plan.unmatched}


# --- fairness -------------------------------------------------------------------------------


def test_first_fit_piles_the_week_on_the_first_interviewer_and_solve_spreads_it():
    # Six candidates, each free at one hour on a different day of one week; both interviewers
    # are free at all of them and listed in the same order in every pool.
    hours = [at(day, 10) for day in range(6)]
    people = [interviewer(1, hours), interviewer(2, hours)]
    requests = [Request(n, 100 + n, frozenset({hours[n]}), (1, 2)) for n in range(6)]

    first_fit = greedy(requests, people)
    best = solve(requests, people)

    assert len(first_fit.bookings) == len(best.bookings) == 6
    assert loads(first_fit) == {1: 6}
    assert loads(best) == {1: 3, 2: 3}


def test_three_and_three_beats_five_and_one_even_when_it_costs_later_starts():
    # Interviewer 1 is free at every hour, 2 only at the last ones; the earliest plan would
    # give 1 five interviews.
    hours = [at(0, 9 + k) for k in range(6)]
    people = [interviewer(1, hours, per_day=10), interviewer(2, hours[3:], per_day=10)]
    requests = [Request(n, 100 + n, frozenset(hours), (1, 2)) for n in range(6)]

    plan = solve(requests, people)

    assert loads(plan) == {1: 3, 2: 3}


def test_interviews_already_booked_count_in_the_load():
    # Interviewer 1 already has four this week: the two new ones go to 2.
    hours = [at(0, 9), at(0, 10)]
    people = [interviewer(1, hours, booked_week={0: 4}), interviewer(2, hours)]
    requests = [Request(n, 100 + n, frozenset(hours), (1, 2)) for n in range(2)]

    plan = solve(requests, people)

    assert loads(plan) == {2: 2}
    assert [b.why.load_before for b in plan.bookings] == [0, 1]


def test_with_the_load_equal_the_earlier_start_wins():
    people = [interviewer(1, [at(0, 9), at(0, 15), at(1, 9)])]
    requests = [Request(1, 100, frozenset({at(0, 9), at(0, 15), at(1, 9)}), (1,))]

    assert placed(solve(requests, people)) == {1: ((1,), at(0, 9))}


def test_the_count_comes_before_the_load():
    # Balancing would put request 1 on interviewer 2, leaving request 2 (only 2 can take it)
    # out: the count wins.
    people = [interviewer(1, [at(0, 9)], booked_week={0: 9}), interviewer(2, [at(0, 9)])]
    requests = [Request(1, 101, frozenset({at(0, 9)}), (1, 2)),
                Request(2, 102, frozenset({at(0, 9)}), (2,))]  # fmt: skip

    assert placed(solve(requests, people)) == {1: ((1,), at(0, 9)), 2: ((2,), at(0, 9))}


# --- determinism ----------------------------------------------------------------------------


def random_instance(seed: int, *, panels: bool = False):
    rng = random.Random(seed)
    hours = [at(day, hour) for day in range(10) if day % 7 < 5 for hour in range(9, 17)]
    people = [
        interviewer(n, rng.sample(hours, 20), per_day=2, per_week=5,
                    booked_week={0: rng.randint(0, 2)})
        for n in range(1, 9)
    ]  # fmt: skip
    requests = []
    for n in range(1, 41):
        pool = tuple(rng.sample(range(1, 9), rng.randint(2, 5)))
        panel = tuple(rng.sample(pool, 2)) if panels and n % 4 == 0 else ()
        requests.append(Request(n, 1000 + n, frozenset(rng.sample(hours, 6)), pool, panel))
    return requests, people


@pytest.mark.parametrize("panels", [False, True], ids=["one-to-one", "with panels"])
def test_the_same_input_in_any_order_gives_the_same_plan(panels):
    requests, people = random_instance(3, panels=panels)
    plan = solve(requests, people)
    again = solve(requests, people)
    rng = random.Random(9)
    shuffled = [Request(r.id, r.candidate, r.starts, tuple(rng.sample(r.pool, len(r.pool))),
                        tuple(reversed(r.panel)))
                for r in rng.sample(requests, len(requests))]  # fmt: skip

    assert plan == again
    assert solve(shuffled, rng.sample(people, len(people))) == plan
    assert len(plan.bookings) > 20  # a real instance, not an empty one


# --- why not --------------------------------------------------------------------------------


def test_a_round_with_nobody_to_interview_has_no_interviewer():
    people = [interviewer(1, [at(0, 9)])]
    requests = [
        Request(1, 101, frozenset({at(0, 9)}), ()),  # an empty pool
        Request(2, 102, frozenset({at(0, 9)}), (7,)),  # someone who is not an interviewer
        Request(3, 103, frozenset({at(0, 9)}), (), panel=(1, 7)),  # a panel member unknown
    ]

    plan = solve(requests, people)

    assert reasons(plan) == {1: NO_INTERVIEWER, 2: NO_INTERVIEWER, 3: NO_INTERVIEWER}


def test_a_round_whose_times_never_meet_has_no_overlap():
    people = [interviewer(1, [at(0, 9)]), interviewer(2, [at(0, 10)])]
    requests = [
        Request(1, 101, frozenset({at(0, 11)}), (1, 2)),
        Request(2, 102, frozenset({at(0, 9), at(0, 10)}), (), panel=(1, 2)),  # never together
        Request(3, 103, frozenset(), (1,)),  # the candidate has no time at all
    ]

    plan = solve(requests, people)

    assert reasons(plan) == {1: NO_OVERLAP, 2: NO_OVERLAP, 3: NO_OVERLAP}
    assert [u.overlaps for u in plan.unmatched] == [0, 0, 0]


def test_a_round_whose_interviewers_are_full_is_at_cap():
    people = [
        interviewer(1, [at(0, 9), at(0, 10)], per_day=1),
        interviewer(2, [at(1, 9)], booked_week={0: 10}),
    ]
    requests = [
        Request(1, 101, frozenset({at(0, 9)}), (1,)),
        # Interviewer 1 is free at 10 but has had the day's one interview (request 1).
        Request(2, 102, frozenset({at(0, 10)}), (1,)),
        # Interviewer 2 was full for the week before the run.
        Request(3, 103, frozenset({at(1, 9)}), (2,)),
    ]

    plan = solve(requests, people)

    assert placed(plan) == {1: ((1,), at(0, 9))}
    assert reasons(plan) == {2: AT_CAP, 3: AT_CAP}


def test_a_round_whose_times_went_to_others_is_taken():
    people = [interviewer(1, [at(0, 9)])]
    requests = [Request(n, 100 + n, frozenset({at(0, 9)}), (1,)) for n in (1, 2)]

    plan = solve(requests, people)

    assert len(plan.bookings) == 1
    assert [(u.reason, u.overlaps) for u in plan.unmatched] == [(TAKEN, 1)]


def test_a_candidate_is_never_in_two_interviews_at_once():
    # Two rounds of one candidate, both only at 9 with different interviewers.
    people = [interviewer(1, [at(0, 9)]), interviewer(2, [at(0, 9), at(0, 10)])]
    requests = [Request(1, 100, frozenset({at(0, 9)}), (1,)),
                Request(2, 100, frozenset({at(0, 9), at(0, 10)}), (2,))]  # fmt: skip

    plan = solve(requests, people)

    assert placed(plan) == {1: ((1,), at(0, 9)), 2: ((2,), at(0, 10))}
    assert plan.optimal


# --- why this slot --------------------------------------------------------------------------


def test_why_says_what_else_was_possible_and_which_cap_closed_an_earlier_slot():
    # Monday 9:00 was the candidate's earliest, but interviewer 1 already had the day's one.
    people = [interviewer(1, [at(0, 9), at(1, 9), at(1, 11)], per_day=1, booked_day={0: 1})]
    requests = [Request(1, 100, frozenset({at(0, 9), at(1, 9), at(1, 11)}), (1,))]

    (booking,) = solve(requests, people).bookings
    why = booking.why

    assert booking.start == at(1, 9)
    assert why.cap == "day" and why.cap_interviewer == 1 and why.cap_start == at(0, 9)
    assert why.alternatives == 1  # Tuesday 11:00 (Monday 9:00 was never possible)
    assert why.open_alternatives == 1  # and it is still free: the booking could move there
    assert why.earliest_possible == at(1, 9)
    assert json.loads(json.dumps(why.to_dict())) == why.to_dict()


def test_why_names_the_week_cap_when_the_week_is_full():
    week_two = [at(7, 9)]
    people = [interviewer(1, [at(0, 9), *week_two], booked_week={0: 10})]
    requests = [Request(1, 100, frozenset({at(0, 9), *week_two}), (1,))]

    (booking,) = solve(requests, people).bookings

    assert booking.start == at(7, 9)
    assert booking.why.cap == "week"


def test_why_has_no_cap_when_nothing_closed_an_earlier_slot():
    people = [interviewer(1, [at(0, 9), at(0, 10)])]
    requests = [Request(1, 100, frozenset({at(0, 9), at(0, 10)}), (1,))]

    (booking,) = solve(requests, people).bookings

    assert booking.start == at(0, 9)
    assert booking.why.cap is None
    assert booking.why.alternatives == booking.why.open_alternatives == 1


# --- panels ---------------------------------------------------------------------------------


def test_a_panel_is_booked_only_when_all_its_members_are_free():
    people = [
        interviewer(1, [at(0, 9), at(0, 10), at(0, 11)]),
        interviewer(2, [at(0, 10), at(0, 11)]),
        interviewer(3, [at(0, 9), at(0, 11)]),
    ]
    requests = [Request(1, 100, frozenset({at(0, 9), at(0, 10), at(0, 11)}), (),
                        panel=(3, 1, 2))]  # fmt: skip

    plan = solve(requests, people)

    assert placed(plan) == {1: ((1, 2, 3), at(0, 11))}
    assert plan.optimal and plan.gap == 0
    assert plan.stats["cp_sat_groups"] == 1


def test_a_panel_and_one_to_one_rounds_share_the_interviewers_at_the_most_bookings():
    # The panel needs 1 and 2 at 9; a one-to-one round can only have 1 at 9 and another only
    # 2 at 10. Booking everything means the panel at 11.
    people = [interviewer(1, [at(0, 9), at(0, 11)]), interviewer(2, [at(0, 9), at(0, 10),
                                                                      at(0, 11)])]  # fmt: skip
    requests = [
        Request(1, 101, frozenset({at(0, 9), at(0, 11)}), (), panel=(1, 2)),
        Request(2, 102, frozenset({at(0, 9)}), (1,)),
        Request(3, 103, frozenset({at(0, 10)}), (2,)),
    ]

    plan = solve(requests, people)

    assert placed(plan) == {1: ((1, 2), at(0, 11)), 2: ((1,), at(0, 9)), 3: ((2,), at(0, 10))}
    assert plan.optimal and plan.gap == 0


def crowded_panels(seed: int):
    """Sixty rounds, every other a panel of two or three, for eight interviewers: CP-SAT
    needs far more than a hundredth of its deterministic time unit to prove the most."""
    rng = random.Random(seed)
    hours = [at(day, hour) for day in range(10) if day % 7 < 5 for hour in range(9, 17)]
    people = [interviewer(n, rng.sample(hours, 30), per_day=2, per_week=6) for n in range(1, 9)]
    requests = []
    for n in range(1, 61):
        pool = tuple(rng.sample(range(1, 9), 4))
        panel = tuple(rng.sample(pool, rng.choice((2, 3)))) if n % 2 == 0 else ()
        requests.append(Request(n, 1000 + n, frozenset(rng.sample(hours, 12)), pool, panel))
    return requests, people


def test_a_panel_solve_cut_short_still_keeps_every_rule_and_says_how_far_it_may_be():
    from tests.scheduling.test_matching_property import check

    requests, people = crowded_panels(0)
    best = solve(requests, people)  # given its time: proved
    # Cut on CP-SAT's deterministic work, not the clock: the same cut on any machine.
    cut = solve(requests, people, panel_seconds=60, panel_work=0.01)

    assert best.optimal and best.gap == 0
    assert not cut.optimal
    assert cut.gap > 0
    assert len(cut.bookings) < len(best.bookings)  # it really was cut short
    # The gap is honest: what it booked and how far it may be reach the most possible.
    assert len(cut.bookings) + cut.gap >= len(best.bookings)
    check(cut, requests, people)
    # First fit is where the solve starts: it never books fewer.
    assert len(cut.bookings) >= len(greedy(requests, people).bookings)
    assert solve(requests, people, panel_seconds=60, panel_work=0.01) == cut


def test_a_negative_work_limit_is_refused():
    with pytest.raises(ValueError, match="panel_work"):
        solve([], [], panel_work=-1)


# --- bad input ------------------------------------------------------------------------------


def test_the_same_interviewer_or_request_twice_is_refused():
    person = interviewer(1, [at(0, 9)])
    with pytest.raises(ValueError, match="interviewer 1"):
        solve([], [person, person])
    request = Request(1, 100, frozenset(), (1,))
    with pytest.raises(ValueError, match="request"):
        solve([request, request], [person])


def test_a_day_that_falls_in_two_weeks_is_refused():
    bad = Interviewer(1, {at(0, 9): ("mon", "w1"), at(0, 10): ("mon", "w2")}, 3, 10)
    with pytest.raises(ValueError, match="two weeks"):
        solve([], [bad])
