"""Formula cells are neutralised in every CSV the app writes; wide or tall sheets are refused
before their rows are built."""

from __future__ import annotations

import csv
import io
import tracemalloc

from openpyxl import Workbook

from questionbank import bulk


def _row(question: str, topic: str = "SQL") -> dict[str, object]:
    return {name: "" for name in bulk.COLUMNS} | {"topic": topic, "question": question}


def test_bank_csv_neutralises_formulas_and_reads_back_the_same_text() -> None:
    dangerous = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-list item", "\tcmd"]
    data = bulk.write_bank([_row(text) for text in dangerous], "csv")
    cells = [row["question"] for row in csv.DictReader(io.StringIO(data.decode()))]
    assert all(cell.startswith("'") for cell in cells), cells
    parsed = bulk.read_bank(data, "csv")
    assert not parsed.errors
    assert [row.question for row in parsed.rows] == [t.strip() for t in dangerous]


def test_statistics_csv_neutralises_header_and_cells() -> None:
    from config.spreadsheet_safety import neutralise

    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("Backend") == "Backend"
    assert neutralise(3) == 3


def _sheet_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_sheet_with_a_cell_at_column_xfd_is_refused_without_building_rows() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["topic", "question"])
    for number in range(2, 2002):
        sheet.cell(row=number, column=16384, value="x")
    data = _sheet_bytes(book)
    tracemalloc.start()
    parsed = bulk.read_bank(data, "xlsx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert parsed.errors and "columns wide" in parsed.errors[0].reason
    assert not parsed.rows
    assert peak < 30 * 1024 * 1024, peak  # padded rows would be hundreds of MB
