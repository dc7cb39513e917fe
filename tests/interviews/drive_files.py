"""Files for the drive tests: spreadsheets written with openpyxl or csv, small real PDFs."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from interviews.drives import XLSX_CONTENT_TYPE

HEADER = ["Full name", "E-mail", "Phone", "Source", "Vendor", "Tags", "Resume"]


def pdf(text: str = "resume") -> bytes:
    return f"%PDF-1.4\n1 0 obj<<>>endobj\n% {text}\ntrailer<<>>\n%%EOF\n".encode()


def people(count: int, *, resumes: bool = True) -> list[list[Any]]:
    """``count`` rows of distinct candidates (the resume column names ``cv-<n>.pdf``)."""
    return [
        [
            f"Candidate {n:02d}",
            f"candidate{n:02d}@example.com",
            f"+7 900 000-00-{n:02d}",
            "direct",
            "",
            "drive, backend",
            f"cv-{n:02d}.pdf" if resumes else "",
        ]
        for n in range(1, count + 1)
    ]


def xlsx(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def sheet_upload(data: bytes, name: str = "drive.xlsx") -> SimpleUploadedFile:
    kind = XLSX_CONTENT_TYPE if name.endswith(".xlsx") else "text/csv"
    return SimpleUploadedFile(name, data, content_type=kind)


def resume_uploads(count: int, *, start: int = 1) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f"cv-{n:02d}.pdf", pdf(f"cv {n}"), content_type="application/pdf")
        for n in range(start, start + count)
    ]
