"""A one-way video interview as a round of a plan, through the real services and the real
after-commit facts: the plan names its video interview (validated), the candidate's interview
reaching the round invites them once (one outbox e-mail), the reviewers' recommendations
decide the round and move the candidate, a round called off withdraws its invitation, and the
two apps know each other only by their facts."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from candidates import services as candidates
from candidates.models import Candidate, CandidateEvent
from interviews import one_way, services
from interviews.models import Interview, PlanRound, Round
from notify.models import Outbox
from tests.factories import UserFactory
from tests.interviews.helpers import A
from tests.video_interviews import helpers as video
from tests.video_interviews.review_helpers import completed, ready_answer
from video_interviews import review_services
from video_interviews import services as video_services
from video_interviews.models import Invitation, VideoInterview

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The outbox's rows are read here, not delivered."""
    queued: list[int] = []
    monkeypatch.setattr(
        "notify.services.queue_delivery", lambda outbox_id, countdown=None: queued.append(outbox_id)
    )
    return queued


@pytest.fixture
def rita(roles: Any) -> Any:
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def screening(rita: Any) -> VideoInterview:
    return video.interview(rita, (), title="Backend screening")


@pytest.fixture
def position(rita: Any, screening: VideoInterview, ann: Any) -> Any:
    """Backend engineer: 1. a one-way video screening, 2. a one-to-one with Ann."""
    position = candidates.position_create(by=rita, fields={"title": "Backend engineer"})
    services.plan_round_create(
        position=position,
        fields={"name": "Video screening", "kind": "one_way", "video_interview": screening},
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Technical", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[A("Python", 5)],
    )
    return position


def _carla(position: Any, rita: Any, email: str = "carla@example.com") -> Candidate:
    return candidates.candidate_create(
        by=rita, fields={"full_name": "Carla Candidate", "email": email}, positions=[position]
    )


def _invitation_mails(address: str = "carla@example.com") -> list[Outbox]:
    return list(Outbox.objects.filter(recipient=address, kind="invitation"))


def _answered(invitation: Invitation) -> Invitation:
    """The candidate recorded every answer and handed them in; each is ready to watch."""
    invitation = completed(invitation)
    for question in invitation.interview.questions.order_by("order"):
        ready_answer(invitation, question)
    return invitation


def _kinds(candidate: Candidate) -> list[str]:
    return list(
        CandidateEvent.objects.filter(candidate=candidate)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )


# --- the plan ------------------------------------------------------------------------------


