"""The migration to the lifecycle's statuses moves existing rows, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("candidates", "0003_candidate_hr_language")]
AFTER = [("candidates", "0004_candidate_lifecycle_statuses")]


def _status_after(target: list[tuple[str, str]], statuses: list[str]) -> list[str]:
    executor = MigrationExecutor(connection)
    Candidate = executor.loader.project_state(BEFORE if target == AFTER else AFTER).apps.get_model(
        "candidates", "Candidate"
    )
    ids = [
        Candidate.objects.create(full_name=s, email="c@example.com", status=s).pk for s in statuses
    ]
    executor.loader.build_graph()
    executor.migrate(target)
    moved = MigrationExecutor(connection).loader.project_state(target).apps
    rows = moved.get_model("candidates", "Candidate").objects.in_bulk(ids)
    return [rows[pk].status for pk in ids]


@pytest.mark.django_db(transaction=True)
def test_interviewed_becomes_interviewing_and_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        assert _status_after(AFTER, ["created", "interviewed", "hired"]) == [
            "created",
            "interviewing",
            "hired",
        ]
        assert _status_after(BEFORE, ["interviewing", "selected", "withdrawn", "hired"]) == [
            "interviewed",
            "interviewed",
            "rejected",
            "hired",
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
