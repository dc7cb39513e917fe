"""The scheduler's pages: ``/scheduling/`` lists recent runs with their counts and, for
recruiters, "Preview" and "Schedule now"; a run's page shows what it booked or would book
(candidate, round, interviewer, the time in the viewer's zone, why) and what it could not
place with the reason. Managers read them; nobody else opens them; a GET never runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from interviews.models import Interview
from scheduling.models import Run
from tests.scheduling.scheduler_world import (
    at,
    candidate,
    free,
    interviewer,
    person,
    position_with_plan,
    recruiter,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("frozen", "no_broker"),
]


@pytest.fixture
def w(roles) -> dict[str, Any]:  # noqa: ANN001
    rita = recruiter()
    rita.time_zone = "Europe/Moscow"
    rita.save()
    ann = interviewer("ann", "Ann", "Europe/Berlin")
    mona = person("mona", "Mona", roles=("manager",))
    position = position_with_plan(rita, default=ann)
    carla = candidate(rita, position, "Carla Candidate")
    dan = candidate(rita, position, "Dan Candidate")
    free(carla, at(2), at(4), by=rita)
    free(ann, at(2), at(8), by=rita)
    return locals()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(answer: Any) -> str:
    return answer.content.decode()


def test_a_recruiter_previews_then_schedules(w) -> None:  # noqa: ANN001
    client = signed_in(w["rita"])
    page = client.get("/scheduling/")
    assert page.status_code == 200
    assert 'id="scheduler-preview"' in text(page) and 'id="scheduler-book"' in text(page)
    assert "No run yet." in text(page)

    preview = client.post("/scheduling/run/", {"action": "preview"}, follow=True)
    run = Run.objects.get()
    assert preview.redirect_chain == [(f"/scheduling/runs/{run.pk}/", 302)]
    body = text(preview)
    assert run.preview and not Interview.objects.exists()
    assert "A preview: nothing was booked." in body and "Would be booked" in body
    # 09:00 UTC is 12:00 in Moscow, the viewer's zone.
    assert "7 Dec 2026, 12:00 Europe/Moscow" in body
    assert "Carla Candidate" in body and "round 1 “Screening”" in body and "Ann Test" in body
    assert "The earliest time possible." in body
    assert 'data-reason="no_overlap"' in body and "Dan Candidate" in body
    assert "None of their free time overlaps an interviewer&#x27;s in the days ahead." in body

    booked = client.post("/scheduling/run/", {"action": "book"}, follow=True)
    assert "1 booked, 1 not placed." in text(booked)
    assert Interview.objects.get().rounds.get(order=0).status == "scheduled"
    listing = text(client.get("/scheduling/"))
    assert listing.count('class="run"') == 2
    assert "1 would be booked" in listing and "1 booked · 1 not placed" in listing


def test_a_manager_reads_runs_but_cannot_start_one(w) -> None:  # noqa: ANN001
    signed_in(w["rita"]).post("/scheduling/run/", {"action": "book"})
    run = Run.objects.get()
    client = signed_in(w["mona"])
    page = client.get("/scheduling/")
    assert page.status_code == 200 and 'id="scheduler-book"' not in text(page)
    assert '<a href="/scheduling/">Scheduler</a>' in text(page)  # in the navigation
    detail = client.get(f"/scheduling/runs/{run.pk}/")
    assert detail.status_code == 200 and "Carla Candidate" in text(detail)
    assert client.post("/scheduling/run/", {"action": "book"}).status_code == 403
    assert Run.objects.count() == 1


def test_nobody_else_opens_them_and_a_get_never_runs(w) -> None:  # noqa: ANN001
    interviewer_page = signed_in(w["ann"])
    assert interviewer_page.get("/scheduling/").status_code == 403
    assert 'href="/scheduling/"' not in text(interviewer_page.get("/rounds/"))
    assert interviewer_page.post("/scheduling/run/", {"action": "book"}).status_code == 403
    anonymous = Client().get("/scheduling/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert signed_in(w["rita"]).get("/scheduling/run/").status_code == 405
    assert signed_in(w["rita"]).get("/scheduling/runs/999999/").status_code == 404
    assert not Run.objects.exists()


def test_the_pages_speak_russian(w) -> None:  # noqa: ANN001
    w["rita"].language = "ru"
    w["rita"].save()
    client = signed_in(w["rita"])
    client.post("/scheduling/run/", {"action": "preview"})
    page = text(client.get("/scheduling/"))
    assert "Планировщик" in page and "Scheduler" not in page.split("<main>")[1]
    detail = text(client.get(f"/scheduling/runs/{Run.objects.get().pk}/"))
    assert "Recent runs" not in detail and "Would be booked" not in detail
    assert "Dan Candidate" in detail
