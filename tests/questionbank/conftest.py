"""Question-bank fixtures: a small bank with a bit of everything, and a snapshot of it."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

import arbiter
from questionbank.models import Question, Topic
from sessions_live import services as live
from sessions_live.models import AskedQuestion
from tests.factories import QuestionFactory, TopicFactory
from tests.sessions_live.aim import aimed
from tests.sessions_live.conftest import make_session


@pytest.fixture
def bank(db):  # noqa: ANN001, ANN201
    sql = TopicFactory(name="SQL", description="Databases, joins", default_minutes=15)
    QuestionFactory(
        topic=sql,
        text="What is a join?",
        reference_answer="Rows of two tables\ncombined.",
        difficulty="easy",
        max_points=3,
    )
    QuestionFactory(
        topic=sql, text="Why index?", reference_answer="", difficulty="hard", max_points=10
    )
    retired = QuestionFactory(topic=sql, text="What was MyISAM?", first_used_at=timezone.now())
    retired.retire()
    python = TopicFactory(name="Python — ёлки", description="", default_minutes=10)
    QuestionFactory(topic=python, text='Quote "this", and = that?', reference_answer="Юникод ok")
    TopicFactory(name="Empty topic", description="No questions yet", default_minutes=5)
    return sql


def snapshot() -> dict[str, Any]:
    """Everything an import could change, including the update stamps."""
    return {
        "topics": list(Topic.objects.order_by("id").values()),
        "questions": list(Question.objects.order_by("id").values()),
    }


_ids = itertools.count()


def send(session, actor, kind: str, **fields) -> None:  # noqa: ANN001
    frame = aimed(session.pk, {"type": kind, "id": f"adhoc-{next(_ids)}", **fields})
    outcome = live.session_command(
        session_id=session.pk, command=arbiter.command_from_frame(actor.pk, frame)
    )
    assert not isinstance(outcome, arbiter.Refused), outcome


@pytest.fixture
def typed_live(lead, ann):  # noqa: ANN001, ANN201
    """Ann, owning the only topic, types a question of her own and scores the answer."""
    session = make_session(lead, [ann], seconds=(600,))
    topic_id = session.state["topics"][0]["id"]
    send(session, ann, "claim.set", topic_id=topic_id, claimed=True)
    send(session, lead, "session.start")
    send(session, lead, "blocks.begin")
    send(session, ann, "question.add", text="  How would you shard this?  ", max_points=8)
    send(session, ann, "question.next", score=6, note="good")
    return AskedQuestion.objects.get(session=session, adhoc=True)
