"""The report as files: an Excel workbook with one sheet per table, and CSV.

Both write the tables of ``reports.queries.build_report`` as they are, so every number is
the page's. Headers are in the reader's language (the request's, active while they are
built). Text typed by people (position titles, vendor and interviewer names) never runs as a
formula: in the CSV such a cell gets a leading apostrophe (``config.spreadsheet_safety``);
in the workbook it is stored as a text cell, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from config.spreadsheet_safety import FORMULA_STARTS, neutralise
from reports.queries import TABLES, Report, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# A sheet's name: at most 31 characters, none of these.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def table_lines(table: Table) -> list[list[Any]]:
    """The table as lines of cells: its header, its rows, its total."""
    lines: list[list[Any]] = [[table.label_header, *table.columns]]
    lines += [[row.label, *row.values] for row in table.all_rows]
    return lines


def _sheet_name(title: str) -> str:
    return title.translate(_SHEET_FORBIDDEN)[:31] or "Sheet"


def _append(sheet: Worksheet, values: Iterable[Any]) -> None:
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"  # text as written: openpyxl would take "=…" for a formula


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table.title))
        for line in table_lines(table):
            _append(sheet, line)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        if table.total is not None:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        sheet.column_dimensions["A"].width = 32
        for column in sheet.iter_cols(min_col=2, max_row=1):
            header = column[0]
            sheet.column_dimensions[header.column_letter].width = max(
                10, min(36, len(str(header.value)) + 2)
            )
    about = book.create_sheet(_sheet_name(pgettext("report", "About")))
    for line in about_lines(report):
        _append(about, line)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def about_lines(report: Report) -> list[list[Any]]:
    """What the workbook covers: the filters, and each table's definition."""
    filters = report.filters
    lines: list[list[Any]] = [
        [pgettext("report", "From"), filters.start.isoformat()],
        [pgettext("report", "To"), filters.end.isoformat()],
        [pgettext("report", "Time zone"), str(filters.zone)],
        [
            pgettext("report", "Position"),
            filters.position.title if filters.position else pgettext("report", "All positions"),
        ],
        [
            pgettext("report", "Vendor"),
            filters.vendor.name if filters.vendor else pgettext("report", "All vendors"),
        ],
    ]
    lines += [[table.title, table.note] for table in report.tables]
    return lines


# The tables the CSV may hold (``?table=``); without one: the funnel and the status table.
CSV_TABLES = tuple(TABLES)
CSV_DEFAULT = ("funnel", "status")


def report_csv(report: Report, tables: Iterable[str] = CSV_DEFAULT) -> str:
    """The chosen tables one after another; more than one: each under a line with its title,
    a blank line between them."""
    keys = list(tables)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, key in enumerate(keys):
        table = report.table(key)
        if index:
            writer.writerow([])
        if len(keys) > 1:
            writer.writerow([neutralise(table.title)])
        for line in table_lines(table):
            writer.writerow(["" if value is None else neutralise(value) for value in line])
    return buffer.getvalue()
