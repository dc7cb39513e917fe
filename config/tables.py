"""Reading people's spreadsheets safely: a CSV or an .xlsx workbook as a header and numbered
rows, for every importer (the question bank's files, the interviews' drives).

Pure: bytes in, ``(header, records)`` out; no database. A record is ``(line, cells)`` where
``line`` is the line a person finds the row on (the sheet's row number for .xlsx, the file's
line for CSV: the header is line 1) and ``cells`` maps each header name (as written, trimmed,
lower case) to its raw value, or is a string saying why the row cannot be used at all.

Hostile files are refused before they cost anything: an .xlsx sheet's declared size is
checked before any row is built (openpyxl pads every row to the widest one, so one cell at
column XFD in each of 2,000 rows of a 15 KB file would build 32 million cells), and rows are
then read with the column cap and stopped one past the row limit whatever the declared size
says (it can be missing or wrong). A CSV is read lazily; its caller counts its rows. A cell
this app wrote with a protective apostrophe (``config.spreadsheet_safety``) reads back as the
text it was.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.spreadsheet_safety import restore

FORMATS = ("csv", "xlsx")

# A row's cells by column, or the reason the reader could not use the row at all.
Record = dict[str, Any] | str
Records = tuple[list[str] | None, Iterator[tuple[int, Record]]]


class TableFileError(Exception):
    """The file as a whole cannot be read (not this format, malformed, too big); ``line`` is
    where (0: the whole file)."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def format_for(filename: str, formats: tuple[str, ...] = FORMATS) -> str | None:
    """The format a file's name says (its suffix, any case), when it is one of ``formats``."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in formats else None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text: numbers a spreadsheet stored as floats lose their ``.0``, line ends
    become ``\\n``, surrounding whitespace goes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError(_("The file is not UTF-8 text.")) from error


def read_table(data: bytes, fmt: str, *, max_rows: int, max_columns: int) -> Records:
    """The header and the records of a CSV or an .xlsx file (``TableFileError`` when the file
    as a whole cannot be read). ``(None, …)``: the file has no rows at all."""
    if fmt == "csv":
        return csv_records(data)
    if fmt == "xlsx":
        return xlsx_records(data, max_rows=max_rows, max_columns=max_columns)
    raise TableFileError(_("Unknown format %(fmt)s.") % {"fmt": fmt})


def csv_records(data: bytes) -> Records:
    """A UTF-8 CSV separated by commas, semicolons or tabs (whichever separates the header:
    spreadsheets in many locales save with ";")."""
    content = decode(data)
    first_line = content.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise TableFileError(
            _("The CSV is malformed: %(reason)s") % {"reason": error}, 1
        ) from error
    if header is None:
        return None, iter(())
    names = [name.strip().lower() for name in header]

    def records() -> Iterator[tuple[int, Record]]:
        end = reader.line_num
        try:
            for cells in reader:
                start, end = end + 1, reader.line_num
                if any(cell.strip() for cell in cells[len(names) :]):
                    yield start, _("The row has more cells than the header has columns.")
                    continue
                cells = [restore(cell) for cell in cells] + [""] * (len(names) - len(cells))
                yield start, dict(zip(names, cells[: len(names)], strict=True))
        except csv.Error as error:
            raise TableFileError(
                _("The CSV is malformed: %(reason)s") % {"reason": error}, line=end + 1
            ) from error

    return names, records()


def xlsx_records(data: bytes, *, max_rows: int, max_columns: int) -> Records:
    """The first sheet; line numbers are the sheet's row numbers (the header is row 1).
    At most ``max_rows`` rows below the header and ``max_columns`` columns."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise TableFileError(_("The file is not an .xlsx workbook.")) from error
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is not None:
            width, height = sheet.max_column or 0, sheet.max_row or 0
            if width > max_columns:
                raise TableFileError(
                    ngettext(
                        "The sheet is %(n)d column wide: at most %(max)d.",
                        "The sheet is %(n)d columns wide: at most %(max)d.",
                        width,
                    )
                    % {"n": width, "max": max_columns}
                )
            if height > max_rows + 1:
                raise TableFileError(
                    _("Too many rows: at most %(n)d per file.") % {"n": max_rows},
                    line=max_rows + 2,
                )
        rows = (
            list(islice(sheet.iter_rows(max_col=max_columns, values_only=True), max_rows + 2))
            if sheet is not None
            else []
        )
    finally:
        book.close()
    if not rows:
        return None, iter(())
    names = [text(name).lower() for name in rows[0]]
    while names and not names[-1]:
        names.pop()

    def records() -> Iterator[tuple[int, Record]]:
        for number, cells in enumerate(rows[1:], start=2):
            if any(not blank(cell) for cell in cells[len(names) :]):
                yield number, _("The row has more cells than the header has columns.")
                continue
            values = list(cells[: len(names)]) + [None] * (len(names) - len(cells))
            yield number, dict(zip(names, values, strict=True))

    return names, records()
