"""Reads of the question bank that need care: the whole bank for export, the ad-hoc review."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from questionbank.models import Question, Topic


def bank_for_export() -> QuerySet[Topic]:
    """Every topic with its questions (retired ones too), in a stable order: two queries."""
    return Topic.objects.order_by("name").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("id"))
    )


def adhoc_pending() -> QuerySet[Any]:
    """Questions typed live that no editor has accepted or dismissed yet, oldest first."""
    from sessions_live.models import AskedQuestion  # the bank sits below live sessions

    return (
        AskedQuestion.objects.filter(adhoc=True, reviewed=False)
        .select_related("session__candidate", "topic", "owner")
        .order_by("asked_at", "id")
    )
