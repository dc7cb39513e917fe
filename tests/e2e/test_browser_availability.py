"""Availability in a real browser (Debian's chromium) against a real daphne on PostgreSQL (the
shared e2e stack): an interviewer in Berlin draws a free slot on the week grid with the mouse
(a real press, drag and release over the grid's cells), drags it later, and the slot is stored
with the right UTC times; clicking it deletes it after the browser's confirm; the keyboard
form beside the grid adds one with no mouse at all; at 390 px the grid shows one day and the
page does not scroll sideways. No console error and no CSP violation on the way.

Screenshots: ``tests/artifacts/availability-desktop.png``, ``availability-390.png``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.grid import cell, drag
from tests.e2e.pages import watched_page
from tests.e2e.servers import DEMO_PASSWORD, Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BERLIN = ZoneInfo("Europe/Berlin")

# An interviewer of this test's own, in Berlin (kept whatever the browser says), with no slots.
PERSON = f"""
from django.contrib.auth.models import Group
from accounts.models import User
user, _ = User.objects.get_or_create(username="avery", defaults={{"first_name": "Avery",
    "last_name": "Grid", "email": "avery@example.com"}})
user.set_password("{DEMO_PASSWORD}")
user.time_zone, user.time_zone_from_browser, user.language = "Europe/Berlin", False, "en"
user.save()
user.groups.add(Group.objects.get(name="interviewer"))
user.free_slots.all().delete()
print("PERSON", user.pk)
"""

SLOTS = """
from scheduling.models import Slot
for s in Slot.objects.filter(user__username="avery").order_by("starts_at"):
    print("SLOT", s.pk, s.starts_at.isoformat(), s.ends_at.isoformat(), s.zone)
"""


@pytest.fixture(scope="module")
def server(e2e_stack: Stack) -> Server:
    e2e_stack.manage("shell", "-c", PERSON)
    return e2e_stack.start_server()


def slots(stack: Stack) -> list[tuple[int, datetime, datetime, str]]:
    found = []
    for line in stack.manage("shell", "-c", SLOTS).splitlines():
        if line.startswith("SLOT "):
            _tag, pk, start, end, zone = line.split()
            found.append(
                (int(pk), datetime.fromisoformat(start), datetime.fromisoformat(end), zone)
            )
    return found


def signed_in(browser: Browser, server: Server, width: int) -> tuple[Page, list[str]]:
    # The browser in another zone than the person: the page follows the person's own.
    return watched_page(browser, server, "avery", width=width, timezone_id="America/New_York")


def next_week(page: Page) -> list[str]:
    """Open the availability page, go to next week (all of it ahead), the grid drawn."""
    page.get_by_role("link", name="Availability").click()
    expect(page.locator("h1")).to_have_text("Your availability")
    page.locator("#av-next").click()
    expect(page.locator("#av-grid[data-ready]")).to_be_attached()
    expect(page.locator("#av-zone")).to_contain_text("Times in Europe/Berlin.")
    return page.eval_on_selector_all(
        ".fc-timegrid-col[data-date]", "cols => cols.map(c => c.dataset.date)"
    )


def type_in(page: Page, field: str, keys: str) -> None:
    """Focus ``field``, type ``keys``, Tab until the focus has left it (a date or a time
    input is several parts, each its own Tab stop)."""
    page.locator(f"#{field}").focus()
    page.keyboard.type(keys)
    for _press in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") != field:
            return
    raise AssertionError(f"Tab does not leave #{field}")


def date_order(page: Page) -> list[str]:
    """The order the browser's date input takes day, month and year in (its locale's), found
    by typing 01, 02, 2030 into the exceptions form's date."""
    page.locator("#id_exception_day").focus()
    page.keyboard.type("01022030")
    value = page.locator("#id_exception_day").input_value()
    orders = {"2030-02-01": ["%d", "%m", "%Y"], "2030-01-02": ["%m", "%d", "%Y"]}
    assert value in orders, value
    return orders[value]


def utc_of(day: str, hours: int, minutes: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hours, minutes), BERLIN).astimezone(UTC)


