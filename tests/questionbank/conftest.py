"""Question-bank fixtures: a small bank with a bit of everything, and a snapshot of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from questionbank.models import Question, Topic
from tests.factories import QuestionFactory, TopicFactory


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
