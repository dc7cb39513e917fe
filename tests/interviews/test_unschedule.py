"""A round that leaves the schedule takes its candidate back to *created* when it was their only
one scheduled (the lifecycle's ``unschedule``, in the round's transaction, a history event with
who and when), so the hourly scheduler books them again: a recruiter cancelling the round,
taking its time away, or closing the interview. A candidate with another round scheduled
stays scheduled, and so does one scheduled between rounds (from interviewing)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from candidates.models import Candidate, CandidateEvent
from interviews import services
from interviews.models import Round
from scheduling import booking
from tests.scheduling.scheduler_world import (
    NOW,
    at,
    candidate,
    free,
    interviewer,
    position_with_plan,
    recruiter,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def rita(roles):  # noqa: ANN001, ANN201
    return recruiter()


@pytest.fixture
def ann(roles):  # noqa: ANN001, ANN201
    return interviewer("ann", "Ann")


def status(person: Any) -> str:
    return Candidate.objects.get(pk=person.pk).status


def moves(person: Any) -> list[tuple[str, str, str, Any]]:
    return [
        (e.kind, e.details.get("from"), e.details.get("to"), e.by)
        for e in CandidateEvent.objects.filter(
            candidate=person, kind__in=["schedule", "unschedule", "start"]
        ).order_by("id")
    ]


def booked_by_the_scheduler(rita: Any, ann: Any) -> tuple[Any, Round]:
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    free(carla, at(0), at(10), by=rita)
    free(ann, at(0), at(10), by=rita)
    run = booking.scheduler_run()
    assert run.booked == 1 and status(carla) == "scheduled"
    return carla, Round.objects.get(candidate=carla, status="scheduled")


def test_a_cancelled_only_round_unschedules_the_candidate_and_the_next_run_books_them(
    rita,
    ann,  # noqa: ANN001
) -> None:
    carla, screening = booked_by_the_scheduler(rita, ann)

    services.round_cancel(round_=screening, by=rita)

    assert status(carla) == "created"
    assert moves(carla) == [
        ("schedule", "created", "scheduled", None),  # the scheduler, for the system
        ("unschedule", "scheduled", "created", rita),
    ]
    last = CandidateEvent.objects.filter(candidate=carla).latest("id")
    assert (last.kind, last.details["round"], last.at) == ("unschedule", screening.pk, NOW)
    # The history on the candidate's page says so, with who.
    client = Client()
    client.force_login(rita)
    page = client.get(f"/candidates/{carla.pk}/").content.decode()
    history = page.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert "No longer scheduled" in history and "from scheduled to created" in history

    again = booking.scheduler_run()

    assert again.booked == 1 and status(carla) == "scheduled"
    [final] = Round.objects.filter(candidate=carla, status="scheduled")
    assert final.name == "Final" and final.interview_id == screening.interview_id


def test_a_round_whose_time_is_taken_away_is_booked_again(rita, ann) -> None:  # noqa: ANN001
    carla, screening = booked_by_the_scheduler(rita, ann)

    services.round_assign(round_=screening, by=rita, interviewer=ann, starts_at=None)

    screening.refresh_from_db()
    assert (screening.status, screening.starts_at) == ("planned", None)
    assert status(carla) == "created"
    assert moves(carla)[-1] == ("unschedule", "scheduled", "created", rita)

    again = booking.scheduler_run()

    screening.refresh_from_db()
    assert again.booked == 1 and screening.status == "scheduled" and status(carla) == "scheduled"


def test_closing_the_interview_unschedules_too(rita, ann) -> None:  # noqa: ANN001
    carla, screening = booked_by_the_scheduler(rita, ann)

    services.interview_close(interview=screening.interview, by=rita)

    assert status(carla) == "created"
    assert moves(carla)[-1] == ("unschedule", "scheduled", "created", rita)


def test_a_candidate_with_another_round_scheduled_stays_scheduled(rita, ann) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    screening, final = interview.rounds.order_by("order")
    services.round_assign(round_=screening, by=rita, interviewer=ann, starts_at=at(2))
    services.round_assign(round_=final, by=rita, interviewer=ann, starts_at=at(5))
    assert status(carla) == "scheduled"

    services.round_assign(round_=final, by=rita, interviewer=ann, starts_at=None)
    assert status(carla) == "scheduled"
    services.round_assign(round_=final, by=rita, interviewer=ann, starts_at=at(5))
    services.round_cancel(round_=final, by=rita)
    assert status(carla) == "scheduled"
    assert [m[0] for m in moves(carla)] == ["schedule"]

    services.round_cancel(round_=screening, by=rita)  # the last one scheduled
    assert status(carla) == "created"


def test_a_planned_round_cancelled_moves_nobody(rita, ann) -> None:  # noqa: ANN001
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    screening, final = interview.rounds.order_by("order")
    services.round_assign(round_=screening, by=rita, interviewer=ann, starts_at=at(2))

    services.round_cancel(round_=final, by=rita)  # never had a time

    assert status(carla) == "scheduled" and [m[0] for m in moves(carla)] == ["schedule"]


def test_a_candidate_scheduled_between_rounds_is_not_sent_back_to_created(
    rita,
    ann,  # noqa: ANN001
) -> None:
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    screening, final = interview.rounds.order_by("order")
    services.round_assign(round_=screening, by=rita, interviewer=ann, starts_at=at(2))
    [aspect] = screening.aspects.all()
    services.round_rate(
        round_=screening,
        by=ann,
        ratings={aspect.pk: services.Rating(4)},
        feedback="Clear.",
        recommendation="yes",
        outcome="selected",
    )
    assert status(carla) == "interviewing"
    services.round_assign(round_=final, by=rita, interviewer=ann, starts_at=at(5))
    assert status(carla) == "scheduled"

    services.round_cancel(round_=final, by=rita)

    # Back to created would say no round was ever held: the scheduling stays as it was.
    assert status(carla) == "scheduled"
    assert "unschedule" not in [m[0] for m in moves(carla)]
