"""The availability services (``scheduling.services``): slots of interviewers and candidates,
weekly hours, exceptions, capacity, the free-time read, and the question asked before free
time under a scheduled interview goes — on the real database, with the clock frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine

from interviews import services as interviews
from notify.models import Notice
from scheduling import services
from scheduling.models import Capacity, DayException, Slot, WeeklyHours
from scheduling.services import Hours, SchedulingRefused
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)  # a Tuesday
BERLIN = "Europe/Berlin"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rita(roles) -> Any:  # noqa: ANN001
    return UserFactory(
        username="rita", first_name="Rita", last_name="Recruiter", roles=["recruiter"]
    )


@pytest.fixture
def rob(roles) -> Any:  # noqa: ANN001
    return UserFactory(username="rob", first_name="Rob", last_name="Recruiter", roles=["recruiter"])


@pytest.fixture
def ivan(roles) -> Any:  # noqa: ANN001
    return UserFactory(
        username="ivan",
        first_name="Ivan",
        last_name="Petrov",
        roles=["interviewer"],
        time_zone=BERLIN,
    )


@pytest.fixture
def carla(rita, ivan, lead, bob) -> Any:  # noqa: ANN001
    return candidate_on(three_round_position(rita, ivan, lead, bob), rita)


def booked(rita: Any, ivan: Any, carla: Any, at: datetime) -> Any:
    """Carla's first round with Ivan at ``at`` (an hour), scheduled."""
    interview = interviews.interview_create(
        candidate=carla, position=carla.positions.get(), by=rita
    )
    round_ = interview.rounds.get(order=0)
    return interviews.round_assign(round_=round_, by=rita, interviewer=ivan, starts_at=at)


def slots_of(**owner: Any) -> list[tuple[datetime, datetime]]:
    return list(
        Slot.objects.filter(**owner).order_by("starts_at").values_list("starts_at", "ends_at")
    )


# --- slots ---------------------------------------------------------------------------------


def test_an_interviewer_adds_a_slot_stored_in_utc_with_its_zone(ivan) -> None:  # noqa: ANN001
    start, end = services.local_range(
        day=date(2026, 12, 3), starts=time(10), ends=time(12), zone=BERLIN
    )
    slot = services.slot_add(by=ivan, user=ivan, starts_at=start, ends_at=end, zone=BERLIN)
    slot.refresh_from_db()
    assert (slot.starts_at, slot.ends_at) == (utc(2026, 12, 3, 9), utc(2026, 12, 3, 11))
    assert slot.zone == BERLIN and slot.user == ivan and slot.candidate is None
    assert slot.created_by == ivan


def test_a_recruiter_keeps_a_candidates_slots(rita, carla) -> None:  # noqa: ANN001
    slot = services.slot_add(
        by=rita,
        candidate=carla,
        starts_at=utc(2026, 12, 4, 9),
        ends_at=utc(2026, 12, 4, 12),
        zone="Europe/Moscow",
    )
    assert slot.candidate == carla and slot.user is None and slot.created_by == rita
    assert services.free_time(candidate=carla, start=utc(2026, 12, 4), end=utc(2026, 12, 5)) == [
        (utc(2026, 12, 4, 9), utc(2026, 12, 4, 12))
    ]


def test_overlapping_and_touching_slots_merge_into_one(ivan, ann) -> None:  # noqa: ANN001
    def add(start: datetime, end: datetime, who: Any = ivan) -> Any:
        return services.slot_add(by=who, user=who, starts_at=start, ends_at=end, zone="UTC")

    add(utc(2026, 12, 3, 9), utc(2026, 12, 3, 10))
    add(utc(2026, 12, 3, 11), utc(2026, 12, 3, 12))
    add(utc(2026, 12, 3, 15), utc(2026, 12, 3, 16))
    add(utc(2026, 12, 3, 9), utc(2026, 12, 3, 10), who=ann)  # someone else's: untouched
    merged = add(utc(2026, 12, 3, 9, 30), utc(2026, 12, 3, 11))  # overlaps one, touches the next
    assert slots_of(user=ivan) == [
        (utc(2026, 12, 3, 9), utc(2026, 12, 3, 12)),
        (utc(2026, 12, 3, 15), utc(2026, 12, 3, 16)),
    ]
    assert (merged.starts_at, merged.ends_at) == (utc(2026, 12, 3, 9), utc(2026, 12, 3, 12))
    assert slots_of(user=ann) == [(utc(2026, 12, 3, 9), utc(2026, 12, 3, 10))]


