"""A candidate their one-to-one rounds selected, decided on in a real browser at 390 px, in
Russian, from the keyboard alone (the statistics test's pattern, on the shared stack): the
cabinet lists them with their rating sheets, the page does not scroll sideways, every control
of the decision form is reached by Tab, and Enter hires them; no console error, no CSP
violation. Screenshot: ``tests/artifacts/candidate-decision-ru-390.png`` (git-ignored)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.servers import Server, Stack
from tests.e2e.test_browser_stats import ARTIFACTS, signed_in_manager

pytestmark = [pytest.mark.browser, pytest.mark.processes]

DATA = """
from accounts.models import User
from tests.cabinet.helpers import selected_by_rounds

rita, ivan = User.objects.get(username="rita"), User.objects.get(username="ivan")
nora = selected_by_rounds(rita, ivan, name="Nora Browser", hr_email="hr@example.com")
print("SELECTED", nora.pk)
"""

NO_SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
WIDE = (
    "() => [...document.querySelectorAll('body *')].filter(e => "
    "e.getBoundingClientRect().right > window.innerWidth + 1 && "
    "!e.closest('.table-scroll, .cabinet-sr-only')).slice(0, 5)"
    ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
)


def no_sideways_scroll(page) -> None:  # noqa: ANN001
    overflow = page.evaluate(NO_SIDEWAYS)
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px: {page.evaluate(WIDE)}"


@pytest.fixture(scope="module")
def decision_server(e2e_stack: Stack) -> tuple[Server, int]:
    out = e2e_stack.manage("shell", "-c", DATA)
    found = re.search(r"SELECTED (\d+)", out)
    assert found, out
    return e2e_stack.start_server(), int(found[1])


def test_a_candidate_of_one_to_one_rounds_is_hired_from_the_keyboard_at_390_px(
    browser: Browser, decision_server: tuple[Server, int]
) -> None:
    server, candidate_id = decision_server
    page, problems = signed_in_manager(browser, server, 390, 844)
    page.goto("/cabinet/")
    row = page.locator(f'#awaiting-candidates tr.awaiting[data-candidate="{candidate_id}"]')
    expect(row).to_contain_text("Nora Browser")
    expect(row.locator(".sheet-line")).to_have_count(2)
    expect(row.locator(".sheet-line").first).to_contain_text("7 / 10")
    no_sideways_scroll(page)

    row.get_by_role("link", name="Nora Browser").click()
    expect(page).to_have_url(re.compile(rf"/cabinet/candidates/{candidate_id}/decide/$"))
    expect(page.locator("#ratings .rating-sheet")).to_have_count(2)
    no_sideways_scroll(page)

    form = page.locator("#decision-form")
    expect(form.locator("legend").first).to_have_text("Решение:")
    page.locator("#id_outcome_0").focus()
    page.keyboard.press("Space")
    expect(page.locator("#id_outcome_0")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("#id_team")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_team")).not_to_have_value("")
    for _n in range(30):  # through the reasons, the comment and the language to the button
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type === 'submit'"):
            break
    submit = form.locator("button[type=submit]")
    expect(submit).to_be_focused()
    box = submit.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Решение сохранено")
    expect(page.locator("#candidate-status")).to_have_text("принят на работу")
    expect(page.locator("#delivery tr.outbox").first).to_contain_text("почта")
    no_sideways_scroll(page)
    path = ARTIFACTS / "candidate-decision-ru-390.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert problems == [], problems
    page.context.close()
