"""Frozen-time tests (time-machine) of availability across a DST change in two zones —
Europe/Berlin on 2026-10-25 and America/New_York on 2026-11-01 when the clocks go back, and
2026-03-29 and 2026-03-08 when they spring forward: a weekly 09:00–17:00 and one-off slots
read the same on the wall clock before and after, whether the clock stands before the change
or after it; a night across the change is an hour longer or shorter; the skipped hour holds
no slot; the pages show them in each viewer's own zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from scheduling import services
from scheduling.models import Slot
from scheduling.services import Hours
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ZONES = {
    # zone: (the day clocks go back, UTC hours of 09-17 before, after)
    "Europe/Berlin": (date(2026, 10, 25), (7, 15), (8, 16)),
    "America/New_York": (date(2026, 11, 1), (13, 21), (14, 22)),
}


SPRING = {
    # zone: (the day clocks spring forward, UTC hours of 09-17 before, after, the skipped hour)
    "Europe/Berlin": (date(2026, 3, 29), (8, 16), (7, 15), time(2)),
    "America/New_York": (date(2026, 3, 8), (14, 22), (13, 21), time(2)),
}


def week_around(change: date) -> tuple[datetime, datetime]:
    start = datetime.combine(change - timedelta(days=3), time(), UTC)
    return start, start + timedelta(days=7)


@pytest.fixture(params=sorted(ZONES))
def zone(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def person(roles, zone) -> Any:  # noqa: ANN001
    return UserFactory(username="ivan", first_name="Ivan", roles=["interviewer"], time_zone=zone)


def _hours_of(free: list[tuple[datetime, datetime]]) -> list[tuple[int, int]]:
    return [(s.hour, e.hour) for s, e in free]


@pytest.mark.parametrize("clock", ["before", "after"])
def test_weekly_nine_to_five_reads_nine_to_five_on_both_sides(person, zone, clock) -> None:  # noqa: ANN001
    change, summer, winter = ZONES[zone]
    now = datetime.combine(change + timedelta(days=-5 if clock == "before" else 1), time(12), UTC)
    with time_machine.travel(now, tick=False):
        services.weekly_hours_set(
            by=person, user=person, hours=[Hours(d, time(9), time(17)) for d in range(7)], zone=zone
        )
        start, end = week_around(change)
        free = services.free_time(user=person, start=start, end=end)
    assert len(free) == 7
    tz = ZoneInfo(zone)
    for s, e in free:
        assert (s.astimezone(tz).time(), e.astimezone(tz).time()) == (time(9), time(17))
    days = [s.date() for s, _e in free]
    assert _hours_of(free) == [summer if d < change else winter for d in days]


def test_the_hours_set_before_the_change_read_the_same_after_it(person, zone) -> None:  # noqa: ANN001
    change, summer, winter = ZONES[zone]
    start, end = week_around(change)
    with time_machine.travel(datetime.combine(change - timedelta(days=6), time(9), UTC)) as clock:
        services.weekly_hours_set(
            by=person, user=person, hours=[Hours(d, time(9), time(17)) for d in range(7)], zone=zone
        )
        before = services.free_time(user=person, start=start, end=end)
        clock.move_to(datetime.combine(change + timedelta(days=2), time(9), UTC))
        after = services.free_time(user=person, start=start, end=end)
    assert before == after
    assert _hours_of(before)[0] == summer and _hours_of(before)[-1] == winter


def test_slots_typed_in_local_time_on_both_sides_of_the_change(person, zone) -> None:  # noqa: ANN001
    change, summer, winter = ZONES[zone]
    with time_machine.travel(datetime.combine(change - timedelta(days=2), time(12), UTC)) as clock:
        for day in (change - timedelta(days=1), change + timedelta(days=1)):
            start, end = services.local_range(day=day, starts=time(9), ends=time(17), zone=zone)
            services.slot_add(by=person, user=person, starts_at=start, ends_at=end, zone=zone)
        clock.move_to(datetime.combine(change + timedelta(days=1), time(0), UTC))
        start, end = week_around(change)
        free = services.free_time(user=person, start=start, end=end)
    assert _hours_of(free) == [summer, winter]
    assert [s.zone for s in Slot.objects.order_by("starts_at")] == [zone, zone]


def test_a_slot_across_the_night_of_the_change_is_an_hour_longer(person, zone) -> None:  # noqa: ANN001
    change = ZONES[zone][0]
    with time_machine.travel(datetime.combine(change - timedelta(days=2), time(12), UTC)):
        start, end = services.local_range(
            day=change - timedelta(days=1), starts=time(22), end_day=change, ends=time(6), zone=zone
        )
        slot = services.slot_add(by=person, user=person, starts_at=start, ends_at=end, zone=zone)
    assert slot.ends_at - slot.starts_at == timedelta(hours=9)  # 8 on the clock, 9 in fact


@pytest.mark.parametrize("zone", sorted(SPRING))
@pytest.mark.parametrize("clock", ["before", "after"])
def test_spring_forward_weekly_nine_to_five_reads_nine_to_five_on_both_sides(
    person, zone, clock,  # noqa: ANN001
) -> None:  # fmt: skip
    change, winter, summer, _ = SPRING[zone]
    now = datetime.combine(change + timedelta(days=-5 if clock == "before" else 1), time(12), UTC)
    with time_machine.travel(now, tick=False):
        services.weekly_hours_set(
            by=person, user=person, hours=[Hours(d, time(9), time(17)) for d in range(7)], zone=zone
        )
        start, end = week_around(change)
        free = services.free_time(user=person, start=start, end=end)
    assert len(free) == 7
    tz = ZoneInfo(zone)
    for s, e in free:
        assert (s.astimezone(tz).time(), e.astimezone(tz).time()) == (time(9), time(17))
    days = [s.date() for s, _e in free]
    assert _hours_of(free) == [winter if d < change else summer for d in days]
    assert winter in _hours_of(free) and summer in _hours_of(free)


@pytest.mark.parametrize("zone", sorted(SPRING))
def test_spring_forward_slots_kept_before_the_change_read_the_same_after_it(person, zone) -> None:  # noqa: ANN001
    change, winter, summer, _ = SPRING[zone]
    with time_machine.travel(datetime.combine(change - timedelta(days=2), time(12), UTC)) as clock:
        for day in (change - timedelta(days=1), change + timedelta(days=1)):
            start, end = services.local_range(day=day, starts=time(9), ends=time(17), zone=zone)
            services.slot_add(by=person, user=person, starts_at=start, ends_at=end, zone=zone)
        start, end = week_around(change)
        before = services.free_time(user=person, start=start, end=end)
        clock.move_to(datetime.combine(change + timedelta(days=1), time(0), UTC))
        after = services.free_time(user=person, start=start, end=end)
    assert before == after
    assert _hours_of(after) == [winter, summer]


@pytest.mark.parametrize("zone", sorted(SPRING))
def test_spring_forward_a_slot_across_the_night_is_an_hour_shorter(person, zone) -> None:  # noqa: ANN001
    change = SPRING[zone][0]
    with time_machine.travel(datetime.combine(change - timedelta(days=2), time(12), UTC)):
        start, end = services.local_range(
            day=change - timedelta(days=1), starts=time(22), end_day=change, ends=time(6), zone=zone
        )
        slot = services.slot_add(by=person, user=person, starts_at=start, ends_at=end, zone=zone)
    assert slot.ends_at - slot.starts_at == timedelta(hours=7)  # 8 on the clock, 7 in fact
    tz = ZoneInfo(zone)
    assert slot.starts_at.astimezone(tz).hour == 22 and slot.ends_at.astimezone(tz).hour == 6


@pytest.mark.parametrize("zone", sorted(SPRING))
def test_spring_forward_the_skipped_hour_holds_no_slot(person, zone) -> None:  # noqa: ANN001
    change, _, _, skipped = SPRING[zone]
    with time_machine.travel(datetime.combine(change - timedelta(days=2), time(12), UTC)):
        with pytest.raises(services.SchedulingRefused) as refused:
            services.local_range(day=change, starts=skipped, ends=time(2, 45), zone=zone)
        # Half in it: only the half that exists is kept, from the moment the clocks jump.
        start, end = services.local_range(
            day=change, starts=time(2, 30), ends=time(3, 30), zone=zone
        )
        slot = services.slot_add(by=person, user=person, starts_at=start, ends_at=end, zone=zone)
    assert refused.value.code == "skipped_time"
    assert slot.ends_at - slot.starts_at == timedelta(minutes=30)
    assert slot.starts_at.astimezone(ZoneInfo(zone)).time() == time(3)


def _times_on_page(html: str) -> list[str]:
    return re.findall(r'<li class="slot"[^>]*>.*?<span class="slot-when">(.*?)</span>', html, re.S)


def test_a_viewer_in_another_zone_sees_the_slots_in_their_own(roles) -> None:  # noqa: ANN001
    from candidates import services as candidates

    berlin = UserFactory(username="rita", roles=["recruiter"], time_zone="Europe/Berlin")
    new_york = UserFactory(username="rob", roles=["recruiter"], time_zone="America/New_York")
    with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC)):
        carla = candidates.candidate_create(
            by=berlin, fields={"full_name": "Carla Candidate", "email": "carla@example.com"}
        )
        for day in (date(2026, 10, 23), date(2026, 10, 26)):  # before and after both changes
            start, end = services.local_range(
                day=day, starts=time(9), ends=time(17), zone="Europe/Berlin"
            )
            services.slot_add(
                by=berlin, candidate=carla, starts_at=start, ends_at=end, zone="Europe/Berlin"
            )
        pages: dict[str, str] = {}
        for viewer in (berlin, new_york):
            client = Client()
            client.force_login(viewer)
            for week in ("2026-10-23", "2026-10-26"):
                response = client.get(f"/candidates/{carla.pk}/availability/?date={week}")
                assert response.status_code == 200
                pages[viewer.username] = pages.get(viewer.username, "") + response.content.decode()
    berlin_times = _times_on_page(pages["rita"])
    new_york_times = _times_on_page(pages["rob"])
    assert len(berlin_times) == len(new_york_times) == 2
    # Berlin reads 09:00–17:00 on both days. New York is six hours behind on the 23rd (both on
    # summer time) and five on the 26th (Berlin is back on winter time, New York not until
    # 1 November).
    assert "09:00" in berlin_times[0] and "17:00" in berlin_times[0]
    assert "09:00" in berlin_times[1] and "17:00" in berlin_times[1]
    assert "03:00" in new_york_times[0] and "11:00" in new_york_times[0]
    assert "04:00" in new_york_times[1] and "12:00" in new_york_times[1]
    assert "Europe/Berlin" in pages["rita"] and "America/New_York" in pages["rob"]
