"""A round the scheduler cannot place: every recruiter gets a notice naming the candidate, the
round and the reason (no overlap at all, every overlapping interviewer at their cap, no
interviewer for the round, the times went to others), stored and pushed to their open pages
over the personal socket (/ws/me/) once the run commits; not again for the same candidate,
round and reason on the next hourly run — only when the reason changes, or a day later."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from interviews import services as interviews
from interviews.models import PlanRound
from notify.models import Notice
from scheduling import booking
from scheduling.models import Capacity, NoMatch
from tests.scheduling.scheduler_world import (
    NOW,
    at,
    candidate,
    free,
    interviewer,
    position_with_plan,
    recruiter,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_broker"),
]


def world(roles: Any) -> dict[str, Any]:
    """One candidate for each reason, and one who is booked."""
    rita, rex = recruiter(), recruiter("rex", "Rex")
    ann, kim = interviewer("ann", "Ann"), interviewer("kim", "Kim")
    Capacity.objects.create(user=kim, per_day=0, per_week=0)  # Kim is at her limit
    main = position_with_plan(rita, default=ann)
    capped = position_with_plan(rita, title="Data engineer", default=kim)
    nobody = position_with_plan(rita, title="Designer", default=None)
    carla = candidate(rita, main, "Carla Candidate")  # booked at 09:00
    gus = candidate(rita, main, "Gus Candidate")  # wants the same 09:00: taken
    dan = candidate(rita, main, "Dan Candidate")  # free only when Ann is not
    eve = candidate(rita, capped, "Eve Candidate")  # Kim is free then, but at her cap
    finn = candidate(rita, nobody, "Finn Candidate")  # the round has no interviewer
    free(ann, at(2), at(3), by=rita)
    free(kim, at(2), at(3), by=rita)
    for person in (carla, gus, eve, finn):
        free(person, at(2), at(3), by=rita)
    free(dan, at(10), at(12), by=rita)
    return locals()


def notices_of(person: Any) -> list[Notice]:
    return list(Notice.objects.filter(recipient=person, kind="no_match").order_by("pk"))


def test_each_reason_is_told_to_every_recruiter_once(roles) -> None:  # noqa: ANN001
    w = world(roles)
    with time_machine.travel(NOW, tick=False):
        run = booking.scheduler_run()

    assert run.booked == 1 and w["carla"].rounds.get(order=0).status == "scheduled"
    reasons = {m.candidate.full_name: m.reason for m in run.no_matches.all()}
    assert reasons == {
        "Gus Candidate": "taken",
        "Dan Candidate": "no_overlap",
        "Eve Candidate": "at_cap",
        "Finn Candidate": "no_interviewer",
    }
    assert all(m.notified_at == NOW for m in run.no_matches.all())
    for person in (w["rita"], w["rex"]):
        told = {n.title: n for n in notices_of(person)}
        assert set(told) == {
            "No interview slot for Gus Candidate: round 1 “Screening”",
            "No interview slot for Dan Candidate: round 1 “Screening”",
            "No interview slot for Eve Candidate: round 1 “Screening”",
            "No interview slot for Finn Candidate: round 1 “Screening”",
        }
        dan = told["No interview slot for Dan Candidate: round 1 “Screening”"]
        assert dan.body == (
            "None of their free time overlaps an interviewer's in the days ahead. "
            "(Backend engineer)"
        )
        assert dan.link == f"/candidates/{w['dan'].pk}/"
        assert told["No interview slot for Eve Candidate: round 1 “Screening”"].body.startswith(
            "Every interviewer free at the same time is at their limit"
        )
        assert told["No interview slot for Finn Candidate: round 1 “Screening”"].body.startswith(
            "The round has no interviewer"
        )
        assert told["No interview slot for Gus Candidate: round 1 “Screening”"].body.startswith(
            "The times that overlapped went to other candidates"
        )
    # The interviewers hear of their own rounds only.
    assert notices_of(w["ann"]) == [] and notices_of(w["kim"]) == []
    [missed] = run.no_matches.filter(candidate=w["eve"])
    assert missed.detail["overlaps"] == 1 and missed.detail["interviewers"] == [w["kim"].pk]


def test_the_same_reason_is_not_told_again_until_it_changes_or_a_day_passes(roles) -> None:  # noqa: ANN001
    w = world(roles)
    with time_machine.travel(NOW, tick=False):
        booking.scheduler_run()
    assert len(notices_of(w["rita"])) == 4

    # An hour later: Finn's round gets an interviewer — Ann, whose one free hour Carla has
    # now. Finn's reason changes (no interviewer → no overlap), and so does Gus's (the time
    # that went to Carla is no longer free at all): both are news, told at once. Dan's and
    # Eve's are the same as an hour ago: not told again.
    finns = PlanRound.objects.get(position__title="Designer", order=0)
    interviews.plan_round_update(plan_round=finns, fields={"default_interviewer": w["ann"]})
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        second = booking.scheduler_run()
    told = {m.candidate.full_name: m.reason for m in second.no_matches.exclude(notified_at=None)}
    assert second.unmatched == 4
    assert told == {"Finn Candidate": "no_overlap", "Gus Candidate": "no_overlap"}
    news = notices_of(w["rita"])[4:]
    assert sorted(n.title for n in news) == [
        "No interview slot for Finn Candidate: round 1 “Screening”",
        "No interview slot for Gus Candidate: round 1 “Screening”",
    ]
    assert all(n.body.startswith("None of their free time overlaps") for n in news)

    # A little more than a day after the first run: Dan's, told then, is told again; Eve's
    # changes (Kim's free hour is past: no overlap any more); Finn's and Gus's were told
    # less than a day ago with the same reason.
    with time_machine.travel(NOW + timedelta(hours=24, minutes=30), tick=False):
        third = booking.scheduler_run()
    told = {m.candidate.full_name: m.reason for m in third.no_matches.exclude(notified_at=None)}
    assert told == {"Dan Candidate": "no_overlap", "Eve Candidate": "no_overlap"}
    assert len(notices_of(w["rita"])) == 4 + 2 + 2


def test_a_preview_tells_nobody(roles) -> None:  # noqa: ANN001
    w = world(roles)
    with time_machine.travel(NOW, tick=False):
        run = booking.scheduler_run(by=w["rita"], preview=True)
    assert run.unmatched == 4 and not Notice.objects.filter(kind="no_match").exists()
    assert not NoMatch.objects.filter(notified_at__isnull=False).exists()
    # …and does not count as told: the next real run tells.
    with time_machine.travel(NOW, tick=False):
        booking.scheduler_run()
    assert len(notices_of(w["rita"])) == 4


def test_many_new_ones_are_told_ten_by_name_and_the_rest_counted(roles) -> None:  # noqa: ANN001
    rita = recruiter()
    ann = interviewer("ann", "Ann")
    main = position_with_plan(rita, default=ann)
    for n in range(13):
        candidate(rita, main, f"C{n:02d} Candidate")
    with time_machine.travel(NOW, tick=False):
        run = booking.scheduler_run()
    told = notices_of(rita)
    assert run.unmatched == 13 and len(told) == booking.NOTICE_LIMIT + 1
    assert told[-1].title == "3 more rounds could not be scheduled"
    assert told[-1].link == f"/scheduling/runs/{run.pk}/"


def _login(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


async def test_the_notice_is_pushed_to_the_recruiters_open_page(roles) -> None:  # noqa: ANN001
    w = await database_sync_to_async(world)(roles)
    cookie = await database_sync_to_async(_login)(w["rita"])
    page = WebsocketCommunicator(
        application,
        "/ws/me/",
        headers=[(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)],
    )
    connected, _code = await page.connect(timeout=5)
    assert connected
    try:
        assert json.loads(await page.receive_from(timeout=3))["type"] == "hello"

        def run_now() -> Any:
            with time_machine.travel(NOW, tick=False):
                return booking.scheduler_run()

        await database_sync_to_async(run_now)()
        frames = [json.loads(await page.receive_from(timeout=5)) for _n in range(4)]
        titles = sorted(f["notice"]["title"] for f in frames if f["type"] == "notice")
        assert titles == sorted(
            f"No interview slot for {name} Candidate: round 1 “Screening”"
            for name in ("Dan", "Eve", "Finn", "Gus")
        )
        assert await page.receive_nothing(timeout=0.5)  # each told once
    finally:
        await page.disconnect()
