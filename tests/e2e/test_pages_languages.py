"""Every page in Russian and in English, in a real browser on a real daphne (PostgreSQL,
Redis): with Russian chosen no English interface words show, with English no Cyrillic
interface text shows, and axe-core finds no serious or critical accessibility violation.

What people typed or the bank holds (names, topics, questions, answers, teams, reasons) is
content, not interface: it is read from the database and taken out of the page's text before
the check. The session is driven through its phases by three panel members' browsers, so the
lobby, intro, block, feedback and results pages are the real ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.live_pages import content_strings
from tests.e2e.servers import DEMO_PASSWORD, Server, Stack
from tests.e2e.test_browser_flow import WAIT_MS
from tests.e2e.test_multiprocess import ready_session

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Interface words of the English pages; none may show on a Russian page. Whole words, so
# "Python" or a name never matches; short and common words are left out on purpose.
ENGLISH_INTERFACE = [
    "Log in", "Log out", "Username", "Password", "Search", "Sessions", "New session",
    "Join", "Candidate", "Topics", "Topic", "Questions", "Lobby", "Claim", "Start",
    "Score and next question", "Skip", "End block", "Add a question", "Feedback", "Summary",
    "Submit", "Results", "Decision", "Decide", "Hire", "Reject", "Statistics", "Import",
    "Export", "Check", "Interviewer", "Interviewers", "Manager", "Reference answer",
    "Countdown", "remaining", "minutes", "Save", "Cancel", "Back", "Reconnecting",
    "Profile", "Language", "Time zone",
]  # fmt: skip
CYRILLIC = re.compile(r"[\u0400-\u04FF]+")
LOCALES = {"ru": "ru-RU", "en": "en-US"}


@dataclass
class Visit:
    language: str
    page: str
    leaks: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def interface_text(page: Page, content: list[str]) -> str:
    # Text marked as another language (the switcher names each language in itself,
    # <option lang="ru">Русский</option>) is that language's on purpose: left out.
    text, foreign = page.evaluate(
        """() => {
            const mine = document.documentElement.lang.split("-")[0];
            const other = [...document.body.querySelectorAll("[lang]")]
                .filter((el) => el.lang.split("-")[0] !== mine)
                .map((el) => el.textContent.trim());
            return [document.body.innerText, other];
        }"""
    )
    for piece in sorted(foreign, key=len, reverse=True):
        text = text.replace(piece, " ")
    for piece in content:
        text = text.replace(piece, " ")
    return text


def check(page: Page, language: str, name: str, content: list[str], visits: list[Visit]) -> None:
    page.wait_for_load_state("networkidle")
    visit = Visit(language, name)
    text = interface_text(page, content)
    if language == "ru":
        visit.leaks = [w for w in ENGLISH_INTERFACE if re.search(rf"\b{re.escape(w)}\b", text)]
    else:
        visit.leaks = sorted(set(CYRILLIC.findall(text)))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target).join(' ')}`)"
    )
    visit.violations = list(result)
    visits.append(visit)


def sign_in(browser: Browser, server: Server, language: str, username: str) -> Page:
    # bypass_csp: axe-core is injected as a script of the test's, which the pages' CSP forbids.
    context = browser.new_context(base_url=server.url, locale=LOCALES[language], bypass_csp=True)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator(".whoami")).to_be_visible()
    return page


def visit_every_page(stack: Stack, a: Server, b: Server, browser: Browser, lang: str) -> list[Visit]:
    visits: list[Visit] = []
    content = content_strings(stack)

    anonymous = browser.new_context(base_url=a.url, locale=LOCALES[lang], bypass_csp=True)
    login_page = anonymous.new_page()
    login_page.goto("/login/")
    check(login_page, lang, "login", content, visits)
    anonymous.close()

    lena = sign_in(browser, a, lang, "lena")
    ivan = sign_in(browser, b, lang, "ivan")
    olga = sign_in(browser, b, lang, "olga")
    for path, name in [("/", "home"), ("/sessions/new/", "new session"),
                       ("/sessions/join/", "join")]:  # fmt: skip
        lena.goto(path)
        check(lena, lang, name, content, visits)

    code, clients = ready_session(stack, [a, b], [("Python", 1), ("Django", 1)])
    for client in clients.values():
        client.close()
    content = content_strings(stack)  # the new candidate's name
    for page in (lena, ivan, olga):
        page.goto(f"/s/{code}/")
        expect(page.locator("body")).to_have_attribute("data-phase", "lobby")
    check(lena, lang, "lobby", content, visits)

    for page, topic in ((ivan, "Python"), (olga, "Django")):
        box = page.locator(f'#topic-list li[data-topic="{topic}"] input[type=checkbox]')
        box.click()
        expect(box).to_be_checked()
    expect(lena.locator("#start")).to_be_enabled()
    lena.locator("#start").click()
    expect(lena.locator("body")).to_have_attribute("data-phase", "intro")
    check(lena, lang, "intro", content, visits)

    lena.locator("#blocks-begin").click()
    expect(ivan.locator("body")).to_have_attribute("data-phase", "blocks")
    expect(ivan.locator("#score-form")).to_be_visible()
    check(ivan, lang, "block", content, visits)

    for owner in (ivan, olga):
        expect(owner.locator("#yield")).to_be_visible()
        owner.locator("#yield").click()
    expect(lena.locator("#finish")).to_be_visible()
    lena.locator("#finish").click()
    expect(ivan.locator("#feedback")).to_be_visible()
    check(ivan, lang, "feedback", content, visits)
    for owner in (ivan, olga):
        owner.locator("#feedback-summary").fill("ok")
        owner.locator("#feedback-submit").click()
        expect(owner.locator("#feedback-done")).to_be_visible()
    content = content_strings(stack)
    ivan.goto(f"/s/{code}/results/")
    check(ivan, lang, "results", content, visits)
    lena.goto("/search/?q=Python")
    check(lena, lang, "search", content, visits)

    maria = sign_in(browser, a, lang, "maria")
    for path, name in [("/cabinet/", "cabinet list"), (f"/cabinet/s/{code}/", "cabinet session"),
                       ("/cabinet/stats/", "statistics")]:  # fmt: skip
        maria.goto(path)
        check(maria, lang, name, content, visits)
    quentin = sign_in(browser, a, lang, "quentin")
    quentin.goto("/questions/import/")
    check(quentin, lang, "bank import", content, visits)
    for page in (lena, ivan, olga, maria, quentin):
        page.context.close()
    return visits


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_speaks_one_language_and_passes_axe(
    e2e_stack: Stack, e2e_servers: tuple[Server, Server], browser: Browser, language: str
) -> None:
    a, b = e2e_servers
    visits = visit_every_page(e2e_stack, a, b, browser, language)
    assert len(visits) == 14, [v.page for v in visits]
    leaks = {v.page: v.leaks for v in visits if v.leaks}
    assert not leaks, f"{language} pages show the other language's interface words: {leaks}"
    violations = {v.page: v.violations for v in visits if v.violations}
    assert not violations, f"axe-core, serious or critical, in {language}: {violations}"
