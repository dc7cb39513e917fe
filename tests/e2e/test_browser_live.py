"""The live page in real browsers, on two real daphne processes (PostgreSQL and Redis): the
lead's page on A, the interviewers' on B.

* a double click on "Score and next question", and Enter pressed twice, record one question,
  not two: the page sends one command (its button stays disabled until the reply) and the
  server refuses a command aimed at a question no longer current (``stale``);
* on a phone (390 x 844) the owner's page does not scroll sideways, the speaker, question and
  countdown stay on screen while the owner scrolls to the score form (the status bar is
  sticky), and the owner's controls come before the rest of the page.

Screenshot: ``tests/artifacts/live-390.png``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import WebSocketRoute, expect

from tests.e2e.live_pages import (
    BANK,
    Panel,
    Panelist,
    open_live,
    open_panelist,
    question_rows,
    running_panel,
)
from tests.e2e.servers import Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ROOT = Path(__file__).resolve().parents[2]
PHONE_SHOT = ROOT / "tests" / "artifacts" / "live-390.png"
PYTHON = BANK["Python"]
SETTLE_SECONDS = 1.0  # long enough for a stray second command's reply to have come back


@pytest.fixture(scope="module")
def panel(e2e_stack: Stack, e2e_servers: tuple[Server, Server]) -> Iterator[Panel]:
    """Ivan's Python block running (two minutes), Olga's Django block next."""
    a, b = e2e_servers
    with running_panel(e2e_stack, a, b, python_minutes=2) as running:
        yield running


def shown_question(person: Panelist) -> int:
    counter = person.page.locator("#q-counter")
    expect(counter).to_have_text(re.compile(r"^Question \d+ of \d+$"))
    found = re.match(r"Question (\d+) of", counter.inner_text())
    assert found
    return int(found.group(1))


def expect_question(person: Panelist, n: int) -> None:
    page = person.page
    expect(page.locator("#q-counter")).to_have_text(f"Question {n} of {len(PYTHON)}")
    expect(page.locator("#q-text")).to_have_text(PYTHON[n - 1]["text"].replace("`", ""))


def score_twice(panel: Panel, how: str) -> None:
    """Ivan scores the current question 4 and submits twice in a row (``how``); exactly one
    question is recorded and everybody moves on by exactly one."""
    ivan = panel.ivan
    page = ivan.page
    n = shown_question(ivan)
    assert n < len(PYTHON), "the block ran out of questions"
    for person in panel.everyone:
        expect_question(person, n)
    before = question_rows(panel.stack, panel.code)
    sent, received = len(ivan.sent), len(ivan.received)

    page.locator("#score").fill("4")
    page.locator("#note").fill(f"one {how}")
    if how == "double click":
        page.get_by_role("button", name="Score and next question").dblclick()
    else:
        page.locator("#note").focus()
        page.locator("#score").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")

    # Everybody sees the next question, once; the owner's form is fresh for it.
    for person in panel.everyone:
        expect_question(person, n + 1)
    expect(page.locator("#score")).to_have_value("0")
    expect(page.locator("#note")).to_have_value("")
    expect(page.locator("#next")).to_be_enabled()
    time.sleep(SETTLE_SECONDS)
    for person in panel.everyone:
        expect_question(person, n + 1)

    # Exactly one question recorded, the one shown, with the score typed.
    after = question_rows(panel.stack, panel.code)
    assert len(after) == len(before) + 1, after
    block, _key, score, note, skipped = after[-1]
    assert (block, score, note, skipped) == (0, 4, f"one {how}", False)
    # The page sent one command for it and got one reply, an ack: no stale error to show.
    commands = ivan.commands("question.next", since=sent)
    assert len(commands) == 1, commands
    assert commands[0]["score"] == 4 and commands[0]["question"] == after[-1][1]
    replies = ivan.replies(since=received)
    assert [r["type"] for r in replies] == ["ack"], replies
    expect(page.locator("#notice")).to_be_hidden()
    for person in panel.everyone:
        person.assert_clean()


def test_a_double_click_scores_one_question(panel: Panel) -> None:
    score_twice(panel, "double click")


def test_enter_pressed_twice_scores_one_question(panel: Panel) -> None:
    score_twice(panel, "Enter twice")


def test_a_second_click_while_the_push_is_late_sends_nothing(panel: Panel) -> None:
    """The ack comes straight back; the new snapshot comes through the channel layer and can
    lag behind it (a loaded Redis). A second click in between, on the old question, must not
    send a command the server would refuse as stale (an error shown for a double click):
    the button waits for the snapshot of the version its ack named."""
    ivan = open_panelist(panel.browser, panel.b, "ivan", "Ivan Petrov")
    page = ivan.page
    held: list[str | bytes] = []
    holding = [False]

    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if holding[0] and '"type":"state"' in str(message):
                held.append(message)  # late: flushed by the test below
            else:
                socket.send(message)

        server.on_message(from_server)
        routes.append(socket)

    routes: list[WebSocketRoute] = []
    page.route_web_socket(re.compile(r"/ws/sessions/"), route)
    open_live(ivan, panel.code)
    n = shown_question(ivan)
    before = question_rows(panel.stack, panel.code)
    sent, received = len(ivan.sent), len(ivan.received)

    holding[0] = True
    page.locator("#score").fill("4")
    page.locator("#next").click()
    deadline = time.monotonic() + 10
    while not ivan.replies(since=received) and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert [r["type"] for r in ivan.replies(since=received)] == ["ack"]
    page.wait_for_timeout(100)  # the page has handled the ack; the snapshot is still held
    expect_question(ivan, n)
    box = _box(ivan, "#next")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#score").press("Enter")
    page.wait_for_timeout(300)
    holding[0] = False
    for message in held:
        routes[0].send(message)

    for person in [ivan, *panel.everyone]:
        expect_question(person, n + 1)
    time.sleep(SETTLE_SECONDS)
    assert len(ivan.commands("question.next", since=sent)) == 1, ivan.sent[sent:]
    assert [r["type"] for r in ivan.replies(since=received)] == ["ack"], ivan.received[received:]
    expect(page.locator("#notice")).to_be_hidden()
    expect(page.locator("#next")).to_be_enabled()
    after = question_rows(panel.stack, panel.code)
    assert len(after) == len(before) + 1 and after[-1][2] == 4, after
    ivan.assert_clean()
    page.context.close()


def test_the_server_refuses_a_second_command_for_the_same_question(panel: Panel) -> None:
    """Past the page's own guard (another tab, a retry with a new id): two commands for one
    question on one socket; the second is refused as stale and changes nothing."""
    ivan = panel.ivan
    n = shown_question(ivan)
    before = question_rows(panel.stack, panel.code)
    replies = ivan.page.evaluate(
        """async (path) => {
          const ws = new WebSocket(`ws://${location.host}${path}`);
          const replies = [];
          let key = null;
          await new Promise((resolve, reject) => {
            ws.onerror = reject;
            ws.onmessage = (event) => {
              const message = JSON.parse(event.data);
              if (message.type === "state" && key === null) {
                key = message.state.current.question.key;
                for (const id of ["first", "second"]) {
                  ws.send(JSON.stringify({type: "question.next", id, question: key, score: 2}));
                }
              } else if (message.type === "ack" || message.type === "error") {
                replies.push([message.id, message.type, message.code || null]);
                if (replies.length === 2) resolve();
              }
            };
          });
          ws.close();
          return replies;
        }""",
        f"/ws/sessions/{panel.code}/",
    )
    assert replies == [["first", "ack", None], ["second", "error", "stale"]], replies
    for person in panel.everyone:
        expect_question(person, n + 1)
    after = question_rows(panel.stack, panel.code)
    assert len(after) == len(before) + 1 and after[-1][2] == 2, after
    for person in panel.everyone:
        person.assert_clean()


def _box(person: Panelist, selector: str) -> dict[str, float]:
    box = person.page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _on_screen(person: Panelist, selector: str, width: int, height: int) -> None:
    box = _box(person, selector)
    assert box["width"] > 0 and box["height"] > 0, (selector, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, (selector, box)


def test_the_owners_page_on_a_phone(panel: Panel) -> None:
    width, height = 390, 844
    phone = open_panelist(
        panel.browser, panel.b, "ivan", "Ivan Petrov", viewport=(width, height), phone=True
    )
    page = phone.page
    open_live(phone, panel.code)
    expect(page.locator("body")).to_have_attribute("data-phase", "blocks")
    n = shown_question(phone)
    expect_question(phone, n)
    expect(page.locator("#speaker")).to_have_text("Ivan Petrov asks")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator("#score-form")).to_be_visible()
    expect(page.locator("#your-turn")).to_be_visible()

    # No sideways scrolling.
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= width and overflow[1] == width, overflow

    # At the top: who asks, the countdown and the question are on screen.
    assert page.evaluate("window.scrollY") == 0
    status = ["#speaker", "#countdown", "#block-topic"]
    for selector in [*status, "#q-counter", "#q-text"]:
        _on_screen(phone, selector, width, height)

    # The owner's controls come first: the score form before the reference answer, the lead's
    # controls, the block list, the panel and the page head.
    form_top = _box(phone, "#score-form")["y"]
    for later in ["#q-answer", "#block-list", "#panel", ".live-head", "#session-code"]:
        assert form_top < _box(phone, later)["y"], f"{later} comes before the score form"
    assert _box(phone, "#q-text")["y"] < form_top

    # Scrolled so the score form's button sits at the bottom of the screen, then further: the
    # status bar stays on screen (sticky), and does not cover the form it scrolled to.
    page.evaluate("document.getElementById('next').scrollIntoView({block: 'end'})")
    scrolled = page.evaluate("window.scrollY")
    for selector in status:
        _on_screen(phone, selector, width, height)
    _on_screen(phone, "#next", width, height)
    _on_screen(phone, "#score", width, height)
    bar_bottom = _box(phone, "#status-bar")["y"] + _box(phone, "#status-bar")["height"]
    assert _box(phone, "#score")["y"] >= bar_bottom, "the status bar covers the score field"
    # The question being scored is still on screen, under the bar, not behind it.
    for selector in ["#q-counter", "#q-text"]:
        _on_screen(phone, selector, width, height)
        assert _box(phone, selector)["y"] >= bar_bottom - 0.5, f"the status bar covers {selector}"
    page.evaluate("window.scrollBy(0, 300)")
    assert page.evaluate("window.scrollY") > scrolled, "the page did not scroll"
    assert page.evaluate("window.scrollY") > 0
    for selector in status:
        _on_screen(phone, selector, width, height)
    assert abs(_box(phone, "#status-bar")["y"]) < 1, "the status bar is not stuck to the top"

    page.evaluate("window.scrollTo(0, 0)")
    PHONE_SHOT.parent.mkdir(parents=True, exist_ok=True)
    PHONE_SHOT.unlink(missing_ok=True)
    page.screenshot(path=str(PHONE_SHOT), full_page=True)
    assert PHONE_SHOT.is_file() and PHONE_SHOT.stat().st_size > 1000, PHONE_SHOT

    # The phone's page works too: scoring from it moves everybody on by one.
    page.locator("#score").fill("3")
    page.locator("#next").click()
    for person in [phone, *panel.everyone]:
        expect_question(person, n + 1)
    for person in [phone, *panel.everyone]:
        person.assert_clean()
    page.context.close()


def test_signing_out_in_another_tab_closes_the_live_page_for_good(panel: Panel) -> None:
    """Sign-out closes that login's sockets (4410): the page says why and does not reconnect."""
    olga = open_panelist(panel.browser, panel.b, "olga", "Olga Sidorova")
    page = olga.page
    open_live(olga, panel.code)
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Log out").click()
    other_tab.wait_for_url(re.compile(r"/(login/)?(\?.*)?$"))
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("You signed out")
    page.wait_for_timeout(3000)  # longer than the first reconnect delay (0.5 s ± 25 %)
    expect(banner).to_contain_text("You signed out")
    assert sockets == [], f"the page reconnected after 4410: {sockets}"
    page.context.close()
