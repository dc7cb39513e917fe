"""Shared by the page browser tests: a signed-in page whose console errors, page errors and
Content-Security-Policy violations are recorded (a test asserts the list is empty)."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.servers import DEMO_PASSWORD, Server
from tests.e2e.test_browser_flow import WAIT_MS


def watched_page(
    browser: Browser,
    server: Server,
    username: str,
    *,
    width: int,
    height: int = 900,
    locale: str = "en-GB",
    timezone_id: str | None = None,
    accept_downloads: bool = False,
) -> tuple[Page, list[str]]:
    """``username`` signed in on a fresh context of ``browser`` (the demo password), and the
    problems the page reports from then on."""
    context = browser.new_context(
        base_url=server.url,
        locale=locale,
        timezone_id=timezone_id,
        viewport={"width": width, "height": height},
        accept_downloads=accept_downloads,
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Warnings are not counted: chromium warns about Permissions-Policy features it does
        # not know, which is the header's business, not the page's.
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    # Any CSP violation, even one the console would word differently, is recorded.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator('form.whoami[action="/logout/"]')).to_be_visible()
    return page, problems
