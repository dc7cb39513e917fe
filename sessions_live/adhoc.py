"""The review of questions typed during live sessions: reads and writes. An editor accepts one
into the bank (``questionbank.services.question_from_live``) or dismisses it; either way it
stays in its session's record. Here, not in the bank: the bank sits below live sessions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from questionbank import services as bank
from questionbank.models import Question
from sessions_live.models import AskedQuestion


class AdhocRefused(Exception):
    """A review the rules do not allow; ``message`` is for the editor."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def adhoc_pending() -> QuerySet[AskedQuestion]:
    """Questions typed live that no editor has accepted or dismissed yet, oldest first."""
    return (
        AskedQuestion.objects.filter(adhoc=True, reviewed=False)
        .select_related("session__candidate", "topic", "owner")
        .order_by("asked_at", "id")
    )


def adhoc_accept(
    *,
    asked_id: int,
    text: str,
    reference_answer: str = "",
    difficulty: str = Question.Difficulty.MEDIUM,
    max_points: int | None = None,
) -> Question:
    """Take a question typed live into the bank (or find the same one there) and mark it
    reviewed, in one transaction."""
    with transaction.atomic():
        asked = _pending(asked_id)
        question = bank.question_from_live(
            topic_id=asked.topic_id,
            text=text,
            used_at=asked.asked_at,
            reference_answer=reference_answer,
            difficulty=difficulty,
            max_points=max_points or asked.max_points,
        )
        asked.question = question
        asked.reviewed = True
        asked.save(update_fields=["question", "reviewed"])
    return question


def adhoc_dismiss(*, asked_id: int) -> None:
    with transaction.atomic():
        asked = _pending(asked_id)
        asked.reviewed = True
        asked.save(update_fields=["reviewed"])


def _pending(asked_id: int) -> AskedQuestion:
    asked = AskedQuestion.objects.select_for_update().filter(pk=asked_id, adhoc=True).first()
    if asked is None:
        raise AdhocRefused("not_found", _("There is no such question typed live."))
    if asked.reviewed:
        raise AdhocRefused("reviewed", _("Someone has reviewed this question already."))
    return asked
