"""The scheduler never books a one-way video interview round: it has no time and nobody on it.
A candidate whose round to book is one (the first round of their position's plan, or the next
round of their open interview) is skipped — no booking, no "no match" notice, no interview
made from the plan — while a candidate of a live round beside them is booked as ever."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from candidates import services as candidates
from interviews import services as interviews
from interviews.models import Interview, Round
from scheduling import booking
from scheduling import problem as problems
from scheduling.models import NoMatch
from tests.scheduling.scheduler_world import (
    at,
    candidate,
    free,
    interviewer,
    position_with_plan,
    recruiter,
)
from tests.video_interviews import helpers as video

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen", "no_broker"),
]


def test_a_run_skips_candidates_whose_round_to_book_is_one_way_and_books_the_others(
    roles: Any,
) -> None:
    rita, ann = recruiter(), interviewer("ann", "Ann")
    screening = video.interview(rita, (), title="Video screening", now=timezone.now())
    # Video first: the plan's first round is one-way.
    video_first = candidates.position_create(by=rita, fields={"title": "Support engineer"})
    interviews.plan_round_create(
        position=video_first,
        fields={"name": "Video", "kind": "one_way", "video_interview": screening},
    )
    interviews.plan_round_create(
        position=video_first,
        fields={"name": "Talk", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[interviews.AspectSpec("Empathy", 5)],
    )
    live = position_with_plan(rita, title="Backend engineer", default=ann)

    planned_only = candidate(rita, video_first, "Paula Planned")  # no interview yet
    opened = candidate(rita, video_first, "Olga Opened")
    interviews.interview_create(candidate=opened, position=video_first, by=rita)
    control = candidate(rita, live, "Carla Control")
    for person in (planned_only, opened, control):
        free(person, at(0), at(10), by=rita)
    free(ann, at(0), at(10), by=rita)

    targets = {t.candidate_id: t for t in problems.eligible_targets()}
    assert set(targets) == {control.pk}
    assert all(t.kind != "one_way" for t in targets.values())

    run = booking.scheduler_run(by=rita)
    assert (run.booked, run.unmatched) == (1, 0)
    assert Round.objects.get(candidate=control, order=0).status == "scheduled"
    assert not Interview.objects.filter(candidate=planned_only).exists()
    video_round = Round.objects.get(candidate=opened, order=0)
    assert (video_round.status, video_round.starts_at, video_round.interviewer) == (
        "planned",
        None,
        None,
    )
    assert not NoMatch.objects.filter(candidate__in=[planned_only, opened]).exists()
    assert not video_round.holds.exists()