@pytest.mark.parametrize(
    ("start", "end", "code", "field"),
    [
        (utc(2026, 12, 3, 10), utc(2026, 12, 3, 10), "ends_before_start", "ends"),
        (utc(2026, 12, 3, 10), utc(2026, 12, 3, 9), "ends_before_start", "ends"),
        (utc(2026, 12, 3, 10), utc(2026, 12, 3, 10, 4), "too_short", "ends"),
        (utc(2026, 12, 3, 10), utc(2026, 12, 17, 10, 1), "too_long", "ends"),
        (utc(2026, 11, 28, 10), utc(2026, 11, 30, 7), "in_the_past", "starts"),
        (utc(2028, 1, 1, 10), utc(2028, 1, 1, 11), "too_far_ahead", "starts"),
    ],
)
def test_a_bad_slot_is_refused_and_nothing_written(ivan, start, end, code, field) -> None:  # noqa: ANN001
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_add(by=ivan, user=ivan, starts_at=start, ends_at=end, zone="UTC")
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message
    assert not Slot.objects.exists()


def test_fourteen_days_and_a_slot_that_started_yesterday_are_fine(ivan) -> None:  # noqa: ANN001
    services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 3), ends_at=utc(2026, 12, 17), zone="UTC"
    )
    services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 11, 30, 7), ends_at=utc(2026, 11, 30, 9), zone="UTC"
    )
    assert Slot.objects.count() == 2


def test_a_bad_zone_is_refused(ivan) -> None:  # noqa: ANN001
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_add(
            by=ivan,
            user=ivan,
            starts_at=utc(2026, 12, 3, 9),
            ends_at=utc(2026, 12, 3, 10),
            zone="Mars/Base",
        )
    assert refused.value.code == "bad_zone"
    with pytest.raises(SchedulingRefused):
        services.local_range(day=date(2026, 12, 3), starts=time(9), ends=time(10), zone="Nowhere")


def test_a_range_the_clocks_skip_is_refused_by_its_own_code() -> None:
    with pytest.raises(SchedulingRefused) as refused:
        services.local_range(day=date(2027, 3, 28), starts=time(2), ends=time(2, 45), zone=BERLIN)
    assert refused.value.code == "skipped_time"


def test_at_most_so_many_slots_that_have_not_ended(ivan, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(services, "MAX_SLOTS", 3)
    for day in range(3):
        services.slot_add(
            by=ivan,
            user=ivan,
            starts_at=utc(2026, 12, 3 + day, 9),
            ends_at=utc(2026, 12, 3 + day, 10),
            zone="UTC",
        )
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_add(
            by=ivan,
            user=ivan,
            starts_at=utc(2026, 12, 9, 9),
            ends_at=utc(2026, 12, 9, 10),
            zone="UTC",
        )
    assert refused.value.code == "too_many_slots" and Slot.objects.count() == 3


def test_a_slot_names_exactly_one_owner(ivan, carla) -> None:  # noqa: ANN001
    with pytest.raises(ValueError):
        services.slot_add(
            by=ivan, starts_at=utc(2026, 12, 3, 9), ends_at=utc(2026, 12, 3, 10), zone="UTC"
        )
    with pytest.raises(ValueError):
        services.slot_add(
            by=ivan,
            user=ivan,
            candidate=carla,
            starts_at=utc(2026, 12, 3, 9),
            ends_at=utc(2026, 12, 3, 10),
            zone="UTC",
        )
    with pytest.raises(ValueError):
        services.slot_add(
            by=ivan,
            user=ivan,
            starts_at=datetime(2026, 12, 3, 9),
            ends_at=utc(2026, 12, 3, 10),
            zone="UTC",
        )


def test_moving_a_slot_merges_it_with_those_it_meets(ivan) -> None:  # noqa: ANN001
    first = services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 3, 9), ends_at=utc(2026, 12, 3, 10), zone="UTC"
    )
    services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 3, 14), ends_at=utc(2026, 12, 3, 15), zone="UTC"
    )
    moved = services.slot_move(
        by=ivan, slot=first, starts_at=utc(2026, 12, 3, 13), ends_at=utc(2026, 12, 3, 14)
    )
    assert moved.pk == first.pk
    assert slots_of(user=ivan) == [(utc(2026, 12, 3, 13), utc(2026, 12, 3, 15))]


