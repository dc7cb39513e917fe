"""The round, interview and plan lists through the API: their query count does not grow with
their rows. Apart from ``test_interviews_api.py``, whose tests share one world made for the
module: these count every row there is."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import services as candidates
from candidates.models import Position
from interviews import services
from interviews.models import PlanAspect, PlanRound
from tests.factories import TopicFactory
from tests.interviews.helpers import candidate_on

pytestmark = pytest.mark.django_db

A = services.AspectSpec


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


def _grow(add: Callable[[int], None], client: Any, url: str) -> None:
    add(1)
    one = _queries(client, url)
    add(199)
    many = _queries(client, url)
    assert client.get(url).json()["count"] >= 200
    assert one == many, f"{url}: {one} queries with 1 row, {many} with 200"


@pytest.fixture
def interviews_of(recruiter, ann, bob):  # noqa: ANN001, ANN201
    """Interviews of a one-round plan (Ann interviews, Bob assists), one new candidate each."""
    position = candidates.position_create(by=recruiter, fields={"title": "Many"})
    services.plan_round_create(
        position=position,
        fields={"name": "Only", "default_interviewer": ann},
        aspects=[A("Depth", 5), A("Breadth", 5)],
        assistants=[bob],
        topics=[TopicFactory()],
    )

    def add(count: int) -> None:
        for n in range(count):
            candidate = candidate_on(position, recruiter, name=f"Many {n}")
            services.interview_create(candidate=candidate, position=position, by=recruiter)

    return add


@pytest.mark.parametrize("who", ["recruiter", "bob"])
def test_the_round_and_interview_lists_cost_the_same_with_1_and_200_rows(
    interviews_of,
    api,
    who,
    request,  # noqa: ANN001
) -> None:
    client = api(request.getfixturevalue(who))
    interviews_of(1)
    one = (_queries(client, "/api/rounds/?page_size=200"),
           _queries(client, "/api/interviews/?page_size=200"))  # fmt: skip
    interviews_of(199)
    many = (_queries(client, "/api/rounds/?page_size=200"),
            _queries(client, "/api/interviews/?page_size=200"))  # fmt: skip
    assert client.get("/api/rounds/?page_size=200").json()["count"] == 200
    assert one == many, f"as {who}: {one} queries with 1 row, {many} with 200"


def test_the_plan_costs_the_same_with_1_and_200_rounds(api, recruiter, ann, bob) -> None:  # noqa: ANN001
    """A plan holds at most 20 rounds through the service; the rows here are written
    directly to measure the list at 200."""
    position = Position.objects.create(title="Long plan")
    topic = TopicFactory()

    def add(count: int) -> None:
        start = position.plan_rounds.count()
        for n in range(start, start + count):
            row = PlanRound.objects.create(
                position=position, order=n, name=f"Round {n}", default_interviewer=ann
            )
            PlanAspect.objects.create(plan_round=row, name="Depth")
            row.assistants.set([bob])
            row.topics.set([topic])

    _grow(add, api(recruiter), f"/api/positions/{position.pk}/plan/?page_size=200")