def test_an_interviewer_draws_moves_and_deletes_a_slot_with_the_mouse(
    browser, server, e2e_stack
) -> None:  # noqa: ANN001
    page, problems = signed_in(browser, server, 1280)
    days = next_week(page)
    assert len(days) == 7
    tuesday = days[1]
    # Draw Tuesday 10:00-12:00: press in the 10:00 cell, release in the 11:30 one.
    x, top, _bottom = cell(page, tuesday, "10:00")
    _x, _top, bottom = cell(page, tuesday, "11:30")
    drag(page, x, top + 3, bottom - 3)
    expect(page.locator("#av-status")).to_have_text("The slot is added.")
    expect(page.locator("#slot-list .slot-when")).to_have_count(1)
    expect(page.locator("#slot-list .slot-when").first).to_contain_text("10:00 – 12:00")
    [(pk, start, end, zone)] = slots(e2e_stack)
    assert (start, end, zone) == (utc_of(tuesday, 10), utc_of(tuesday, 12), "Europe/Berlin")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "availability-desktop.png"), full_page=True)
    # Drag the slot two hours later, to 12:00-14:00.
    event = page.locator(f'.fc-event[data-slot="{pk}"]')
    event.scroll_into_view_if_needed()
    half_hour = page.locator('.fc-timegrid-slot-lane[data-time="10:00:00"]').bounding_box()
    box = event.bounding_box()
    assert box and half_hour
    grip = box["y"] + half_hour["height"] / 2  # inside the slot, clear of its resize edge
    drag(page, box["x"] + box["width"] / 2, grip, grip + 4 * half_hour["height"])
    expect(page.locator("#av-status")).to_have_text("The slot is changed.")
    expect(page.locator("#slot-list .slot-when").first).to_contain_text("12:00 – 14:00")
    [(moved, start, end, _zone)] = slots(e2e_stack)
    assert (moved, start, end) == (pk, utc_of(tuesday, 12), utc_of(tuesday, 14))
    # Click it: the browser asks, then it is gone.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f'.fc-event[data-slot="{pk}"]').click()
    expect(page.locator("#av-status")).to_have_text("The slot is deleted.")
    expect(page.locator("#slot-none")).to_be_visible()
    assert slots(e2e_stack) == []
    assert problems == []


def test_the_keyboard_form_adds_a_slot(browser, server, e2e_stack) -> None:  # noqa: ANN001
    page, problems = signed_in(browser, server, 1280)
    days = next_week(page)
    thursday = days[3]
    day = date.fromisoformat(thursday)
    # Only the keyboard: type each field, Tab on through its parts to the next one. How a date
    # is typed follows the browser's own date format: learn it on the other form's date first.
    order = date_order(page)
    type_in(page, "id_date", "".join(day.strftime(part) for part in order))
    assert page.locator("#id_date").input_value() == thursday
    type_in(page, "id_starts", "1430")
    type_in(page, "id_ends", "1615")
    assert page.locator("#id_starts").input_value() == "14:30"
    assert page.locator("#id_ends").input_value() == "16:15"
    page.locator("#id_ends").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("The slot is added.")
    expect(page).to_have_url(re.compile(rf"\?date={days[0]}#slots$"))
    expect(page.locator("#slot-list .slot-when")).to_contain_text(["14:30 – 16:15"])
    found = slots(e2e_stack)
    assert [(s, e) for _pk, s, e, _z in found] == [
        (utc_of(thursday, 14, 30), utc_of(thursday, 16, 15))
    ]
    # The grid draws it in the same place.
    event = page.locator(f'.fc-timegrid-col[data-date="{thursday}"] .fc-event')
    expect(event).to_contain_text("14:30")
    # Its Delete button, by keyboard too.
    page.locator("#slot-list button.danger").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#slot-none")).to_be_visible()
    assert slots(e2e_stack) == []
    assert problems == []


def test_at_390_px_the_grid_is_one_day_and_nothing_scrolls_sideways(browser, server) -> None:  # noqa: ANN001
    page, problems = signed_in(browser, server, 390)
    page.goto("/availability/")
    expect(page.locator("#av-grid[data-ready]")).to_be_attached()
    expect(page.locator(".fc-timeGridDay-view")).to_be_visible()
    expect(page.locator(".fc-timegrid-col[data-date]")).to_have_count(1)
    wide = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert wide <= 0, f"{wide}px of sideways scroll at 390 px"
    # The day view moves through the week by its own buttons; the form and list are there.
    expect(page.locator("#slot-form-form")).to_be_visible()
    expect(page.locator("#hours-form")).to_be_visible()
    first = date.fromisoformat(
        page.locator(".fc-timegrid-col[data-date]").get_attribute("data-date")
    )
    step, button = (-1, ".fc-prev-button") if first.weekday() == 6 else (1, ".fc-next-button")
    page.locator(button).click()  # within the week only: Sunday has no next, Monday no previous
    expect(page.locator(".fc-timegrid-col[data-date]")).to_have_attribute(
        "data-date", (first + timedelta(days=step)).isoformat()
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "availability-390.png"), full_page=True)
    assert problems == []
