"""Build sessions that are ready for a decision by driving the real services, as sockets do."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import arbiter
from questionbank.models import Topic
from sessions_live import services
from sessions_live.models import LiveSession
from tests.factories import QuestionFactory, TopicFactory

_ids = itertools.count()


def topics(count: int = 2, *, questions: int = 2) -> list[Topic]:
    made = []
    for _n in range(count):
        topic = TopicFactory()
        for n in range(questions):
            QuestionFactory(topic=topic, text=f"{topic.name} question {n + 1}?", max_points=5)
        made.append(topic)
    return made


def new_session(
    lead: Any,
    members: Sequence[Any],
    *,
    with_topics: Sequence[Topic] | None = None,
    candidate: Any = None,
) -> LiveSession:
    """A session in its lobby with ``members`` joined, for ``candidate`` or a new Carla."""
    new = {"candidate_fields": {"full_name": "Carla Candidate", "email": "carla@example.com"}}
    session = services.session_create(
        lead=lead,
        **({"candidate": candidate} if candidate is not None else new),
        resume=None,
        topics=[
            services.TopicChoice(topic=topic, seconds=600)
            for topic in (with_topics if with_topics is not None else topics())
        ],
        shuffle=False,
        intro_text="Welcome",
        closing_text="Thanks",
    )
    for member in members:
        services.session_join(session=session, user=member)
    session.refresh_from_db()
    return session


def _aim(session: LiveSession, command_type: str, args: dict[str, Any]) -> dict[str, Any]:
    """Name what the command acts on (the current question or block), as the page does."""
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    block = state.current_block
    if command_type in ("question.next", "question.skip") and "question" not in args:
        question = block.current_question if block else None
        args = {**args, "question": question.key if question else ""}
    if command_type in ("block.yield", "session.pause", "session.resume", "block.extend"):
        args = {"block": block.index if block else 0, **args}
    return args


def command(session: LiveSession, actor: Any, command_type: str, **args: Any) -> None:
    frame = {"type": command_type, "id": f"c{next(_ids)}", **_aim(session, command_type, args)}
    outcome = services.session_command(
        session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
    )
    assert not isinstance(outcome, arbiter.Refused), outcome


def run_interview(
    session: LiveSession,
    lead: Any,
    panel: Sequence[tuple[Any, Sequence[int]]],
    *,
    feedback_from: Sequence[Any] | None = None,
) -> LiveSession:
    """Each (member, scores) of ``panel`` owns one topic in order and scores its questions;
    the lead finishes; then the members in ``feedback_from`` (default: all) submit feedback."""
    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session.pk).state)
    for (member, _scores), topic in zip(panel, state.topics, strict=True):
        command(session, member, "claim.set", topic_id=topic.id, claimed=True)
    command(session, lead, "session.start")
    command(session, lead, "blocks.begin")
    for member, scores in panel:
        for score in scores:
            command(session, member, "question.next", score=score, note=f"note {score}")
        command(session, member, "block.yield")
    command(session, lead, "session.finish")
    for member in panel if feedback_from is None else feedback_from:
        member = member[0] if isinstance(member, tuple) else member
        command(
            session, member, "feedback.submit", summary=f"{member.first_name} thinks so", items={}
        )
    return LiveSession.objects.select_related("candidate").get(pk=session.pk)


def ready_session(
    lead: Any,
    ann: Any,
    bob: Any,
    *,
    scores: tuple[Sequence[int], Sequence[int]] = ((4, 3), (1,)),
    hr_email: str = "",
    hr_chat: str = "",
    with_topics: Sequence[Topic] | None = None,
) -> LiveSession:
    """A finished session with Ann and Bob's feedback in: it belongs to the manager now."""
    session = new_session(lead, [ann, bob], with_topics=with_topics)
    session = run_interview(session, lead, [(ann, scores[0]), (bob, scores[1])])
    assert session.ready_for_decision
    candidate = session.candidate
    candidate.hr_email = hr_email
    candidate.hr_telegram_chat_id = hr_chat
    candidate.save(update_fields=["hr_email", "hr_telegram_chat_id"])
    return session


# --- candidates whose one-to-one rounds decide (no live session) ----------------------------


def one_to_one_position(recruiter: Any, interviewer: Any, *, title: str = "Data engineer") -> Any:
    """A position whose plan is two one-to-one rounds, both with ``interviewer``: Screening
    (SQL 5, Python 5) and Final (Design 10)."""
    from candidates import services as candidates
    from interviews import services as interviews

    position = candidates.position_create(by=recruiter, fields={"title": title})
    interviews.plan_round_create(
        position=position,
        fields={"name": "Screening", "kind": "one_to_one", "default_interviewer": interviewer},
        aspects=[interviews.AspectSpec("SQL", 5), interviews.AspectSpec("Python", 5)],
    )
    interviews.plan_round_create(
        position=position,
        fields={"name": "Final", "kind": "one_to_one", "default_interviewer": interviewer},
        aspects=[interviews.AspectSpec("Design", 10)],
    )
    return position


def rate(round_: Any, interviewer: Any, points: Sequence[int], *, outcome: str = "selected") -> Any:
    """The round's interviewer rates it: ``points`` per aspect in order, feedback naming it."""
    from interviews import services as interviews

    aspects = list(round_.aspects.order_by("order", "id"))
    return interviews.round_rate(
        round_=round_,
        by=interviewer,
        ratings={
            aspect.pk: interviews.Rating(score, f"{aspect.name} remark")
            for aspect, score in zip(aspects, points, strict=True)
        },
        feedback=f"{round_.name}: {interviewer.first_name} would work with her.",
        recommendation="yes",
        outcome=outcome,
    )


def in_rounds(
    recruiter: Any,
    interviewer: Any,
    *,
    name: str = "Nora Rounds",
    hr_email: str = "",
    hr_chat: str = "",
    hr_language: str = "",
    position: Any = None,
) -> tuple[Any, list[Any]]:
    """A candidate on a two-round one-to-one plan, their interview created: (candidate,
    rounds in order), nothing rated yet."""
    from candidates import services as candidates
    from interviews import services as interviews

    position = position or one_to_one_position(recruiter, interviewer)
    candidate = candidates.candidate_create(
        by=recruiter,
        fields={
            "full_name": name,
            "email": f"{name.split()[0].lower()}@example.com",
            "hr_email": hr_email,
            "hr_telegram_chat_id": hr_chat,
            "hr_language": hr_language,
        },
        positions=[position],
    )
    interview = interviews.interview_create(candidate=candidate, position=position, by=recruiter)
    return candidate, list(interview.rounds.order_by("order"))


def selected_by_rounds(recruiter: Any, interviewer: Any, **fields: Any) -> Any:
    """A candidate whose two one-to-one rounds both said selected (Screening 4 + 3 of 10,
    Final 8 of 10): *selected*, no live session anywhere."""
    candidate, (screening, final) = in_rounds(recruiter, interviewer, **fields)
    rate(screening, interviewer, [4, 3])
    rate(final, interviewer, [8])
    candidate.refresh_from_db()
    assert candidate.status == "selected" and not candidate.sessions.exists()
    return candidate
