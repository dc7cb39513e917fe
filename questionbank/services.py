"""Writes to the question bank that other parts call."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from questionbank.models import Question


def questions_mark_used(*, question_ids: Iterable[int]) -> int:
    """Record that these questions entered an interview: from now on they can only be retired."""
    return Question.objects.filter(id__in=list(question_ids), first_used_at__isnull=True).update(
        first_used_at=timezone.now()
    )


def questions_retire(*, questions: Iterable[Question]) -> int:
    retired = 0
    for question in questions:
        if question.active:
            question.retire()
            retired += 1
    return retired
