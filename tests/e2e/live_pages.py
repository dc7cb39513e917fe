"""Shared by the live-page browser tests: a logged-in browser page that also records the
WebSocket frames it sends and receives, and a session set up over HTTP with the panel on
two daphne processes (lead on A, interviewers on B)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, Page, WebSocket, expect, sync_playwright

from tests.e2e.servers import DEMO_PASSWORD, Server, Stack
from tests.e2e.test_browser_flow import BANK, CHROMIUM, CHROMIUM_ARGS, WAIT_MS
from tests.e2e.test_multiprocess import ready_session, sql

__all__ = [
    "BANK",
    "Panel",
    "Panelist",
    "content_strings",
    "open_panelist",
    "question_rows",
    "running_panel",
    "session_on",
    "start_blocks",
]


@dataclass
class Panelist:
    """One browser context logged in as one user; its page's errors and socket frames."""

    username: str
    name: str
    page: Page
    errors: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def commands(self, type_: str, since: int = 0) -> list[dict[str, Any]]:
        return [frame for frame in self.sent[since:] if frame.get("type") == type_]

    def replies(self, since: int = 0) -> list[dict[str, Any]]:
        return [f for f in self.received[since:] if f.get("type") in ("ack", "error")]

    def watch_socket(self, socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(_frame(payload)))
        socket.on("framereceived", lambda payload: self.received.append(_frame(payload)))

    def assert_clean(self) -> None:
        assert self.errors == [], f"{self.name}'s page: {self.errors}"


def _frame(payload: str | bytes) -> dict[str, Any]:
    try:
        frame = json.loads(payload)
    except ValueError:
        return {"type": "<not json>"}
    return frame if isinstance(frame, dict) else {"type": "<not an object>"}


def open_panelist(
    browser: Browser,
    server: Server,
    username: str,
    name: str,
    *,
    viewport: tuple[int, int] = (1280, 900),
    phone: bool = False,
) -> Panelist:
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": viewport[0], "height": viewport[1]},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    person = Panelist(username, name, page)
    page.on("pageerror", lambda error: person.errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: _console(person, message))
    page.on(
        "response",
        lambda response: (
            person.errors.append(f"HTTP {response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.on("websocket", person.watch_socket)
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator('form[action$="/logout/"]')).to_contain_text(name)
    return person


def _console(person: Panelist, message: ConsoleMessage) -> None:
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        person.errors.append(f"console: {message.text} at {message.location}")


def session_on(stack: Stack, a: Server, b: Server, topics: list[tuple[str, float]]) -> str:
    """A session led by lena, ivan and olga joined (over HTTP); its code."""
    code, clients = ready_session(stack, [a, b], topics)
    for client in clients.values():
        client.close()
    return code


def open_live(person: Panelist, code: str) -> None:
    person.page.goto(f"/s/{code}/")
    expect(person.page.locator("#banner")).to_be_hidden()
    expect(person.page.locator("body")).to_have_attribute("data-phase", re.compile(r"\w"))


def claim(person: Panelist, topic: str) -> None:
    box = person.page.locator(f'#topic-list li[data-topic="{topic}"] input[type=checkbox]')
    box.click()
    expect(box).to_be_checked()


def start_blocks(lead: Panelist, claims: list[tuple[Panelist, str]]) -> None:
    """In the lobby: each (person, topic) claims; the lead starts and begins the first block."""
    for person, topic in claims:
        claim(person, topic)
    expect(lead.page.locator("#start")).to_be_enabled()
    lead.page.locator("#start").click()
    expect(lead.page.locator("#blocks-begin")).to_be_visible()
    lead.page.locator("#blocks-begin").click()
    for person in [lead, *(p for p, _t in claims)]:
        expect(person.page.locator("body")).to_have_attribute("data-phase", "blocks")


def question_rows(stack: Stack, code: str) -> list[tuple[int, str, int | None, str, bool]]:
    """(block, key, score, note, skipped) of every recorded question, in the order asked."""
    return [
        (int(r[0]), str(r[1]), r[2], str(r[3]), bool(r[4]))
        for r in sql(
            stack,
            "SELECT q.block_index, q.key, q.score, q.note, q.skipped "
            "FROM sessions_live_askedquestion q JOIN sessions_live_livesession s "
            "ON s.id = q.session_id WHERE s.code = %s ORDER BY q.asked_at, q.id",
            code,
        )
    ]


_CONTENT_QUERIES = [
    "SELECT first_name || ' ' || last_name FROM accounts_user",
    "SELECT first_name FROM accounts_user",
    "SELECT last_name FROM accounts_user",
    "SELECT username FROM accounts_user",
    "SELECT name FROM questionbank_topic",
    "SELECT description FROM questionbank_topic",
    "SELECT text FROM questionbank_question",
    "SELECT reference_answer FROM questionbank_question",
    "SELECT full_name FROM candidates_candidate",
    "SELECT name FROM cabinet_team",
    "SELECT description FROM cabinet_team",
    "SELECT name FROM cabinet_rejectionreason",
    "SELECT text FROM sessions_live_askedquestion",
    "SELECT note FROM sessions_live_askedquestion",
    "SELECT summary FROM sessions_live_feedbackrecord",
]


def content_strings(stack: Stack) -> list[str]:
    """Everything on the pages that is data, not interface (names, topics, questions,
    answers, teams, reasons, notes), longest first so a name inside a longer text goes with
    it. Each value whole and line by line; questions are Markdown, shown without backticks."""
    found: set[str] = set()
    for query in _CONTENT_QUERIES:
        for (value,) in sql(stack, query):
            text = str(value or "")
            found.add(text.strip())
            found.update(line.strip().replace("`", "") for line in text.splitlines())
    return sorted((s for s in found if s), key=len, reverse=True)


@dataclass
class Panel:
    """Lena leads on A; Ivan (Python, the running block) and Olga (Django) are on B."""

    stack: Stack
    a: Server
    b: Server
    browser: Browser
    code: str
    lena: Panelist
    ivan: Panelist
    olga: Panelist

    @property
    def everyone(self) -> list[Panelist]:
        return [self.lena, self.ivan, self.olga]


@contextmanager
def running_panel(
    stack: Stack,
    a: Server,
    b: Server,
    python_minutes: float,
    opener: Callable[[Browser, Server, str, str], Panelist] = open_panelist,
) -> Iterator[Panel]:
    """A browser with the three panel members' pages, Ivan's Python block running."""
    code = session_on(stack, a, b, [("Python", python_minutes), ("Django", 1)])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            lena = opener(browser, a, "lena", "Lena Lead")
            ivan = opener(browser, b, "ivan", "Ivan Petrov")
            olga = opener(browser, b, "olga", "Olga Sidorova")
            for person in (lena, ivan, olga):
                open_live(person, code)
            start_blocks(lena, [(ivan, "Python"), (olga, "Django")])
            yield Panel(stack, a, b, browser, code, lena, ivan, olga)
        finally:
            browser.close()
