"""Blind feedback on the results page, in real browsers on two daphne processes.

Ivan (Python) and Olga (Django) each ask a block; the lead finishes; Ivan submits his
feedback. Olga, who has not submitted hers, opens the results page: nothing of Ivan's is in
it (score, note, feedback), not even hidden in the markup, only his topic and name. Lena (the
lead, who owes none) is blind too until every feedback is in. Maria (manager) sees
everything at once. Once Olga submits, she (and Lena) see Ivan's scores, notes and feedback.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.live_pages import Panelist, open_live, open_panelist, session_on, start_blocks
from tests.e2e.servers import Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

IVAN_NOTE = "ivan-note: knows generators"
IVAN_ITEM = "ivan-item: mutable defaults explained well"
IVAN_SUMMARY = "ivan-summary: strong hire for Python"
OLGA_NOTE = "olga-note: shaky on querysets"
OLGA_SUMMARY = "olga-summary: needs work on the ORM"
IVANS = [IVAN_NOTE, IVAN_ITEM, IVAN_SUMMARY]


def ask_one_and_yield(person: Panelist, score: int, note: str) -> None:
    page = person.page
    expect(page.locator("#speaker")).to_have_text(f"{person.name} asks")
    expect(page.locator("#q-counter")).to_have_text("Question 1 of 6")
    page.locator("#score").fill(str(score))
    page.locator("#note").fill(note)
    page.locator("#next").click()
    expect(page.locator("#q-counter")).to_have_text("Question 2 of 6")
    page.locator("#yield").click()


def submit_feedback(person: Panelist, summary: str, item: str = "") -> None:
    page = person.page
    expect(page.locator("#feedback")).to_be_visible()
    items = page.locator("#feedback-items textarea")
    expect(items).to_have_count(1)
    if item:
        items.first.fill(item)
    page.locator("#feedback-summary").fill(summary)
    page.locator("#feedback-submit").click()
    expect(page.locator("#feedback-done")).to_be_visible()
    expect(page.locator("#feedback-saved")).to_have_text(summary)


def open_results(person: Panelist, code: str) -> str:
    """Open the results page; return its whole markup."""
    page = person.page
    page.goto(f"/s/{code}/results/")
    expect(page.locator("h1")).to_contain_text("Results: Casey Candidate")
    return page.content()


def expect_blind_to_ivan(person: Panelist, code: str) -> None:
    page = person.page
    markup = open_results(person, code)
    expect(page.locator("#blind-notice")).to_be_visible()
    for text in IVANS:
        assert text not in markup, f"{person.name} sees Ivan's {text!r} before their own feedback"
    ivans_block = page.locator('[data-block="0"]')
    expect(ivans_block).to_contain_text("Python — Ivan Petrov")
    expect(ivans_block.locator(".hidden-block")).to_be_visible()
    expect(ivans_block.locator(".score")).to_have_count(0)
    expect(page.locator('#totals tr[data-topic="Python"] .hidden-score')).to_be_visible()
    expect(page.locator("#grand-total")).to_have_count(0)
    expect(page.locator(".feedback[data-member] .summary")).not_to_contain_text([IVAN_SUMMARY])


def expect_sees_all(person: Panelist, code: str, feedback: list[str]) -> None:
    page = person.page
    markup = open_results(person, code)
    expect(page.locator("#blind-notice")).to_have_count(0)
    for text in [IVAN_NOTE, OLGA_NOTE, *feedback]:
        assert text in markup, f"{person.name} does not see {text!r}"
    expect(page.locator('[data-block="0"] .score')).to_have_text(["4 / 5"])
    expect(page.locator('[data-block="1"] .score')).to_have_text(["1 / 5"])
    expect(page.locator('[data-block="0"] .note')).to_have_text([IVAN_NOTE])
    expect(page.locator("#grand-total")).to_have_text("5 / 10")
    expect(page.locator(".feedback .summary")).to_have_text(feedback)


def test_results_stay_blind_until_your_own_feedback_is_in(
    e2e_stack: Stack, e2e_servers: tuple[Server, Server], browser: Browser
) -> None:
    stack, (a, b) = e2e_stack, e2e_servers
    code = session_on(stack, a, b, [("Python", 1), ("Django", 1)])
    lena = open_panelist(browser, a, "lena", "Lena Lead")
    ivan = open_panelist(browser, b, "ivan", "Ivan Petrov")
    olga = open_panelist(browser, b, "olga", "Olga Sidorova")
    for person in (lena, ivan, olga):
        open_live(person, code)
    start_blocks(lena, [(ivan, "Python"), (olga, "Django")])

    ask_one_and_yield(ivan, 4, IVAN_NOTE)
    ask_one_and_yield(olga, 1, OLGA_NOTE)
    expect(lena.page.locator("#finish")).to_be_visible()
    lena.page.locator("#finish").click()
    for person in (lena, ivan, olga):
        expect(person.page.locator("#finished")).to_be_visible()
    submit_feedback(ivan, IVAN_SUMMARY, IVAN_ITEM)
    expect(lena.page.locator("#owed")).to_have_text("Olga Sidorova")

    # Olga owes her feedback: the results page shows her own block, nothing of Ivan's.
    expect_blind_to_ivan(olga, code)
    olgas_block = olga.page.locator('[data-block="1"]')
    expect(olgas_block.locator(".score")).to_have_text(["1 / 5"])
    expect(olgas_block.locator(".note")).to_have_text([OLGA_NOTE])
    # The lead owes none, but sees others only once every feedback is in.
    expect_blind_to_ivan(lena, code)
    # Ivan has given his: he sees Olga's scores and notes (her feedback does not exist yet).
    assert OLGA_NOTE in open_results(ivan, code)
    expect(ivan.page.locator("#blind-notice")).to_have_count(0)
    # The manager sees everything, now.
    maria = open_panelist(browser, a, "maria", "Maria Manager")
    expect_sees_all(maria, code, [IVAN_SUMMARY])
    expect(maria.page.locator("#feedback")).to_contain_text(IVAN_ITEM)

    # Olga submits hers (on the live page); then Ivan's scores, notes and feedback are hers to
    # read, and the lead's too.
    open_live(olga, code)
    submit_feedback(olga, OLGA_SUMMARY)
    expect_sees_all(olga, code, [IVAN_SUMMARY, OLGA_SUMMARY])
    expect(olga.page.locator("#feedback")).to_contain_text(IVAN_ITEM)
    expect_sees_all(lena, code, [IVAN_SUMMARY, OLGA_SUMMARY])
    expect_sees_all(maria, code, [IVAN_SUMMARY, OLGA_SUMMARY])

    for person in (lena, ivan, olga, maria):
        person.assert_clean()
