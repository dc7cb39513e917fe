"""Reviewing a one-way interview in a real browser (Debian's chromium) on the shared e2e
stack: Lena, a named reviewer, on a 390 px phone, opens her queue, opens Anna's answers,
plays the first one — the processed MP4 (H.264/AAC, faststart) streamed with HTTP ranges:
its metadata loads (``duration`` > 0, about what was recorded), it seeks (``currentTime``
moves and ``seeked`` fires) and the media answered 206 — then rates it 4 with feedback by
the keyboard and sees her rating kept. The page never scrolls sideways; no page error,
console error or failed request on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Response, expect

from tests.e2e.servers import DEMO_PASSWORD, Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

WAIT_MS = 15_000
SECONDS = 3

# Run in the stack's own `manage.py shell`: its database and its MEDIA_ROOT.
DATA = f"""
import uuid
from accounts.models import User
from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import completed, ready_answer, tiny_mp4
from video_interviews import services
run = uuid.uuid4().hex[:6]
email = f"anna-review-{{run}}@example.com"
rita = User.objects.get(username="rita")
interview = helpers.interview(rita, (email,), title=f"Review screening {{run}}")
candidate = helpers.candidate(email)
invitation = services.invitation_accept(candidate=candidate, code=helpers.invitation(interview, email).code)
invitation = completed(invitation)
for question in interview.questions.order_by("order"):
    ready_answer(invitation, question, data=tiny_mp4({SECONDS}), duration_ms={SECONDS * 1000})
interview.reviewers.set([User.objects.get(username="lena")])
print("INVITATION", invitation.pk, interview.questions.order_by("order").first().answers.get().pk)
"""


@pytest.fixture(scope="module")
def review_server(e2e_stack: Stack) -> tuple[Server, int, int]:
    out = e2e_stack.manage("shell", "-c", DATA)
    found = re.search(r"INVITATION (\d+) (\d+)", out)
    assert found, out
    return e2e_stack.start_server(), int(found[1]), int(found[2])


def test_a_reviewer_plays_seeks_and_rates_an_answer(
    review_server: tuple[Server, int, int], browser: Browser
) -> None:
    server, invitation_id, answer_id = review_server
    errors: list[str] = []
    media: list[tuple[int, str]] = []
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 860})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def response(r: Response) -> None:
        if "/video-interviews/answers/" in r.url:
            media.append((r.status, r.headers.get("content-range", "")))
        if r.status >= 400:
            errors.append(f"HTTP {r.status} {r.url}")

    page.on("console", console)
    page.on("response", response)

    page.goto("/login/")
    page.locator("#id_username").fill("lena")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".whoami")).to_contain_text("Lena")

    page.goto("/video-interviews/reviews/")
    row = page.locator(f'#review-queue tr[data-invitation="{invitation_id}"]')
    expect(row).to_contain_text("0 of 2")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{server.url}/video-interviews/invitations/{invitation_id}/review/")

    video = page.locator(f"#answer-{answer_id} video")
    expect(video).to_have_attribute("preload", "metadata")
    video.scroll_into_view_if_needed()
    duration = page.wait_for_function(
        """(id) => {
            const v = document.querySelector(`#answer-${id} video`);
            return v && v.readyState >= 1 && v.duration > 0 ? v.duration : null;
        }""",
        arg=answer_id,
    ).json_value()
    assert abs(duration - SECONDS) <= SECONDS * 0.1, duration
    seeked = page.evaluate(
        """(id) => new Promise((done, fail) => {
            const v = document.querySelector(`#answer-${id} video`);
            v.addEventListener("seeked", () => done(v.currentTime), {once: true});
            v.addEventListener("error", () => fail(String(v.error && v.error.code)), {once: true});
            v.currentTime = 2;
        })""",
        answer_id,
    )
    assert abs(seeked - 2) < 0.5, seeked
    played = page.evaluate(
        """(id) => { const v = document.querySelector(`#answer-${id} video`);
            v.muted = true; return v.play().then(() => true, (e) => String(e)); }""",
        answer_id,
    )
    assert played is True, played
    assert any(status == 206 and crange.startswith("bytes ") for status, crange in media), media
    assert page.locator(f"#answer-{answer_id} .video-error").is_hidden()
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert overflow <= 0, overflow

    # Rate it by the keyboard: the radio group, then the feedback, then the button.
    form = page.locator(f"#rating-form-{answer_id}")
    form.locator('input[name="score"][value="3"]').focus()
    page.keyboard.press("ArrowRight")  # 3 → 4 within the radio group
    expect(form.locator('input[name="score"][value="4"]')).to_be_checked()
    page.keyboard.press("Tab")
    expect(form.locator("textarea")).to_be_focused()
    page.keyboard.type("Clear structure, concrete examples.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your rating is saved.")
    expect(page.locator(f"#rating-form-{answer_id} legend")).to_have_text("Your rating")
    expect(form.locator('input[name="score"][value="4"]')).to_be_checked()
    expect(form.locator("textarea")).to_have_value("Clear structure, concrete examples.")
    context.close()
    assert errors == []
