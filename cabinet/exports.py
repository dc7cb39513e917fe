"""The weekly statistics as one table, for CSV and Excel: the same rows in both."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cabinet.selectors import WeeklyStats
from config.spreadsheet_safety import neutralise


def stats_table(stats: WeeklyStats) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("ISO week"),
        _("Week starts"),
        _("Sessions held"),
        _("Hires"),
        *[_("Hires: %(team)s") % {"team": team} for team in stats.teams],
        _("Rejections"),
        *[_("Rejections: %(reason)s") % {"reason": reason} for reason in stats.reasons],
    ]
    rows: list[list[Any]] = []
    for week in [*stats.weeks, stats.totals]:
        rows.append(
            [
                week.week or _("Total"),
                week.monday.isoformat() if week.week else "",
                week.sessions,
                week.hired,
                *[week.hires.get(team, 0) for team in stats.teams],
                week.rejected,
                *[week.rejections.get(reason, 0) for reason in stats.reasons],
            ]
        )
    return header, rows


def stats_csv(stats: WeeklyStats) -> str:
    header, rows = stats_table(stats)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(value) for value in header])
    writer.writerows([[neutralise(value) for value in row] for row in rows])
    return buffer.getvalue()


def stats_xlsx(stats: WeeklyStats) -> bytes:
    header, rows = stats_table(stats)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Weekly")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "C2"
    for column in sheet.columns:
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(str(column[0].value)) + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
