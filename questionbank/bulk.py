"""Question-bank files (CSV, JSON, .xlsx): read and check rows with their line numbers; write.

Pure: bytes in, rows and errors out (and the reverse); no database. One flat shape for every
format, one row per question, with the topic's own fields repeated on its rows:

    topic, topic_description, topic_minutes, question, reference_answer, difficulty,
    max_points, active

* The **stable key** of a question is (topic name, question text), both with surrounding
  whitespace removed. Re-importing a file matches existing questions by it, so doing it twice
  changes nothing; changing a question's text in a file therefore adds a new question.
* A row with a topic and no question declares the topic alone (a topic with no questions
  round-trips this way).
* A column missing from the file leaves that field of existing rows as it is (new rows get
  the default). A column that is present is authoritative; an empty cell means the default
  (``topic_minutes`` 10, ``difficulty`` medium, ``max_points`` 5, ``active`` true, texts
  empty). The topic's cells may be left empty on all but one of its rows; two different
  non-empty values for one topic are an error.
* Importing never deletes: questions missing from the file are left alone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config import tables
from config.spreadsheet_safety import neutralise

COLUMNS = (
    "topic",
    "topic_description",
    "topic_minutes",
    "question",
    "reference_answer",
    "difficulty",
    "max_points",
    "active",
)
REQUIRED_COLUMNS = ("topic", "question")
FORMATS = ("csv", "json", "xlsx")
DIFFICULTIES = ("easy", "medium", "hard")
MAX_ROWS = 20_000
MAX_COLUMNS = 64  # a bank has 8 columns; a sheet wider than this is not a bank
TOPIC_NAME_MAX = 120
TEXT_MAX = 10_000
DEFAULT_MINUTES = 10
DEFAULT_DIFFICULTY = "medium"
DEFAULT_MAX_POINTS = 5

TRUE_WORDS = {"1", "true", "yes", "y", "on"}
FALSE_WORDS = {"0", "false", "no", "n", "off"}

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": XLSX_CONTENT_TYPE,
}


# A row's cells by column, or the reason the reader could not use the row at all.
Record = tables.Record


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the file (the sheet's row number for .xlsx); 0: the whole file
    reason: str


@dataclass(frozen=True)
class BankRow:
    """One checked row. ``None`` means "not given": keep the existing value or use the default."""

    line: int
    topic: str
    topic_description: str | None = None
    topic_minutes: int | None = None
    question: str = ""  # empty: the row declares its topic only
    reference_answer: str | None = None
    difficulty: str | None = None
    max_points: int | None = None
    active: bool | None = None


@dataclass
class ParsedBank:
    rows: list[BankRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    lines_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


# The file as a whole cannot be read (not this format, no header, too many rows): the shared
# readers' error (``config.tables``), under the name this module has always given it.
BankFileError = tables.TableFileError


def format_for(filename: str) -> str | None:
    return tables.format_for(filename, FORMATS)


# --- reading ------------------------------------------------------------------------------


def read_bank(data: bytes, fmt: str) -> ParsedBank:
    """Parse and check a whole file. Never raises for bad content: problems become errors."""
    readers = {"csv": _csv_records, "json": _json_records, "xlsx": _xlsx_records}
    try:
        if fmt not in readers:
            raise BankFileError(_("Unknown format %(fmt)s.") % {"fmt": fmt})
        header, records = readers[fmt](data)
        if header is None:
            return ParsedBank(errors=[RowError(0, _("The file has no rows."))])
        return check_records(header, records)
    except BankFileError as error:
        return ParsedBank(errors=[RowError(error.line, error.reason)])


def check_records(header: Sequence[str], records: Iterable[tuple[int, Record]]) -> ParsedBank:
    """Check the rows of one file, given as its header and (line, {column: raw value})."""
    columns = _check_header(header)
    parsed = ParsedBank(columns=columns)
    seen_questions: dict[tuple[str, str], int] = {}
    topic_values: dict[tuple[str, str], tuple[Any, int]] = {}
    for line, record in records:
        parsed.lines_read += 1
        if parsed.lines_read > MAX_ROWS:
            parsed.errors = [
                RowError(line, _("Too many rows: at most %(n)d per file.") % {"n": MAX_ROWS})
            ]
            parsed.rows = []
            return parsed
        if isinstance(record, str):  # the reader found the row unusable as a whole
            parsed.errors.append(RowError(line, record))
            continue
        if all(_blank(value) for value in record.values()):
            continue  # an empty line between blocks is not an error
        row, reasons = _check_row(line, record, columns)
        if row is not None:
            if row.question:
                key = (row.topic, row.question)
                if key in seen_questions:
                    reasons.append(
                        _("The same question in the same topic is already on line %(line)d.")
                        % {"line": seen_questions[key]}
                    )
                else:
                    seen_questions[key] = line
            for name in ("topic_description", "topic_minutes"):
                value = getattr(row, name)
                if value is None or value == "":
                    continue
                earlier = topic_values.setdefault((row.topic, name), (value, line))
                if earlier[0] != value:
                    reasons.append(
                        _("%(column)s of topic %(topic)s differs from line %(line)d.")
                        % {"column": name, "topic": row.topic, "line": earlier[1]}
                    )
        if reasons:
            parsed.errors.extend(RowError(line, reason) for reason in reasons)
        elif row is not None:
            parsed.rows.append(row)
    return parsed


def _check_header(names: Sequence[str]) -> set[str]:
    columns = set(names)
    if len(columns) != len(names):
        raise BankFileError(_("A column is named twice in the header."), line=1)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise BankFileError(
            _("Missing column(s): %(names)s. The columns are: %(all)s.")
            % {"names": ", ".join(missing), "all": ", ".join(COLUMNS)},
            line=1,
        )
    unknown = sorted(columns - set(COLUMNS))
    if unknown:
        raise BankFileError(
            _("Unknown column(s): %(names)s. The columns are: %(all)s.")
            % {"names": ", ".join(unknown), "all": ", ".join(COLUMNS)},
            line=1,
        )
    return columns


_blank = tables.blank
_text = tables.text


def _check_row(
    line: int, record: dict[str, Any], columns: set[str]
) -> tuple[BankRow | None, list[str]]:
    reasons: list[str] = []
    cells = {name: _text(record.get(name)) for name in columns}
    for name, value in cells.items():
        if "\x00" in value:
            reasons.append(_("%(column)s contains a NUL character.") % {"column": name})
            cells[name] = value.replace("\x00", "")

    topic = cells["topic"]
    if not topic:
        reasons.append(_("The topic is empty."))
    elif len(topic) > TOPIC_NAME_MAX:
        reasons.append(
            ngettext(
                "The topic name is longer than %(n)d character.",
                "The topic name is longer than %(n)d characters.",
                TOPIC_NAME_MAX,
            )
            % {"n": TOPIC_NAME_MAX}
        )
    question = cells["question"]
    for name in ("question", "reference_answer", "topic_description"):
        if len(cells.get(name, "")) > TEXT_MAX:
            reasons.append(
                ngettext(
                    "%(column)s is longer than %(n)d character.",
                    "%(column)s is longer than %(n)d characters.",
                    TEXT_MAX,
                )
                % {"column": name, "n": TEXT_MAX}
            )

    def given(name: str) -> str | None:
        return cells[name] if name in columns else None

    minutes = _number(given("topic_minutes"), 1, 180, DEFAULT_MINUTES, "topic_minutes", reasons)
    max_points = _number(given("max_points"), 1, 100, DEFAULT_MAX_POINTS, "max_points", reasons)
    difficulty = given("difficulty")
    if difficulty is not None:
        difficulty = difficulty.lower() or DEFAULT_DIFFICULTY
        if difficulty not in DIFFICULTIES:
            reasons.append(
                _("difficulty must be one of %(choices)s, not %(value)s.")
                % {"choices": ", ".join(DIFFICULTIES), "value": cells["difficulty"]}
            )
    active: bool | None = None
    if "active" in columns:
        word = cells["active"].lower()
        if word in TRUE_WORDS or word == "":
            active = True
        elif word in FALSE_WORDS:
            active = False
        else:
            reasons.append(_("active must be true or false, not %(value)s.") % {"value": word})

    if not question:
        extra = [
            name
            for name in ("reference_answer", "difficulty", "max_points", "active")
            if cells.get(name)
        ]
        if extra:
            reasons.append(
                _("The question is empty but %(columns)s is filled in.")
                % {"columns": ", ".join(extra)}
            )
    # The topic's cells: empty on this row means "said on another row" (or the default).
    description = cells.get("topic_description") or None
    topic_minutes = minutes if cells.get("topic_minutes") else None
    if reasons:
        return None, reasons
    return (
        BankRow(
            line=line,
            topic=topic,
            topic_description=description,
            topic_minutes=topic_minutes,
            question=question,
            reference_answer=given("reference_answer") if question else None,
            difficulty=difficulty if question else None,
            max_points=max_points if question and "max_points" in columns else None,
            active=active if question else None,
        ),
        [],
    )


def _number(
    raw: str | None, low: int, high: int, default: int, column: str, reasons: list[str]
) -> int | None:
    if raw is None:
        return None
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        reasons.append(
            _("%(column)s must be a whole number, not %(value)s.")
            % {"column": column, "value": raw[:40]}
        )
        return None
    if not low <= value <= high:
        reasons.append(
            _("%(column)s must be between %(low)d and %(high)d, not %(value)d.")
            % {"column": column, "low": low, "high": high, "value": value}
        )
        return None
    return value


def topic_fields(rows: Sequence[BankRow], columns: set[str]) -> dict[str, dict[str, Any]]:
    """Each topic's own fields from its rows (the non-empty value), by topic name. A column
    the file has is authoritative: all-empty means the default."""
    topics: dict[str, dict[str, Any]] = {}
    for row in rows:
        fields = topics.setdefault(row.topic, {"line": row.line})
        if row.topic_description is not None:
            fields.setdefault("description", row.topic_description)
        if row.topic_minutes is not None:
            fields.setdefault("default_minutes", row.topic_minutes)
    for fields in topics.values():
        if "topic_description" in columns:
            fields.setdefault("description", "")
        if "topic_minutes" in columns:
            fields.setdefault("default_minutes", DEFAULT_MINUTES)
    return topics


# --- the three readers: (line, record) pairs -----------------------------------------------


# The CSV and .xlsx readers are the shared ones (``config.tables``: the sheet's size checked
# before any row is built); JSON is the bank's own.
_decode = tables.decode
_csv_records = tables.csv_records


def _xlsx_records(data: bytes) -> tables.Records:
    return tables.xlsx_records(data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)


def _json_records(data: bytes) -> tuple[list[str] | None, Iterator[tuple[int, Record]]]:
    """A JSON array of row objects. The columns are the fields any row has (a row without a
    field leaves it empty); each row's line is the line where its object starts."""
    text = _decode(data)
    decoder = json.JSONDecoder()

    def line_at(position: int) -> int:
        return text.count("\n", 0, position) + 1

    def skip(position: int) -> int:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        return position

    position = skip(0)
    if position >= len(text) or text[position] != "[":
        raise BankFileError(_("The JSON must be an array of row objects."), line=line_at(position))
    position = skip(position + 1)
    objects: list[tuple[int, dict[str, Any]]] = []
    while position < len(text) and text[position] != "]":
        start = position
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise BankFileError(
                _("The JSON is malformed: %(reason)s") % {"reason": error.msg}, line=error.lineno
            ) from error
        except RecursionError:
            # Thousands of [ or { inside each other: a row is one flat object, so refuse.
            raise BankFileError(
                _("The JSON is nested too deeply: each row must be a flat object."),
                line=line_at(start),
            ) from None
        if not isinstance(value, dict):
            raise BankFileError(_("Each row must be a JSON object."), line=line_at(start))
        objects.append((line_at(start), value))
        position = skip(position)
        if position < len(text) and text[position] == ",":
            position = skip(position + 1)
        elif position >= len(text) or text[position] != "]":
            raise BankFileError(
                _("The JSON is malformed: expected , or ]."), line=line_at(position)
            )
    if position >= len(text):
        raise BankFileError(_("The JSON is malformed: the array is not closed."), line_at(position))
    if skip(position + 1) != len(text):
        raise BankFileError(_("Unexpected text after the JSON array."), line=line_at(position + 1))
    if not objects:
        return None, iter(())
    header: list[str] = []
    for _line, value in objects:
        header.extend(name for name in value if name not in header)

    def records() -> Iterator[tuple[int, Record]]:
        for line, value in objects:
            nested = sorted(name for name, cell in value.items() if isinstance(cell, dict | list))
            if nested:
                yield line, _("%(names)s must be text or a number.") % {"names": ", ".join(nested)}
            else:
                yield line, {name: value.get(name) for name in header}

    return header, records()


