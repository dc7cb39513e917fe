"""The scheduler's run (``scheduling.booking.scheduler_run``): it books the eligible rounds
through the interviews' services (the interview created from the plan when there is none, the
candidate moved to *scheduled* by the lifecycle, the interviewer and the candidate e-mailed an
``.ics`` through the outbox), records why each slot, books nothing in a preview, respects the
caps, and skips — never fails on — a booking the database refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from icalendar import Calendar

from candidates.models import Candidate
from interviews.models import Hold, Interview, Round
from notify.models import Notice, Outbox
from scheduling import booking, events
from scheduling import problem as problems
from scheduling.models import Booking, Capacity, NoMatch, Run
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
    pytest.mark.usefixtures("frozen"),
]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(
        "notify.services.queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued


@pytest.fixture
def rita(roles):  # noqa: ANN001, ANN201
    return recruiter()


@pytest.fixture
def ann(roles):  # noqa: ANN001, ANN201
    return interviewer("ann", "Ann", "Europe/Berlin")


@pytest.fixture
def bob(roles):  # noqa: ANN001, ANN201
    return interviewer("bob", "Bob", "America/New_York")


@pytest.fixture
def scheduled_facts() -> Any:
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **kwargs: Any) -> None:
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    events.interview_scheduled.connect(listen, dispatch_uid="test.scheduled", weak=False)
    yield heard
    events.interview_scheduled.disconnect(dispatch_uid="test.scheduled")


def ics_of(row: Outbox) -> Any:
    [attachment] = row.attachments
    calendar = Calendar.from_ical(attachment["content"])
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_run_books_creates_the_interview_schedules_the_candidate_and_mails_both(
    rita,
    ann,
    bob,
    scheduled_facts,  # noqa: ANN001
) -> None:
    position = position_with_plan(rita, default=ann, pool=(ann, bob))
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(2), at(5), by=rita)  # 09:00–12:00 UTC
    free(ann, at(3), at(8), by=rita)  # from 10:00
    free(bob, at(4), at(8), by=rita)  # from 11:00

    run = booking.scheduler_run(by=rita)

    assert (run.booked, run.unmatched, run.skipped, run.preview, run.trigger) == (
        1, 0, 0, False, "manual",
    )  # fmt: skip
    assert run.optimal and run.gap == 0 and run.finished_at is not None
    assert (run.window_start, run.window_end) == (at(0), at(0) + timedelta(days=14))
    interview = Interview.objects.get(candidate=carla)
    first = interview.rounds.get(order=0)
    assert (first.status, first.starts_at, first.interviewer) == ("scheduled", at(3), ann)
    assert Candidate.objects.get(pk=carla.pk).status == "scheduled"
    assert Hold.objects.filter(round=first).count() == 2
    [row] = run.bookings.all()
    assert (row.outcome, row.round, row.candidate, row.interviewer, row.people) == (
        "booked", first, carla, ann, [ann.pk],
    )  # fmt: skip
    assert (row.round_name, row.round_order, row.starts_at) == ("Screening", 0, at(3))
    # Why 10:00 with Ann: the earliest possible; Ann or Bob at 11:00 were the other choices.
    assert row.why["alternatives"] == 2 and row.why["earliest_possible"] == at(3).isoformat()
    assert row.why["cap"] is None and row.why["load_before"] == 0
    assert scheduled_facts == [
        {"round_id": first.pk, "candidate_id": carla.pk, "run_id": run.pk, "starts_at": at(3)}
    ]

    to_ann = Outbox.objects.get(recipient="ann@example.com")
    to_carla = Outbox.objects.get(recipient="carla@example.com")
    for mail in (to_ann, to_carla):
        calendar, event = ics_of(mail)
        assert str(calendar["method"]) == "REQUEST"
        assert event.decoded("dtstart") == at(3) and event.decoded("dtend") == at(4)
    assert Notice.objects.get(recipient=ann).kind == "round_assigned"
    assert not Outbox.objects.filter(recipient="bob@example.com").exists()


def test_a_preview_stores_what_it_would_book_and_books_nothing(rita, ann) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    dan = candidate(rita, position, "Dan Candidate")
    free(carla, at(2), at(5), by=rita)
    free(ann, at(0), at(8), by=rita)

    run = booking.scheduler_run(by=rita, preview=True)

    assert run.preview and (run.booked, run.unmatched) == (0, 1)
    [row] = run.bookings.all()
    assert (row.outcome, row.round, row.candidate, row.starts_at) == ("preview", None, carla, at(2))
    assert row.plan_round.name == "Screening"
    [missed] = run.no_matches.all()
    assert (missed.candidate, missed.reason, missed.notified_at) == (dan, "no_overlap", None)
    assert not Interview.objects.exists() and not Hold.objects.exists()
    assert not Outbox.objects.exists() and not Notice.objects.exists()
    assert Candidate.objects.get(pk=carla.pk).status == "created"


def test_the_next_round_of_an_open_interview_is_booked_and_its_later_rounds_wait(
    rita,
    ann,  # noqa: ANN001
) -> None:
    from interviews import services as interviews

    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    interview = interviews.interview_create(candidate=carla, position=position, by=rita)
    free(carla, at(0), at(10), by=rita)
    free(ann, at(0), at(10), by=rita)

    first = booking.scheduler_run()
    assert first.trigger == "beat" and first.booked == 1
    assert list(interview.rounds.values_list("status", flat=True).order_by("order")) == [
        "scheduled",
        "planned",
    ]
    # The candidate has a round scheduled now: the next run leaves them alone.
    again = booking.scheduler_run()
    assert (again.booked, again.unmatched) == (0, 0) and Interview.objects.count() == 1


def test_caps_are_respected_in_the_interviewers_own_day(rita, ann) -> None:  # noqa: ANN001
    """Ann takes one interview a day: three candidates free all Monday and Tuesday (UTC) get
    one each day — Monday and Tuesday in Berlin, where Ann's days are."""
    Capacity.objects.create(user=ann, per_day=1, per_week=5)
    position = position_with_plan(rita, default=ann)
    people = [candidate(rita, position, f"C{n} Candidate") for n in range(3)]
    for person in people:
        free(person, at(0), at(40), by=rita)  # to Tuesday 23:00 UTC
    free(ann, at(0), at(40), by=rita)

    run = booking.scheduler_run(by=rita)

    assert (run.booked, run.unmatched) == (2, 1)
    starts = sorted(Round.objects.filter(status="scheduled").values_list("starts_at", flat=True))
    berlin_days = [problems.day_and_week(problems.hour_of(s), ann_zone()) for s in starts]
    assert len({day for day, _week in berlin_days}) == 2
    [missed] = run.no_matches.all()
    assert missed.reason == "at_cap"


