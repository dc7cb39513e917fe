"""The whole live interview in a real browser, against real daphne processes.

Three people in three browser contexts (lead Lena, interviewers Ivan and Olga) log in through
the login page and run one interview from the new-session form to the results page:
claim conflict and re-vote, the intro, a block ended early by its owner, a block ended by the
server's timer, feedback, "Interview finished", and the scores on the results page.

Two stacks: ``embedded`` (one daphne, SQLite, in-memory layer) and ``postgres`` (two daphne
processes sharing PostgreSQL and Redis; the lead's browser talks to server A, the
interviewers' to server B, so every push the others see crossed processes).

Screenshots land in ``tests/artifacts/<stack>/`` (git-ignored).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from tests.e2e.servers import DEMO_PASSWORD, embedded_stack, postgres_stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WAIT_MS = 15_000  # the longest any auto-waiting assertion waits

# Block 1 (Ivan, Python) is long enough to look at, and Ivan ends it early;
# block 2 (Olga, Django) is short and ends by the server's timer.
FIRST_MINUTES = "0.25"  # 15 s
SECOND_MINUTES = "0.15"  # 9 s
SECOND_SECONDS = 9

LENA, IVAN, OLGA = "Lena Lead", "Ivan Petrov", "Olga Sidorova"

BANK = {
    topic["name"]: topic["questions"]
    for topic in json.loads((ROOT / "questionbank" / "demo_bank.json").read_text("utf-8"))["topics"]
}

pytestmark = [pytest.mark.browser, pytest.mark.processes]


@dataclass
class Person:
    """One browser context, logged in as one user, with the errors its page raised."""

    name: str
    page: Page
    errors: list[str] = field(default_factory=list)


@contextmanager
def running_stack(kind: str, tmp: Path) -> Iterator[tuple[str, str]]:
    """(lead's server URL, interviewers' server URL)."""
    if kind == "embedded":
        with embedded_stack(tmp) as stack:
            server = stack.start_server()
            yield server.url, server.url
    else:
        with postgres_stack(tmp) as stack:
            a, b = stack.start_server(), stack.start_server()
            yield a.url, b.url


def open_person(browser: Browser, base_url: str, username: str, name: str) -> Person:
    context: BrowserContext = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    person = Person(name, page)
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
    # Log in through the real login page.
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".whoami")).to_contain_text(name)
    return person


def _console(person: Person, message: ConsoleMessage) -> None:
    # The browser asks for /favicon.ico on its own; base.html links no icon, so it 404s.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        person.errors.append(f"console: {message.text} at {message.location}")


def topic_box(page: Page, topic: str) -> Locator:
    return page.locator(f'#topic-list li[data-topic="{topic}"] input[type=checkbox]')


def expect_block(
    person: Person, *, owner: str, topic: str, n: int, of: int, next_line: str
) -> None:
    page = person.page
    question = BANK[topic][n - 1]
    expect(page.locator("#blocks")).to_be_visible()
    expect(page.locator("#speaker")).to_have_text(f"{owner} asks")
    expect(page.locator("#block-topic")).to_have_text(topic)
    expect(page.locator("#q-counter")).to_have_text(f"Question {n} of {of}")
    # Questions and answers render as Markdown: `code` shows without its backticks.
    expect(page.locator("#q-text")).to_have_text(question["text"].replace("`", ""))
    expect(page.locator("#q-answer")).to_have_text(question["reference_answer"].replace("`", ""))
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator("#next-line")).to_have_text(re.compile(next_line))
    score_form = page.locator("#score-form")
    if person.name == owner:
        expect(score_form).to_be_visible()
    else:
        expect(score_form).to_be_hidden()


def score(person: Person, points: int, note: str) -> None:
    page = person.page
    page.locator("#score").fill(str(points))
    page.locator("#note").fill(note)
    page.locator("#next").click()


def give_feedback(
    person: Person, summary: str, expected_items: int, shot: Path | None = None
) -> None:
    page = person.page
    expect(page.locator("#feedback")).to_be_visible()
    items = page.locator("#feedback-items textarea")
    expect(items).to_have_count(expected_items)
    for index in range(expected_items):
        items.nth(index).fill(f"{person.name}: remark {index + 1}")
    page.locator("#feedback-summary").fill(summary)
    if shot is not None:
        page.screenshot(path=str(shot), full_page=True)
    page.locator("#feedback-submit").click()
    expect(page.locator("#feedback-done")).to_be_visible()
    expect(page.locator("#feedback-saved")).to_have_text(summary)


@pytest.mark.parametrize("kind", ["embedded", "postgres"])
def test_live_interview_in_the_browser(kind: str, tmp_path: Path) -> None:
    shots = ARTIFACTS / kind
    shots.mkdir(parents=True, exist_ok=True)
    with ExitStack() as resources:
        lead_url, panel_url = resources.enter_context(running_stack(kind, tmp_path))
        playwright = resources.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        resources.callback(browser.close)
        started = time.monotonic()
        lena = open_person(browser, lead_url, "lena", LENA)
        ivan = open_person(browser, panel_url, "ivan", IVAN)
        olga = open_person(browser, panel_url, "olga", OLGA)
        everyone = [lena, ivan, olga]
        run_flow(lena, ivan, olga, everyone, panel_url, shots)
        for person in everyone:
            assert person.errors == [], f"{person.name}'s page: {person.errors}"
        print(f"\n{kind}: browser flow took {time.monotonic() - started:.1f} s")


def run_flow(  # noqa: PLR0915 - one story, told in order
    lena: Person,
    ivan: Person,
    olga: Person,
    everyone: list[Person],
    panel_url: str,
    shots: Path,
) -> None:
    # 1. Lena creates the session: the candidate card and two short topics, Python first.
    page = lena.page
    page.goto("/sessions/new/")
    page.locator("#id_full_name").fill("Carla Candidate")
    page.locator("#id_email").fill("carla@example.com")
    for topic, position, minutes in (("Python", 1, FIRST_MINUTES), ("Django", 2, SECOND_MINUTES)):
        row = page.locator(f'tr[data-topic="{topic}"]')
        row.locator("input[type=checkbox]").check()
        row.locator('input[name$="_position"]').fill(str(position))
        row.locator('input[name$="_minutes"]').fill(minutes)
    page.screenshot(path=str(shots / "new-session.png"), full_page=True)
    page.get_by_role("button", name="Create session").click()
    expect(page).to_have_url(re.compile(r"/s/[A-Z0-9-]+/$"))
    code = page.locator("#session-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}-[A-Z0-9]{3}", code), code
    assert page.url.endswith(f"/s/{code}/")
    join_link = page.locator("#join-link").input_value()
    assert join_link.endswith(f"/s/{code}/join/"), join_link
    expect(page.locator("#lobby")).to_be_visible()
    expect(page.locator("#topic-list li")).to_have_count(2)
    expect(page.locator("#topic-list li").first).to_have_attribute("data-topic", "Python")

    # 2. Ivan joins by typing the code; Olga follows the join link (on the panel's server).
    ivan.page.goto("/sessions/join/")
    ivan.page.locator("#id_code").fill(code.lower().replace("-", " "))
    ivan.page.get_by_role("button", name="Join", exact=True).click()
    expect(ivan.page).to_have_url(re.compile(rf"/s/{code}/$"))
    olga.page.goto(panel_url + urlparse(join_link).path)
    expect(olga.page.get_by_text("Interview with Carla Candidate")).to_be_visible()
    olga.page.get_by_role("button", name="Join this session").click()
    expect(olga.page).to_have_url(re.compile(rf"/s/{code}/$"))
    for person in everyone:
        expect(person.page.locator("body")).to_have_attribute("data-phase", "lobby")
        members = person.page.locator("#member-list .pill")
        expect(members).to_have_count(3)
        expect(person.page.locator("#member-list .pill.online")).to_have_count(3)
        expect(person.page.locator("#banner")).to_be_hidden()

    # 3. Both interviewers claim Python: everybody sees the conflict; Olga re-votes for Django.
    topic_box(ivan.page, "Python").click()
    expect(topic_box(ivan.page, "Python")).to_be_checked()
    topic_box(olga.page, "Python").click()
    expect(topic_box(olga.page, "Python")).to_be_checked()
    for person in everyone:
        conflicts = person.page.locator("#conflicts")
        expect(conflicts).to_be_visible()
        entry = person.page.locator('#conflict-list li[data-conflict="Python"]')
        expect(entry).to_contain_text(IVAN)
        expect(entry).to_contain_text(OLGA)
        expect(person.page.locator('#topic-list li[data-topic="Python"]')).to_have_class("conflict")
    expect(lena.page.locator("#start")).to_be_disabled()
    lena.page.screenshot(path=str(shots / "lobby-conflict.png"), full_page=True)

    topic_box(olga.page, "Python").click()
    expect(topic_box(olga.page, "Python")).not_to_be_checked()
    topic_box(olga.page, "Django").click()
    expect(topic_box(olga.page, "Django")).to_be_checked()
    for person in everyone:
        expect(person.page.locator("#conflicts")).to_be_hidden()
        expect(person.page.locator('#topic-list li[data-topic="Python"]')).to_contain_text(IVAN)
        expect(person.page.locator('#topic-list li[data-topic="Django"]')).to_contain_text(OLGA)
    expect(lena.page.locator("#start")).to_be_enabled()
    expect(ivan.page.locator("#start")).to_be_hidden()
    lena.page.locator("#start").click()

    # 4. The intro: everyone reads it; only the lead can begin the first block.
    for person in everyone:
        expect(person.page.locator("#intro")).to_be_visible()
        expect(person.page.locator("#intro-text")).to_contain_text("Welcome!")
    expect(ivan.page.locator("#blocks-begin")).to_be_hidden()
    lena.page.locator("#blocks-begin").click()

    # 5. Block 1: Ivan asks Python. Everyone sees it; only Ivan can score. He ends it early.
    next_olga = rf"^Next: {OLGA} — Django in 00:\d\d$"
    for person in everyone:
        expect_block(person, owner=IVAN, topic="Python", n=1, of=6, next_line=next_olga)
    expect(lena.page.locator("#lead-controls")).to_be_visible()
    score(ivan, 4, "Clear on mutability.")
    for person in everyone:
        expect_block(person, owner=IVAN, topic="Python", n=2, of=6, next_line=next_olga)
    ivan.page.screenshot(path=str(shots / "block-running.png"), full_page=True)
    score(ivan, 3, "Knew the default-argument trap.")
    expect(ivan.page.locator("#q-counter")).to_have_text("Question 3 of 6")
    ivan.page.locator("#yield").click()

    # 6. Block 2: Olga asks Django; she scores one question and skips one, then waits.
    block_two_seen = time.monotonic()
    last = r"^Last block; then the closing\.$"
    for person in everyone:
        expect_block(person, owner=OLGA, topic="Django", n=1, of=6, next_line=last)
    score(olga, 5, "Knows the request cycle.")
    expect_block(olga, owner=OLGA, topic="Django", n=2, of=6, next_line=last)
    olga.page.locator("#skip").click()
    expect_block(olga, owner=OLGA, topic="Django", n=3, of=6, next_line=last)
    # Ivan's block is over: his feedback is open while Olga is still asking.
    give_feedback(ivan, "Solid Python basics.", expected_items=2)

    # The countdown is drawn locally from the deadline: it runs down without any click.
    # (How far it has run depends on how fast the steps above went: wait up to the block's end.)
    expect(lena.page.locator("#countdown")).to_have_text(
        re.compile(r"^00:0[0-4]$"), timeout=WAIT_MS
    )

    # Nobody clicks: the server's timer ends Olga's block and hands control to the lead.
    for person in everyone:
        expect(person.page.locator("#closing")).to_be_visible(timeout=WAIT_MS)
        expect(person.page.locator("body")).to_have_attribute("data-phase", "closing")
    assert time.monotonic() - block_two_seen >= SECOND_SECONDS - 3, "block 2 ended too early"
    expect(lena.page.locator("#finish")).to_be_visible()
    expect(olga.page.locator("#finish")).to_be_hidden()

    # 7. Lena finishes while Olga still owes feedback; then Olga gives it.
    lena.page.locator("#finish").click()
    for person in everyone:
        expect(person.page.locator("#finished")).to_be_visible()
    expect(lena.page.locator("#owed-some")).to_be_visible()
    expect(lena.page.locator("#owed")).to_have_text(OLGA)
    give_feedback(
        olga,
        "Good Django knowledge; skipped N+1.",
        expected_items=2,
        shot=shots / "feedback.png",
    )
    for person in everyone:
        expect(person.page.locator("#owed-none")).to_be_visible()
        expect(person.page.locator("#owed-some")).to_be_hidden()
    lena.page.screenshot(path=str(shots / "finished.png"), full_page=True)

    # 8. The results page: every score, the totals and both feedbacks.
    lena.page.locator("#results-link").click()
    expect(lena.page).to_have_url(re.compile(rf"/s/{code}/results/$"))
    results = lena.page
    expect(results.locator('[data-block="0"] .score')).to_have_text(["4 / 5", "3 / 5"])
    expect(results.locator('[data-block="1"] .score')).to_have_text(["5 / 5", "skipped"])
    expect(results.locator('#totals tr[data-topic="Python"] .total')).to_have_text("7 / 10")
    expect(results.locator('#totals tr[data-topic="Django"] .total')).to_have_text("5 / 5")
    expect(results.locator("#grand-total")).to_have_text("12 / 15")
    expect(results.locator('[data-block="0"]')).to_contain_text("Clear on mutability.")
    expect(results.locator(".feedback")).to_have_count(2)
    expect(results.locator(".feedback")).to_contain_text(
        ["Solid Python basics.", "Good Django knowledge; skipped N+1."]
    )
    results.screenshot(path=str(shots / "results.png"), full_page=True)
