"""A notice sent while a page is open appears on it as a toast, without a reload, in a real
browser (Debian's chromium) against a real daphne on PostgreSQL and Redis; the notice is sent
by another process (``manage.py shell``), as a Celery worker or another daphne would. At 390 px
the toast is on screen, the unread badge counts it, Escape dismisses it from the keyboard, and
another person's open page shows nothing. Opening it marks it read.

Screenshot: ``tests/artifacts/notice-toast-390.png`` (git-ignored)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.e2e.servers import DEMO_PASSWORD, Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WAIT_MS = 15_000

SEND = """
from accounts.models import User
from notify.services import notice_send
notice = notice_send(user=User.objects.get(username="ivan"), kind="round_assigned",
                     title="Round 1: Carla Candidate", body="Tomorrow at 10:00", link="/notices/")
print("NOTICE", notice.pk)
"""


@pytest.fixture(scope="module")
def server(e2e_stack: Stack) -> Server:
    return e2e_stack.start_server()


class Person:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.frames: list[dict[str, Any]] = []

    def watch(self, socket: WebSocket) -> None:
        if socket.url.endswith("/ws/me/"):
            socket.on("framereceived", lambda payload: self.frames.append(json.loads(payload)))


def signed_in(browser: Browser, server: Server, username: str) -> Person:
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    person = Person(page)
    page.on("websocket", person.watch)
    page.on(
        "console",
        lambda m: (
            person.problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda error: person.problems.append(f"pageerror: {error}"))
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator('form.whoami[action="/logout/"]')).to_be_visible()
    return person


def wait_for_hello(person: Person) -> None:
    """The page's personal socket is open: the server said hello."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not any(f.get("type") == "hello" for f in person.frames):
        assert time.monotonic() < deadline, person.frames
        person.page.wait_for_timeout(50)  # lets playwright deliver the socket's events


def test_a_notice_sent_while_the_page_is_open_appears_as_a_toast(
    e2e_stack: Stack, server: Server, browser: Browser
) -> None:
    # Other browser tests on this stack (the calendar's assignments) leave Ivan notices.
    e2e_stack.manage(
        "shell", "-c",
        "from notify.models import Notice; Notice.objects.filter(recipient__username__in="
        "['ivan', 'olga']).delete()",
    )  # fmt: skip
    ivan = signed_in(browser, server, "ivan")
    olga = signed_in(browser, server, "olga")
    for person in (ivan, olga):
        wait_for_hello(person)
    badge = ivan.page.locator("#notices-badge")
    expect(badge).to_be_hidden()

    out = e2e_stack.manage("shell", "-c", SEND)
    notice_id = int(out.split("NOTICE", 1)[1].split()[0])

    toast = ivan.page.locator("#notices-toasts .toast")
    expect(toast).to_have_count(1)
    expect(toast).to_contain_text("Round 1: Carla Candidate")
    expect(toast).to_contain_text("Tomorrow at 10:00")
    expect(ivan.page.locator("#notices-toasts")).to_have_attribute("role", "status")
    expect(badge).to_be_visible()
    expect(ivan.page.locator("#notices-count")).to_have_text("1")
    box = toast.bounding_box()
    assert (
        box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
    )
    ARTIFACTS.mkdir(exist_ok=True)
    ivan.page.screenshot(path=str(ARTIFACTS / "notice-toast-390.png"))

    # Olga's page got nothing at all.
    ivan.page.wait_for_timeout(500)
    assert [f["type"] for f in olga.frames] == ["hello"]
    expect(olga.page.locator("#notices-toasts .toast")).to_have_count(0)

    # The keyboard: the dismiss button is focusable and Escape dismisses the toast.
    close = toast.locator("button.toast-close")
    expect(close).to_have_attribute("aria-label", "Dismiss this notice")
    close.focus()
    ivan.page.keyboard.press("Escape")
    expect(toast).to_have_count(0)
    expect(ivan.page.locator("#nav-notices")).to_be_focused()

    # The notices page lists it unread; opening it marks it read and the badge goes.
    ivan.page.locator("#nav-notices").click()
    item = ivan.page.locator(f'li[data-notice="{notice_id}"]')
    expect(item).to_have_class("notice unread")
    item.get_by_role("link").click()
    expect(ivan.page.locator(f'li[data-notice="{notice_id}"]')).to_have_class("notice")
    expect(badge).to_be_hidden()
    assert ivan.problems == [] and olga.problems == []


def test_the_cabinet_page_refreshes_its_lists_through_the_shared_socket_module(
    e2e_stack: Stack, server: Server, browser: Browser
) -> None:
    """cabinet.js uses socket.js's ReconnectingSocket: it fetches the lists once connected and
    again on each "changed" push."""
    maria = signed_in(browser, server, "maria")
    fetched: list[str] = []
    maria.page.on("request", lambda r: fetched.append(r.url) if "fragment=lists" in r.url else None)
    with maria.page.expect_websocket(lambda s: s.url.endswith("/ws/cabinet/")):
        maria.page.goto("/cabinet/")
    maria.page.wait_for_function("() => true")
    deadline = time.monotonic() + WAIT_MS / 1000
    while not fetched:  # the refresh once the socket opened
        assert time.monotonic() < deadline
        maria.page.wait_for_timeout(50)
    before = len(fetched)
    e2e_stack.manage(
        "shell", "-c", "from cabinet.broadcast import cabinet_changed; cabinet_changed(0)"
    )
    while len(fetched) == before:
        assert time.monotonic() < deadline, fetched
        maria.page.wait_for_timeout(50)
    assert maria.problems == []
