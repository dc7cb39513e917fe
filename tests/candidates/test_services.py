"""The candidate's services: every status write goes through the lifecycle, with one history
event per move (who, details), and a refused move writes nothing. The live session and the
cabinet move the candidate through them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

import arbiter
from access.roles import roles_of
from cabinet import services as cabinet
from cabinet.models import Decision, RejectionReason, Team
from candidates import lifecycle, services
from candidates.models import Candidate, CandidateEvent
from sessions_live.models import LiveSession
from tests.cabinet.helpers import command, new_session, ready_session, topics
from tests.factories import UserFactory

FIELDS = {"full_name": "Carla Candidate", "email": "carla@example.com"}


@pytest.fixture(autouse=True)
def no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("notify.services.queue_delivery", lambda outbox_id, countdown=None: None)


@pytest.fixture
def platform(db) -> Team:  # noqa: ANN001
    return Team.objects.create(name="Platform")


@pytest.fixture
def weak_sql(db) -> RejectionReason:  # noqa: ANN001
    return RejectionReason.objects.create(name="Weak SQL")


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


def _started(lead: object, ann: object, *, before: object = None) -> LiveSession:
    """A session with one topic claimed by Ann; ``before`` runs on it, then the lead starts."""
    session = new_session(lead, [ann], with_topics=topics(1))
    if before is not None:
        before(session)  # type: ignore[operator]
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    command(session, ann, "claim.set", topic_id=state.topics[0].id, claimed=True)
    command(session, lead, "session.start")
    return session


def _history(candidate: Candidate) -> list[tuple[str, str | None]]:
    return [
        (event.kind, event.by.username if event.by else None)
        for event in CandidateEvent.objects.filter(candidate=candidate)
    ]


def test_a_new_candidate_is_created_with_its_first_event(recruiter) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=recruiter, fields=FIELDS)
    assert candidate.status == Candidate.Status.CREATED and candidate.created_by == recruiter
    assert _history(candidate) == [("created", "rita")]


def test_a_new_candidate_cannot_be_given_a_status(recruiter) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match="lifecycle"):
        services.candidate_create(by=recruiter, fields={**FIELDS, "status": "hired"})
    assert not Candidate.objects.exists() and not CandidateEvent.objects.exists()


def test_an_allowed_move_writes_the_status_and_one_event_with_who(recruiter) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=recruiter, fields=FIELDS)
    moved = services.candidate_move(
        candidate=candidate,
        move="schedule",
        by=recruiter,
        roles=roles_of(recruiter),
        details={"note": "Tuesday"},
    )
    assert moved.status == candidate.status == Candidate.Status.SCHEDULED
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.SCHEDULED
    assert _history(candidate) == [("created", "rita"), ("schedule", "rita")]
    event = CandidateEvent.objects.get(kind="schedule")
    assert event.details == {"from": "created", "to": "scheduled", "note": "Tuesday"}


@pytest.mark.parametrize(
    ("status", "move", "code"),
    [
        (lifecycle.CREATED, "hire", lifecycle.NOT_FROM_HERE),  # not from created
        (lifecycle.INTERVIEWING, "schedule", lifecycle.NOT_ALLOWED),  # a recruiter's, not hers
        (lifecycle.WITHDRAWN, "reopen", lifecycle.NOT_FROM_HERE),  # withdrawn is final
        (lifecycle.INTERVIEWING, "promote", lifecycle.UNKNOWN_MOVE),
    ],
)
def test_a_refused_move_raises_and_changes_nothing(
    manager, status: str, move: str, code: str
) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=manager, fields=FIELDS)
    Candidate.objects.filter(pk=candidate.pk).update(status=status)  # the state under test
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_move(candidate=candidate, move=move, by=manager, roles=roles_of(manager))
    assert refused.value.code == code and refused.value.message
    assert Candidate.objects.get(pk=candidate.pk).status == status
    assert _history(candidate) == [("created", "maria")]


def test_a_refusal_says_why_in_the_persons_language(manager) -> None:  # noqa: ANN001
    candidate = services.candidate_create(by=manager, fields=FIELDS)
    services.candidate_move(
        candidate=candidate, move="withdraw", by=manager, roles=roles_of(manager)
    )
    with pytest.raises(services.CandidateRefused) as refused:
        services.candidate_move(candidate=candidate, move="hire", roles={lifecycle.MANAGER})
    assert refused.value.message == "The candidate is withdrawn: “hire” is not possible from there."
    with translation.override("ru"), pytest.raises(services.CandidateRefused) as refused:
        services.candidate_move(candidate=candidate, move="hire", roles={lifecycle.MANAGER})
    assert "«выбыл»" in refused.value.message and "«нанять»" in refused.value.message


def test_the_roles_of_a_person_come_from_their_permissions(
    recruiter, manager, lead, outsider
) -> None:  # noqa: ANN001
    session = new_session(lead, [])
    candidate = session.candidate
    assert roles_of(recruiter) == {lifecycle.RECRUITER}
    assert roles_of(manager, candidate) == {lifecycle.MANAGER}
    # An interviewer only towards a candidate whose session they are on.
    assert roles_of(lead) == set() and roles_of(lead, candidate) == {lifecycle.INTERVIEWER}
    assert roles_of(outsider, candidate) == set()
    assert roles_of(None) == set()
    assert lifecycle.SYSTEM not in roles_of(UserFactory(username="root", is_superuser=True))


def test_the_live_sessions_start_moves_its_candidate_to_interviewing(lead, ann) -> None:  # noqa: ANN001
    seen = []
    session = _started(
        lead, ann, before=lambda s: seen.append(Candidate.objects.get(pk=s.candidate_id).status)
    )
    assert seen == [Candidate.Status.CREATED]
    candidate = session.candidate
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.INTERVIEWING
    assert _history(candidate) == [("created", "lena"), ("start", None)]
    assert CandidateEvent.objects.get(kind="start").details["session"] == session.code


def test_finishing_the_session_moves_nothing_more(lead, ann, bob) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob)
    assert session.candidate.status == Candidate.Status.INTERVIEWING
    assert _history(session.candidate) == [("created", "lena"), ("start", None)]


def test_a_session_never_fails_for_its_candidates_status(lead, ann, manager) -> None:  # noqa: ANN001
    def withdraw(session: LiveSession) -> None:
        services.candidate_move(
            candidate=session.candidate, move="withdraw", by=manager, roles=roles_of(manager)
        )

    session = _started(lead, ann, before=withdraw)  # the start is applied; the candidate stays
    assert LiveSession.objects.get(pk=session.pk).started_at is not None
    assert Candidate.objects.get(pk=session.candidate_id).status == Candidate.Status.WITHDRAWN


@pytest.mark.parametrize(
    ("outcome", "status"), [("hire", lifecycle.HIRED), ("reject", lifecycle.REJECTED)]
)
def test_a_decision_moves_the_candidate_and_a_reopen_moves_it_back(
    lead, ann, bob, manager, platform, weak_sql, outcome: str, status: str
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob)
    cabinet.decision_make(
        session=session,
        manager=manager,
        outcome=outcome,
        team=platform if outcome == "hire" else None,
        reasons=[weak_sql] if outcome == "reject" else [],
        comment="Not yet" if outcome == "reject" else "",
    )
    assert Candidate.objects.get(pk=session.candidate_id).status == status
    cabinet.decision_reopen(session=session, manager=manager, note="Look again")
    assert Candidate.objects.get(pk=session.candidate_id).status == lifecycle.INTERVIEWING
    assert _history(session.candidate) == [
        ("created", "lena"),
        ("start", None),
        (outcome, "maria"),
        ("reopen", "maria"),
    ]
    reopen = CandidateEvent.objects.get(kind="reopen")
    assert reopen.details["note"] == "Look again" and reopen.details["from"] == status


def test_hiring_a_withdrawn_candidate_is_refused_on_the_cabinet_page(
    client: Client, lead, ann, bob, manager, platform
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob)
    services.candidate_move(
        candidate=session.candidate, move="withdraw", by=manager, roles=roles_of(manager)
    )
    client.force_login(manager)
    response = client.post(
        f"/cabinet/s/{session.code}/decide/", {"outcome": "hire", "team": platform.pk}
    )
    assert response.status_code == 400
    assert "The candidate is withdrawn: “hire” is not possible from there." in (
        response.content.decode()
    )
    assert not Decision.objects.exists()
    assert Candidate.objects.get(pk=session.candidate_id).status == lifecycle.WITHDRAWN
    assert [kind for kind, _by in _history(session.candidate)] == ["created", "start", "withdraw"]
