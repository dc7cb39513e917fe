"""Lists run a constant number of SQL queries whatever the number of rows: each list is
measured with 1 row and with 200 (``tests.api.query_counts.grow``, the one way the suite
does it), and the counts must be equal. The pipeline's lists are in
``test_query_counts_pipeline.py``."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.utils import timezone

from candidates.models import Candidate
from questionbank.models import Question, Topic
from sessions_live import services
from sessions_live.models import AskedQuestion
from tests.api.query_counts import Page, copies, grow, queries_for, session_copies, signed_in
from tests.factories import QuestionFactory, TopicFactory, UserFactory

__all__ = ["queries_for"]  # tests/api/test_cabinet.py measures with it

pytestmark = pytest.mark.django_db


def _topics_with_a_question(name: str) -> Callable[[int], None]:
    numbers = itertools.count()

    def add(count: int) -> None:
        topics = Topic.objects.bulk_create(
            [Topic(name=f"{name} {next(numbers)}", description="A topic") for _n in range(count)]
        )
        Question.objects.bulk_create(
            [Question(topic=t, text=f"{t.name}?", reference_answer="An answer.") for t in topics]
        )

    return add


@pytest.fixture
def sessions_of(lead, ann):  # noqa: ANN001, ANN201
    """Sessions led by Lena with Ann on the panel, each with a candidate of its own: one
    through the real services, the rest its copies."""
    topics = [TopicFactory(name=f"Shared {n}") for n in range(3)]
    for topic in topics:
        QuestionFactory(topic=topic)
    made: list = []

    def add(count: int) -> None:
        if not made:
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
            made.append(session)
            count -= 1
        people = Candidate.objects.bulk_create(
            copies(made[0].candidate, count, lambda n: {"full_name": f"Carla Copy {n}"})
        )
        session_copies(made[0], people)

    return add


def test_the_topic_list(editor) -> None:  # noqa: ANN001
    grow(
        _topics_with_a_question("Topic"),
        {"api topics": Page(signed_in(editor), "/api/topics/?page_size=200")},
    )


def test_the_question_list(editor) -> None:  # noqa: ANN001
    grow(
        _topics_with_a_question("Topic"),
        {"api questions": Page(signed_in(editor), "/api/questions/?ordering=-id&page_size=200")},
    )


@pytest.mark.parametrize("who", ["ann", "manager"])
def test_the_session_and_candidate_lists(sessions_of, who, request) -> None:  # noqa: ANN001
    client = signed_in(request.getfixturevalue(who))
    grow(
        sessions_of,
        {
            f"api sessions as {who}": Page(client, "/api/sessions/?page_size=200"),
            f"api candidates as {who}": Page(client, "/api/candidates/?page_size=200"),
        },
    )


def test_the_adhoc_review_page(editor, lead) -> None:  # noqa: ANN001
    from tests.sessions_live.conftest import make_session

    session = make_session(lead, [])
    topic = session.topics.first().topic
    owner = UserFactory(username="owner")
    numbers = itertools.count()

    def add(count: int) -> None:
        AskedQuestion.objects.bulk_create(
            [
                AskedQuestion(
                    session=session,
                    block_index=0,
                    owner=owner,
                    topic=topic,
                    key=f"adhoc-{n}",
                    text=f"Typed live {n}?",
                    max_points=5,
                    adhoc=True,
                    asked_at=timezone.now(),
                )
                for n in itertools.islice(numbers, count)
            ]
        )

    grow(
        add,
        {"adhoc review page": Page(signed_in(editor), "/questions/adhoc/", ("Typed live ",))},
    )


def test_the_search_page(manager, sessions_of) -> None:  # noqa: ANN001
    """Hits are capped per kind (10), so 200 rows also show that no hit costs a query."""
    numbers = itertools.count()
    topics = _topics_with_a_question("Carla topic")

    def add(count: int) -> None:
        sessions_of(count)
        topics(count)
        UserFactory._meta.model.objects.bulk_create(
            [
                UserFactory.build(username=f"carla{next(numbers)}", first_name="Carla")
                for _n in range(count)
            ]
        )

    grow(
        add,
        {"search page": Page(signed_in(manager), "/search/?q=carla", ('<li><a href="',), shows=40)},
    )


def test_the_export(editor) -> None:  # noqa: ANN001
    grow(
        _topics_with_a_question("Exported"),
        {"export": Page(signed_in(editor), "/questions/export.json", ('"Exported ',))},
    )
