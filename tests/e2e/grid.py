"""The availability week grid (FullCalendar's time grid on ``/availability/``) by mouse, for the
browser tests: where a day's half hour is on screen, a real press–drag–release, and drawing a
slot from one time to another with them."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import Page


def cell(page: Page, day: str, at: str) -> tuple[float, float, float]:
    """(x of the day's column middle, top and bottom y of the half hour at ``at``)."""
    row = page.locator(f'.fc-timegrid-slot-lane[data-time="{at}:00"]')
    row.scroll_into_view_if_needed()
    column = page.locator(f'.fc-timegrid-col[data-date="{day}"]').bounding_box()
    box = row.bounding_box()
    assert column and box
    return column["x"] + column["width"] / 2, box["y"], box["y"] + box["height"]


def drag(page: Page, x: float, from_y: float, to_y: float) -> None:
    page.mouse.move(x, from_y)
    page.mouse.down()
    page.mouse.move(x, from_y + 8, steps=4)
    page.mouse.move(x, to_y, steps=12)
    page.mouse.up()


def draw(page: Page, day: str, starts: str, ends: str) -> None:
    """Draw a slot on ``day`` (ISO date) from ``starts`` to ``ends`` (HH:MM on the half hour):
    press in the first half hour's cell, release in the last one's."""
    last = (datetime.strptime(ends, "%H:%M") - timedelta(minutes=30)).strftime("%H:%M")
    x, top, _bottom = cell(page, day, starts)
    _x, _top, bottom = cell(page, day, last)
    drag(page, x, top + 3, bottom - 3)
