"""Text cells a spreadsheet must not run: one rule for every CSV the app writes.

A CSV opened in Excel or LibreOffice runs a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (``=HYPERLINK(...)``, ``@SUM(...)``): names, questions
and reasons are typed by people, so such a cell is written with a leading apostrophe, which
spreadsheets show as plain text (OWASP's advice for CSV injection). The app's own importer
takes the apostrophe off again, so an export read back is the bank it came from.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value to write in a CSV cell: text a spreadsheet would run gets an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a CSV the app wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
