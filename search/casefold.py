"""Case-insensitive matching for every script, on PostgreSQL and on the embedded SQLite.

SQLite's LIKE and lower() fold ASCII only ("Анна" never meets "анна"), so each SQLite
connection gets a deterministic ``rt_casefold()`` backed by Python's ``str.casefold``;
PostgreSQL's ``lower()`` folds every script under a UTF-8 ctype (its default on Debian,
``C.UTF-8``, and any ``*.UTF-8`` locale).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func

SQLITE_FUNCTION = "rt_casefold"


def _casefold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def register_casefold(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: teach each new SQLite connection ``rt_casefold``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, _casefold, deterministic=True)


class Casefold(Func):
    """The text folded for caseless comparison: ``casefold`` on SQLite, ``LOWER`` elsewhere."""

    function = "LOWER"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra)
