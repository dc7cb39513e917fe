"""Weekly statistics: hires per team, rejections per reason, sessions held, per ISO week, on
screen, as CSV and as .xlsx, all matching a data set built here."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from xml.etree import ElementTree

import openpyxl
import pytest
from django.test import Client

from cabinet.models import Decision
from sessions_live.models import LiveSession
from tests.cabinet.helpers import new_session, topics


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def data_set(lead, manager, platform, payments, weak_sql, no_culture_fit):  # noqa: ANN001, ANN201
    """Three ISO weeks of 2026 (W02 Mon 5 Jan, W03 Mon 12 Jan, W04 Mon 19 Jan) and noise
    outside the range (W01, W05) and a withdrawn decision that must not count."""
    shared = topics(1, questions=1)

    def session(finished: str | None) -> LiveSession:
        made = new_session(lead, [], with_topics=shared)
        if finished:
            LiveSession.objects.filter(pk=made.pk).update(
                finished_at=at(finished), phase="finished"
            )
        return made

    def decide(day, outcome, team=None, reasons=(), reopened=False):  # noqa: ANN001, ANN202
        decision = Decision.objects.create(
            session=session(day),
            outcome=outcome,
            team=team,
            decided_by=manager,
            decided_at=at(day, 15),
            reopened_at=at(day, 16) if reopened else None,
            reopened_by=manager if reopened else None,
        )
        decision.reasons.set(reasons)

    # W02: 2 hires Platform, 1 Payments; 1 rejection (Weak SQL + Culture fit)
    decide("2026-01-05", "hire", platform)
    decide("2026-01-07", "hire", platform)
    decide("2026-01-11", "hire", payments)  # Sunday: still W02
    decide("2026-01-09", "reject", reasons=[weak_sql, no_culture_fit])
    # W03: no decisions, 2 sessions held that were not decided yet
    session("2026-01-12")
    session("2026-01-18")
    # W04: 1 Payments hire; 2 rejections for Weak SQL; one withdrawn hire that does not count
    decide("2026-01-19", "hire", payments)
    decide("2026-01-20", "reject", reasons=[weak_sql])
    decide("2026-01-25", "reject", reasons=[weak_sql])
    decide("2026-01-21", "hire", platform, reopened=True)
    # Outside the range
    decide("2026-01-04", "hire", platform)  # W01 (Sunday)
    decide("2026-01-26", "reject", reasons=[no_culture_fit])  # W05
    session(None)  # never finished: not held
    return {"start": "2026-01-05", "end": "2026-01-25"}


EXPECTED = [
    # week, sessions held, hires, Payments, Platform, rejections, Culture fit, Weak SQL
    ["2026-W02", 4, 3, 1, 2, 1, 1, 1],
    ["2026-W03", 2, 0, 0, 0, 0, 0, 0],
    ["2026-W04", 4, 1, 1, 0, 2, 0, 2],
]
TOTAL = ["Total", 10, 4, 2, 2, 3, 1, 3]
HEADER = [
    "ISO week", "Week starts", "Sessions held", "Hires", "Hires: Payments", "Hires: Platform",
    "Rejections", "Rejections: Culture fit", "Rejections: Weak SQL",
]  # fmt: skip


def test_the_page_shows_the_weekly_numbers_and_charts(client: Client, manager, data_set) -> None:  # noqa: ANN001
    client.force_login(manager)
    body = client.get("/cabinet/stats/", data_set).content.decode()
    for week, sessions, hired, *_rest in EXPECTED:
        assert (
            f'<tr data-week="{week}"><td>{week}</td><td class="sessions">{sessions}</td><td class="hired">{hired}</td>'
            in body
        )
    assert (
        'id="total-sessions">10<' in body
        and 'id="total-hired">4<' in body
        and 'id="total-rejected">3<' in body
    )
    assert "<svg" not in body


def chart_data(body: str, chart: str) -> dict:
    found = re.search(
        rf'<script id="chart-{chart}-data" type="application/json">(.*?)</script>', body
    )
    assert found, chart
    return json.loads(found[1])


def fallback_table(body: str, chart: str) -> tuple[str, list[str], list[list[str]]]:
    """The screen reader's table beside a chart: caption, header cells, body rows."""
    figure = re.search(
        rf'<figure class="chart-figure" id="chart-{chart}">(.*?)</figure>', body, re.S
    )
    assert figure, chart
    hidden = ElementTree.fromstring(
        re.search(r'<div class="cabinet-sr-only">.*?</div>', figure[1], re.S)[0]
    )
    table = hidden.find("table")
    rows = [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]
    return table.find("caption").text, rows[0], rows[1:]


