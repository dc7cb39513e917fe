"""Reads of the question bank that need care: the whole bank for export."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from questionbank.models import Question, Topic


def bank_for_export() -> QuerySet[Topic]:
    """Every topic with its questions (retired ones too), in a stable order: two queries."""
    return Topic.objects.order_by("name").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("id"))
    )
