"""The role × object × action matrix of the pipeline: for each new object (position and its
plan, vendor, candidate and its history, interview, round, rating, rating sheet, interviewer
history, drive, report, people, notices) and each action on it, what each kind of person gets
from the pages, the API and the sockets. A row is one URL (or socket) and method; a column one
person. Whatever is refused changes nothing (checked where the action writes).

People: anonymous; ``nobody`` (signed in, no role); ``on`` (an interviewer on the round);
``off`` (an interviewer on none of this candidate's rounds); ``rec`` (recruiter); ``mgr``
(manager).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from candidates import services as candidates
from interviews import services
from interviews.models import Round
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

PEOPLE = ("anon", "nobody", "on", "off", "rec", "mgr")
LOGIN = "login"  # a redirect to the login page


@pytest.fixture
def world(roles, lead, bob) -> dict[str, Any]:  # noqa: ANN001
    rec = UserFactory(username="rita", roles=["recruiter"])
    mgr = UserFactory(username="mona", roles=["manager"])
    on = UserFactory(username="oona", roles=["interviewer"])
    off = UserFactory(username="otto", roles=["interviewer"])
    nobody = UserFactory(username="nemo")
    position = three_round_position(rec, on, lead, bob)
    vendor = candidates.vendor_create(fields={"name": "Talent Bridge"})
    carla = candidate_on(position, rec)
    interview = services.interview_create(candidate=carla, position=position, by=rec)
    first = interview.rounds.get(order=0)
    services.round_assign(
        round_=first, by=rec, interviewer=on, starts_at=datetime(2026, 12, 7, 9, tzinfo=UTC)
    )
    plan_round = position.plan_rounds.get(order=0)
    return {
        "people": {"anon": None, "nobody": nobody, "on": on, "off": off, "rec": rec, "mgr": mgr},
        "position": position,
        "plan_round": plan_round,
        "vendor": vendor,
        "candidate": carla,
        "interview": interview,
        "round": first,
    }


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _outcome(response: Any) -> int | str:
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


# (method, URL template, expected for anon, nobody, on, off, rec, mgr)
PAGES = [
    ("get", "/positions/{position}/plan/", (LOGIN, 403, 200, 200, 200, 200)),
    ("get", "/positions/{position}/plan/new/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/positions/{position}/plan/{plan_round}/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/positions/{position}/drives/new/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/candidates/", (LOGIN, 403, 200, 200, 200, 200)),
    ("get", "/candidates/new/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/candidates/{candidate}/", (LOGIN, 403, 200, 403, 200, 200)),
    ("get", "/candidates/{candidate}/ratings/", (LOGIN, 403, 200, 403, 200, 200)),
    ("get", "/candidates/{candidate}/interviews/new/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/rounds/", (LOGIN, 403, 200, 200, 403, 403)),
    ("get", "/rounds/{round}/", (LOGIN, 403, 200, 403, 200, 200)),
    ("get", "/rounds/{round}/assign/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/rounds/{round}/rate/", (LOGIN, 403, 200, 403, 403, 403)),
    ("get", "/people/{on}/rounds/", (LOGIN, 404, 200, 404, 200, 200)),
    ("get", "/reports/", (LOGIN, 403, 403, 403, 200, 200)),
    ("get", "/reports/export.xlsx", (LOGIN, 403, 403, 403, 200, 200)),
    ("get", "/people/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/vendors/", (LOGIN, 403, 403, 403, 200, 200)),
    ("get", "/vendors/{vendor}/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/notices/", (LOGIN, 200, 200, 200, 200, 200)),
    # Availability: interviewers keep their own; recruiters keep candidates'.
    ("get", "/availability/", (LOGIN, 403, 200, 200, 403, 403)),
    ("get", "/candidates/{candidate}/availability/", (LOGIN, 403, 403, 403, 200, 403)),
    ("get", "/api/availability/slots/", (401, 403, 200, 200, 403, 403)),
    ("get", "/api/availability/slots/?candidate={candidate}", (401, 404, 403, 404, 200, 403)),
    ("get", "/api/availability/weekly-hours/", (401, 403, 200, 200, 403, 403)),
    # The scheduler: recruiters run it, recruiters and managers read its runs.
    ("get", "/scheduling/", (LOGIN, 403, 403, 403, 200, 200)),
    ("post", "/scheduling/run/", (LOGIN, 403, 403, 403, 302, 403)),
    ("get", "/api/scheduling/runs/", (401, 403, 403, 403, 200, 200)),
    ("get", "/api/scheduling/interviews/", (401, 403, 200, 200, 200, 200)),
]


def _url(template: str, world: dict[str, Any]) -> str:
    ids = {
        "position": world["position"].pk,
        "plan_round": world["plan_round"].pk,
        "vendor": world["vendor"].pk,
        "candidate": world["candidate"].pk,
        "interview": world["interview"].pk,
        "round": world["round"].pk,
        "on": world["people"]["on"].pk,
    }
    return template.format(**ids)


@pytest.mark.parametrize(("method", "template", "expected"), PAGES, ids=[p[1] for p in PAGES])
def test_pages(world, method: str, template: str, expected: tuple) -> None:  # noqa: ANN001
    url = _url(template, world)
    got = tuple(_outcome(getattr(_client(world["people"][who]), method)(url)) for who in PEOPLE)
    assert got == expected, dict(zip(PEOPLE, got, strict=True))


# Writes: each refused person leaves the object as it was; the allowed one changes it.
def test_writes_refused_change_nothing(world) -> None:  # noqa: ANN001
    round_ = world["round"]
    people = world["people"]
    aspects = list(round_.aspects.all())
    rating = {f"points_{a.pk}": "3" for a in aspects} | {
        "feedback": "ok", "recommendation": "yes", "outcome": "selected"
    }  # fmt: skip
    for who in ("anon", "nobody", "off", "rec", "mgr"):
        client = _client(people[who])
        client.post(f"/rounds/{round_.pk}/rate/", rating)
        client.post(f"/rounds/{round_.pk}/cancel/") if who != "rec" else None
        client.post(
            f"/positions/{world['position'].pk}/plan/{world['plan_round'].pk}/delete/"
        ) if who != "rec" else None
        client.post(
            f"/candidates/{world['candidate'].pk}/move/", {"move": "withdraw"}
        ) if who not in ("rec", "mgr") else None
        assert Round.objects.get(pk=round_.pk).status == "scheduled", who
        assert world["position"].plan_rounds.count() == 3, who
        world["candidate"].refresh_from_db()
        assert world["candidate"].status == "scheduled", who
    _client(people["on"]).post(f"/rounds/{round_.pk}/rate/", rating)
    assert Round.objects.get(pk=round_.pk).status == "done"


def test_availability_writes_refused_change_nothing(world) -> None:  # noqa: ANN001
    """Only the slot's owner (an interviewer's own) or a recruiter (a candidate's) changes a
    slot; anyone else's post leaves it as it was."""
    from scheduling import services as scheduling
    from scheduling.models import Slot

    people, carla = world["people"], world["candidate"]
    start = datetime(2026, 12, 8, 9, tzinfo=UTC)
    own = scheduling.slot_add(
        by=people["on"],
        user=people["on"],
        starts_at=start,
        ends_at=start.replace(hour=10),
        zone="UTC",
    )
    kept = scheduling.slot_add(
        by=people["rec"],
        candidate=carla,
        starts_at=start,
        ends_at=start.replace(hour=10),
        zone="UTC",
    )
    own_urls = [f"/availability/slots/{own.pk}/delete/"]
    kept_urls = [f"/candidates/{carla.pk}/availability/slots/{kept.pk}/delete/"]
    for who in ("anon", "nobody", "off", "rec", "mgr"):
        for url in own_urls:
            _client(people[who]).post(url, {"confirm": "1"})
    for who in ("anon", "nobody", "on", "off", "mgr"):
        for url in kept_urls:
            _client(people[who]).post(url, {"confirm": "1"})
        _client(people[who]).post(
            f"/candidates/{carla.pk}/availability/slots/new/",
            {"date": "2026-12-09", "starts": "09:00", "ends": "10:00"},
        )
    assert Slot.objects.filter(pk__in=[own.pk, kept.pk]).count() == 2
    assert Slot.objects.count() == 2
    _client(people["on"]).post(own_urls[0])
    _client(people["rec"]).post(kept_urls[0])
    assert not Slot.objects.exists()
