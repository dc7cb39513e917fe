"""The pure expansion of availability (``scheduling.availability``): weekly hours date by date
in their zone, days off, extra hours, slots, merging and clipping, and the wall-clock times a
DST change makes odd. No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.availability import (
    DayOff,
    ExtraHours,
    WeeklyRule,
    clip,
    free_intervals,
    local_to_utc,
    normalise,
    subtract,
    zone,
)

BERLIN, NEW_YORK, MOSCOW = "Europe/Berlin", "America/New_York", "Europe/Moscow"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local(moment: datetime, name: str) -> str:
    return moment.astimezone(zone(name)).strftime("%a %Y-%m-%d %H:%M")


def nine_to_five(name: str, weekdays: range = range(7)) -> list[WeeklyRule]:
    return [WeeklyRule(d, time(9), time(17), name) for d in weekdays]


# --- weekly hours ----------------------------------------------------------------------------


def test_weekly_hours_repeat_on_their_weekday_only() -> None:
    # Mondays and Wednesdays in Moscow (UTC+3, no DST), over two weeks of December 2026.
    rules = [WeeklyRule(0, time(10), time(12), MOSCOW), WeeklyRule(2, time(14), time(15), MOSCOW)]
    free = free_intervals(weekly=rules, start=utc(2026, 12, 7), end=utc(2026, 12, 21))
    assert free == [
        (utc(2026, 12, 7, 7), utc(2026, 12, 7, 9)),
        (utc(2026, 12, 9, 11), utc(2026, 12, 9, 12)),
        (utc(2026, 12, 14, 7), utc(2026, 12, 14, 9)),
        (utc(2026, 12, 16, 11), utc(2026, 12, 16, 12)),
    ]


def test_two_ranges_on_one_day_stay_apart_and_touching_ones_merge() -> None:
    rules = [
        WeeklyRule(0, time(9), time(12), "UTC"),
        WeeklyRule(0, time(13), time(17), "UTC"),
        WeeklyRule(0, time(17), time(18), "UTC"),  # touches the afternoon: one stretch
    ]
    free = free_intervals(weekly=rules, start=utc(2026, 12, 7), end=utc(2026, 12, 8))
    assert free == [
        (utc(2026, 12, 7, 9), utc(2026, 12, 7, 12)),
        (utc(2026, 12, 7, 13), utc(2026, 12, 7, 18)),
    ]


def test_the_local_date_decides_the_weekday_not_the_utc_one() -> None:
    # Monday 01:00-03:00 in Moscow is Sunday 22:00 - Monday 00:00 UTC.
    free = free_intervals(
        weekly=[WeeklyRule(0, time(1), time(3), MOSCOW)],
        start=utc(2026, 12, 6),
        end=utc(2026, 12, 8),
    )
    assert free == [(utc(2026, 12, 6, 22), utc(2026, 12, 7, 0))]


def test_hours_on_the_day_before_the_range_still_reach_into_it() -> None:
    # Tuesday 20:00-23:00 New York (EST) is Wednesday 01:00-04:00 UTC: asked from Wednesday.
    free = free_intervals(
        weekly=[WeeklyRule(1, time(20), time(23), NEW_YORK)],
        start=utc(2026, 12, 9),
        end=utc(2026, 12, 10),
    )
    assert free == [(utc(2026, 12, 9, 1), utc(2026, 12, 9, 4))]


def test_rules_in_different_zones_expand_each_in_its_own() -> None:
    rules = [WeeklyRule(0, time(9), time(10), BERLIN), WeeklyRule(0, time(9), time(10), NEW_YORK)]
    free = free_intervals(weekly=rules, start=utc(2026, 12, 7), end=utc(2026, 12, 8))
    assert free == [
        (utc(2026, 12, 7, 8), utc(2026, 12, 7, 9)),
        (utc(2026, 12, 7, 14), utc(2026, 12, 7, 15)),
    ]


# --- DST: a change moves nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "change", "summer_utc", "winter_utc"),
    [
        (BERLIN, date(2026, 10, 25), (7, 15), (8, 16)),  # CEST +2 → CET +1
        (NEW_YORK, date(2026, 11, 1), (13, 21), (14, 22)),  # EDT -4 → EST -5
    ],
)
def test_nine_to_five_stays_nine_to_five_local_across_the_autumn_change(
    name: str, change: date, summer_utc: tuple[int, int], winter_utc: tuple[int, int]
) -> None:
    start = datetime.combine(change - timedelta(days=3), time(), UTC)
    free = free_intervals(weekly=nine_to_five(name), start=start, end=start + timedelta(days=7))
    assert len(free) == 7
    for interval in free:
        assert interval[0].astimezone(zone(name)).time() == time(9), local(interval[0], name)
        assert interval[1].astimezone(zone(name)).time() == time(17), local(interval[1], name)
        assert interval[1] - interval[0] == timedelta(hours=8)
    before = [iv for iv in free if iv[0].date() < change]
    after = [iv for iv in free if iv[0].date() > change]
    assert {(iv[0].hour, iv[1].hour) for iv in before} == {summer_utc}
    assert {(iv[0].hour, iv[1].hour) for iv in after} == {winter_utc}


def test_nine_to_five_across_the_spring_change_in_both_zones() -> None:
    berlin = free_intervals(
        weekly=nine_to_five(BERLIN), start=utc(2026, 3, 28), end=utc(2026, 3, 31)
    )
    assert [(iv[0].hour, iv[1].hour) for iv in berlin] == [(8, 16), (7, 15), (7, 15)]
    new_york = free_intervals(
        weekly=nine_to_five(NEW_YORK), start=utc(2026, 3, 7), end=utc(2026, 3, 10)
    )
    assert [(iv[0].hour, iv[1].hour) for iv in new_york] == [(14, 22), (13, 21), (13, 21)]


def test_an_ambiguous_time_is_its_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: first at CEST (00:30 UTC), then CET.
    assert local_to_utc(date(2026, 10, 25), time(2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert local_to_utc(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    # A range across the repeated hour is longer in real time than on the clock.
    free = free_intervals(
        extra=[ExtraHours(date(2026, 10, 25), time(1), time(4), BERLIN)],
        start=utc(2026, 10, 24),
        end=utc(2026, 10, 26),
    )
    assert free == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))]


def test_a_nonexistent_time_is_the_moment_the_clocks_jump() -> None:
    # Berlin skips 02:00-03:00 on 2026-03-29 (the jump is at 01:00 UTC).
    for at in (time(2), time(2, 30), time(2, 59, 59)):
        assert local_to_utc(date(2026, 3, 29), at, BERLIN) == utc(2026, 3, 29, 1)
    assert local_to_utc(date(2026, 3, 29), time(3), BERLIN) == utc(2026, 3, 29, 1)
    assert local_to_utc(date(2026, 3, 8), time(2, 15), NEW_YORK) == utc(2026, 3, 8, 7)
    # A range keeps exactly its part that exists; one wholly in the gap is dropped.
    partly = ExtraHours(date(2026, 3, 29), time(2, 30), time(3, 30), BERLIN)
    wholly = ExtraHours(date(2026, 3, 29), time(2, 0), time(2, 45), BERLIN)
    free = free_intervals(extra=[partly, wholly], start=utc(2026, 3, 28), end=utc(2026, 3, 30))
    assert free == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))]
    assert local(free[0][0], BERLIN).endswith("03:00") and local(free[0][1], BERLIN).endswith(
        "03:30"
    )


# --- days off and extra hours --------------------------------------------------------------


def test_a_day_off_takes_that_local_date_out_of_the_weekly_hours() -> None:
    free = free_intervals(
        weekly=nine_to_five(BERLIN, range(5)),
        days_off=[DayOff(date(2026, 12, 8), BERLIN)],
        start=utc(2026, 12, 7),
        end=utc(2026, 12, 10),
    )
    assert [local(iv[0], BERLIN) for iv in free] == ["Mon 2026-12-07 09:00", "Wed 2026-12-09 09:00"]


def test_a_day_off_is_the_date_in_its_own_zone() -> None:
    # Hours 22:00-23:00 UTC on Monday: in Moscow already Tuesday. A Moscow day off on Tuesday
    # removes them; a UTC one on Tuesday does not.
    rule = [WeeklyRule(0, time(22), time(23), "UTC")]
    span = {"start": utc(2026, 12, 7), "end": utc(2026, 12, 9)}
    off_moscow = free_intervals(weekly=rule, days_off=[DayOff(date(2026, 12, 8), MOSCOW)], **span)
    off_utc = free_intervals(weekly=rule, days_off=[DayOff(date(2026, 12, 8), "UTC")], **span)
    assert off_moscow == []
    assert off_utc == [(utc(2026, 12, 7, 22), utc(2026, 12, 7, 23))]


def test_a_day_off_on_a_dst_day_covers_its_whole_25_hours() -> None:
    night_and_day = [WeeklyRule(6, time(0), time(23, 59), BERLIN)]  # Sunday 2026-10-25
    free = free_intervals(
        weekly=night_and_day,
        days_off=[DayOff(date(2026, 10, 25), BERLIN)],
        start=utc(2026, 10, 24),
        end=utc(2026, 10, 27),
    )
    assert free == []


def test_a_day_off_leaves_slots_and_extra_hours_of_that_date() -> None:
    slot = (utc(2026, 12, 8, 15), utc(2026, 12, 8, 16))
    free = free_intervals(
        weekly=nine_to_five("UTC"),
        days_off=[DayOff(date(2026, 12, 8), "UTC")],
        extra=[ExtraHours(date(2026, 12, 8), time(7), time(8), "UTC")],
        slots=[slot],
        start=utc(2026, 12, 8),
        end=utc(2026, 12, 9),
    )
    assert free == [(utc(2026, 12, 8, 7), utc(2026, 12, 8, 8)), slot]


def test_extra_hours_add_to_the_weekly_ones_and_merge_with_them() -> None:
    free = free_intervals(
        weekly=nine_to_five("UTC"),
        extra=[
            ExtraHours(date(2026, 12, 12), time(10), time(12), "UTC"),  # a Saturday, no hours
            ExtraHours(date(2026, 12, 11), time(16), time(19), "UTC"),  # overlaps Friday's
        ],
        start=utc(2026, 12, 11),
        end=utc(2026, 12, 13),
    )
    assert free == [
        (utc(2026, 12, 11, 9), utc(2026, 12, 11, 19)),
        (utc(2026, 12, 12, 9), utc(2026, 12, 12, 17)),
    ]


# --- slots, merge, clip --------------------------------------------------------------------


def test_slots_merge_with_hours_and_each_other_and_are_clipped() -> None:
    slots = [
        (utc(2026, 12, 7, 8), utc(2026, 12, 7, 10)),  # overlaps Monday's hours
        (utc(2026, 12, 7, 20), utc(2026, 12, 7, 21)),
        (utc(2026, 12, 7, 21), utc(2026, 12, 7, 22)),  # touches the one before
        (utc(2026, 12, 1, 10), utc(2026, 12, 1, 11)),  # outside the range
        (utc(2026, 12, 8, 23), utc(2026, 12, 9, 2)),  # reaches past the end
    ]
    free = free_intervals(
        weekly=[WeeklyRule(0, time(9), time(17), "UTC")],
        slots=slots,
        start=utc(2026, 12, 7),
        end=utc(2026, 12, 9),
    )
    assert free == [
        (utc(2026, 12, 7, 8), utc(2026, 12, 7, 17)),
        (utc(2026, 12, 7, 20), utc(2026, 12, 7, 22)),
        (utc(2026, 12, 8, 23), utc(2026, 12, 9)),
    ]


def test_results_are_utc_whatever_the_input_offset() -> None:
    moscow = zone(MOSCOW)
    slot = (datetime(2026, 12, 7, 12, tzinfo=moscow), datetime(2026, 12, 7, 13, tzinfo=moscow))
    [(start, end)] = free_intervals(slots=[slot], start=utc(2026, 12, 7), end=utc(2026, 12, 8))
    assert start.tzinfo is UTC and (start, end) == (utc(2026, 12, 7, 9), utc(2026, 12, 7, 10))


def test_an_empty_or_reversed_range_is_nothing() -> None:
    hours = nine_to_five("UTC")
    assert free_intervals(weekly=hours, start=utc(2026, 12, 8), end=utc(2026, 12, 8)) == []
    assert free_intervals(weekly=hours, start=utc(2026, 12, 9), end=utc(2026, 12, 8)) == []
    assert normalise([(utc(2026, 1, 2), utc(2026, 1, 1))]) == []


def test_clip_and_subtract() -> None:
    a = [(utc(2026, 1, 1, 9), utc(2026, 1, 1, 17))]
    assert clip(a, utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)) == [
        (utc(2026, 1, 1, 10), utc(2026, 1, 1, 11))
    ]
    assert subtract(
        a, [(utc(2026, 1, 1, 10), utc(2026, 1, 1, 11)), (utc(2026, 1, 1, 16), utc(2026, 1, 2))]
    ) == [
        (utc(2026, 1, 1, 9), utc(2026, 1, 1, 10)),
        (utc(2026, 1, 1, 11), utc(2026, 1, 1, 16)),
    ]
    assert subtract(a, a) == []
    assert subtract(a, []) == a


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        WeeklyRule(7, time(9), time(17), "UTC")
    with pytest.raises(ValueError):
        WeeklyRule(0, time(17), time(9), "UTC")
    with pytest.raises(ValueError):
        ExtraHours(date(2026, 1, 1), time(9), time(9), "UTC")
    with pytest.raises(ValueError):
        DayOff(date(2026, 1, 1), "Mars/Olympus")
    with pytest.raises(ValueError):
        free_intervals(start=datetime(2026, 1, 1), end=utc(2026, 1, 2))  # naive
    with pytest.raises(ValueError):
        zone("../../etc/passwd")


# --- properties against a minute-by-minute oracle -------------------------------------------

BASE = utc(2026, 10, 23)  # the days around Berlin's autumn change
MINUTES = 5 * 24 * 60


def _minutes(intervals: list[tuple[datetime, datetime]]) -> set[int]:
    found: set[int] = set()
    for start, end in intervals:
        first = int((start - BASE).total_seconds() // 60)
        last = int((end - BASE).total_seconds() // 60)
        found |= set(range(max(first, 0), min(last, MINUTES)))
    return found


quarter = st.integers(min_value=0, max_value=MINUTES // 15 - 1).map(
    lambda q: BASE + timedelta(minutes=15 * q)
)
spans = st.lists(
    st.tuples(quarter, st.integers(min_value=1, max_value=48)).map(
        lambda p: (p[0], p[0] + timedelta(minutes=15 * p[1]))
    ),
    max_size=8,
)


@given(spans, spans)
def test_normalise_and_subtract_keep_exactly_the_right_minutes(a, b) -> None:  # noqa: ANN001
    merged = normalise(a)
    assert _minutes(merged) == _minutes(a)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))
    assert _minutes(subtract(a, b)) == _minutes(a) - _minutes(b)


hours = st.tuples(st.integers(0, 22), st.integers(1, 8)).map(
    lambda p: (time(p[0]), time(min(p[0] + p[1], 23), 59 if p[0] + p[1] > 23 else 0))
)


@given(
    st.lists(st.tuples(st.integers(0, 6), hours), max_size=5),
    st.lists(st.integers(0, 4), max_size=3),
    st.lists(st.tuples(st.integers(0, 4), hours), max_size=3),
    spans,
)
def test_free_time_is_slots_and_hours_less_days_off_plus_extra(weekly, off, extra, slots) -> None:  # noqa: ANN001
    rules = [WeeklyRule(d, s, e, BERLIN) for d, (s, e) in weekly]
    days = [date(2026, 10, 23) + timedelta(days=n) for n in range(5)]
    days_off = [DayOff(days[n], BERLIN) for n in off]
    extras = [ExtraHours(days[n], s, e, BERLIN) for n, (s, e) in extra]
    free = free_intervals(
        weekly=rules,
        days_off=days_off,
        extra=extras,
        slots=slots,
        start=BASE,
        end=BASE + timedelta(minutes=MINUTES),
    )
    # The oracle: walk every minute and read the Berlin wall clock.
    tz = zone(BERLIN)
    off_days = {d.day for d in days_off}
    expected = set(_minutes(slots))
    for minute in range(MINUTES):
        wall = (BASE + timedelta(minutes=minute)).astimezone(tz)
        clock = wall.time().replace(tzinfo=None, fold=0)
        if wall.date() not in off_days and any(
            r.weekday == wall.weekday() and r.starts <= clock < r.ends for r in rules
        ):
            expected.add(minute)
        if any(e.day == wall.date() and e.starts <= clock < e.ends for e in extras):
            expected.add(minute)
    # The second pass of the repeated hour (01:00-02:00 UTC on 2026-10-25, wall 02:00-03:00 CET):
    # a range is read from the first occurrence of its ends, so there the oracle may differ.
    second_pass = int((utc(2026, 10, 25, 1) - BASE).total_seconds() // 60)
    repeated = set(range(second_pass, second_pass + 60))
    assert _minutes(free) - repeated == expected - repeated
    assert free == normalise(free)