def test_deleting_a_slot_twice_is_deleting_it_once(ivan) -> None:  # noqa: ANN001
    slot = services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 3, 9), ends_at=utc(2026, 12, 3, 10), zone="UTC"
    )
    services.slot_delete(by=ivan, slot=slot)
    services.slot_delete(by=ivan, slot=slot)
    assert not Slot.objects.exists()


# --- free time under a scheduled interview ------------------------------------------------------


@pytest.fixture
def held(rita, rob, ivan, carla) -> dict[str, Any]:  # noqa: ANN001
    """Ivan free Thursday 09:00-12:00 UTC, Carla's first round with him 10:00-11:00."""
    slot = services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 3, 9), ends_at=utc(2026, 12, 3, 12), zone="UTC"
    )
    round_ = booked(rita, ivan, carla, utc(2026, 12, 3, 10))
    assert round_.status == "scheduled"
    Notice.objects.all().delete()  # the assignment's own notices
    return {"slot": slot, "round": round_}


def test_deleting_a_slot_under_an_interview_asks_first_and_changes_nothing(ivan, held) -> None:  # noqa: ANN001
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_delete(by=ivan, slot=held["slot"])
    assert refused.value.code == "holds_interview"
    assert refused.value.rounds == [held["round"]]
    assert "Screening" in refused.value.message and "Carla Candidate" in refused.value.message
    assert slots_of(user=ivan) == [(utc(2026, 12, 3, 9), utc(2026, 12, 3, 12))]
    assert not Notice.objects.exists()


def test_confirmed_it_goes_and_every_recruiter_is_told(ivan, rita, rob, held) -> None:  # noqa: ANN001
    services.slot_delete(by=ivan, slot=held["slot"], confirm=True)
    assert not Slot.objects.exists()
    notices = Notice.objects.filter(kind="availability_removed").order_by("recipient__username")
    assert [n.recipient for n in notices] == [rita, rob]
    for notice in notices:
        assert "Ivan Petrov" in notice.title and "Screening" in notice.title
        assert "Carla Candidate" in notice.title and "Carla Candidate" in notice.body
        assert notice.link == f"/rounds/{held['round'].pk}/"
    assert not Notice.objects.filter(recipient=ivan).exists()
    held["round"].refresh_from_db()
    assert held["round"].status == "scheduled"  # still booked: the recruiters decide


def test_shrinking_under_the_interview_asks_shrinking_beside_it_does_not(ivan, held) -> None:  # noqa: ANN001
    slot = held["slot"]
    services.slot_move(
        by=ivan, slot=slot, starts_at=utc(2026, 12, 3, 10), ends_at=utc(2026, 12, 3, 11)
    )
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_move(
            by=ivan, slot=slot, starts_at=utc(2026, 12, 3, 10, 30), ends_at=utc(2026, 12, 3, 11)
        )
    assert refused.value.code == "holds_interview"
    assert slots_of(user=ivan) == [(utc(2026, 12, 3, 10), utc(2026, 12, 3, 11))]
    services.slot_move(
        by=ivan,
        slot=slot,
        starts_at=utc(2026, 12, 3, 10, 30),
        ends_at=utc(2026, 12, 3, 11),
        confirm=True,
    )
    assert Notice.objects.filter(kind="availability_removed").count() == 2