def test_a_one_way_plan_round_names_its_video_interview_and_nothing_of_an_interviewer(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    position = candidates.position_create(by=rita, fields={"title": "Designer"})

    def refused(**kwargs: Any) -> services.InterviewRefused:
        fields = {"name": "Video", "kind": "one_way", **kwargs.pop("fields", {})}
        with pytest.raises(services.InterviewRefused) as caught:
            services.plan_round_create(position=position, fields=fields, **kwargs)
        return caught.value

    missing = refused()
    assert (missing.code, missing.field) == ("invalid", "video_interview")
    for field, extra in (
        ("default_interviewer", {"fields": {"video_interview": screening,
                                            "default_interviewer": ann}}),
        ("assistants", {"fields": {"video_interview": screening}, "assistants": [ann]}),
        ("pool", {"fields": {"video_interview": screening}, "pool": [ann]}),
        ("aspects", {"fields": {"video_interview": screening}, "aspects": [A("Python")]}),
    ):  # fmt: skip
        assert (refused(**extra).code, refused(**extra).field) == ("invalid", field)
    with pytest.raises(services.InterviewRefused) as other_kind:
        services.plan_round_create(
            position=position,
            fields={"name": "Talk", "kind": "one_to_one", "video_interview": screening},
        )
    assert (other_kind.value.code, other_kind.value.field) == ("invalid", "video_interview")
    assert not PlanRound.objects.filter(position=position).exists()

    made = services.plan_round_create(
        position=position, fields={"name": "Video", "kind": "one_way", "video_interview": screening}
    )
    assert (made.kind, made.video_interview, made.default_interviewer) == (
        "one_way",
        screening,
        None,
    )


def test_an_inactive_completed_expired_or_foreign_video_interview_is_refused_by_name(
    rita: Any, screening: VideoInterview
) -> None:
    position = candidates.position_create(by=rita, fields={"title": "Designer"})
    elsewhere = candidates.position_create(by=rita, fields={"title": "Data engineer"})

    def code_for(interview: VideoInterview) -> tuple[str, str]:
        with pytest.raises(services.InterviewRefused) as caught:
            services.plan_round_create(
                position=position,
                fields={"name": "Video", "kind": "one_way", "video_interview": interview},
            )
        return caught.value.code, caught.value.message

    for status in ("inactive", "completed"):
        VideoInterview.objects.filter(pk=screening.pk).update(status=status)
        screening.refresh_from_db()
        code, message = code_for(screening)
        assert code == "video_interview_not_active" and "Backend screening" in message
    VideoInterview.objects.filter(pk=screening.pk).update(
        status="active", deadline=timezone.now() - timedelta(hours=1)
    )
    screening.refresh_from_db()
    assert code_for(screening)[0] == "video_interview_deadline_passed"
    VideoInterview.objects.filter(pk=screening.pk).update(
        deadline=timezone.now() + timedelta(days=3), position=elsewhere
    )
    screening.refresh_from_db()
    assert code_for(screening)[0] == "video_interview_other_position"
    assert not PlanRound.objects.filter(position=position).exists()


def test_changing_a_round_to_one_way_drops_its_interviewers_and_back_drops_the_video(
    position: Any, screening: VideoInterview, ann: Any
) -> None:
    technical = PlanRound.objects.get(position=position, order=1)
    services.plan_round_update(
        plan_round=technical, fields={"kind": "one_way", "video_interview": screening}
    )
    technical.refresh_from_db()
    assert technical.default_interviewer is None and not technical.aspects.exists()
    services.plan_round_update(plan_round=technical, fields={"kind": "one_to_one"})
    technical.refresh_from_db()
    assert technical.video_interview is None
    with pytest.raises(services.InterviewRefused) as caught:
        services.plan_round_update(plan_round=technical, fields={"kind": "one_way"})
    assert caught.value.field == "video_interview"


# --- reaching the round: the invitation -----------------------------------------------------


def test_creating_the_interview_invites_the_candidate_once_into_the_round_s_video_interview(
    position: Any, rita: Any, screening: VideoInterview
) -> None:
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    first = interview.rounds.get(order=0)
    assert (first.kind, first.video_interview, first.interviewer, first.starts_at) == (
        "one_way",
        screening,
        None,
        None,
    )
    invitation = Invitation.objects.get(interview=screening)
    assert (invitation.email, invitation.round, invitation.person) == (
        "carla@example.com",
        first,
        carla,
    )
    assert invitation.status == "pending" and invitation.invited_by == rita
    mails = _invitation_mails()
    assert len(mails) == 1 and invitation.code in mails[0].body_text
    assert "Backend screening" in mails[0].subject + mails[0].body_text

    # Asked again (by hand, or the fact told twice): the same invitation, no second e-mail.
    services.round_invite(round_=first, by=rita)
    video_services.round_invite(interview=screening, round_id=first.pk, person=carla.pk, by=rita)
    assert Invitation.objects.filter(interview=screening).count() == 1
    assert len(_invitation_mails()) == 1
    assert Candidate.objects.get(pk=carla.pk).status == "created"  # nothing to schedule


def test_an_address_invited_by_hand_before_is_the_same_invitation_linked_to_the_round(
    position: Any, rita: Any, screening: VideoInterview
) -> None:
    video_services.invitations_create(
        interview=screening, by=rita, emails=["Carla@Example.com"], language="en"
    )
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    invitation = Invitation.objects.get(interview=screening)
    assert invitation.round == interview.rounds.get(order=0) and invitation.person == carla
    assert Outbox.objects.filter(kind="invitation").count() == 1


def test_a_one_way_round_later_in_the_plan_invites_only_once_the_interview_reaches_it(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    position = candidates.position_create(by=rita, fields={"title": "Analyst"})
    services.plan_round_create(
        position=position,
        fields={"name": "Intro", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[A("Motivation", 5)],
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Video", "kind": "one_way", "video_interview": screening},
    )
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    assert not Invitation.objects.exists()
    intro = interview.rounds.get(order=0)
    services.round_rate(
        round_=intro,
        by=ann,
        ratings={a.pk: services.Rating(4) for a in intro.aspects.all()},
        feedback="Good start.",
        recommendation="yes",
        outcome="selected",
    )
    invitation = Invitation.objects.get(interview=screening)
    assert invitation.round == interview.rounds.get(order=1)
    assert invitation.invited_by == rita  # who created the interview, not who rated
    assert len(_invitation_mails()) == 1


def test_a_candidate_without_an_address_or_a_closed_video_interview_is_refused_clearly(
    position: Any, rita: Any, screening: VideoInterview
) -> None:
    carla = _carla(position, rita)
    Candidate.objects.filter(pk=carla.pk).update(email="")
    with pytest.raises(services.InterviewRefused) as no_email:
        services.interview_create(candidate=carla, position=position, by=rita)
    assert no_email.value.code == "candidate_no_email" and "Carla Candidate" in (
        no_email.value.message
    )
    assert not Interview.objects.exists() and not Invitation.objects.exists()

    Candidate.objects.filter(pk=carla.pk).update(email="carla@example.com")
    VideoInterview.objects.filter(pk=screening.pk).update(status="inactive")
    with pytest.raises(services.InterviewRefused) as inactive:
        services.interview_create(candidate=carla, position=position, by=rita)
    assert inactive.value.code == "video_interview_not_active"
    assert not Interview.objects.exists() and not Outbox.objects.exists()


def test_a_refused_automatic_invitation_is_sent_by_hand_once_the_reason_is_gone(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    position = candidates.position_create(by=rita, fields={"title": "Analyst"})
    services.plan_round_create(
        position=position,
        fields={"name": "Intro", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[A("Motivation", 5)],
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Video", "kind": "one_way", "video_interview": screening},
    )
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    # The video interview is made inactive before the interview reaches its round.
    video_services.interview_update(interview=screening, fields={"status": "inactive"})
    intro = interview.rounds.get(order=0)
    services.round_rate(
        round_=intro,
        by=ann,
        ratings={a.pk: services.Rating(4) for a in intro.aspects.all()},
        feedback="Good start.",
        recommendation="yes",
        outcome="selected",
    )
    video_round = interview.rounds.get(order=1)
    assert not Invitation.objects.exists()  # refused and logged; the rating stands
    assert Round.objects.get(pk=intro.pk).status == "done"
    with pytest.raises(services.InterviewRefused) as caught:
        services.round_invite(round_=video_round, by=rita)
    assert caught.value.code == "video_interview_not_active"
    assert "Backend screening" in caught.value.message
    video_services.interview_update(interview=screening, fields={"status": "active"})
    services.round_invite(round_=video_round, by=rita)
    invitation = Invitation.objects.get()
    assert invitation.round == video_round and invitation.invited_by == rita
    assert len(_invitation_mails()) == 1


def _intro_then_video(rita: Any, ann: Any, screening: VideoInterview) -> Any:
    position = candidates.position_create(by=rita, fields={"title": "Analyst"})
    services.plan_round_create(
        position=position,
        fields={"name": "Intro", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[A("Motivation", 5)],
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Video", "kind": "one_way", "video_interview": screening},
    )
    return position


def _hold_intro(interview: Interview, ann: Any) -> Round:
    intro = interview.rounds.get(order=0)
    services.round_rate(
        round_=intro,
        by=ann,
        ratings={a.pk: services.Rating(4) for a in intro.aspects.all()},
        feedback="Good start.",
        recommendation="yes",
        outcome="selected",
    )
    return interview.rounds.get(order=1)


def test_a_refused_automatic_invitation_tells_every_recruiter_with_the_reason_once_per_round(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    """Carla's card has an address that is no address: when her interview reaches the video
    round the invitation is refused, and each recruiter (Rita; Roman, who reads Russian) gets
    one notice naming the round, its video interview and the reason, linking to the round. The
    recruiter's invitation by hand is refused the same way: nobody is told twice."""
    from notify.models import Notice

    roman = UserFactory(username="roman", first_name="Roman", roles=["recruiter"], language="ru")
    position = _intro_then_video(rita, ann, screening)
    carla = _carla(position, rita)
    Candidate.objects.filter(pk=carla.pk).update(email="carla.example.com")
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    assert not Notice.objects.filter(kind="one_way_not_invited").exists()  # not reached yet

    video_round = _hold_intro(interview, ann)

    assert not Invitation.objects.exists()
    told = {n.recipient: n for n in Notice.objects.filter(kind="one_way_not_invited")}
    assert set(told) == {rita, roman}
    to_rita, to_roman = told[rita], told[roman]
    assert to_rita.link == to_roman.link == f"/rounds/{video_round.pk}/"
    assert to_rita.title == "Not invited into the video interview: Round 2 “Video” with Carla Candidate"
    assert "not valid" in to_rita.body and "Backend screening" in to_rita.body
    assert to_roman.title == "Приглашение в видеоинтервью не отправлено: Раунд 2 «Video»: кандидат Carla Candidate"
    assert "недействителен" in to_roman.body and "Backend screening" in to_roman.body
    assert to_rita.read_at is None

    services.round_invite(round_=video_round, by=rita)  # the card looks filled in: asked again

    assert not Invitation.objects.exists()
    assert Notice.objects.filter(kind="one_way_not_invited").count() == 2


def test_each_refused_round_is_told_with_its_own_reason(
    rita: Any, screening: VideoInterview, ann: Any
) -> None:
    """The video interview made inactive before Carla's interview reaches it: the notice says
    so; Dora's round of the same plan, refused for the same reason, is a notice of its own."""
    from notify.models import Notice

    position = _intro_then_video(rita, ann, screening)
    carla = _carla(position, rita)
    dora = candidates.candidate_create(
        by=rita, fields={"full_name": "Dora Candidate", "email": "dora@example.com"},
        positions=[position],
    )  # fmt: skip
    opened = [services.interview_create(candidate=c, position=position, by=rita) for c in (carla, dora)]
    video_services.interview_update(interview=screening, fields={"status": "inactive"})

    rounds = [_hold_intro(interview, ann) for interview in opened]

    notices = list(Notice.objects.filter(kind="one_way_not_invited", recipient=rita).order_by("id"))
    assert [n.link for n in notices] == [f"/rounds/{r.pk}/" for r in rounds]
    assert all("The video interview is not active" in n.body for n in notices)
    assert "Carla Candidate" in notices[0].title and "Dora Candidate" in notices[1].title


def test_a_one_way_round_takes_no_interviewer_or_time_and_is_not_rated_by_hand(
    position: Any, rita: Any, ann: Any
) -> None:
    carla = _carla(position, rita)
    first = services.interview_create(candidate=carla, position=position, by=rita).rounds.get(
        order=0
    )
    with pytest.raises(services.InterviewRefused) as assign:
        services.round_assign(
            round_=first, by=rita, interviewer=ann, starts_at=timezone.now() + timedelta(days=2)
        )
    assert assign.value.code == "one_way_round"
    with pytest.raises(services.InterviewRefused) as rate:
        services.round_rate(
            round_=first, by=ann, ratings={}, feedback="x", recommendation="yes", outcome="selected"
        )
    assert rate.value.code == "not_one_to_one"
    first.refresh_from_db()
    assert first.interviewer is None and first.starts_at is None and not first.holds.exists()


# --- the review decides the round ------------------------------------------------------------


def _invited(position: Any, rita: Any, reviewers: tuple[Any, ...] = ()) -> tuple[Any, Any]:
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    invitation = _answered(Invitation.objects.get(round=interview.rounds.get(order=0)))
    invitation.interview.reviewers.set(reviewers)
    return carla, invitation


def test_the_reviewer_s_yes_selects_the_round_and_the_candidate_goes_on_to_the_next(
    position: Any, rita: Any, ann: Any
) -> None:
    carla, invitation = _invited(position, rita, reviewers=(ann,))
    review_services.recommendation_give(
        invitation=invitation, reviewer=ann, choice="strong_yes", summary="Clear and calm."
    )
    first = Round.objects.get(pk=invitation.round_id)
    assert (first.status, first.recommendation, first.outcome) == ("done", "strong_yes", "selected")
    assert first.rated_by == ann and first.feedback == "Ann Panel: Clear and calm."
    assert Candidate.objects.get(pk=carla.pk).status == "interviewing"
    kinds = _kinds(carla)
    assert kinds.index("video_recommended") < kinds.index("round_rated") < kinds.index("start")
    rated = CandidateEvent.objects.get(candidate=carla, kind="round_rated")
    assert rated.details["outcome"] == "selected" and rated.details["video_invitation"] == (
        invitation.pk
    )
    assert Interview.objects.get(candidate=carla).status == "open"  # the technical round next

    # A change of mind afterwards is a line of the history, not a second verdict.
    review_services.recommendation_give(invitation=invitation, reviewer=ann, choice="no")
    first.refresh_from_db()
    assert first.outcome == "selected" and _kinds(carla).count("round_rated") == 1


def test_the_reviewer_s_no_rejects_the_candidate_and_closes_the_interview(
    position: Any, rita: Any, ann: Any
) -> None:
    carla, invitation = _invited(position, rita, reviewers=(ann,))
    review_services.recommendation_give(invitation=invitation, reviewer=ann, choice="no")
    assert Round.objects.get(pk=invitation.round_id).outcome == "rejected"
    assert Candidate.objects.get(pk=carla.pk).status == "rejected"
    interview = Interview.objects.get(candidate=carla)
    assert interview.status == "closed"
    assert interview.rounds.get(order=1).status == "cancelled"
    reject = CandidateEvent.objects.get(candidate=carla, kind="reject")
    assert reject.by == ann and reject.details["round"] == invitation.round_id


def test_with_two_reviewers_the_round_waits_for_both_and_a_split_does_not_select(
    position: Any, rita: Any, ann: Any, bob: Any
) -> None:
    carla, invitation = _invited(position, rita, reviewers=(ann, bob))
    review_services.recommendation_give(invitation=invitation, reviewer=ann, choice="yes")
    assert Round.objects.get(pk=invitation.round_id).status == "planned"
    assert Candidate.objects.get(pk=carla.pk).status == "created"
    review_services.recommendation_give(invitation=invitation, reviewer=bob, choice="no")
    first = Round.objects.get(pk=invitation.round_id)
    assert (first.status, first.recommendation, first.outcome) == ("done", "no", "rejected")


def test_a_manager_s_recommendation_decides_without_waiting_for_the_named_reviewers(
    position: Any, rita: Any, ann: Any, manager: Any
) -> None:
    carla, invitation = _invited(position, rita, reviewers=(ann,))
    review_services.recommendation_give(invitation=invitation, reviewer=manager, choice="yes")
    first = Round.objects.get(pk=invitation.round_id)
    assert (first.status, first.outcome, first.rated_by) == ("done", "selected", manager)


def test_a_recommendation_on_an_invitation_of_no_round_changes_no_round(
    position: Any, rita: Any, manager: Any
) -> None:
    scene_interview = video.interview(rita, ("dora@example.com",), title="Other")
    dora = _answered(video.invitation(scene_interview, "dora@example.com"))
    review_services.recommendation_give(invitation=dora, reviewer=manager, choice="strong_yes")
    assert not Round.objects.filter(status="done").exists()


# --- called off -----------------------------------------------------------------------------


def test_cancelling_the_round_or_rejecting_the_candidate_revokes_a_live_invitation(
    position: Any, rita: Any, manager: Any
) -> None:
    carla = _carla(position, rita)
    interview = services.interview_create(candidate=carla, position=position, by=rita)
    first = interview.rounds.get(order=0)
    services.round_cancel(round_=first, by=rita)
    invitation = Invitation.objects.get(round=first)
    assert invitation.status == "revoked"
    assert not Outbox.objects.filter(recipient="carla@example.com", kind="assignment").exists()

    # A candidate whose journey ends: the open interview closes, the invitation goes.
    second = _carla(position, rita, email="cleo@example.com")
    services.interview_create(candidate=second, position=position, by=rita)
    candidates.candidate_move(candidate=second, move="withdraw", by=rita, roles={"recruiter"})
    assert Invitation.objects.get(email="cleo@example.com").status == "revoked"


# --- the rule and the layering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (["yes"], ("yes", "selected")),
        (["strong_no"], ("strong_no", "rejected")),
        (["yes", "no"], ("no", "rejected")),
        (["strong_yes", "yes", "no"], ("yes", "selected")),
        (["strong_yes", "strong_yes", "no", "no"], ("no", "rejected")),
        (["strong_yes", "yes", "yes", "strong_no"], ("yes", "selected")),
    ],
)
def test_the_verdict_is_the_lower_median_and_selects_only_a_majority(
    choices: list[str], expected: tuple[str, str]
) -> None:
    assert one_way.verdict(choices) == expected
    assert one_way.verdict(list(reversed(choices))) == expected


def test_the_review_is_complete_when_everyone_awaited_or_a_manager_has_recommended() -> None:
    assert not one_way.complete(awaited={1, 2}, recommended=set(), by_manager=False)
    assert not one_way.complete(awaited={1, 2}, recommended={1}, by_manager=False)
    assert one_way.complete(awaited={1, 2}, recommended={1, 2}, by_manager=False)
    assert one_way.complete(awaited={1, 2}, recommended={3}, by_manager=True)


def _imports(app: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # ``from interviews import events`` names the module ``interviews.events``.
                top = "." not in node.module
                names |= {f"{node.module}.{a.name}" if top else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
    return names


def test_the_two_apps_tell_each_other_facts_and_write_nothing_of_the_other() -> None:
    """video_interviews hears the interviews' facts and imports nothing else of them; the
    interviews app reads the video interviews' rows and hears their facts, and never calls
    their services."""
    from_interviews = {n for n in _imports("video_interviews") if n.split(".")[0] == "interviews"}
    assert from_interviews == {"interviews.events"}
    from_video = {n for n in _imports("interviews") if n.split(".")[0] == "video_interviews"}
    assert from_video <= {"video_interviews.events", "video_interviews.models"}
