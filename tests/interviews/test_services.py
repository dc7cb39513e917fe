"""Interview plans and a candidate's rounds through the services: the plan copied into the
interview, assignment, a one-to-one rating moving the candidate by the lifecycle, a panel
round's live session and its results flowing back, refusals that write nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from candidates.models import Candidate, CandidateEvent
from interviews import services
from interviews.models import Interview, PlanRound, Round
from tests.cabinet.helpers import run_interview
from tests.factories import UserFactory
from tests.interviews.helpers import A, candidate_on, plan_kinds, three_round_position

pytestmark = pytest.mark.django_db(transaction=True)

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    return three_round_position(recruiter, ann, lead, bob)


def _rate_all(round_: Round, points: int) -> dict[int, services.Rating]:
    return {a.pk: services.Rating(points, f"comment {a.name}") for a in round_.aspects.all()}


def test_an_interview_copies_the_plan_so_editing_the_plan_later_changes_nothing(
    position, recruiter, ann  # noqa: ANN001
) -> None:
    candidate = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=candidate, position=position, by=recruiter)
    rounds = list(interview.rounds.order_by("order"))
    assert [(r.name, r.kind, r.interviewer) for r in rounds][0] == ("Screening", "one_to_one", ann)
    assert [r.kind for r in rounds] == plan_kinds(position) == ["one_to_one", "panel", "one_to_one"]
    assert [a.name for a in rounds[0].aspects.all()] == ["Communication", "Motivation"]
    assert rounds[1].topics.count() == 2
    first = PlanRound.objects.get(position=position, order=0)
    services.plan_round_update(plan_round=first, fields={"name": "Renamed"}, aspects=[A("Other")])
    rounds[0].refresh_from_db()
    assert rounds[0].name == "Screening" and rounds[0].aspects.count() == 2
    assert CandidateEvent.objects.filter(candidate=candidate, kind="interview_created").count() == 1


def test_a_second_interview_while_one_is_open_asks_first(position, recruiter) -> None:  # noqa: ANN001
    candidate = candidate_on(position, recruiter)
    first = services.interview_create(candidate=candidate, position=position, by=recruiter)
    with pytest.raises(services.InterviewRefused) as refused:
        services.interview_create(candidate=candidate, position=position, by=recruiter)
    assert refused.value.code == "open_interview"
    assert Interview.objects.filter(candidate=candidate).count() == 1
    second = services.interview_create(
        candidate=candidate, position=position, by=recruiter, replace_open=True
    )
    first.refresh_from_db()
    assert first.status == "closed" and second.status == "open"
    assert set(first.rounds.values_list("status", flat=True)) == {"cancelled"}


def test_plans_reorder_and_delete_keeping_the_order_dense(position) -> None:  # noqa: ANN001
    last = PlanRound.objects.get(position=position, order=2)
    services.plan_round_move(plan_round=last, by=-2)
    assert list(position.plan_rounds.values_list("name", flat=True)) == [
        "Final", "Screening", "Technical panel"
    ]
    services.plan_round_delete(plan_round=PlanRound.objects.get(position=position, order=1))
    assert list(position.plan_rounds.values_list("name", "order")) == [
        ("Final", 0), ("Technical panel", 1)
    ]


def test_assigning_a_time_schedules_the_candidate_and_a_clash_is_refused(
    position, recruiter, ann, bob  # noqa: ANN001
) -> None:
    carla = candidate_on(position, recruiter)
    dan = candidate_on(position, recruiter, "Dan Candidate")
    first = services.interview_create(candidate=carla, position=position, by=recruiter).rounds.get(order=0)
    other = services.interview_create(candidate=dan, position=position, by=recruiter).rounds.get(order=0)
    services.round_assign(round_=first, by=recruiter, interviewer=ann, assistants=[bob], starts_at=MONDAY)
    first.refresh_from_db()
    assert (first.status, first.sequence, list(first.assistants.all())) == ("scheduled", 0, [bob])
    assert Candidate.objects.get(pk=carla.pk).status == "scheduled"
    with pytest.raises(services.InterviewRefused) as refused:  # Ann is with Carla then
        services.round_assign(
            round_=other, by=recruiter, interviewer=ann, starts_at=MONDAY + timedelta(minutes=30)
        )
    assert refused.value.code == "interviewer_busy"
    other.refresh_from_db()
    assert other.status == "planned" and other.starts_at is None
    assert Candidate.objects.get(pk=dan.pk).status == "created"
    # Moving Carla's round bumps the calendar's SEQUENCE; an hour later is free for Dan.
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY + timedelta(days=1))
    first.refresh_from_db()
    assert first.sequence == 1
    services.round_assign(round_=other, by=recruiter, interviewer=ann, starts_at=MONDAY + timedelta(hours=1))


def test_only_an_interviewer_can_be_assigned(position, recruiter, manager) -> None:  # noqa: ANN001
    outsider = UserFactory(username="olga")
    round_ = services.interview_create(
        candidate=candidate_on(position, recruiter), position=position, by=recruiter
    ).rounds.get(order=0)
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_assign(round_=round_, by=recruiter, interviewer=outsider, starts_at=MONDAY)
    assert refused.value.code == "not_an_interviewer"


def test_the_whole_journey_one_to_one_panel_one_to_one(
    position, recruiter, ann, lead, bob, manager  # noqa: ANN001
) -> None:
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first, panel, last = interview.rounds.order_by("order")
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)

    # Only the round's interviewer rates; every aspect; points within the expected.
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_rate(round_=first, by=bob, ratings=_rate_all(first, 4), feedback="x",
                            recommendation="yes", outcome="selected")  # fmt: skip
    assert refused.value.code == "not_your_round"
    with pytest.raises(services.InterviewRefused) as refused:
        services.round_rate(round_=first, by=ann, ratings=_rate_all(first, 6), feedback="x",
                            recommendation="yes", outcome="selected")  # fmt: skip
    assert refused.value.code == "invalid"
    assert first.aspects.filter(points__isnull=False).count() == 0

    services.round_rate(round_=first, by=ann, ratings=_rate_all(first, 4), feedback="Clear speaker",
                        recommendation="yes", outcome="selected")  # fmt: skip
    first.refresh_from_db()
    assert (first.status, first.outcome, first.rated_by) == ("done", "selected", ann)
    assert Candidate.objects.get(pk=carla.pk).status == "interviewing"  # more rounds to come

    # Round 2: the panel's live session, prefilled from the round.
    services.round_assign(round_=panel, by=recruiter, interviewer=lead, assistants=[ann, bob],
                          starts_at=MONDAY + timedelta(days=1))  # fmt: skip
    services.round_start_session(round_=panel, by=lead)
    panel.refresh_from_db()
    session = panel.session
    assert session.candidate_id == carla.pk and panel.status == "running"
    assert set(session.memberships.values_list("user__username", flat=True)) == {"lena", "ann", "bob"}
    assert session.topics.count() == 2
    run_interview(session, lead, [(ann, (4, 3)), (bob, (2,))])
    panel.refresh_from_db()
    assert panel.status == "done"
    assert sorted(panel.aspects.values_list("points", "expected_points")) == [(2, 5), (7, 10)]
    assert "Ann" in panel.feedback
    event = CandidateEvent.objects.get(candidate=carla, kind="round_session")
    assert (event.details["points"], event.details["expected"]) == (9, 15)

    # Round 3 selected: the last round, so the candidate is selected and the interview closed.
    services.round_assign(round_=last, by=recruiter, interviewer=bob, starts_at=MONDAY + timedelta(days=2))
    assert Candidate.objects.get(pk=carla.pk).status == "scheduled"
    services.round_rate(round_=last, by=bob, ratings=_rate_all(last, 5), feedback="Hire",
                        recommendation="strong_yes", outcome="selected")  # fmt: skip
    assert Candidate.objects.get(pk=carla.pk).status == "selected"
    interview.refresh_from_db()
    assert interview.status == "closed"
    kinds = list(CandidateEvent.objects.filter(candidate=carla).values_list("kind", flat=True))
    for kind in ("created", "interview_created", "round_assigned", "schedule", "round_rated",
                 "start", "round_session", "select", "interview_closed"):  # fmt: skip
        assert kind in kinds, kind


def test_a_rejection_cancels_the_later_rounds(position, recruiter, ann) -> None:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first = interview.rounds.get(order=0)
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)
    services.round_rate(round_=first, by=ann, ratings=_rate_all(first, 1), feedback="No",
                        recommendation="strong_no", outcome="rejected")  # fmt: skip
    assert Candidate.objects.get(pk=carla.pk).status == "rejected"
    interview.refresh_from_db()
    assert interview.status == "closed"
    assert list(interview.rounds.order_by("order").values_list("status", flat=True)) == [
        "done", "cancelled", "cancelled"
    ]
    with pytest.raises(services.InterviewRefused) as refused:
        services.interview_create(candidate=carla, position=position, by=recruiter)
    assert refused.value.code == "candidate_final"


def test_an_empty_plan_or_a_closed_position_is_refused(recruiter) -> None:  # noqa: ANN001
    from candidates import services as candidates

    empty = candidates.position_create(by=recruiter, fields={"title": "Nothing planned"})
    carla = candidate_on(empty, recruiter)
    with pytest.raises(services.InterviewRefused) as refused:
        services.interview_create(candidate=carla, position=empty, by=recruiter)
    assert refused.value.code == "empty_plan"
    assert not Interview.objects.exists()


def test_a_withdrawn_candidate_has_the_open_interview_closed(position, recruiter, ann) -> None:  # noqa: ANN001
    from candidates import services as candidates

    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first = interview.rounds.get(order=0)
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)
    candidates.candidate_move(candidate=carla, move="withdraw", by=recruiter, roles={"recruiter"})
    interview.refresh_from_db()
    assert interview.status == "closed"
    assert set(interview.rounds.values_list("status", flat=True)) == {"cancelled"}
    first.refresh_from_db()
    assert first.sequence == 1  # the calendar's CANCEL is a new version of the event


def test_a_rated_round_keeps_its_aspects_sums(position, recruiter, ann) -> None:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    first = services.interview_create(candidate=carla, position=position, by=recruiter).rounds.get(order=0)
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)
    services.round_rate(round_=first, by=ann, ratings=_rate_all(first, 3), feedback="ok",
                        recommendation="yes", outcome="selected")  # fmt: skip
    first.refresh_from_db()
    assert (first.points_received, first.points_expected) == (6, 10)
