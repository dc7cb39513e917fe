"""The session row's own SQL: the one read-and-lock and the one write of every command.

Everything else reads and writes the ``LiveSession`` row through the ORM. These two run for
every command of every session, so they are plain SQL built once per backend: building the
queries through the ORM was a third of a command's Python in the profile of one daphne at its
limit (docs/benchmarks.md). What they store is what the ORM's ``select_for_update().get()``
and ``save(update_fields=…)`` would store (tests/sessions_live/test_repository.py holds them
to it): every field still prepares its own value (``auto_now``, the JSON encoding).
"""

from __future__ import annotations

import functools
import json
from typing import Any, overload

from django.db import connection
from psycopg.types.json import Jsonb

from sessions_live.models import LiveSession

# The columns a command reads, in the model's order (as ``Model.from_db`` takes them); the
# others stay deferred (loaded only if a rare path asks).
LOCKED_COLUMNS = tuple(
    field.attname
    for field in LiveSession._meta.concrete_fields
    if field.attname in {"id", "state", "version", "phase", "next_deadline", "candidate_id", "code"}
)
_STATE_AT = LOCKED_COLUMNS.index("state")


@overload
def lock(session_id: int) -> LiveSession: ...
@overload
def lock(session_id: int, *, skip_locked: bool) -> LiveSession | None: ...
def lock(session_id: int, *, skip_locked: bool = False) -> LiveSession | None:
    """Read and lock the session row for a command, inside the caller's transaction:
    ``SELECT … FOR UPDATE`` on PostgreSQL (on SQLite the transaction itself is the lock).
    Only ``LOCKED_COLUMNS`` are read; ``LiveSession.DoesNotExist`` if there is no such row.
    With ``skip_locked`` (PostgreSQL's ``SKIP LOCKED``) a row another transaction holds is
    not waited for: None then (and for a row that does not exist)."""
    skip = skip_locked and connection.features.has_select_for_update_skip_locked
    with connection.cursor() as cursor:
        cursor.execute(_lock_sql(connection.vendor, skip), [session_id])
        found = cursor.fetchone()
    if found is None:
        if skip:
            return None
        raise LiveSession.DoesNotExist(f"no live session {session_id}")
    values = list(found)
    if isinstance(values[_STATE_AT], str | bytes):  # the JSON text both backends return
        values[_STATE_AT] = json.loads(values[_STATE_AT])
    return LiveSession.from_db(connection.alias, list(LOCKED_COLUMNS), values)


def json_text(value: Any) -> str:
    """The compact JSON text of a state as the command path measures and stores it."""
    return json.dumps(value, separators=(",", ":"))


def update(row: LiveSession, names: tuple[str, ...], state_text: str | None = None) -> None:
    """``row.save(update_fields=names)`` without the ORM's query building. ``state_text`` is
    ``row.state`` encoded already (compact JSON), when the caller has it: then it is written
    as it is instead of being encoded a second time."""
    fields = [LiveSession._meta.get_field(name) for name in names]
    params = [
        _encoded_json(row.state, state_text)
        if state_text is not None and field.name == "state"
        else field.get_db_prep_save(field.pre_save(row, add=False), connection)  # type: ignore[union-attr]
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(connection.vendor, names), [*params, row.pk])
        if cursor.rowcount != 1:  # the row is locked by this transaction: cannot happen
            raise LiveSession.DoesNotExist(f"live session {row.pk} vanished under its lock")


def _encoded_json(value: Any, text: str) -> Any:
    """The parameter for a JSON column whose text the caller has encoded already (what
    ``JSONField`` gives, without encoding the value a second time)."""
    if connection.vendor == "postgresql":
        return Jsonb(value, dumps=lambda _value: text)
    return text


@functools.cache
def _lock_sql(vendor: str, skip_locked: bool = False) -> str:
    meta = LiveSession._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in LOCKED_COLUMNS)  # type: ignore[union-attr]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    if lock and skip_locked:
        lock += " SKIP LOCKED"
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s{lock}"


@functools.cache
def _update_sql(vendor: str, names: tuple[str, ...]) -> str:
    meta = LiveSession._meta
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)  # type: ignore[union-attr]
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