def test_a_slot_whose_time_the_weekly_hours_still_cover_goes_without_a_question(ivan, held) -> None:  # noqa: ANN001
    services.weekly_hours_set(by=ivan, user=ivan, hours=[Hours(3, time(9), time(17))], zone="UTC")
    services.slot_delete(by=ivan, slot=held["slot"])
    assert not Slot.objects.exists() and not Notice.objects.exists()


def test_a_day_off_or_new_hours_under_an_interview_ask_first(ivan, held) -> None:  # noqa: ANN001
    services.slot_delete(by=ivan, slot=held["slot"], confirm=True)
    services.weekly_hours_set(by=ivan, user=ivan, hours=[Hours(3, time(9), time(17))], zone="UTC")
    with pytest.raises(SchedulingRefused) as refused:
        services.exception_add(by=ivan, user=ivan, day=date(2026, 12, 3), zone="UTC")
    assert refused.value.code == "holds_interview" and not DayException.objects.exists()
    with pytest.raises(SchedulingRefused):
        services.weekly_hours_set(
            by=ivan, user=ivan, hours=[Hours(3, time(13), time(17))], zone="UTC"
        )
    assert list(WeeklyHours.objects.values_list("starts", flat=True)) == [time(9)]
    services.weekly_hours_set(
        by=ivan, user=ivan, hours=[Hours(4, time(9), time(17))], zone="UTC", confirm=True
    )
    assert list(WeeklyHours.objects.values_list("weekday", flat=True)) == [4]


def test_a_past_interview_is_not_asked_about(ivan, held, frozen) -> None:  # noqa: ANN001
    frozen.move_to(utc(2026, 12, 3, 11, 30))  # the round is over (not rated yet)
    services.slot_delete(by=ivan, slot=held["slot"])
    assert not Slot.objects.exists()


def test_an_assistant_is_asked_too(rita, ivan, ann, carla) -> None:  # noqa: ANN001
    slot = services.slot_add(
        by=ann, user=ann, starts_at=utc(2026, 12, 3, 9), ends_at=utc(2026, 12, 3, 12), zone="UTC"
    )
    interview = interviews.interview_create(
        candidate=carla, position=carla.positions.get(), by=rita
    )
    interviews.round_assign(
        round_=interview.rounds.get(order=0),
        by=rita,
        interviewer=ivan,
        assistants=[ann],
        starts_at=utc(2026, 12, 3, 10),
    )
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_delete(by=ann, slot=slot)
    assert refused.value.code == "holds_interview"


def test_a_candidates_slot_under_their_interview_asks_the_recruiter(rita, rob, ivan, carla) -> None:  # noqa: ANN001
    slot = services.slot_add(
        by=rita,
        candidate=carla,
        starts_at=utc(2026, 12, 3, 9),
        ends_at=utc(2026, 12, 3, 12),
        zone="UTC",
    )
    booked(rita, ivan, carla, utc(2026, 12, 3, 10))
    Notice.objects.all().delete()
    with pytest.raises(SchedulingRefused) as refused:
        services.slot_delete(by=rita, slot=slot)
    assert refused.value.code == "holds_interview"
    services.slot_delete(by=rita, slot=slot, confirm=True)
    # The other recruiter hears of it; the one who did it does not.
    assert [n.recipient for n in Notice.objects.filter(kind="availability_removed")] == [rob]
    assert "Rita Recruiter" in Notice.objects.get(recipient=rob).body