def ann_zone() -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo("Europe/Berlin")


def test_a_booking_the_database_refuses_is_skipped_and_counted_never_an_error(
    rita,
    ann,
    monkeypatch,  # noqa: ANN001
) -> None:
    """Between the problem's read and the booking, another writer takes Ann's 09:00 (a hold
    the services never saw): the constraint refuses, that booking alone rolls back."""
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    dan = candidate(rita, position, "Dan Candidate")
    free(carla, at(2), at(3), by=rita)
    free(dan, at(4), at(5), by=rita)
    free(ann, at(0), at(8), by=rita)
    from interviews import services as interviews

    other = interviews.interview_create(
        candidate=candidate(rita, position, "Eve Other"), position=position, by=rita
    ).rounds.get(order=0)
    real_build = problems.build

    def build_then_someone_books(**kwargs: Any) -> Any:
        found = real_build(**kwargs)
        Hold.objects.create(round=other, user=ann, starts_at=at(2), ends_at=at(3))
        return found

    monkeypatch.setattr(problems, "build", build_then_someone_books)
    run = booking.scheduler_run(by=rita)

    assert (run.booked, run.skipped) == (1, 1)
    refused = run.bookings.get(candidate=carla)
    assert refused.outcome == "refused" and refused.why["refused"] == "interviewer_busy"
    assert refused.round is None and not Interview.objects.filter(candidate=carla).exists()
    assert Candidate.objects.get(pk=carla.pk).status == "created"
    assert run.bookings.get(candidate=dan).outcome == "booked"
    assert not Outbox.objects.filter(recipient="carla@example.com").exists()


