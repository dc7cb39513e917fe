"""The report costs the same number of queries whatever the number of candidates, rounds and
history rows: every table is aggregated in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates import lifecycle
from candidates import services as candidates
from candidates.models import Position, Vendor
from interviews import services as interviews
from tests.factories import UserFactory
from tests.interviews.helpers import A

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-01-01", "end": "2030-12-31"}


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


def _pipeline(recruiter: Any, ann: Any, count: int, offset: int = 0) -> None:
    """``count`` candidates on a one-round position from a vendor, each with a round given a
    time (scheduled) and rated (interviewing, then selected)."""
    position = candidates.position_create(by=recruiter, fields={"title": f"Role {offset}"})
    interviews.plan_round_create(
        position=position,
        fields={"name": "Talk", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[A("Depth", 5)],
    )
    vendor = candidates.vendor_create(fields={"name": f"Agency {offset}"})
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    for n in range(count):
        candidate = candidates.candidate_create(
            by=recruiter,
            fields={"full_name": f"Person {offset + n}", "email": f"p{offset + n}@example.com"},
            positions=[position],
            source="vendor",
            vendor=vendor,
        )
        round_ = interviews.interview_create(
            candidate=candidate, position=position, by=recruiter
        ).rounds.get()
        interviews.round_assign(
            round_=round_,
            by=recruiter,
            interviewer=ann,
            starts_at=start + timedelta(hours=2 * (offset + n)),
        )
        aspect = round_.aspects.get()
        interviews.round_rate(
            round_=round_,
            by=ann,
            ratings={aspect.pk: interviews.Rating(3, "")},
            feedback="Fine.",
            recommendation="yes",
            outcome="selected",
        )
    assert lifecycle.SELECTED == candidate.__class__.objects.get(pk=candidate.pk).status


def _queries(client: Client, path: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


def test_one_candidate_or_two_hundred_cost_the_same_queries(recruiter, ann) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(recruiter)
    _pipeline(recruiter, ann, 1)
    # The first position and vendor by their real keys: on PostgreSQL a sequence is not reset
    # between tests, so "1" would be no choice at all (and the page a 400).
    first = {
        "vendor": str(Vendor.objects.get(name="Agency 0").pk),
        "position": str(Position.objects.get(title="Role 0").pk),
    }
    few = {path: _queries(client, path, MARCH) for path in ("/reports/", "/reports/export.xlsx")}
    filtered = _queries(client, "/reports/", {**MARCH, **first})
    _pipeline(recruiter, ann, 199, offset=1)
    many = {path: _queries(client, path, MARCH) for path in ("/reports/", "/reports/export.xlsx")}
    assert many == few
    assert _queries(client, "/reports/", {**MARCH, **first}) == filtered
    html = client.get("/reports/", MARCH).content.decode()
    assert (
        'data-key="total"><th scope="row">All candidates</th><td class="num" data-value="200"'
        in html
    )
