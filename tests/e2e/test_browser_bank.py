"""The bank's import page in a real browser, against the embedded stack (one daphne, SQLite).

The page posts its form with XMLHttpRequest (for upload progress): Check reports what would
change, Import applies it, and the report appears in place. The page must post to its own URL
(a button named ``action`` once shadowed ``form.action`` and sent it to
``/questions/import/[object RadioNodeList]``) and raise no Content-Security-Policy violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.servers import DEMO_PASSWORD, embedded_stack
from tests.e2e.test_browser_flow import CHROMIUM, CHROMIUM_ARGS, WAIT_MS

pytestmark = [pytest.mark.browser, pytest.mark.processes]

BANK_CSV = (
    "topic,topic_description,topic_minutes,question,reference_answer,difficulty,max_points,active\n"
    "Browser topic,Made in the browser test,12,What does CSP stop?,Injected script,easy,5,true\n"
    "Browser topic,,,Why read form.getAttribute('action')?,Controls shadow it,medium,5,true\n"
    "Базы данных,Индексы,10,Что такое индекс?,Структура поиска,easy,5,true\n"
)


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_stack(tmp_path_factory.mktemp("bank")) as stack:
        yield stack.start_server().url


def test_an_editor_checks_then_imports_a_file_in_the_browser(
    server_url: str, tmp_path: Path
) -> None:
    bank_file = tmp_path / "bank.csv"
    bank_file.write_text(BANK_CSV, encoding="utf-8")
    errors: list[str] = []
    posts: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server_url)
            context.set_default_timeout(WAIT_MS)
            page: Page = context.new_page()
            page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
            page.on(
                "console",
                lambda message: (
                    errors.append(f"console: {message.text}")
                    if message.type == "error"
                    and not message.location.get("url", "").endswith("/favicon.ico")
                    else None
                ),
            )
            page.on(
                "request",
                lambda request: posts.append(request.url) if request.method == "POST" else None,
            )
            page.goto("/login/")
            page.locator("#id_username").fill("quentin")
            page.locator("#id_password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.locator(".whoami").first).to_be_visible()

            page.goto("/questions/import/")
            page.locator("#import-form input[type=file]").set_input_files(str(bank_file))
            page.get_by_role("button", name="Check").click()
            report = page.locator("#import-report .import-report")
            expect(report).to_have_attribute("data-ok", "true")
            expect(report).to_contain_text("The file is fine")
            expect(report.locator(".import-counts")).to_contain_text("add 3 questions")

            page.get_by_role("button", name="Import").click()
            expect(report).to_contain_text("Imported.")
            expect(report.locator(".import-counts")).to_contain_text("3 questions added")

            # Importing the same file again changes nothing.
            page.get_by_role("button", name="Check").click()
            expect(report.locator(".import-counts")).to_contain_text("leave 3 questions unchanged")
            assert page.url.endswith("/questions/import/")  # in place: no navigation

            # The embedded SQLite finds the Cyrillic topic whatever the case (defect 7).
            for query in ["БАЗЫ", "базы", "Данных"]:
                page.goto(f"/search/?q={query}")
                expect(page.locator('[data-kind="topics"]')).to_contain_text("Базы данных")
        finally:
            browser.close()
    import_posts = [url for url in posts if "/questions/import/" in url]
    assert len(import_posts) == 3, posts
    assert all(url == f"{server_url}/questions/import/" for url in import_posts), import_posts
    assert not errors, errors  # CSP violations are console errors too
