"""A person's free time as UTC intervals: weekly hours and their exceptions expanded date by
date in the zone they were set in, merged with one-off slots. Pure: no Django, no clock, no
I/O (zones come from the standard library's ``zoneinfo``).

The rules, in the order they apply:

* **weekly hours** — ``WeeklyRule(weekday, starts, ends, zone)``: every local date of that
  weekday in ``zone`` from ``starts`` to ``ends`` (wall-clock times, ``ends`` after ``starts``
  on the same date). Each date is turned into UTC on its own, so 09:00–17:00 in Berlin stays
  09:00–17:00 Berlin time on both sides of a DST change (07:00–15:00 UTC in summer,
  08:00–16:00 UTC in winter): a DST change moves nothing;
* **days off** — ``DayOff(day, zone)``: the whole local date (midnight to midnight in ``zone``)
  is taken out of the weekly hours. Days off cancel weekly hours only: a one-off slot or
  extra hours on that date were added on purpose and stay;
* **extra hours** — ``ExtraHours(day, starts, ends, zone)``: added on that local date;
* **slots** — one-off UTC intervals, added as they are.

The result is normalised: sorted, overlapping and touching intervals merged into one, and
clipped to the asked ``[start, end)``.

Wall-clock times that a DST change makes odd are read on purpose, the same way everywhere
(``local_to_utc``):

* an **ambiguous** time (it happens twice when the clocks go back, e.g. 02:30 in Berlin on
  2026-10-25) is its **first** occurrence — ``fold=0``, the offset before the change;
* a **nonexistent** time (skipped when the clocks go forward, e.g. 02:30 in Berlin on
  2026-03-29) is the **moment the clocks jump** (03:00 CEST): a range keeps exactly its part
  that exists on that day (02:30–03:30 is 03:00–03:30 CEST), and a range that falls wholly in
  the skipped hour is empty and dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = tuple[datetime, datetime]

__all__ = [
    "DayOff",
    "ExtraHours",
    "Interval",
    "WeeklyRule",
    "clip",
    "free_intervals",
    "local_to_utc",
    "normalise",
    "subtract",
    "zone",
]


@dataclass(frozen=True)
class WeeklyRule:
    weekday: int  # 0 = Monday, as date.weekday()
    starts: time
    ends: time
    zone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday 0-6, not {self.weekday}")
        _check_hours(self.starts, self.ends)
        zone(self.zone)


@dataclass(frozen=True)
class DayOff:
    day: date
    zone: str

    def __post_init__(self) -> None:
        zone(self.zone)


@dataclass(frozen=True)
class ExtraHours:
    day: date
    starts: time
    ends: time
    zone: str

    def __post_init__(self) -> None:
        _check_hours(self.starts, self.ends)
        zone(self.zone)


def _check_hours(starts: time, ends: time) -> None:
    if starts.tzinfo is not None or ends.tzinfo is not None:
        raise ValueError("hours are wall-clock times, without a zone")
    if ends <= starts:
        raise ValueError(f"hours end after they start, not {starts}-{ends}")


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a ValueError for a name that is not one."""
    if not name or len(name) > 64:
        raise ValueError(f"not a time zone: {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not a time zone: {name!r}") from None


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must carry its offset (an aware datetime)")
    return moment.astimezone(UTC)


def local_to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The UTC moment of wall-clock ``at`` on ``day`` in ``zone_name``: an ambiguous time is
    its first occurrence (``fold=0``), a nonexistent one the moment the clocks jump."""
    tz = zone(zone_name)
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # it exists (once, or twice: then this is the first)
    # In a gap: read with the offset after the change it is earlier than with the one before;
    # the jump lies between the two readings. Find its second (transitions are on whole
    # seconds), so both ends of a range clamp to the same moment.
    low = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)  # still before the jump
    before = low.astimezone(tz).utcoffset()
    # Whole seconds after ``low``: the first that reads with the new offset.
    lo, hi = 0, int((first - low).total_seconds())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if (low + timedelta(seconds=middle)).astimezone(tz).utcoffset() == before:
            lo = middle
        else:
            hi = middle
    return low + timedelta(seconds=hi)


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, in UTC, empty ones dropped, overlapping or touching ones merged."""
    cleaned = sorted(
        (_aware(s, "start"), _aware(e, "end"))
        for s, e in intervals
        if _aware(e, "end") > _aware(s, "start")
    )
    merged: list[Interval] = []
    for start, end in cleaned:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """``intervals`` (normalised) cut to ``[start, end)``."""
    start, end = _aware(start, "start"), _aware(end, "end")
    return [(max(s, start), min(e, end)) for s, e in normalise(intervals) if e > start and s < end]


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """What of ``intervals`` is left once ``removed`` is taken out (both normalised)."""
    cuts = normalise(removed)
    left: list[Interval] = []
    for start, end in normalise(intervals):
        piece_start = start
        for cut_start, cut_end in cuts:
            if cut_end <= piece_start or cut_start >= end:
                continue
            if cut_start > piece_start:
                left.append((piece_start, cut_start))
            piece_start = max(piece_start, cut_end)
            if piece_start >= end:
                break
        if piece_start < end:
            left.append((piece_start, end))
    return left


def _local_dates(zone_name: str, start: datetime, end: datetime) -> Iterable[date]:
    """Every local date in ``zone_name`` that ``[start, end)`` touches, one either side to
    spare (a rule's hours on the day before may still reach into the range)."""
    tz = zone(zone_name)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _weekly(rules: Iterable[WeeklyRule], start: datetime, end: datetime) -> list[Interval]:
    found: list[Interval] = []
    by_zone: dict[str, list[WeeklyRule]] = {}
    for rule in rules:
        by_zone.setdefault(rule.zone, []).append(rule)
    for zone_name, zone_rules in by_zone.items():
        for day in _local_dates(zone_name, start, end):
            for rule in zone_rules:
                if rule.weekday == day.weekday():
                    found.append(
                        (
                            local_to_utc(day, rule.starts, zone_name),
                            local_to_utc(day, rule.ends, zone_name),
                        )
                    )
    return found


def _whole_day(day: date, zone_name: str) -> Interval:
    return (
        local_to_utc(day, time.min, zone_name),
        local_to_utc(day + timedelta(days=1), time.min, zone_name),
    )


def free_intervals(
    *,
    start: datetime,
    end: datetime,
    weekly: Iterable[WeeklyRule] = (),
    days_off: Iterable[DayOff] = (),
    extra: Iterable[ExtraHours] = (),
    slots: Iterable[Interval] = (),
) -> list[Interval]:
    """The free time in ``[start, end)`` (aware datetimes): slots ∪ (weekly hours − days off)
    ∪ extra hours, normalised, in UTC."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return []
    working = subtract(_weekly(weekly, start, end), (_whole_day(d.day, d.zone) for d in days_off))
    added = [
        (local_to_utc(e.day, e.starts, e.zone), local_to_utc(e.day, e.ends, e.zone)) for e in extra
    ]
    return clip([*working, *added, *slots], start, end)
