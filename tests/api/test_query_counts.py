"""Lists run a constant number of SQL queries whatever the number of rows: each list is
measured with 1 row and with 50, and the counts must be equal."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions_live import services
from sessions_live.models import AskedQuestion
from tests.factories import QuestionFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

MEASURED: dict[str, tuple[int, int]] = {}


def queries_for(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


def _grow(add: Callable[[int], None], client, url: str, name: str) -> None:  # noqa: ANN001
    add(1)
    one = queries_for(client, url)
    add(49)
    fifty = queries_for(client, url)
    MEASURED[name] = (one, fifty)
    print(f"{name}: {one} queries with 1 row, {fifty} with 50")
    assert one == fifty, f"{name}: {one} queries with 1 row, {fifty} with 50"


@pytest.fixture
def sessions_of(lead, ann):  # noqa: ANN001, ANN201
    topics = [TopicFactory(name=f"Shared {n}") for n in range(3)]
    for topic in topics:
        QuestionFactory(topic=topic)

    def add(count: int) -> None:
        for _n in range(count):
            session = services.session_create(
                lead=lead,
                candidate_fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
                resume=None,
                topics=[services.TopicChoice(topic=t, seconds=300) for t in topics],
                shuffle=False,
                intro_text="Hi",
                closing_text="Bye",
            )
            services.session_join(session=session, user=ann)

    return add


def test_the_topic_list(api, editor) -> None:  # noqa: ANN001
    def add(count: int) -> None:
        for _n in range(count):
            QuestionFactory(topic=TopicFactory())

    _grow(add, api(editor), "/api/topics/", "api topics")


def test_the_question_list(api, editor) -> None:  # noqa: ANN001
    def add(count: int) -> None:
        for _n in range(count):
            QuestionFactory(topic=TopicFactory())

    _grow(add, api(editor), "/api/questions/?ordering=-id", "api questions")


@pytest.mark.parametrize("who", ["ann", "manager"])
def test_the_session_and_candidate_lists(api, sessions_of, who, request) -> None:  # noqa: ANN001
    client = api(request.getfixturevalue(who))
    # Sessions and candidates grow together; measure each list on its own growth.
    sessions_of(1)
    one = (queries_for(client, "/api/sessions/"), queries_for(client, "/api/candidates/"))
    sessions_of(49)
    fifty = (queries_for(client, "/api/sessions/"), queries_for(client, "/api/candidates/"))
    print(f"api sessions/candidates as {who}: {one} with 1 row, {fifty} with 50")
    assert one == fifty


def test_the_adhoc_review_page(client, editor, lead) -> None:  # noqa: ANN001
    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [])
    topic = session.topics.first().topic

    def add(count: int) -> None:
        start = AskedQuestion.objects.count()
        for n in range(start, start + count):
            AskedQuestion.objects.create(
                session=session,
                block_index=0,
                owner=UserFactory(),
                topic=topic,
                key=f"adhoc-{n}",
                text=f"Typed live {n}?",
                max_points=5,
                adhoc=True,
                asked_at=timezone.now(),
            )

    client.force_login(editor)
    _grow(add, client, "/questions/adhoc/", "adhoc review page")


def test_the_search_page(client, manager, lead, sessions_of) -> None:  # noqa: ANN001
    """Hits are capped per kind (10), so 50 rows also show that no hit costs a query."""
    numbers = itertools.count()

    def add(count: int) -> None:
        sessions_of(count)
        for _n in range(count):
            QuestionFactory(topic=TopicFactory(name=f"Carla topic {next(numbers)}"), text="Carla?")
            UserFactory(first_name="Carla")

    client.force_login(manager)
    _grow(add, client, "/search/?q=carla", "search page")


def test_the_export(client, editor) -> None:  # noqa: ANN001
    def add(count: int) -> None:
        for _n in range(count):
            QuestionFactory(topic=TopicFactory())

    client.force_login(editor)
    _grow(add, client, "/questions/export.json", "export")
