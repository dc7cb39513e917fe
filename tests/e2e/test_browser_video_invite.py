"""One-way interviews in a real browser (Debian's chromium) on the shared e2e stack (daphne,
PostgreSQL, Redis): Rita the recruiter makes an interview of two questions in the three
steps — the second question moved up with the keyboard — and invites three addresses; the
interview's page lists the three invitations with their codes. A candidate on a 390 px
phone opens the e-mail's ``/signup?code=…`` link, signs up and lands on the dashboard with
the interview on it; the dashboard link of another invitation of the same interview opens
*Add interview* as a modal dialog, filled in, and adding it is refused with its message. The
page never scrolls sideways; no page error, console error or failed request on the way
(but the refused code's own 400)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
)

from tests.e2e.servers import DEMO_PASSWORD, Server

pytestmark = [pytest.mark.browser, pytest.mark.processes]

WAIT_MS = 15_000
PASSWORD = "a-long-candidate-passphrase"


def open_page(
    browser: Browser, server: Server, width: int, errors: list[str]
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 860})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" and "400 (Bad Request)" not in message.text:
            errors.append(f"console: {message.text}")

    page.on("console", console)
    page.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/candidate/interviews/add/")
            else None
        ),
    )
    return context, page


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_a_recruiter_invites_three_and_a_candidate_signs_up_by_the_link(
    e2e_servers: tuple[Server, Server], browser: Browser
) -> None:
    server, _other = e2e_servers
    run = uuid.uuid4().hex[:6]
    title = f"Frontend screening {run}"
    addresses = [f"{name}-{run}@example.com" for name in ("anna", "boris", "carla")]
    errors: list[str] = []

    recruiter_context, page = open_page(browser, server, 1280, errors)
    page.goto("/login/")
    page.locator("#id_username").fill("rita")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".whoami")).to_contain_text("Rita Recruiter")

    # Step 1: title, deadline and two questions; the second moved up by the keyboard.
    page.goto("/video-interviews/")
    page.locator("#video-interview-new").click()
    page.locator("#wizard-reset").click()  # a wizard of an earlier run starts over
    page.locator("#id_title").fill(title)
    deadline = (datetime.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_deadline").fill(deadline)
    page.locator("#question-list textarea").first.fill("Why this team?")
    page.locator("#add-question").click()
    expect(page.locator("#question-list .question-row")).to_have_count(2)
    page.locator("#question-list textarea").nth(1).fill("Tell us about a project you are proud of.")
    up = page.locator("#question-list .question-row").nth(1).locator('[data-move="up"]')
    up.focus()
    page.keyboard.press("Enter")  # moved in the page, no round trip
    expect(page.locator("#question-list textarea").first).to_have_value(
        "Tell us about a project you are proud of."
    )
    expect(page.locator("#move-status")).to_have_text("Question moved to place 1.")
    page.locator("#wizard-next").click()

    # Step 2: three addresses, pasted.
    expect(page).to_have_url(f"{server.url}/video-interviews/new/invite/")
    page.locator("#id_emails").fill(f"{addresses[0]}, {addresses[1]}\n{addresses[2]}")
    page.locator("#wizard-next").click()

    # Step 3: review and create.
    expect(page.locator("#review-questions li")).to_have_count(2)
    expect(page.locator("#review-questions li").first).to_contain_text("a project you are proud of")
    expect(page.locator("#review-emails li")).to_have_count(3)
    page.locator("#wizard-create").click()
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("#invitations tbody tr")).to_have_count(3)
    expect(page.locator('[data-stat="invited"] .stat-count')).to_have_text("3")
    codes = {
        address: page.locator(f'tr[data-email="{address}"] .invite-code').inner_text()
        for address in addresses
    }
    assert all(len(code) == 6 and code.isdigit() for code in codes.values()), codes
    recruiter_context.close()

    # The candidate, on a phone: the e-mail's sign-up link.
    candidate_context, phone = open_page(browser, server, 390, errors)
    phone.goto(f"/signup?code={codes[addresses[0]]}")
    phone.locator("#id_email").fill(addresses[0])
    phone.locator("#id_full_name").fill("Anna Kowalska")
    phone.locator("#id_password1").fill(PASSWORD)
    phone.locator("#id_password2").fill(PASSWORD)
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="Sign up").click()
    expect(phone).to_have_url(f"{server.url}/candidates/dashboard")
    card = phone.locator("#candidate-interviews .interview-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(title)
    expect(card).to_contain_text("2 questions")
    expect(phone.locator(".messages")).to_contain_text("is on your dashboard")
    no_sideways_scroll(phone)

    # The dashboard link of Boris's invitation (same interview): the dialog, filled in.
    phone.goto(f"/candidates/dashboard?code={codes[addresses[1]]}")
    dialog = phone.locator("dialog#add-interview")
    expect(dialog).to_be_visible()
    assert phone.evaluate("document.querySelector('dialog#add-interview').matches(':modal')")
    expect(phone.locator("#id_code")).to_be_focused()
    expect(phone.locator("#id_code")).to_have_value(codes[addresses[1]])
    phone.keyboard.press("Enter")
    expect(phone.locator("dialog#add-interview .errorlist")).to_have_text(
        "This interview is on your dashboard already."
    )
    expect(card).to_have_count(1)
    phone.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    no_sideways_scroll(phone)
    candidate_context.close()
    assert errors == []
