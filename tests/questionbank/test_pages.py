"""The editors' pages: import (check, import, progress-friendly fragment) and export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from questionbank import bulk
from questionbank.models import Question, Topic
from tests.questionbank.conftest import snapshot

pytestmark = pytest.mark.django_db

HEADER = (
    "topic,topic_description,topic_minutes,question,reference_answer,difficulty,max_points,active\n"
)


def upload(body: bytes, name: str = "bank.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


@pytest.mark.parametrize(
    "url", ["/questions/import/", "/questions/export.csv", "/questions/adhoc/"]
)
def test_only_question_editors_open_the_bank_pages(
    client: Client, url, editor, lead, manager
) -> None:  # noqa: ANN001
    assert client.get(url).status_code == 302  # to the login page
    for person in (lead, manager):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_the_navigation_offers_the_bank_pages_to_editors_only(client: Client, editor, lead) -> None:  # noqa: ANN001
    client.force_login(lead)
    assert "/questions/import/" not in client.get("/").content.decode()
    client.force_login(editor)
    page = client.get("/").content.decode()
    assert "/questions/import/" in page and "/questions/adhoc/" in page


def test_check_reports_without_changing_and_import_applies(client: Client, editor, bank) -> None:  # noqa: ANN001
    client.force_login(editor)
    body = (HEADER + "Go,Concurrency,10,Goroutines?,Green threads,,,\n").encode()
    before = snapshot()
    checked = client.post("/questions/import/", {"file": upload(body), "mode": "check"})
    assert checked.status_code == 200
    assert "Importing it would" in checked.content.decode()
    assert snapshot() == before

    imported = client.post("/questions/import/", {"file": upload(body), "mode": "import"})
    assert imported.status_code == 200
    assert "Imported." in imported.content.decode()
    assert Question.objects.filter(text="Goroutines?", topic__name="Go").exists()


def test_a_bad_row_is_named_on_the_page_and_nothing_changes(client: Client, editor, bank) -> None:  # noqa: ANN001
    client.force_login(editor)
    before = snapshot()
    body = (HEADER + "Go,,,Goroutines?,,,,\n" + "Go,,,Channels?,,,,perhaps\n").encode()
    response = client.post("/questions/import/", {"file": upload(body), "mode": "import"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "1 problem found; nothing was changed." in page
    assert (
        '<th scope="row">3</th><td>error</td><td>active must be true or false, not perhaps.</td>'
        in page
    )
    assert snapshot() == before


def test_the_script_gets_the_report_alone_for_the_progress_page(
    client: Client, editor, bank
) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = client.get("/questions/import/").content.decode()
    assert 'id="import-progress"' in page and "questionbank/import.js" in page
    response = client.post(
        "/questions/import/",
        {"file": upload((HEADER + "Go,,,Goroutines?,,,,\n").encode()), "mode": "check"},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    fragment = response.content.decode()
    assert "<html" not in fragment and "Importing it would" in fragment


def test_the_upload_script_reports_upload_progress() -> None:
    from django.contrib.staticfiles import finders

    script = open(finders.find("questionbank/import.js"), encoding="utf-8").read()
    assert 'upload.addEventListener("progress"' in script


def test_a_file_of_another_kind_is_refused(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    response = client.post("/questions/import/", {"file": upload(b"x", "bank.txt")})
    assert response.status_code == 400
    assert "Choose a .csv, .json or .xlsx file." in response.content.decode()


def test_a_5000_question_workbook_imports_through_the_page(client: Client, editor) -> None:  # noqa: ANN001
    rows = [
        {
            "topic": f"Topic {n % 40}",
            "topic_description": "",
            "topic_minutes": 10,
            "question": f"Question {n}?",
            "reference_answer": f"Answer {n}",
            "difficulty": "medium",
            "max_points": 5,
            "active": "true",
        }
        for n in range(5000)
    ]
    body = bulk.write_bank(rows, "xlsx")
    client.force_login(editor)
    response = client.post(
        "/questions/import/", {"file": upload(body, "bank.xlsx"), "mode": "import"}
    )
    assert response.status_code == 200, response.content[:500]
    assert Question.objects.count() == 5000 and Topic.objects.count() == 40


@pytest.mark.parametrize("fmt", bulk.FORMATS)
def test_export_downloads_every_format(client: Client, editor, bank, fmt) -> None:  # noqa: ANN001
    client.force_login(editor)
    response = client.get(f"/questions/export.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == bulk.CONTENT_TYPES[fmt]
    assert f'.{fmt}"' in response["Content-Disposition"]
    parsed = bulk.read_bank(response.content, fmt)
    assert parsed.ok and len(parsed.rows) == 5  # four questions and the empty topic
    assert client.get("/questions/export.txt").status_code == 404


def test_the_xlsx_export_keeps_formula_like_text_as_text(client: Client, editor) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from tests.factories import QuestionFactory

    QuestionFactory(text='=HYPERLINK("http://evil")')
    client.force_login(editor)
    book = load_workbook(io.BytesIO(client.get("/questions/export.xlsx").content))
    cell = book.active.cell(row=2, column=4)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
