"""The search page in Russian and in English (issue 13): the interface follows the browser's
language, counts take Russian's three plural forms, and the search box has a visible label."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import TopicFactory, UserFactory
from tests.questionbank.languages import cyrillic_leaks, english_leaks, interface_text
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db

RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

ENGLISH_INTERFACE = [
    "Search", "Search for", "result", "results", "for", "Candidates", "Candidate", "People",
    "Topics", "Questions", "Sessions", "Nothing found", "created", "retired",
]  # fmt: skip


@pytest.fixture
def found(lead, ann):  # noqa: ANN001, ANN201
    session = make_session(lead, [ann])  # candidate "Carla Candidate"
    UserFactory(username="carlos", first_name="Carlos", last_name="Reyes", roles=["manager"])
    return session


def content(session) -> list[str]:  # noqa: ANN001
    candidate = session.candidate
    return [
        candidate.full_name,
        candidate.email,
        session.code,
        "Carlos Reyes",
        "carlos@example.com",
        "carlos",
        "carl",
    ]


def test_the_results_in_russian(client: Client, found, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    page = client.get("/search/", {"q": "carl"}, **RU).content.decode()
    text = interface_text(page, content(found))
    for words in [
        "Поиск",
        "Поиск кандидатов, людей, вакансий, кадровых агентств, тем, вопросов и собеседований",
        "По запросу « » найдено 3 результата.",  # the query is content: taken out
        "Кандидаты (1 результат)",
        "Люди (1 результат)",
        "создан",  # the candidate's status
    ]:
        assert words in text, words
    assert text.count("(1 результат)") == 3
    assert english_leaks(text, ENGLISH_INTERFACE) == []


def test_nothing_found_in_russian(client: Client, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    page = client.get("/search/", {"q": "zzzq"}, **RU).content.decode()
    text = interface_text(page, ["zzzq"])
    assert "По запросу « » ничего не найдено." in text
    assert english_leaks(text, ENGLISH_INTERFACE) == []


@pytest.mark.parametrize(
    ("n", "group", "total"),
    [
        (1, "Темы (1 результат)", "найден 1 результат"),
        (3, "Темы (3 результата)", "найдено 3 результата"),
        (5, "Темы (5 результатов)", "найдено 5 результатов"),
    ],
)
def test_russian_counts_take_three_plural_forms(client: Client, editor, n, group, total) -> None:  # noqa: ANN001
    for number in range(n):
        TopicFactory(name=f"Kelp farming {number}")
    client.force_login(editor)
    page = client.get("/search/", {"q": "kelp"}, **RU).content.decode()
    text = interface_text(page)
    assert group in text and total in text


def test_the_results_in_english_have_no_cyrillic_interface(client: Client, found, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    page = client.get("/search/", {"q": "carl"}, **EN).content.decode()
    text = interface_text(page, content(found))
    assert "3 results for “ ”." in text and "Candidates (1 result)" in text
    assert cyrillic_leaks(text) == []


def test_the_search_box_is_labelled(client: Client, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    page = client.get("/search/", {"q": "x"}, **RU).content.decode()
    main = re.search(r"<main\b.*</main>", page, re.S).group(0)
    assert '<label for="search-q">' in main and 'id="search-q"' in main
