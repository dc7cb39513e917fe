"""Writes to the question bank that other parts call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from questionbank import bulk
from questionbank.bulk import ParsedBank, RowError
from questionbank.models import Question, Topic


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


# --- topics and questions, one at a time (the API) ------------------------------------------


class BankRefused(Exception):
    """A write the bank's rules do not allow; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def topic_create(*, name: str, description: str = "", default_minutes: int = 10) -> Topic:
    topic = Topic(name=name, description=description, default_minutes=default_minutes)
    _save_topic(topic)
    return topic


def topic_update(*, topic: Topic, **fields: Any) -> Topic:
    for name, value in fields.items():
        setattr(topic, name, value)
    _save_topic(topic)
    return topic


def _save_topic(topic: Topic) -> None:
    try:
        with transaction.atomic():  # a savepoint: the unique name is the database's to check
            topic.save()
    except IntegrityError as error:
        raise BankRefused("duplicate", _("A topic with this name exists already.")) from error


def topic_delete(*, topic: Topic) -> None:
    """Only an empty topic goes: questions (and sessions) keep pointing at their topic. What
    the bank cannot see (live sessions sit above it) protects the topic by its foreign key."""
    in_use = BankRefused(
        "in_use", _("This topic has questions or was used in a session; it is kept.")
    )
    if topic.questions.exists():
        raise in_use
    try:
        with transaction.atomic():
            topic.delete()
    except ProtectedError as error:
        raise in_use from error


def question_create(
    *,
    topic: Topic,
    text: str,
    reference_answer: str = "",
    difficulty: str = Question.Difficulty.MEDIUM,
    max_points: int = 5,
) -> Question:
    return Question.objects.create(
        topic=topic,
        text=text,
        reference_answer=reference_answer,
        difficulty=difficulty,
        max_points=max_points,
    )


def question_update(*, question: Question, **fields: Any) -> Question:
    if question.is_used and (
        fields.get("text", question.text) != question.text
        or fields.get("topic", question.topic) != question.topic
    ):
        raise BankRefused(
            "used",
            _(
                "This question was asked in an interview; its text and topic are kept. "
                "Retire it and add a new one instead."
            ),
        )
    for name, value in fields.items():
        setattr(question, name, value)
    question.save()
    return question


def question_delete(*, question: Question) -> None:
    if question.is_used or question.asked.exists():
        raise BankRefused(
            "used", _("This question was asked in an interview; retire it instead of deleting.")
        )
    question.delete()


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    topics_created: int = 0
    topics_updated: int = 0
    questions_created: int = 0
    questions_updated: int = 0
    questions_unchanged: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return (
            self.topics_created
            + self.topics_updated
            + self.questions_created
            + self.questions_updated
        )


QUESTION_IMPORT_FIELDS = ("reference_answer", "difficulty", "max_points", "active")


def bank_import(*, bank: ParsedBank, dry_run: bool) -> ImportReport:
    """Apply a checked file to the bank, all or nothing, in one transaction.

    A file with any bad row changes nothing: the report lists each bad row (line and reason).
    Rows are matched by the stable key (topic name, question text), so applying the same file
    twice changes nothing the second time. ``dry_run`` reports what would change."""
    report = ImportReport(dry_run=dry_run, rows=len(bank.rows), errors=list(bank.errors))
    if bank.errors:
        return report
    wanted_topics = bulk.topic_fields(bank.rows, bank.columns)
    now = timezone.now()
    try:
        with transaction.atomic():
            topics = {
                topic.name: topic
                for topic in Topic.objects.select_for_update().filter(name__in=wanted_topics)
            }
            new_topics, changed_topics = [], []
            for name, wanted in wanted_topics.items():
                fields = {key: value for key, value in wanted.items() if key != "line"}
                topic = topics.get(name)
                if topic is None:
                    topics[name] = Topic(name=name, **fields)
                    new_topics.append(topics[name])
                elif _assign(topic, fields):
                    topic.updated_at = now
                    changed_topics.append(topic)
            report.topics_created, report.topics_updated = len(new_topics), len(changed_topics)

            existing: dict[tuple[int, str], Question] = {}
            for question in Question.objects.filter(
                topic__in=[t for t in topics.values() if t.pk is not None]
            ).order_by("-id"):
                existing[(question.topic_id, question.text.strip())] = question  # lowest id wins
            new_questions, changed_questions = [], []
            for row in bank.rows:
                if not row.question:
                    continue
                topic = topics[row.topic]
                fields = {
                    name: getattr(row, name)
                    for name in QUESTION_IMPORT_FIELDS
                    if getattr(row, name) is not None
                }
                question = existing.get((topic.pk, row.question)) if topic.pk else None
                if question is None:
                    question = Question(topic=topic, text=row.question, **fields)
                    if not question.active:
                        question.retired_at = now
                    new_questions.append(question)
                    continue
                was_active = question.active
                if _assign(question, fields):
                    if was_active != question.active:
                        question.retired_at = None if question.active else now
                    question.updated_at = now
                    changed_questions.append(question)
                else:
                    report.questions_unchanged += 1
            report.questions_created = len(new_questions)
            report.questions_updated = len(changed_questions)
            if dry_run:
                return report

            Topic.objects.bulk_create(new_topics, batch_size=500)
            Topic.objects.bulk_update(
                changed_topics, ["description", "default_minutes", "updated_at"], batch_size=500
            )
            Question.objects.bulk_create(new_questions, batch_size=1000)
            Question.objects.bulk_update(
                changed_questions,
                [*QUESTION_IMPORT_FIELDS, "retired_at", "updated_at"],
                batch_size=500,
            )
            report.applied = True
    except IntegrityError:
        # Another import created the same topic meanwhile; nothing of this one was kept.
        report.errors.append(
            RowError(0, _("The bank changed while importing; nothing was changed. Try again."))
        )
        report.applied = False
    return report


def _assign(instance: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


# --- questions typed during live sessions, taken in by ``sessions_live``'s review ------------


def question_from_live(
    *,
    topic_id: int,
    text: str,
    used_at: datetime,
    reference_answer: str = "",
    difficulty: str = Question.Difficulty.MEDIUM,
    max_points: int = 1,
) -> Question:
    """A question typed during an interview, taken into the bank (or the same one found
    there). It was asked in an interview, so it is born used: retire-only, like the rest.
    Call it inside the caller's transaction; the bank knows nothing of sessions."""
    text = text.strip()
    question = Question.objects.filter(topic_id=topic_id, text=text).order_by("id").first()
    if question is None:
        return Question.objects.create(
            topic_id=topic_id,
            text=text,
            reference_answer=reference_answer,
            difficulty=difficulty,
            max_points=max_points,
            first_used_at=used_at,
        )
    if question.first_used_at is None:
        Question.objects.filter(pk=question.pk).update(first_used_at=used_at)
    return question
