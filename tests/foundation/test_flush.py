"""The flush between transactional tests (tests/conftest.py): DELETEs with the constraints
deferred instead of one TRUNCATE. It holds only while every foreign key is deferrable, and it
must leave every table empty whatever order the rows reference each other in."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from candidates import services as candidates
from sessions_live.models import LiveSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_foreign_key_is_deferrable() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE flush is PostgreSQL's; SQLite keeps Django's own")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint"
            " WHERE contype = 'f' AND NOT condeferrable"
        )
        assert cursor.fetchall() == []


def test_the_flush_deletes_rows_that_reference_each_other(roles) -> None:  # noqa: ANN001
    assert connection.vendor == "postgresql"
    rita = UserFactory(username="rita", roles=["recruiter"])
    position = candidates.position_create(by=rita, fields={"title": "Flush engineer"})
    candidates.candidate_create(
        by=rita, fields={"full_name": "Flushed", "email": "f@example.com"}, positions=[position]
    )
    assert connection.ops.sql_flush.__name__ == "_delete_flush"
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    with connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    assert {t: n for t, n in counts.items() if n} == {}
    assert not LiveSession.objects.exists() and not User.objects.exists()