# --- writing ------------------------------------------------------------------------------


def export_rows(topics: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Rows for a bank given as topics with ``questions`` prefetched (ordered by id)."""
    for topic in topics:
        base = {
            "topic": topic.name,
            "topic_description": topic.description,
            "topic_minutes": topic.default_minutes,
        }
        questions = list(topic.questions.all())
        if not questions:
            yield {
                **base,
                "question": "",
                "reference_answer": "",
                "difficulty": "",
                "max_points": "",
                "active": "",
            }
        for question in questions:
            yield {
                **base,
                "question": question.text,
                "reference_answer": question.reference_answer,
                "difficulty": question.difficulty,
                "max_points": question.max_points,
                "active": "true" if question.active else "false",
            }


def write_bank(rows: Iterable[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({name: neutralise(value) for name, value in row.items()} for row in rows)
        return out.getvalue().encode("utf-8")
    if fmt == "json":
        # One row per line, so the import's line numbers point at rows a person can find.
        lines = [json.dumps(row, ensure_ascii=False) for row in rows]
        return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        sheet = book.create_sheet("questions")
        sheet.append(list(COLUMNS))
        for row in rows:
            cells = []
            for name in COLUMNS:
                cell = WriteOnlyCell(sheet, value=row[name])
                if isinstance(row[name], str):
                    cell.data_type = "s"  # text that starts with "=" is text, not a formula
                cells.append(cell)
            sheet.append(cells)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
