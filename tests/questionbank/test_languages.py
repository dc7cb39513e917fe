"""The bank's pages in Russian and in English (issue 13): with ``Accept-Language: ru`` the
import report and the ad-hoc review speak Russian (none of the English interface words below
show), in English no Cyrillic interface text shows; counts take the right plural form; and
the forms tie their errors to their fields."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from questionbank import bulk
from tests.questionbank.languages import cyrillic_leaks, english_leaks, interface_text

pytestmark = pytest.mark.django_db

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# English interface words of these pages; none may show on the Russian page.
ENGLISH_INTERFACE = [
    "Import", "Export", "Check", "Columns", "The file is fine", "Importing", "Imported",
    "Bank file", "topic", "topics", "question", "questions", "create", "update", "add",
    "leave", "unchanged", "Error", "problem", "problems", "Line", "Reason", "Status", "error",
    "whole file", "Questions typed live", "Interviewers", "Accept into the bank", "Dismiss",
    "Question", "Reference answer", "Difficulty", "Max points", "asked by", "in session",
    "easy", "medium", "hard", "waits", "wait", "review", "Nothing",
    "Uploading", "upload", "nothing was changed", "must", "longer than",
]  # fmt: skip

HEADER = ",".join(bulk.COLUMNS) + "\n"
GOOD = (
    HEADER
    + "Базы данных,Индексы,10,Что такое индекс?,Структура поиска,easy,5,true\n"
    + "Базы данных,,,Зачем нужен VACUUM?,,,,\n"
    + "Go,,,Goroutines?,Green threads,,,\n"
).encode()
GOOD_CONTENT = ["Базы данных", "Индексы", "Что такое индекс?", "Структура поиска"]
GOOD_CONTENT += ["Зачем нужен VACUUM?", "Goroutines?", "Green threads", "Go"]
BAD = (HEADER + "Go,,,Goroutines?,,,,perhaps\n" + "Go,,,Channels?,,,99x,\n").encode()


def upload(body: bytes, name: str = "bank.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/octet-stream")


def check(client: Client, body: bytes, headers: dict[str, str], name: str = "bank.csv") -> str:
    response = client.post(
        "/questions/import/", {"file": upload(body, name), "mode": "check"}, **headers
    )
    return response.content.decode()


# --- the import page --------------------------------------------------------------------


def test_the_import_check_result_in_russian(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = check(client, GOOD, RU)
    text = interface_text(page, GOOD_CONTENT)
    for words in [
        "Импорт тем и вопросов",
        "Файл банка вопросов",
        "Проверить",
        "Импортировать",
        "Файл в порядке. Импорт:",
        "создаст 2 темы",
        "добавит 3 вопроса",
        "оставит без изменений 0 вопросов",
        "Экспорт",
        "Столбцы:",
    ]:
        assert words in text, words
    assert english_leaks(text, ENGLISH_INTERFACE) == []


def test_the_import_errors_in_russian(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    text = interface_text(check(client, BAD, RU), ["Goroutines?", "Channels?", "Go", "99x"])
    assert "Ошибка: найдены 2 проблемы; ничего не изменено." in text
    assert "active должно быть true или false, а не perhaps." in text
    assert "max_points должно быть целым числом, а не" in text
    for words in ["Строка", "Статус", "Причина", "ошибка"]:
        assert words in text, words
    leaks = english_leaks(text, ENGLISH_INTERFACE)
    assert leaks == []


def test_the_import_page_in_english_has_no_cyrillic_interface(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = check(client, GOOD, EN)
    text = interface_text(page, GOOD_CONTENT)
    assert "The file is fine. Importing it would:" in text and "add 3 questions" in text
    assert cyrillic_leaks(text) == []
    bad = interface_text(check(client, BAD, EN), ["Goroutines?", "Channels?", "Go"])
    assert "Error: 2 problems found; nothing was changed." in bad
    assert cyrillic_leaks(bad) == []


def test_the_imported_counts_after_applying(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    response = client.post("/questions/import/", {"file": upload(GOOD), "mode": "import"}, **RU)
    text = interface_text(response.content.decode(), GOOD_CONTENT)
    assert "Импорт выполнен." in text
    assert "Созданы 2 темы" in text and "Добавлены 3 вопроса" in text


@pytest.mark.parametrize(
    ("n", "topics", "questions", "unchanged"),
    [
        (1, "создаст 1 тему", "добавит 1 вопрос", "оставит без изменений 1 вопрос"),
        (3, "создаст 3 темы", "добавит 3 вопроса", "оставит без изменений 3 вопроса"),
        (5, "создаст 5 тем", "добавит 5 вопросов", "оставит без изменений 5 вопросов"),
        (21, "создаст 21 тему", "добавит 21 вопрос", "оставит без изменений 21 вопрос"),
        (12, "создаст 12 тем", "добавит 12 вопросов", "оставит без изменений 12 вопросов"),
    ],
)
def test_russian_counts_take_three_plural_forms(n, topics, questions, unchanged) -> None:  # noqa: ANN001
    report = SimpleNamespace(
        ok=True,
        applied=False,
        errors=[],
        topics_created=n,
        topics_updated=n,
        questions_created=n,
        questions_updated=n,
        questions_unchanged=n,
    )
    with translation.override("ru"):
        html = render_to_string("questionbank/_import_report.html", {"report": report})
        errors = [bulk.RowError(line, "…") for line in range(1, n + 1)]
        failed = render_to_string(
            "questionbank/_import_report.html",
            {"report": SimpleNamespace(ok=False, applied=False, errors=errors)},
        )
        columns = bulk.read_bank(b"", "parquet").errors[0].reason  # any gettext at all
    for words in (topics, questions, unchanged):
        assert words in html, (n, words)
    problems = {1: "найдена 1 проблема", 3: "найдены 3 проблемы", 5: "найдено 5 проблем"}
    if n in problems:
        assert problems[n] in failed
    assert columns == "Неизвестный формат parquet."


def test_the_file_field_error_is_tied_to_the_field(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = check(client, b"x", RU, name="bank.txt")
    field = re.search(r'<input[^>]*name="file"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_file_error"' in field
    assert re.search(r'id="id_file_error"[^>]*><li>Выберите файл .csv, .json или .xlsx.', page)
    assert '<label for="id_file">Файл банка вопросов (.csv, .json или .xlsx):</label>' in page


def test_the_errors_table_has_a_caption_headers_and_a_text_status(client: Client, editor) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = check(client, BAD, EN)
    table = re.search(r'<table class="import-errors">.*?</table>', page, re.S).group(0)
    assert "<caption>Rows the import refused, with the reason for each</caption>" in table
    assert table.count('<th scope="col">') == 3
    rows = re.findall(r'<tr class="bad-row">.*?</tr>', table, re.S)
    assert len(rows) == 2 and all("<td>error</td>" in row for row in rows)  # not colour only


# --- the ad-hoc review ------------------------------------------------------------------


def adhoc_content(asked) -> list[str]:  # noqa: ANN001
    session = asked.session
    return [
        asked.text,
        asked.topic.name,
        asked.owner.display_name,
        session.code,
        session.candidate.full_name,
    ]


def test_the_adhoc_list_in_russian(client: Client, editor, typed_live) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = client.get("/questions/adhoc/", **RU).content.decode()
    text = interface_text(page, adhoc_content(typed_live))
    for words in [
        "Вопросы, добавленные во время собеседований",
        "1 вопрос ждёт проверки.",
        "Вопрос",
        "Эталонный ответ",
        "Сложность",
        "Максимум баллов",
        "средний",
        "Принять в банк",
        "Отклонить",
        "на собеседовании",
    ]:
        assert words in text, words
    assert english_leaks(text, ENGLISH_INTERFACE) == []


def test_the_adhoc_list_in_english_has_no_cyrillic_interface(
    client: Client, editor, typed_live
) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = client.get("/questions/adhoc/", **EN).content.decode()
    text = interface_text(page, adhoc_content(typed_live))
    assert "Accept into the bank" in text and "1 question waits for review." in text
    assert cyrillic_leaks(text) == []


def test_a_refused_accept_shows_the_errors_at_their_fields(
    client: Client, editor, typed_live
) -> None:  # noqa: ANN001
    client.force_login(editor)
    prefix = f"q{typed_live.pk}"
    response = client.post(
        f"/questions/adhoc/{typed_live.pk}/accept/",
        {f"{prefix}-text": "", f"{prefix}-difficulty": "medium", f"{prefix}-max_points": "0"},
        **RU,
    )
    assert response.status_code == 400
    page = response.content.decode()
    for name in ("text", "max_points"):
        field_id = f"id_{prefix}-{name}"
        widget = re.search(rf'<(?:textarea|input)[^>]*id="{field_id}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in widget, name
        assert f'aria-describedby="{field_id}_error"' in widget, name
        assert f'id="{field_id}_error"' in page, name
        assert f'<label for="{field_id}">' in page, name
    assert "autofocus" in re.search(rf'<textarea[^>]*id="id_{prefix}-text"[^>]*>', page).group(0)
    assert "Обязательное поле." in page
    assert "Вопрос не принят: исправьте отмеченные поля." in page
    typed_live.refresh_from_db()
    assert not typed_live.reviewed


# --- the admin (labels of the models, the bank's own actions and pages) ----------------------


def test_the_bank_admin_in_russian(client: Client, editor, bank) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = client.get("/admin/questionbank/question/", **RU).content.decode()
    for words in [
        "Вывести выбранные вопросы из оборота",
        "Тема",
        "Сложность",
        "Максимум баллов",
        "Впервые задан",
        "лёгкий",
        "сложный",
    ]:
        assert words in page, words
    for words in ["Retire selected", "Max points", "First used", ">easy<", ">hard<"]:
        assert words not in page, words
    topics = client.get("/admin/questionbank/topic/", **RU).content.decode()
    assert "Активных вопросов" in topics and "Минут по умолчанию" in topics


def test_a_used_question_refuses_deletion_in_russian(client: Client, editor, bank) -> None:  # noqa: ANN001
    from questionbank.models import Question

    used = Question.objects.get(text="What was MyISAM?")
    client.force_login(editor)
    response = client.get(f"/admin/questionbank/question/{used.pk}/delete/", **RU)
    assert response.status_code == 409
    page = response.content.decode()
    assert "уже задавался на собеседовании (впервые —" in page
    assert "Он уже выведен из оборота." in page
