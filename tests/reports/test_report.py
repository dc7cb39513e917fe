"""The statistics page /reports/ and its downloads against a hand-built month: the page shows
the numbers worked out by hand, the .xlsx (read back with openpyxl) and the CSV hold the
same, the period follows the viewer's time zone, interviewers get 403."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from candidates import services as candidates
from reports import queries
from tests.factories import UserFactory
from tests.reports.helpers import (
    END,
    EXPECTED_STAGES,
    START,
    build_month,
    expected,
    expected_interviewers,
)

pytestmark = pytest.mark.django_db

MARCH = {"start": START, "end": END}
TABLES = ("funnel", "status", "vendor", "interviewers", "stages")


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def month(recruiter, manager, ann, lead, bob):  # noqa: ANN001, ANN201
    return build_month(recruiter, manager, ann, lead, bob)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _number(text: str) -> Any:
    if text == "":
        return None
    return float(text) if "." in text else int(text)


def page_tables(html: str) -> dict[str, dict[str, list[Any]]]:
    """table key → row key → the numbers as the page states them (data-value, as stored)."""
    tables: dict[str, dict[str, list[Any]]] = {}
    for key, body in re.findall(r'<table id="table-(\w+)".*?>(.*?)</table>', html, re.S):
        rows = {}
        for row_key, cells in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', body, re.S):
            rows[row_key] = [_number(v) for v in re.findall(r'data-value="([^"]*)"', cells)]
        tables[key] = rows
    return tables


def page_labels(html: str) -> dict[str, list[str]]:
    """table key → the row labels in their order (the total's last)."""
    return {
        key: re.findall(r'<th scope="row">(.*?)</th>', body, re.S)
        for key, body in re.findall(r'<table id="table-(\w+)".*?>(.*?)</table>', html, re.S)
    }


def test_the_page_shows_the_hand_built_numbers(month, recruiter, ann, lead, bob) -> None:  # noqa: ANN001
    response = _client(recruiter).get("/reports/", MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    tables = page_tables(html)
    assert set(tables) == set(TABLES)
    for key, rows in expected(month).items():
        assert tables[key] == rows, key
    assert tables["interviewers"] == expected_interviewers(ann, lead, bob)
    assert tables["stages"] == EXPECTED_STAGES
    labels = page_labels(html)
    assert labels["funnel"] == ["Backend engineer", "Data analyst", "No position", "All candidates"]
    assert labels["vendor"] == ["Acme Talent", "Referral", "Direct", "All candidates"]
    assert labels["interviewers"] == ["Ann Panel", "Bob Panel", "Lena Lead", "All interviewers"]
    # The definitions stand on the page, and the chart reads the funnel's total from a data
    # island (no inline script).
    assert "further along" in html and "whatever the period" in html
    island = re.search(r'<script id="funnel-data" type="application/json">(.*?)</script>', html)
    assert island is not None and '"values": [3, 3, 3, 1, 1]' in island.group(1)
    assert re.search(r"<script(?![^>]*(src=|application/json))", html) is None


def test_position_and_vendor_filters_narrow_every_table(month, recruiter, ann) -> None:  # noqa: ANN001
    client = _client(recruiter)
    on_backend = page_tables(
        client.get("/reports/", {**MARCH, "position": month.backend.pk}).content.decode()
    )
    backend = str(month.backend.pk)
    assert on_backend["funnel"] == {backend: [2, 3, 3, 1, 1], "total": [2, 3, 3, 1, 1]}
    assert on_backend["status"] == {
        backend: [0, 1, 0, 0, 1, 1, 0, 3],
        "total": [0, 1, 0, 0, 1, 1, 0, 3],
    }
    assert on_backend["interviewers"]["total"] == [4, 1, 2, 1, 50.0]
    from_acme = page_tables(
        client.get("/reports/", {**MARCH, "vendor": month.acme.pk}).content.decode()
    )
    assert from_acme["funnel"] == {backend: [0, 1, 1, 0, 0], "total": [0, 1, 1, 0, 0]}
    assert from_acme["vendor"] == {
        f"vendor:{month.acme.pk}": [1, 1, 0, 0, 0, 0, 0, 2],
        "total": [1, 1, 0, 0, 0, 0, 0, 2],
    }
    # Only c1 came from Acme: Ann's 7 of 10, Lena's panel still to hold, Bob's cancelled.
    assert from_acme["interviewers"] == {
        str(ann.pk): [1, 0, 1, 0, 70.0],
        str(month.c1.rounds.get(order=1).interviewer_id): [1, 1, 0, 0, None],
        str(month.c1.rounds.get(order=2).interviewer_id): [1, 0, 0, 1, None],
        "total": [3, 1, 1, 1, 70.0],
    }
    assert from_acme["stages"]["created"] == [1, 9.0, 9.0]


def test_the_excel_workbook_has_the_pages_numbers(month, recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    page = page_tables(client.get("/reports/", MARCH).content.decode())
    response = client.get("/reports/export.xlsx", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="roundtable-report-2026-03-01-2026-03-31.xlsx"' in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Funnel",
        "By status",
        "By vendor",
        "Interviewers",
        "Stage times",
        "About",
    ]
    report = queries.build_report(
        queries.Filters(
            start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date(), zone=UTC
        )
    )
    for key, sheet_name in zip(TABLES, book.sheetnames, strict=False):
        sheet = book[sheet_name]
        lines = list(sheet.iter_rows(values_only=True))
        table = report.table(key)
        assert list(lines[0]) == [table.label_header, *table.columns]
        # The same numbers in the same order as the page's rows (the total last).
        assert [list(line[1:]) for line in lines[1:]] == list(page[key].values()), key
        assert [line[0] for line in lines[1:]] == [row.label for row in table.all_rows]
    assert book["Funnel"]["A1"].value == "Position" and book["Funnel"]["B1"].value == "Created"
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["From"] == START and about["To"] == END and about["Time zone"] == "UTC"


def test_the_csv_holds_the_funnel_and_the_statuses_or_the_table_asked_for(month, recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    page = page_tables(client.get("/reports/", MARCH).content.decode())
    response = client.get("/reports/export.csv", MARCH)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    blank = lines.index([])
    funnel, status = lines[:blank], lines[blank + 1 :]
    assert funnel[0] == ["Funnel"] and status[0] == ["By status"]
    assert funnel[1] == ["Position", "Created", "Scheduled", "Interviewed", "Selected", "Hired"]
    assert [[int(v) for v in line[1:]] for line in funnel[2:]] == list(page["funnel"].values())
    assert [[int(v) for v in line[1:]] for line in status[2:]] == list(page["status"].values())
    only = client.get("/reports/export.csv", {**MARCH, "table": "stages"})
    stages = list(csv.reader(io.StringIO(only.content.decode())))
    assert stages[0] == ["Stage", "Stays ended in the period", "Median, days", "Mean, days"]
    assert stages[1:4] == [["Created", "4", "1.0", "3.0"], ["Scheduled", "3", "2.0", "2.0"],
                           ["Interviewing", "3", "1.0", "3.7"]]  # fmt: skip
    wrong = client.get("/reports/export.csv", {**MARCH, "table": "salaries"})
    assert wrong.status_code == 400 and "salaries" in wrong.content.decode()


def test_the_period_is_whole_days_in_the_viewers_zone(roles) -> None:  # noqa: ANN001
    """31 Mar 20:00 UTC is already 1 Apr in Tokyo: March for a viewer in UTC, April in Tokyo."""
    utc = UserFactory(username="ursula", roles=["manager"], time_zone="UTC")
    tokyo = UserFactory(username="taro", roles=["manager"], time_zone="Asia/Tokyo")
    with time_machine.travel(datetime(2026, 3, 31, 20, 0, tzinfo=UTC), tick=False):
        candidates.candidate_create(
            by=utc, fields={"full_name": "Late Lara", "email": "l@example.com"}
        )

    def created(user: Any, start: str, end: str) -> int:
        html = _client(user).get("/reports/", {"start": start, "end": end}).content.decode()
        return page_tables(html)["funnel"]["total"][0]

    assert created(utc, "2026-03-31", "2026-03-31") == 1
    assert created(tokyo, "2026-03-31", "2026-03-31") == 0
    assert created(tokyo, "2026-04-01", "2026-04-01") == 1
    assert created(utc, "2026-04-01", "2026-04-01") == 0


def test_spreadsheet_formulas_typed_by_people_never_run(recruiter, roles) -> None:  # noqa: ANN001
    evil = '=HYPERLINK("http://evil.example/","open me")'
    position = candidates.position_create(by=recruiter, fields={"title": "+SUM(1,2)"})
    vendor = candidates.vendor_create(fields={"name": evil})
    candidates.candidate_create(
        by=recruiter,
        fields={"full_name": "Ivy", "email": "ivy@example.com"},
        positions=[position],
        source="vendor",
        vendor=vendor,
    )
    client = _client(recruiter)
    lines = list(csv.reader(io.StringIO(client.get("/reports/export.csv").content.decode())))
    labels = [line[0] for line in lines if line]
    assert "'+SUM(1,2)" in labels and "+SUM(1,2)" not in labels
    assert not [cell for line in lines for cell in line if cell[:1] in ("=", "+", "-", "@")]
    by_vendor = client.get("/reports/export.csv", {"table": "vendor"}).content.decode()
    assert next(csv.reader(io.StringIO(by_vendor.splitlines()[1])))[0] == "'" + evil
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").content))
    cell = book["By vendor"]["A2"]
    assert cell.value == evil and cell.data_type == "s"  # text, not a formula
    assert book["Funnel"]["A2"].value == "+SUM(1,2)" and book["Funnel"]["A2"].data_type == "s"


def test_interviewers_and_strangers_may_not_read_the_reports(ann, manager) -> None:  # noqa: ANN001
    for path in ("/reports/", "/reports/export.xlsx", "/reports/export.csv"):
        assert _client(ann).get(path).status_code == 403
        anonymous = Client().get(path)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        assert _client(manager).get(path).status_code == 200
    assert 'href="/reports/"' in _client(manager).get("/").content.decode()
    assert 'href="/reports/"' not in _client(ann).get("/").content.decode()


def test_wrong_filters_are_refused_clearly(recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    backwards = client.get("/reports/", {"start": "2026-03-31", "end": "2026-03-01"})
    assert backwards.status_code == 400
    assert "The period ends before it starts." in backwards.content.decode()
    assert 'id="table-funnel"' not in backwards.content.decode()
    unknown = client.get("/reports/export.xlsx", {"position": "999999"})
    assert unknown.status_code == 400 and "Position" in unknown.content.decode()
    assert client.get("/reports/", {"start": "not a date"}).status_code == 400


def test_russian_page_and_workbook(month, roles) -> None:  # noqa: ANN001
    reader = UserFactory(username="rustam", roles=["recruiter"], language="ru")
    client = _client(reader)
    html = client.get("/reports/", MARCH).content.decode()
    assert "Отчёты по найму" in html and "Воронка" in html and "Прошли собеседование" in html
    assert page_tables(html)["funnel"]["total"] == [3, 3, 3, 1, 1]
    # A date field takes YYYY-MM-DD whatever the language (not the Russian 01.03.2026).
    assert 'name="start" value="2026-03-01"' in html and 'value="2026-03-31"' in html
    book = load_workbook(io.BytesIO(client.get("/reports/export.xlsx", MARCH).content))
    assert book.sheetnames == [
        "Воронка",
        "По статусам",
        "По поставщикам",
        "Интервьюеры",
        "Время на этапах",
        "О файле",
    ]
    assert book["Воронка"]["A1"].value == "Вакансия"
    assert book["Воронка"]["B1"].value == "Созданы"
    assert [c.value for c in book["Воронка"][book["Воронка"].max_row]][0] == "Все кандидаты"
