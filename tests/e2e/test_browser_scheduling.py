"""The scheduler end to end, in a real browser (Debian's chromium) against a real daphne on the
shared PostgreSQL + Redis stack, with a real Celery worker sending to a real SMTP server on
loopback:

* the interviewer (Sam, in Tokyo) draws his free hour on the week grid of ``/availability/``
  with the mouse (a real press, drag and release), the only free time he has;
* a recruiter (Rita) has the scheduler's page open; the hourly run (started by another
  process, as beat's worker would) cannot place a candidate whose free time overlaps no
  interviewer's: the no-match notice appears on her open page, live, naming the candidate,
  the round and the reason;
* the same run schedules a candidate whose free time matches (wider than Sam's) into exactly
  the hour Sam drew, read on his clock: the round is on the interviewer's calendar and on the
  recruiter's (/calendar/), the run is listed on the page with its counts, and both e-mails —
  the interviewer's and the candidate's — reach the SMTP server with an ``.ics`` that
  ``icalendar`` parses, at the drawn time.

The stack is shared with the other browser tests, which leave candidates of their own: a first
run tells the recruiters about those (each is told once a day), so the run under test has only
this test's news. Its people and addresses are its own. Screenshot:
``tests/artifacts/scheduler-notice-390.png`` (git-ignored)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.grid import draw
from tests.e2e.servers import DEMO_PASSWORD, ROOT, Server, Stack
from tests.notify.peers import SmtpPeer, Worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WAIT_MS = 20_000
TAG = uuid.uuid4().hex[:6]
SAM = f"sam{TAG}"  # the interviewer
MATCH_EMAIL = f"mia.{TAG}@example.com"
SAM_EMAIL = f"sam.{TAG}@example.com"

# Sam's zone: a whole hour from UTC (the scheduler books on whole UTC hours) and far from it,
# so that his clock and UTC differ on the grid, in the booking and in the invitations.
TOKYO = ZoneInfo("Asia/Tokyo")
# Nine days ahead at 10:00 on Sam's clock: a day of its own for this test's interview; the hour
# he draws is 10:00–11:00 on it.
DRAWN = (datetime.now(TOKYO) + timedelta(days=9)).replace(
    hour=10, minute=0, second=0, microsecond=0
)
DAY = DRAWN.astimezone(UTC)  # 01:00 UTC

# The backlog run first (other tests' candidates are told about now, not in the run under
# test), then this test's people: Sam with no free time yet (he draws it), Mia free
# 09:00–13:00 on Sam's clock that day (the booked hour is his choice, not hers), Nora only
# 15:00–16:00.
DATA = f"""
from datetime import datetime, timedelta
from django.contrib.auth.models import Group
from accounts.models import User
from candidates import services as candidates
from interviews import services as interviews
from scheduling import booking
from scheduling import services as availability

booking.scheduler_run()
day = datetime.fromisoformat("{DAY.isoformat()}")
rita = User.objects.get(username="rita")
sam = User.objects.create_user("{SAM}", email="{SAM_EMAIL}", password="{DEMO_PASSWORD}",
                               first_name="Sam", last_name="Slot{TAG}")
sam.time_zone, sam.time_zone_from_browser = "Asia/Tokyo", False
sam.save()
sam.groups.add(Group.objects.get(name="interviewer"))
position = candidates.position_create(by=rita, fields={{"title": "Scheduling engineer {TAG}"}})
interviews.plan_round_create(position=position, fields={{"name": "Screening",
    "kind": "one_to_one", "default_interviewer": sam}}, aspects=[interviews.AspectSpec("Depth", 5)])
mia = candidates.candidate_create(by=rita, fields={{"full_name": "Mia Match {TAG}",
    "email": "{MATCH_EMAIL}"}}, positions=[position])
nora = candidates.candidate_create(by=rita, fields={{"full_name": "Nora Nomatch {TAG}",
    "email": "nora.{TAG}@example.com"}}, positions=[position])
availability.slot_add(by=rita, candidate=mia, starts_at=day - timedelta(hours=1),
                      ends_at=day + timedelta(hours=3), zone="Asia/Tokyo")
availability.slot_add(by=rita, candidate=nora, starts_at=day + timedelta(hours=5),
                      ends_at=day + timedelta(hours=6), zone="Asia/Tokyo")
print("PEOPLE", sam.pk, mia.pk, nora.pk)
"""

RUN = """
from scheduling import booking
run = booking.scheduler_run()
print("RUN", run.pk, run.booked, run.unmatched)
"""

BOOKED = """
from interviews.models import Round
from scheduling.models import Slot
row = Round.objects.get(candidate_id={mia})
print("ROUND", row.pk, row.status, row.starts_at.isoformat(), row.ends_at.isoformat(),
      row.interviewer.username)
for slot in Slot.objects.filter(user_id={sam}):
    print("SLOT", slot.starts_at.isoformat(), slot.ends_at.isoformat(), slot.zone)
