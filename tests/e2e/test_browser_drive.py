"""A drive in a real browser, against the embedded stack (one daphne, SQLite, no Redis, the
cache in the process): a recruiter opens "New drive" from the positions page, uploads an
.xlsx of 20 candidates with their 20 PDF resumes, reads the report, imports (the page shows
the progress bar and polls it while the import's own request runs), lands on the outcome
with every candidate's rounds, and assigns one. No Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.servers import DEMO_PASSWORD, Stack, embedded_stack
from tests.e2e.test_browser_flow import CHROMIUM, CHROMIUM_ARGS, WAIT_MS
from tests.interviews.drive_files import pdf, people, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.processes]

# A position with the acceptance's three-round plan, through the services.
SETUP = """
from accounts.models import User
from candidates import services as candidates
from interviews import services
from questionbank.models import Topic
rita = User.objects.get(username="rita")
position = candidates.position_create(by=rita, fields={"title": "Drive engineer"})
A = services.AspectSpec
services.plan_round_create(position=position, fields={"name": "Screening", "kind": "one_to_one",
    "default_interviewer": User.objects.get(username="lena")}, aspects=[A("Communication", 5)])
services.plan_round_create(position=position, fields={"name": "Panel", "kind": "panel",
    "default_interviewer": User.objects.get(username="ivan")},
    topics=list(Topic.objects.order_by("name")[:2]))
services.plan_round_create(position=position, fields={"name": "Final", "kind": "one_to_one",
    "default_interviewer": User.objects.get(username="olga")}, aspects=[A("Design", 10)])
print(position.pk)
"""

COUNT = """
from candidates.models import Candidate
from interviews.models import Round
print(Candidate.objects.filter(positions__title="Drive engineer").count(),
      Candidate.objects.filter(positions__title="Drive engineer").exclude(resume="").count(),
      Round.objects.filter(position__title="Drive engineer").count())
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with embedded_stack(tmp_path_factory.mktemp("drive")) as stack:
        yield stack


def test_a_recruiter_imports_a_drive_of_twenty_with_resumes_and_assigns_a_round(
    stack: Stack, tmp_path: Path
) -> None:
    position_id = int(stack.manage("shell", "-c", SETUP).split()[-1])
    server = stack.start_server()
    sheet = tmp_path / "drive.xlsx"
    sheet.write_bytes(xlsx(people(20)))
    resumes = []
    for n in range(1, 21):
        path = tmp_path / f"cv-{n:02d}.pdf"
        path.write_bytes(pdf(f"cv {n}"))
        resumes.append(str(path))
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server.url)
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
            page.goto("/login/")
            page.locator("#id_username").fill("rita")
            page.locator("#id_password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.locator(".whoami").first).to_be_visible()

            page.goto("/positions/")
            page.locator(f'a[href="/positions/{position_id}/drives/new/"]').click()
            expect(page.locator("h1")).to_contain_text("New drive: Drive engineer")
            page.get_by_label("File of candidates (.csv or .xlsx)").set_input_files(str(sheet))
            page.get_by_label("Resumes (PDF; choose several at once)").set_input_files(resumes)
            page.get_by_role("button", name="Upload and check").click()

            expect(page.locator("#drive-report-title")).to_contain_text(
                "The file is fine: 20 candidates are ready to import."
            )
            expect(page.locator("#drive-counts")).to_contain_text("20 with a resume")
            # Whether the progress bar showed, kept across the page change that follows.
            page.evaluate(
                """() => {
                  const box = document.getElementById("drive-progress-box");
                  new MutationObserver(() => {
                    if (!box.hidden) sessionStorage.setItem("drive-progress-shown", "1");
                  }).observe(box, {attributes: true});
                }"""
            )
            page.get_by_role("button", name="Import 20 candidates").click()
            expect(page.locator("#drive-done-title")).to_contain_text(
                "20 candidates imported, each with an interview."
            )
            assert page.evaluate("sessionStorage.getItem('drive-progress-shown')") == "1"
            rows = page.locator("#drive-candidates tbody tr")
            expect(rows).to_have_count(20)
            expect(rows.first.locator(".drive-rounds li")).to_have_count(3)
            progress = page.request.get(page.url + "progress/").json()
            assert progress["status"] == "done" and progress["done"] == progress["total"] == 20

            rows.first.locator(".drive-rounds li").first.get_by_role("link").click()
            page.locator("#id_starts_at").fill("2031-03-04T10:00")
            page.get_by_role("button", name="Save").click()
            expect(page.locator("main")).to_contain_text("Lena")
        finally:
            browser.close()
    assert errors == []
    assert stack.manage("shell", "-c", COUNT).split()[-3:] == ["20", "20", "60"]
