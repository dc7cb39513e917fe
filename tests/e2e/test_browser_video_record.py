"""Recording a one-way interview in a real browser: Debian's chromium with its fake camera
and microphone (``--use-fake-device-for-media-stream --use-fake-ui-for-media-stream``) on the
shared e2e stack (daphne, PostgreSQL, Redis).

A candidate with an interview of two questions on their dashboard records the first answer;
while it is uploading the network to the upload address is cut (Playwright routing: every
request to ``/candidate/uploads/`` fails) and restored — the upload resumes, the kept file
is every byte the browser sent, and at most one chunk was sent twice. The page is then
reloaded: it continues at the second question. The second answer is recorded and kept, which
hands the interview in. On a 390 px phone, by keyboard where it matters; no page error."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect, sync_playwright

from tests.e2e.servers import Server, Stack
from tests.e2e.test_browser_flow import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.processes]

WAIT_MS = 30_000
PASSWORD = "a-long-candidate-passphrase"
HANDED_IN = ("uploaded", "processing", "ready")  # the stack may or may not run a worker
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from video_interviews import rules, services
from video_interviews.models import CandidateProfile, Invitation
rita = User.objects.get(username="rita")
interview = services.interview_create(
    by=rita, title="Recording {run}", deadline=timezone.now() + timedelta(days=3),
    questions=[
        rules.QuestionSpec(text="Why this team? {run}", thinking_seconds=3, answer_seconds=10, retakes=1),
        rules.QuestionSpec(text="A project you are proud of? {run}", thinking_seconds=0, answer_seconds=10, retakes=0),
    ],
    emails=["{email}"], language="en",
)
user = services.candidate_signup(email="{email}", password="{password}", full_name="Rec {run}")
CandidateProfile.objects.filter(user=user).update(email_confirmed_at=timezone.now())
invitation = Invitation.objects.get(interview=interview)
services.invitation_accept(candidate=user, code=invitation.code)
print(invitation.pk)
"""

KEPT = """
from video_interviews.models import Answer
for a in Answer.objects.filter(invitation_id={pk}).order_by("question__order"):
    print(a.question.order, a.status, a.size, a.original.name, a.invitation.status)
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
        )
        try:
            yield launched
        finally:
            launched.close()


def sign_in(page: Page, email: str) -> None:
    page.goto("/candidate/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/candidates/dashboard$"))


def test_a_candidate_records_through_a_network_cut_and_a_reload(
    e2e_stack: Stack, e2e_servers: tuple[Server, Server], browser: Browser
) -> None:
    server, _other = e2e_servers
    run = uuid.uuid4().hex[:6]
    email = f"rec-{run}@example.com"
    pk = int(
        e2e_stack.manage(
            "shell", "-c", SETUP.format(run=run, email=email, password=PASSWORD)
        ).split()[-1]
    )
    errors: list[str] = []
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    sign_in(page, email)

    # Count every PATCH body; while `cut` is set, every upload request fails as offline.
    sent: list[int] = []
    cut = {"on": False, "refused": 0}

    def uploads(route: Route, request: Request) -> None:
        if cut["on"]:
            cut["refused"] += 1
            route.abort("internetdisconnected")
            return
        if request.method == "PATCH":
            sent.append(len(request.post_data_buffer or b""))
        route.continue_()

    page.route("**/candidate/uploads/**", uploads)
    page.goto(f"/candidate/interviews/{pk}/")
    expect(page.locator("#recorder-status")).to_have_text("Camera and microphone work.")
    expect(page.locator("#intro-title")).to_have_text("Question 1 of 2")
    page.locator("#begin-take").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#question-text")).to_contain_text(f"Why this team? {run}")
    expect(page.locator("#countdown")).to_contain_text("Time to think")
    expect(page.locator("#countdown")).to_contain_text("Recording", timeout=10_000)

    # Cut the network mid-recording, for long enough that several chunks are due.
    cut["on"] = True
    expect(page.locator("#recorder-status")).to_contain_text("connection is lost", timeout=20_000)
    page.wait_for_timeout(2_000)
    cut["on"] = False
    expect(page.locator("#upload-progress")).to_have_text(
        "Your answer has been saved.", timeout=40_000
    )
    assert cut["refused"] >= 1
    keep = page.locator("#keep-take")
    expect(keep).to_be_enabled()
    expect(page.locator("#take-playback")).to_be_visible()
    keep.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#intro-title")).to_have_text("Question 2 of 2")

    kept = e2e_stack.manage("shell", "-c", KEPT.format(pk=pk))
    [first] = [line for line in kept.splitlines() if line.startswith("0 ")] or [kept]
    order, answer_status, size, name, _invitation = first.split()
    assert order == "0" and answer_status in HANDED_IN and name.endswith((".webm", ".mp4"))
    chunk = 512 * 1024
    # Every byte arrived; what was sent twice is at most the one chunk in flight at the cut.
    assert int(size) <= sum(sent) <= int(size) + chunk, (size, sent)
    stored = Path(e2e_stack.env["ROUNDTABLE_VAR_DIR"]) / "media" / name
    head = stored.read_bytes()[:4]
    assert head in (b"\x1a\x45\xdf\xa3",) or stored.read_bytes()[4:8] == b"ftyp"

    # A reload continues at the next question.
    page.reload()
    expect(page.locator("#intro-title")).to_have_text("Question 2 of 2")
    expect(page.locator('#answer-progress li[data-order="0"]')).to_have_attribute(
        "data-state", "kept"
    )
    page.locator("#begin-take").click()
    expect(page.locator("#question-text")).to_contain_text(f"A project you are proud of? {run}")
    page.wait_for_timeout(2_500)
    page.locator("#stop-recording").click()
    expect(page.locator("#upload-progress")).to_have_text("Your answer has been saved.")
    expect(page.locator("#retake")).to_be_hidden()  # no retakes on this one
    page.locator("#keep-take").click()
    expect(page.locator("#recorder-done")).to_be_visible()

    lines = [
        line
        for line in e2e_stack.manage("shell", "-c", KEPT.format(pk=pk)).splitlines()
        if line[:2] in ("0 ", "1 ")
    ]
    assert [line.split()[1] in HANDED_IN for line in lines] == [True, True]
    assert lines[-1].split()[-1] == "completed"
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
    assert errors == []
    context.close()