"""


def manage(stack: Stack, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**stack.env, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(e2e_stack: Stack, mail_env: dict[str, str]) -> dict[str, int]:
    out = manage(e2e_stack, mail_env, "shell", "-c", DATA)
    sam, mia, nora = (int(n) for n in re.search(r"PEOPLE (\d+) (\d+) (\d+)", out).groups())
    return {"sam": sam, "mia": mia, "nora": nora}


@pytest.fixture(scope="module")
def server(e2e_stack: Stack, world: dict[str, int]) -> Server:
    return e2e_stack.start_server()


class Person:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.frames: list[dict[str, Any]] = []

    def watch(self, socket: WebSocket) -> None:
        if socket.url.endswith("/ws/me/"):
            socket.on("framereceived", lambda payload: self.frames.append(json.loads(payload)))


def signed_in(browser: Browser, server: Server, username: str, width: int = 390) -> Person:
    context = browser.new_context(
        base_url=server.url, locale="en-GB", timezone_id="UTC",
        viewport={"width": width, "height": 844},
    )  # fmt: skip
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    person = Person(page)
    page.on("websocket", person.watch)
    page.on(
        "console",
        lambda m: person.problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: person.problems.append(f"pageerror: {error}"))
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator('form.whoami[action="/logout/"]')).to_be_visible()
    return person


def wait_for_hello(person: Person) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(f.get("type") == "hello" for f in person.frames):
        assert time.monotonic() < deadline, person.frames
        person.page.wait_for_timeout(50)


def invitation(message: Any) -> tuple[Any, Any]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_a_run_tells_the_recruiter_live_and_schedules_the_match(
    e2e_stack: Stack,
    server: Server,
    browser: Browser,
    world: dict[str, int],
    worker: Worker,
    smtp: SmtpPeer,
    mail_env: dict[str, str],
) -> None:
    # Sam draws his free hour on the week grid, on his own clock (the browser is in UTC).
    sam = signed_in(browser, server, SAM, width=1280)
    sam.page.goto(f"/availability/?date={DRAWN.date().isoformat()}")
    expect(sam.page.locator("#av-grid[data-ready]")).to_be_attached()
    expect(sam.page.locator("#av-zone")).to_contain_text("Times in Asia/Tokyo.")
    draw(sam.page, DRAWN.date().isoformat(), "10:00", "11:00")
    expect(sam.page.locator("#av-status")).to_have_text("The slot is added.")
    expect(sam.page.locator("#slot-list .slot-when")).to_have_count(1)
    expect(sam.page.locator("#slot-list .slot-when")).to_contain_text("10:00 – 11:00")

    rita = signed_in(browser, server, "rita")
    rita.page.goto("/scheduling/")
    expect(rita.page.locator("h1")).to_have_text("Scheduler")
    wait_for_hello(rita)

    out = manage(e2e_stack, mail_env, "shell", "-c", RUN)  # as the hourly job would
    run_id, booked, _unmatched = (int(n) for n in re.search(r"RUN (\d+) (\d+) (\d+)", out).groups())
    assert booked >= 1

    # The no-match notice arrives on the open page without a reload.
    toast = rita.page.locator("#notices-toasts .toast", has_text=f"Nora Nomatch {TAG}")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("round 1 “Screening”")
    expect(toast).to_contain_text("None of their free time overlaps an interviewer's")
    expect(toast).to_contain_text(f"Scheduling engineer {TAG}")
    box = toast.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    rita.page.screenshot(path=str(ARTIFACTS / "scheduler-notice-390.png"))
    assert not any(f"Mia Match {TAG}" in str(f) for f in rita.frames)  # Mia was placed

    # Mia is scheduled with Sam into exactly the hour he drew: 10:00–11:00 on his clock.
    row = manage(e2e_stack, {}, "shell", "-c", BOOKED.format(mia=world["mia"], sam=world["sam"]))
    found = re.search(r"ROUND (\d+) (\S+) (\S+) (\S+) (\S+)", row)
    assert found, row
    round_id, status, starts, ends, who = found.groups()
    drawn = re.findall(r"SLOT (\S+) (\S+) (\S+)", row)
    assert drawn == [(DAY.isoformat(), (DAY + timedelta(hours=1)).isoformat(), "Asia/Tokyo")]
    assert (status, who) == ("scheduled", SAM)
    booked = (datetime.fromisoformat(starts), datetime.fromisoformat(ends))
    assert [moment.astimezone(TOKYO) for moment in booked] == [DRAWN, DRAWN + timedelta(hours=1)]

    # The run is on the page, with the booking and the no-match.
    rita.page.goto(f"/scheduling/runs/{run_id}/")
    expect(rita.page.locator(f"#run-bookings a[href='/rounds/{round_id}/']")).to_be_visible()
    expect(rita.page.locator("#run-no-matches")).to_contain_text(f"Nora Nomatch {TAG}")
    width = rita.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scroll at 390 px

    # On the recruiter's calendar (filtered to Sam's rounds) and on Sam's own.
    week = f"/calendar/?view=week&date={DRAWN.date().isoformat()}"
    rita.page.goto(f"{week}&interviewer={world['sam']}")
    expect(rita.page.locator(f"a[href='/rounds/{round_id}/']")).to_have_count(1)
    sam.page.goto(week)
    link = sam.page.locator(f"a[href='/rounds/{round_id}/']")
    expect(link).to_have_count(1)
    link.click()
    expect(sam.page.locator("h1")).to_contain_text("Screening")

    # Both e-mails, through the worker, to the SMTP server: each with a parseable invitation.
    def mails() -> dict[str, Any]:
        return {
            address: message
            for message, recipients in zip(smtp.messages, smtp.recipients, strict=True)
            for address in recipients
            if address in (SAM_EMAIL, MATCH_EMAIL)
        }

    got = wait_for(lambda: m if len(m := mails()) == 2 else None, timeout=60, what="two mails")
    for address in (SAM_EMAIL, MATCH_EMAIL):
        calendar, event = invitation(got[address])
        assert str(calendar["method"]) == "REQUEST"
        assert event.decoded("dtstart") == DAY and event.decoded("dtend") == DAY + timedelta(
            hours=1
        )
    assert "Mia Match" in str(invitation(got[SAM_EMAIL])[1]["summary"])
    assert (
        str(invitation(got[MATCH_EMAIL])[1]["summary"]) == f"Interview: Scheduling engineer {TAG}"
    )
    assert rita.problems == [] and sam.problems == []
