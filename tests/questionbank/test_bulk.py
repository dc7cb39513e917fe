"""Reading bank files: every format gives the same rows, and each bad row is named by its line."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from questionbank import bulk

HEADER = (
    "topic,topic_description,topic_minutes,question,reference_answer,difficulty,max_points,active\n"
)


def csv_bytes(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(bulk.COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_good_csv_gives_rows_with_defaults() -> None:
    parsed = bulk.read_bank(csv_bytes("SQL,Databases,15,What is a join?,Combining rows,,,"), "csv")
    assert parsed.ok, parsed.errors
    (row,) = parsed.rows
    assert row.line == 2
    assert (row.topic, row.topic_description, row.topic_minutes) == ("SQL", "Databases", 15)
    assert (row.question, row.reference_answer) == ("What is a join?", "Combining rows")
    assert (row.difficulty, row.max_points, row.active) == ("medium", 5, True)


def test_each_bad_row_is_named_with_its_line_and_reason() -> None:
    parsed = bulk.read_bank(
        csv_bytes(
            "SQL,,,What is a join?,,easy,5,true",
            ",,,No topic?,,,,",
            "SQL,,,Too many points?,,,500,",
            "SQL,,,Odd difficulty?,,brutal,,",
            "SQL,,,What is a join?,,,,",
            'SQL,,,"A question',
            'over two lines?",,,,maybe',
        ),
        "csv",
    )
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (3, "The topic is empty."),
        (4, "max_points must be between 1 and 100, not 500."),
        (5, "difficulty must be one of easy, medium, hard, not brutal."),
        (6, "The same question in the same topic is already on line 2."),
        (7, "active must be true or false, not maybe."),
    ]


def test_a_topic_may_be_described_once_but_not_two_ways() -> None:
    parsed = bulk.read_bank(
        csv_bytes("SQL,Databases,15,Q1?,,,,", "SQL,,,Q2?,,,,", "SQL,Other,,Q3?,,,,"), "csv"
    )
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (4, "topic_description of topic SQL differs from line 2.")
    ]


def test_a_missing_required_column_is_named() -> None:
    parsed = bulk.read_bank(b"topic,text\nSQL,Why?\n", "csv")
    assert parsed.errors[0].line == 1
    assert "Missing column(s): question" in parsed.errors[0].reason


def test_semicolons_from_spreadsheets_are_understood() -> None:
    parsed = bulk.read_bank(b"topic;question;max_points\nSQL;Why?;3\n", "csv")
    assert parsed.ok and parsed.rows[0].max_points == 3


def test_json_rows_carry_the_line_where_their_object_starts() -> None:
    body = '[\n{"topic": "SQL", "question": "Why?"},\n\n{"topic": "SQL",\n "question": "", "max_points": 3}\n]'
    parsed = bulk.read_bank(body.encode(), "json")
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (4, "The question is empty but max_points is filled in.")
    ]


@pytest.mark.parametrize(
    ("body", "line", "reason"),
    [
        (b'{"topic": "SQL"}', 1, "The JSON must be an array of row objects."),
        (b'[\n{"topic": "SQL", "question": "Q"},\n{"topic": }\n]', 3, "The JSON is malformed"),
        (b'[\n{"topic": "SQL", "question": "Q"},\n["a"]\n]', 3, "Each row must be a JSON object."),
        (
            b'[\n{"topic": "SQL", "question": "Q", "colour": "red"}\n]',
            1,
            "Unknown column(s): colour",
        ),
        (b"\xff\xfe", 0, "The file is not UTF-8 text."),
    ],
)
def test_a_broken_json_file_says_where(body: bytes, line: int, reason: str) -> None:
    parsed = bulk.read_bank(body, "json")
    assert parsed.errors[0].line == line
    assert parsed.errors[0].reason.startswith(reason)


def test_xlsx_lines_are_the_sheet_rows() -> None:
    parsed = bulk.read_bank(
        xlsx_bytes(
            [["SQL", "", 15, "Why?", "", "hard", 3, True], ["SQL", "", None, "", "", "", "x", ""]]
        ),
        "xlsx",
    )
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (3, "max_points must be a whole number, not x."),
        (3, "The question is empty but max_points is filled in."),
    ]


def test_not_a_workbook_is_one_clear_error() -> None:
    parsed = bulk.read_bank(b"PK\x03\x04 nope", "xlsx")
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (0, "The file is not an .xlsx workbook.")
    ]


@pytest.mark.parametrize("fmt", bulk.FORMATS)
def test_every_format_writes_what_it_reads(fmt: str) -> None:
    rows = [
        {
            "topic": "SQL",
            "topic_description": "Databases",
            "topic_minutes": 15,
            "question": '=1+1, or "what"?',
            "reference_answer": "Line one\nline two",
            "difficulty": "hard",
            "max_points": 7,
            "active": "false",
        },
        {
            "topic": "Empty",
            "topic_description": "",
            "topic_minutes": 10,
            "question": "",
            "reference_answer": "",
            "difficulty": "",
            "max_points": "",
            "active": "",
        },
    ]
    parsed = bulk.read_bank(bulk.write_bank(rows, fmt), fmt)
    assert parsed.ok, parsed.errors
    first, second = parsed.rows
    assert first.question == '=1+1, or "what"?'
    assert first.reference_answer == "Line one\nline two"
    assert (first.difficulty, first.max_points, first.active) == ("hard", 7, False)
    assert (second.topic, second.question) == ("Empty", "")


def test_the_json_export_puts_one_row_per_line() -> None:
    row = dict.fromkeys(bulk.COLUMNS, "x")
    body = bulk.write_bank([row] * 2, "json").decode()
    assert body.splitlines() == ["[", json.dumps(row) + ",", json.dumps(row), "]"]