def test_a_panel_round_is_booked_only_when_everyone_is_free(rita, ann, bob, roles) -> None:  # noqa: ANN001
    lena = interviewer("lena", "Lena")
    position = position_with_plan(rita, default=lena, assistants=(ann, bob), second_round=False)
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(0), at(6), by=rita)
    free(lena, at(0), at(6), by=rita)
    free(ann, at(1), at(6), by=rita)
    free(bob, at(3), at(4), by=rita)  # only 10:00

    run = booking.scheduler_run(by=rita)

    assert run.booked == 1
    row = Round.objects.get(candidate=carla)
    assert (row.starts_at, row.interviewer) == (at(3), lena)
    assert set(row.assistants.all()) == {ann, bob}
    assert set(Hold.objects.filter(round=row, user__isnull=False).values_list("user", flat=True)) == {
        lena.pk, ann.pk, bob.pk,
    }  # fmt: skip
    assert sorted(run.bookings.get().people) == sorted([lena.pk, ann.pk, bob.pk])


def test_a_failed_run_is_recorded_with_its_error(rita, monkeypatch) -> None:  # noqa: ANN001
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr("scheduling.matching.solve", broken)
    with pytest.raises(RuntimeError):
        booking.scheduler_run(by=rita)
    [run] = Run.objects.all()
    assert run.error == "RuntimeError: solver exploded" and run.finished_at is not None
    assert not Booking.objects.exists() and not NoMatch.objects.exists()


def test_the_hourly_task_runs_the_scheduler_and_beat_has_it(settings) -> None:  # noqa: ANN001
    from scheduling.tasks import run_scheduler

    entry = settings.CELERY_BEAT_SCHEDULE["scheduling-run"]
    assert entry["task"] == run_scheduler.name == "scheduling.run_scheduler"
    assert entry["schedule"] == 3600.0
    run = Run.objects.get(pk=run_scheduler())
    assert run.trigger == "beat" and run.by is None and run.started_at == NOW
    assert HOUR == timedelta(hours=1)


def test_a_cut_short_panel_solve_is_recorded_and_its_page_says_how_far_it_may_be(
    rita, ann, settings, roles,  # noqa: ANN001
) -> None:  # fmt: skip
    from django.test import Client

    # A panel of Lena and Ann. Carla is free at 07:00 and 08:00, Dan only at 07:00: first
    # fit gives Carla 07:00 and leaves Dan out; the most possible moves Carla to 08:00. Six
    # more candidates free for a hundred hours make the model large enough that CP-SAT needs
    # four times its least work (0.005) and a fifth of a second to find it: far beyond a box
    # of nothing, so it stops before its first solution and first fit is what is kept.
    lena = interviewer("lena", "Lena")
    position = position_with_plan(rita, default=lena, assistants=(ann,), second_round=False)
    carla = candidate(rita, position, "Carla Candidate")
    dan = candidate(rita, position, "Dan Candidate")
    free(carla, at(0), at(2), by=rita)
    free(dan, at(0), at(1), by=rita)
    for n in range(6):
        free(candidate(rita, position, f"Filler{n} Candidate"), at(0), at(100), by=rita)
    free(lena, at(0), at(100), by=rita)
    free(ann, at(0), at(100), by=rita)

    given_time = booking.scheduler_run(by=rita, preview=True)
    settings.SCHEDULER_PANEL_SECONDS = 0.0  # below what the settings allow: no time at all
    cut = booking.scheduler_run(by=rita)

    assert given_time.optimal and given_time.gap == 0
    assert given_time.bookings.count() == 8
    assert not cut.optimal and cut.gap == 1
    assert (cut.booked, cut.unmatched) == (7, 1)
    assert NoMatch.objects.get(run=cut).candidate == dan
    assert Round.objects.get(candidate=carla).starts_at == at(0)
    client = Client()
    client.force_login(rita)
    page = client.get(f"/scheduling/runs/{cut.pk}/").content.decode()
    assert "at most 1 interview short of the most possible (the panel solve was time-boxed)" in page
    preview_page = client.get(f"/scheduling/runs/{given_time.pk}/").content.decode()
    assert "the most interviews possible" in preview_page and "short of" not in preview_page
    listing = client.get("/scheduling/").content.decode()
    assert "at most 1 short of the most possible" in listing
