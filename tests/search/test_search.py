"""The global search: grouped by kind, with links, showing only what the person may see;
PostgreSQL full-text in production, a plain ``icontains`` fallback elsewhere."""

from __future__ import annotations

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
    if request.param == "fallback":  # what SQLite runs: a casefolded substring match
        monkeypatch.setattr(selectors, "_full_text", lambda queryset: False)
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


@pytest.fixture
def russian_names(found, roles):  # noqa: ANN001, ANN201
    found.candidate.__class__.objects.filter(pk=found.candidate_id).update(full_name="Анна Иванова")
    UserFactory(username="olga", first_name="Ольга", last_name="Сидорова", roles=["manager"])
    TopicFactory(name="Базы данных", description="Индексы и ЁЖИКИ")
    return found


@pytest.mark.parametrize("query", ["Анна", "анна", "АННА", "иванова", "ИВАНОВА", "анна иванова"])
def test_russian_names_are_found_in_any_case(engine, russian_names, manager, query) -> None:  # noqa: ANN001
    assert kinds(manager, query)["candidates"] == ["Анна Иванова"]
    assert kinds(manager, query)["sessions"] == [russian_names.code]


def test_people_and_the_bank_in_cyrillic_in_any_case(
    engine, russian_names, manager, editor
) -> None:  # noqa: ANN001
    assert kinds(manager, "ольга")["people"] == ["Ольга Сидорова"]
    assert kinds(manager, "СИДОРОВА")["people"] == ["Ольга Сидорова"]
    assert kinds(editor, "базы")["topics"] == ["Базы данных"]
    assert kinds(editor, "ёжики")["topics"] == ["Базы данных"]


@pytest.fixture
def embedded_sqlite(django_db_blocker):  # noqa: ANN001, ANN201
    """A real SQLite connection (the embedded default's engine) beside the test database,
    with the tables the search of people and topics reads."""
    from django.db import connections

    from accounts.models import User
    from questionbank.models import Topic

    configured = connections.configure_settings(
        {
            "default": connections.settings["default"],
            "embedded": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        }
    )
    connections.settings["embedded"] = configured["embedded"]
    with django_db_blocker.unblock():
        with connections["embedded"].schema_editor() as editor:
            editor.create_model(User)
            editor.create_model(Topic)
        yield connections["embedded"]
        connections["embedded"].close()
    del connections.settings["embedded"]
    del connections["embedded"]


def test_sqlite_itself_matches_cyrillic_in_any_case(embedded_sqlite) -> None:  # noqa: ANN001
    from accounts.models import User
    from questionbank.models import Topic

    assert embedded_sqlite.vendor == "sqlite"
    users = User.objects.using("embedded")
    users.create(username="anna", first_name="Анна", last_name="Иванова")
    users.create(username="boris", first_name="Борис", last_name="Smith")
    Topic.objects.using("embedded").create(name="Straße und Ёлки")
    fields = ["username", "first_name", "last_name", "email"]
    for query in ["Анна", "анна", "АННА", "иванова", "анна ИВАНОВА"]:
        found = selectors._matching(users, fields, selectors.words_of(query))
        assert [user.username for user in found] == ["anna"], query
    # Plain SQLite LIKE folds ASCII only: the registered casefold is what makes this work.
    assert not users.filter(first_name__icontains="анна").exists()
    assert [u.username for u in selectors._matching(users, fields, ["smith"])] == ["boris"]
    topics = Topic.objects.using("embedded")
    assert selectors._matching(topics, ["name"], ["strasse", "ёлки"]).count() == 1
