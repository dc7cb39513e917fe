"""The global search: grouped by kind, with links, showing only what the person may see;
PostgreSQL full-text in production, a plain ``icontains`` fallback elsewhere."""

from __future__ import annotations

import types

import pytest
from django.test import Client

from search import selectors
from tests.factories import QuestionFactory, TopicFactory, UserFactory
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(lead, ann):  # noqa: ANN001, ANN201
    session = make_session(lead, [ann])  # candidate "Carla Candidate"
    topic = TopicFactory(name="Carbon accounting", description="Scopes 1-3")
    QuestionFactory(topic=topic, text="How do you count carbon in a supply chain?")
    UserFactory(username="carlos", first_name="Carlos", last_name="Reyes", roles=["manager"])
    return session


def kinds(user, query: str) -> dict[str, list[str]]:  # noqa: ANN001
    return {
        group.kind: [hit.title for hit in group.hits]
        for group in selectors.search_everything(user=user, query=query)
    }


@pytest.fixture(params=["postgresql", "fallback"])
def engine(request, monkeypatch):  # noqa: ANN001, ANN201
    if request.param == "fallback":  # what SQLite runs: icontains on the same fields
        monkeypatch.setattr(selectors, "connection", types.SimpleNamespace(vendor="sqlite"))
    return request.param


def test_each_kind_is_found_by_the_start_of_a_word(engine, found, manager) -> None:  # noqa: ANN001
    result = kinds(manager, "carl")
    assert result["candidates"] == ["Carla Candidate"]
    assert result["people"] == ["Carlos Reyes"]
    assert result["sessions"] == [found.code]
    assert kinds(manager, "carbon")["topics"] == ["Carbon accounting"]
    assert kinds(manager, "supply chain")["questions"] == [
        "How do you count carbon in a supply chain?"
    ]
    assert kinds(manager, found.code.split("-")[1].lower())["sessions"] == [found.code]


def test_candidates_and_sessions_only_for_members_managers_and_recruiters(
    engine, found, ann, outsider, editor, roles
) -> None:  # noqa: ANN001
    recruiter = UserFactory(username="rita", roles=["recruiter"])
    for person, sees in [(ann, True), (recruiter, True), (outsider, False), (editor, False)]:
        result = kinds(person, "carla")
        assert ("candidates" in result) is sees, person
        assert ("sessions" in result) is sees, person


def test_the_bank_only_for_interviewers_and_editors(engine, found, ann, editor, roles) -> None:  # noqa: ANN001
    recruiter = UserFactory(username="rita", roles=["recruiter"])
    assert "questions" in kinds(ann, "carbon") and "topics" in kinds(editor, "carbon")
    assert set(kinds(recruiter, "carbon")) <= {"people"}


def test_people_for_everyone_logged_in(engine, found, roles) -> None:  # noqa: ANN001
    assert kinds(UserFactory(username="nora"), "reyes") == {"people": ["Carlos Reyes"]}


def test_the_page_groups_hits_with_links(client: Client, found, ann) -> None:  # noqa: ANN001
    client.force_login(ann)
    page = client.get("/search/", {"q": "carla"}).content.decode()
    assert 'data-kind="candidates"' in page and 'data-kind="sessions"' in page
    assert f'href="/s/{found.code}/"' in page  # a member goes to the live page


def test_links_go_where_the_person_may_look(client: Client, found, manager, editor) -> None:  # noqa: ANN001
    client.force_login(manager)
    assert f'href="/s/{found.code}/results/"' in client.get("/search/?q=carla").content.decode()
    client.force_login(editor)
    page = client.get("/search/?q=carbon").content.decode()
    assert "/admin/questionbank/question/" in page


def test_the_search_box_is_in_the_navigation_bar(client: Client, ann) -> None:  # noqa: ANN001
    client.force_login(ann)
    page = client.get("/").content.decode()
    assert 'action="/search/"' in page and 'name="q"' in page


def test_odd_input_finds_nothing_and_breaks_nothing(client: Client, found, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    for query in ["", "   ", "&|!:*()'", "\x00carla", "a" * 500, "Карла"]:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_anonymous_people_are_sent_to_log_in(client: Client) -> None:
    assert client.get("/search/?q=x").status_code == 302
