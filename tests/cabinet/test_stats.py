"""Weekly statistics: hires per team, rejections per reason, sessions held, per ISO week, on
screen, as CSV and as .xlsx, all matching a data set built here."""

from __future__ import annotations

import csv
import io
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
    charts = re.findall(r"<svg.*?</svg>", body, re.S)
    assert len(charts) == 3 and all(ElementTree.fromstring(svg) is not None for svg in charts)
    assert "2026-W02 · Platform: 2" in body and "2026-W04 · Weak SQL: 2" in body  # chart bars


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