def test_the_notice_is_in_the_recruiters_language_and_zone(ivan, rita, held) -> None:  # noqa: ANN001
    rita.language, rita.time_zone = "ru", "Europe/Moscow"
    rita.save()
    services.slot_delete(by=ivan, slot=held["slot"], confirm=True)
    title = Notice.objects.get(recipient=rita).title
    assert "Ivan Petrov" in title and "13:00" in title  # 10:00 UTC in Moscow
    assert "свободное время" in title and "Carla Candidate" in title


# --- weekly hours, exceptions, capacity ----------------------------------------------------------


def test_weekly_hours_replace_the_week(ivan) -> None:  # noqa: ANN001
    services.weekly_hours_set(
        by=ivan, user=ivan, hours=[Hours(d, time(9), time(17)) for d in range(5)], zone=BERLIN
    )
    assert WeeklyHours.objects.filter(user=ivan).count() == 5
    rows = services.weekly_hours_set(
        by=ivan,
        user=ivan,
        hours=[Hours(0, time(13), time(17)), Hours(0, time(8, 0, 30), time(12))],
        zone=BERLIN,
    )
    assert [(r.weekday, r.starts, r.ends, r.zone) for r in rows] == [
        (0, time(8), time(12), BERLIN),
        (0, time(13), time(17), BERLIN),
    ]
    assert WeeklyHours.objects.filter(user=ivan).count() == 2
    services.weekly_hours_set(by=ivan, user=ivan, hours=[], zone=BERLIN)
    assert not WeeklyHours.objects.exists()


@pytest.mark.parametrize(
    ("hours", "code"),
    [
        ([Hours(0, time(9), time(12)), Hours(0, time(11), time(14))], "overlap"),
        ([Hours(0, time(12), time(9))], "ends_before_start"),
        ([Hours(7, time(9), time(12))], "bad_weekday"),
        ([Hours(2, time(h), time(h, 30)) for h in range(8, 12)], "too_many_hours"),
    ],
)
def test_bad_weekly_hours_are_refused_and_the_old_ones_stay(ivan, hours, code) -> None:  # noqa: ANN001
    services.weekly_hours_set(by=ivan, user=ivan, hours=[Hours(4, time(9), time(17))], zone="UTC")
    with pytest.raises(SchedulingRefused) as refused:
        services.weekly_hours_set(by=ivan, user=ivan, hours=hours, zone="UTC")
    assert refused.value.code == code
    assert list(WeeklyHours.objects.values_list("weekday", "starts")) == [(4, time(9))]


def test_exceptions_day_off_and_extra_hours(ivan) -> None:  # noqa: ANN001
    off = services.exception_add(by=ivan, user=ivan, day=date(2026, 12, 7), zone=BERLIN)
    extra = services.exception_add(
        by=ivan, user=ivan, day=date(2026, 12, 12), starts=time(10), ends=time(12), zone=BERLIN
    )
    assert (off.available, off.starts) == (False, None)
    assert (extra.available, extra.starts, extra.ends) == (True, time(10), time(12))
    for kwargs, code in [
        ({"day": date(2026, 12, 7)}, "duplicate"),
        ({"day": date(2026, 12, 12), "starts": time(11), "ends": time(13)}, "overlap"),
        ({"day": date(2026, 12, 13), "starts": time(11)}, "hours_incomplete"),
        ({"day": date(2026, 12, 13), "starts": time(11), "ends": time(10)}, "ends_before_start"),
        ({"day": date(2026, 11, 20)}, "in_the_past"),
        ({"day": date(2028, 1, 1)}, "too_far_ahead"),
    ]:
        with pytest.raises(SchedulingRefused) as refused:
            services.exception_add(by=ivan, user=ivan, zone=BERLIN, **kwargs)
        assert refused.value.code == code, kwargs
    assert DayException.objects.count() == 2
    services.exception_delete(by=ivan, exception=off)
    services.exception_delete(by=ivan, exception=off)
    assert list(DayException.objects.all()) == [extra]