def test_the_charts_get_their_numbers_as_json_and_a_table_beside_them(
    client: Client, manager, data_set
) -> None:  # noqa: ANN001
    client.force_login(manager)
    body = client.get("/cabinet/stats/", data_set).content.decode()
    hires = chart_data(body, "hires")
    assert hires["labels"] == ["2026-W02", "2026-W03", "2026-W04"] and hires["stacked"]
    assert [(s["name"], s["values"]) for s in hires["series"]] == [
        ("Payments", [1, 0, 1]),
        ("Platform", [2, 0, 0]),
    ]
    rejections = chart_data(body, "rejections")
    assert [(s["name"], s["values"]) for s in rejections["series"]] == [
        ("Culture fit", [1, 0, 0]),
        ("Weak SQL", [1, 0, 2]),
    ]
    assert chart_data(body, "sessions")["series"][0]["values"] == [4, 2, 4]
    # Chart.js is served from our static files (no CDN) and run by a module (no inline script).
    assert 'src="/static/vendor/chart.umd.min.js"' in body
    assert 'type="module" src="/static/cabinet/stats.js"' in body
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", body) == []
    assert 'data-x-title="ISO week" data-y-title="Candidates"' in body

    caption, header, rows = fallback_table(body, "hires")
    assert caption == "Hires per team per week"
    assert header == ["ISO week", "Payments", "Platform", "Total"]
    assert rows == [
        ["2026-W02", "1", "2", "3"],
        ["2026-W03", "0", "0", "0"],
        ["2026-W04", "1", "0", "1"],
    ]
    caption, header, rows = fallback_table(body, "rejections")
    assert header == ["ISO week", "Culture fit", "Weak SQL", "Total"] and rows[2] == [
        "2026-W04",
        "0",
        "2",
        "2",
    ]


def test_the_stats_page_in_russian_has_translated_headers_and_axis_titles(
    client: Client, manager, data_set
) -> None:  # noqa: ANN001
    client.force_login(manager)
    body = client.get("/cabinet/stats/", data_set, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    caption, header, _rows = fallback_table(body, "hires")
    assert caption == "Наймы по командам по неделям"
    assert header[0] == "Неделя (ISO)" and header[-1] == "Итого"
    assert 'data-x-title="Неделя (ISO)" data-y-title="Кандидаты"' in body
    assert chart_data(body, "sessions")["series"][0]["name"] == "Проведено собеседований"


def test_the_csv_export_has_the_same_numbers(client: Client, manager, data_set) -> None:  # noqa: ANN001
    client.force_login(manager)
    response = client.get("/cabinet/stats.csv", data_set)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == HEADER
    weeks = [[r[0], *map(int, r[2:])] for r in rows[1:-1]]
    assert weeks == EXPECTED
    assert [rows[-1][0], *map(int, rows[-1][2:])] == TOTAL
    assert [r[1] for r in rows[1:-1]] == ["2026-01-05", "2026-01-12", "2026-01-19"]


def test_the_xlsx_opens_with_openpyxl_with_the_same_numbers(
    client: Client, manager, data_set
) -> None:  # noqa: ANN001
    client.force_login(manager)
    response = client.get("/cabinet/stats.xlsx", data_set)
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert [[r[0], *r[2:]] for r in rows[1:-1]] == EXPECTED  # numbers stay numbers
    assert [rows[-1][0], *rows[-1][2:]] == TOTAL


def test_a_reversed_or_missing_range_still_answers(client: Client, manager, data_set) -> None:  # noqa: ANN001
    client.force_login(manager)
    body = client.get(
        "/cabinet/stats/", {"start": data_set["end"], "end": data_set["start"]}
    ).content.decode()
    assert 'id="total-hired">4<' in body
    assert client.get("/cabinet/stats/").status_code == 200
    assert client.get("/cabinet/stats/", {"start": "nonsense"}).status_code == 200


@pytest.mark.django_db
def test_an_absurd_date_falls_back_to_the_default_range_instead_of_failing(client, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    for url in ("/cabinet/stats/", "/cabinet/stats.csv", "/cabinet/stats.xlsx"):
        response = client.get(url, {"start": "0001-01-01", "end": "0001-01-03"})
        assert response.status_code == 200, url
