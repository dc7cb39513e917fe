"""The calendar in a real browser (Debian's chromium) against a real daphne on PostgreSQL:
at desktop width a month grid of seven columns with the day's rounds linked to their pages;
at 390 px a list of the days that have interviews, without sideways scrolling, whose round
links Tab reaches in time order; no console error, no CSP violation.

Screenshots: ``tests/artifacts/calendar-desktop.png``, ``calendar-390.png`` (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import watched_page
from tests.e2e.servers import Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# Three rounds for Ivan this month (two today, one on another day), one for Olga today.
DATA = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from candidates import services as candidates
from interviews import services
rita, ivan, olga = (User.objects.get(username=n) for n in ("rita", "ivan", "olga"))
position = candidates.position_create(by=rita, fields={"title": "Calendar engineer"})
services.plan_round_create(position=position, fields={"name": "Screening", "kind": "one_to_one",
    "default_interviewer": ivan}, aspects=[services.AspectSpec("Depth", 5)])
today = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
other = today + timedelta(days=1) if (today + timedelta(days=1)).month == today.month else today - timedelta(days=1)
times = [(ivan, today + timedelta(hours=5)), (ivan, today), (ivan, other), (olga, today + timedelta(hours=2))]
pks = []
for n, (person, at) in enumerate(times):
    person_c = candidates.candidate_create(by=rita, fields={"full_name": f"Cal Candidate {n}",
        "email": f"cal{n}@example.com"}, positions=[position])
    interview = services.interview_create(candidate=person_c, position=position, by=rita)
    round_ = interview.rounds.get()
    services.round_assign(round_=round_, by=rita, interviewer=person, starts_at=at)
    pks.append(round_.pk)
print("ROUNDS", *pks)
print("DAYS", today.date().isoformat(), other.date().isoformat())
"""


@pytest.fixture(scope="module")
def calendar_server(e2e_stack: Stack) -> tuple[Server, list[int], list[str]]:
    out = e2e_stack.manage("shell", "-c", DATA)
    rounds = [int(pk) for pk in re.search(r"ROUNDS ([\d ]+)", out).group(1).split()]
    days = re.search(r"DAYS (\S+) (\S+)", out).groups()
    return e2e_stack.start_server(), rounds, list(days)


def signed_in(browser: Browser, server: Server, who: str, width: int) -> tuple[Page, list[str]]:
    return watched_page(browser, server, who, width=width, timezone_id="UTC")


def round_links(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#cal-days a[href^='/rounds/']", "links => links.map(a => a.getAttribute('href'))"
    )


def test_the_month_is_a_grid_on_a_desktop_and_the_rounds_open(browser, calendar_server) -> None:  # noqa: ANN001
    server, rounds, (today, other) = calendar_server
    page, problems = signed_in(browser, server, "ivan", 1280)
    page.get_by_role("link", name="Calendar").click()
    expect(page.locator("h1")).to_have_text("Calendar")
    # A click does not wait for the new page's stylesheet (goto does): until it has loaded
    # the grid is not styled yet, and the count below would read one column.
    page.wait_for_load_state("load")
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('#cal-days')).gridTemplateColumns.split(' ').length"
    )
    assert columns == 7
    expect(page.locator(".cal-weekdays")).to_be_visible()
    day = page.locator(f'.cal-day[data-date="{today}"]')
    expect(day.locator("a.cal-more")).to_have_count(0)
    # Ivan's two rounds today, earlier first; Olga's is not his.
    assert day.locator("a").evaluate_all("a => a.map(x => x.getAttribute('href'))") == [
        f"/rounds/{rounds[1]}/", f"/rounds/{rounds[0]}/",
    ]  # fmt: skip
    assert f"/rounds/{rounds[3]}/" not in round_links(page)
    expect(page.locator(f'.cal-day[data-date="{other}"] a')).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-desktop.png"), full_page=True)
    page.locator(f'a[href="/rounds/{rounds[1]}/"]').click()
    expect(page).to_have_url(re.compile(rf"/rounds/{rounds[1]}/$"))
    expect(page.locator("h1")).to_contain_text("Screening")
    page.go_back()
    page.locator("#cal-switch").click()  # to the week
    expect(page.locator("#cal-title")).to_contain_text("Week of")
    assert problems == []


def test_at_390_px_the_month_is_a_list_of_days_walked_by_keyboard(browser, calendar_server) -> None:  # noqa: ANN001
    server, rounds, (today, other) = calendar_server
    page, problems = signed_in(browser, server, "rita", 390)
    page.goto("/calendar/")
    expect(page.locator(".cal-weekdays")).to_be_hidden()
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('#cal-days')).gridTemplateColumns.split(' ').length"
    )
    assert columns == 1
    wide = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert wide <= 0, f"{wide}px of sideways scroll at 390 px"
    # Only days with interviews are shown, each named with its weekday.
    shown = page.eval_on_selector_all(
        ".cal-day", "days => days.filter(d => d.offsetParent !== null).map(d => d.dataset.date)"
    )
    assert today in shown and other in shown
    assert all(page.locator(f'.cal-day[data-date="{d}"] .cal-round').count() for d in shown)
    expect(page.locator(f'.cal-day[data-date="{today}"] .cal-wd')).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-390.png"), full_page=True)
    # From the filters' Show button, Tab walks the round links in time order.
    assert {f"/rounds/{pk}/" for pk in rounds} <= set(round_links(page))
    links = page.eval_on_selector_all(  # with any "N more" of a full day, in the page's order
        "#cal-days a", "links => links.map(a => a.getAttribute('href'))"
    )
    page.locator("#cal-filters button[type=submit]").focus()
    reached = []
    for _n in range(len(links)):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
    assert reached == links
    # A filter chosen by keyboard: the interviewer's select, then Show.
    page.locator("#cal-interviewer").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "cal-position"
    page.select_option("#cal-interviewer", label="Olga Sidorova")
    page.locator("#cal-filters button[type=submit]").press("Enter")
    expect(page).to_have_url(re.compile(r"interviewer=\d+"))
    assert round_links(page) == [f"/rounds/{rounds[3]}/"]
    assert problems == []