def test_capacity(ivan) -> None:  # noqa: ANN001
    services.capacity_set(user=ivan, per_day=3, per_week=10)
    services.capacity_set(user=ivan, per_day=None, per_week=8)
    assert Capacity.objects.values_list("per_day", "per_week").get(user=ivan) == (None, 8)
    for per_day, per_week in ((25, None), (None, 101), (5, 4), (-1, None)):
        with pytest.raises(SchedulingRefused) as refused:
            services.capacity_set(user=ivan, per_day=per_day, per_week=per_week)
        assert refused.value.code == "bad_capacity"
    assert Capacity.objects.values_list("per_day", "per_week").get(user=ivan) == (None, 8)


# --- free time --------------------------------------------------------------------------------


def test_free_time_is_slots_and_hours_less_days_off_plus_extra_clipped(ivan) -> None:  # noqa: ANN001
    services.weekly_hours_set(
        by=ivan, user=ivan, hours=[Hours(d, time(9), time(17)) for d in range(5)], zone=BERLIN
    )
    services.exception_add(by=ivan, user=ivan, day=date(2026, 12, 8), zone=BERLIN)  # Tuesday off
    services.exception_add(
        by=ivan, user=ivan, day=date(2026, 12, 12), starts=time(10), ends=time(11), zone=BERLIN
    )
    services.slot_add(
        by=ivan, user=ivan, starts_at=utc(2026, 12, 8, 18), ends_at=utc(2026, 12, 8, 19), zone="UTC"
    )
    free = services.free_time(user=ivan, start=utc(2026, 12, 7, 12), end=utc(2026, 12, 13))
    assert free == [
        (utc(2026, 12, 7, 12), utc(2026, 12, 7, 16)),  # clipped at the start
        (utc(2026, 12, 8, 18), utc(2026, 12, 8, 19)),  # the slot on the day off
        (utc(2026, 12, 9, 8), utc(2026, 12, 9, 16)),
        (utc(2026, 12, 10, 8), utc(2026, 12, 10, 16)),
        (utc(2026, 12, 11, 8), utc(2026, 12, 11, 16)),
        (utc(2026, 12, 12, 9), utc(2026, 12, 12, 10)),  # Saturday's extra hour
    ]
    assert all(s.tzinfo == UTC for s, _e in free)


def test_free_time_of_many_takes_the_same_few_queries(
    ivan, ann, bob, rita, carla, django_assert_num_queries
) -> None:  # noqa: ANN001
    for person in (ivan, ann, bob):
        services.weekly_hours_set(
            by=person, user=person, hours=[Hours(3, time(9), time(17))], zone="UTC"
        )
        services.exception_add(
            by=person, user=person, day=date(2026, 12, 4), starts=time(9), ends=time(10), zone="UTC"
        )
        services.slot_add(
            by=person,
            user=person,
            starts_at=utc(2026, 12, 5, 9),
            ends_at=utc(2026, 12, 5, 10),
            zone="UTC",
        )
    services.slot_add(
        by=rita,
        candidate=carla,
        starts_at=utc(2026, 12, 3, 9),
        ends_at=utc(2026, 12, 3, 10),
        zone="UTC",
    )
    with django_assert_num_queries(3):
        users, candidates = services.free_time_many(
            users=[ivan.pk, ann.pk, bob.pk, rita.pk],
            candidates=[carla.pk],
            start=utc(2026, 12, 3),
            end=utc(2026, 12, 6),
        )
    assert (
        users[ivan.pk]
        == users[bob.pk]
        == [
            (utc(2026, 12, 3, 9), utc(2026, 12, 3, 17)),
            (utc(2026, 12, 4, 9), utc(2026, 12, 4, 10)),
            (utc(2026, 12, 5, 9), utc(2026, 12, 5, 10)),
        ]
    )
    assert users[rita.pk] == []
    assert candidates == {carla.pk: [(utc(2026, 12, 3, 9), utc(2026, 12, 3, 10))]}
