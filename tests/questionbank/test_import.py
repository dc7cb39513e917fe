"""Importing the bank: checked first, applied all or nothing, idempotent by the stable key
(topic name, question text); export → import round-trips."""

from __future__ import annotations

import time

import pytest

from questionbank import bulk, selectors, services
from questionbank.models import Question, Topic
from tests.questionbank.conftest import snapshot

pytestmark = pytest.mark.django_db

HEADER = (
    "topic,topic_description,topic_minutes,question,reference_answer,difficulty,max_points,active\n"
)


def run_import(body: bytes, fmt: str = "csv", *, dry_run: bool = False) -> services.ImportReport:
    return services.bank_import(bank=bulk.read_bank(body, fmt), dry_run=dry_run)


def export(fmt: str) -> bytes:
    return bulk.write_bank(bulk.export_rows(selectors.bank_for_export()), fmt)


def bank_content() -> tuple[list[tuple], list[tuple]]:
    topics = Topic.objects.order_by("name").values_list("name", "description", "default_minutes")
    questions = Question.objects.order_by("topic__name", "text").values_list(
        "topic__name", "text", "reference_answer", "difficulty", "max_points", "active"
    )
    return list(topics), list(questions)


def test_a_file_with_a_bad_row_changes_nothing_and_names_the_row(bank) -> None:  # noqa: ANN001
    before = snapshot()
    body = (
        HEADER
        + "SQL,Databases,15,A brand new question?,,,,\n"
        + "SQL,,,What is a join?,A new answer,,,\n"
        + "Go,,,Goroutines?,,,0,\n"
    ).encode()
    report = run_import(body)
    assert not report.applied
    assert [(e.line, e.reason) for e in report.errors] == [
        (4, "max_points must be between 1 and 100, not 0.")
    ]
    assert snapshot() == before


def test_a_good_file_creates_updates_and_retires_by_the_stable_key(bank) -> None:  # noqa: ANN001
    body = (
        HEADER
        + "SQL,Databases,20,What is a join?,Rows combined,easy,3,true\n"
        + "SQL,,,Why index?,,hard,10,false\n"
        + "Go,Concurrency,,Goroutines?,Green threads,medium,5,\n"
    ).encode()
    report = run_import(body)
    assert report.ok and report.applied
    assert (report.topics_created, report.topics_updated) == (1, 1)
    assert (report.questions_created, report.questions_updated) == (1, 2)
    sql = Topic.objects.get(name="SQL")
    assert (sql.description, sql.default_minutes) == ("Databases", 20)
    assert Question.objects.get(text="What is a join?").reference_answer == "Rows combined"
    index = Question.objects.get(text="Why index?")
    assert not index.active and index.retired_at is not None
    go = Question.objects.get(text="Goroutines?")
    assert (go.topic.name, go.topic.default_minutes, go.reference_answer) == (
        "Go",
        10,
        "Green threads",
    )
    # Nothing is deleted by an import: the retired question not in the file is still there.
    assert Question.objects.filter(text="What was MyISAM?").exists()


def test_a_dry_run_reports_and_changes_nothing(bank) -> None:  # noqa: ANN001
    before = snapshot()
    report = run_import((HEADER + "Go,,,Goroutines?,,,,\n").encode(), dry_run=True)
    assert report.ok and not report.applied
    assert (report.topics_created, report.questions_created) == (1, 1)
    assert snapshot() == before


def test_a_file_without_optional_columns_keeps_what_it_does_not_mention(bank) -> None:  # noqa: ANN001
    report = run_import(b"topic,question\nSQL,What is a join?\nSQL,Why index?\n")
    assert report.ok and report.changes == 0 and report.questions_unchanged == 2
    assert Topic.objects.get(name="SQL").description == "Databases, joins"


@pytest.mark.parametrize("fmt", bulk.FORMATS)
def test_export_then_import_round_trips_to_the_same_bank(bank, fmt) -> None:  # noqa: ANN001
    exported = export(fmt)
    # Into the same bank: nothing changes, not even an update stamp.
    before = snapshot()
    report = run_import(exported, fmt)
    assert report.ok and report.changes == 0, report
    assert snapshot() == before

    # Into an empty bank: the same bank comes back, and exports byte for byte the same.
    bank_before = bank_content()
    Question.objects.all().delete()
    Topic.objects.all().delete()
    report = run_import(exported, fmt)
    assert report.ok and report.applied
    assert (report.topics_created, report.questions_created) == (3, 4)

    # The bank's own fields are back; ids and stamps are new, and "first used" belongs to
    # interviews, not to the bank (a file cannot know it).
    assert bank_content() == bank_before
    assert bulk.read_bank(export(fmt), fmt).rows == bulk.read_bank(exported, fmt).rows
    if fmt != "xlsx":  # a workbook carries its own creation time
        assert export(fmt) == exported


def test_a_5000_question_file_imports_and_reimporting_it_changes_nothing(db) -> None:  # noqa: ANN001
    lines = [HEADER]
    for n in range(5000):
        topic = f"Topic {n % 50:02d}"
        lines.append(
            f'{topic},About {topic},12,"Question {n}, with a comma?",Answer {n},hard,7,true\n'
        )
    body = "".join(lines).encode()

    started = time.monotonic()
    report = run_import(body)
    first = time.monotonic() - started
    assert report.ok and report.applied
    assert (report.topics_created, report.questions_created) == (50, 5000)
    assert Question.objects.count() == 5000

    before = snapshot()
    started = time.monotonic()
    again = run_import(body)
    second = time.monotonic() - started
    assert again.ok and again.changes == 0 and again.questions_unchanged == 5000
    assert snapshot() == before
    print(f"5,000 questions: import {first:.2f} s, re-import {second:.2f} s ({len(body)} bytes)")
    assert first < 30
