"""Issue 16's acceptance, end to end in a real browser: Debian's chromium with its fake camera
and microphone (``--use-fake-device-for-media-stream --use-fake-ui-for-media-stream``), a
daphne of its own on the shared e2e stack (PostgreSQL, Redis), a real Celery worker (the
e-mails and the processing) and a real SMTP server on loopback.

1. Rita the recruiter makes an interview of two questions in the wizard and invites three
   addresses; the SMTP server refuses one — the other two arrive, and the interview's page
   shows the refused one as failed.
2. Anna opens her e-mail's ``/signup?code=…`` link on a 390 px phone, signs up and records the
   first answer. While it uploads, the network to the upload address is cut (Playwright
   routing: every request to ``/candidate/uploads/`` fails as offline) and restored: the
   upload resumes, the kept file is every byte sent, at most one chunk was sent twice. A
   reload then continues at the second question, which she records and keeps: the interview
   is handed in.
3. The worker makes each answer an MP4 with a thumbnail. Maria the manager plays the first:
   its duration is within 10 % of what was recorded, it seeks, its thumbnail is a JPEG. She
   rates it, gives her recommendation, and it shows on Anna's card's history.
No page error on the way."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from tests.e2e.servers import DEMO_PASSWORD, Server, Stack
from tests.notify.peers import SmtpPeer, Worker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.processes]

TAG = uuid.uuid4().hex[:6]
WAIT_MS = 30_000
PASSWORD = "a-long-candidate-passphrase"
# The shared `browser` fixture (tests/e2e/conftest.py) launches chromium with these too.
CHROMIUM_EXTRA_ARGS = FAKE_MEDIA = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
# The browser's tus chunk on this module's server (VIDEO_CHUNK_BYTES; 512 KiB by default):
# the fake camera records some 50 KB/s, so at 512 KiB the first chunk, and with it the cut,
# came only ten seconds into the answer; at 128 KiB it comes in about two, and what may be
# sent twice is a quarter as much.
CHUNK = 128 * 1024
ANNA, BORIS, BOUNCE = (f"{name}-{TAG}@example.com" for name in ("anna", "boris", "bounce"))
SMTP_REFUSES = (BOUNCE,)  # the shared `smtp` fixture's server answers 550 to it

CARD = """
from accounts.models import User
from candidates import services
card = services.candidate_create(
    by=User.objects.get(username="rita"),
    fields={{"full_name": "Anna Kowalska {tag}", "email": "{email}"}},
)
print("CARD", card.pk)
"""

# Read straight from the stack's database: the test polls it while the worker encodes, and a
# `manage.py shell` a poll (1-3 s of CPU each) took a core from the encoding on two.
INVITATION_SQL = "SELECT id, status FROM video_interviews_invitation WHERE email = %s"
ANSWERS_SQL = """
SELECT a.id, q."order", a.status, a.size, a.recorded_ms, a.duration_ms,
       COALESCE(NULLIF(a.original, ''), '-'), COALESCE(NULLIF(a.file, ''), '-'),
       COALESCE(NULLIF(a.thumbnail, ''), '-')
FROM video_interviews_answer a JOIN video_interviews_question q ON q.id = a.question_id
WHERE a.invitation_id = %s ORDER BY q."order"
"""


@pytest.fixture(scope="module")
def server(e2e_stack: Stack, mail_env: dict[str, str], worker: Worker) -> Server:
    return e2e_stack.start_server(env={**mail_env, "VIDEO_CHUNK_BYTES": str(CHUNK)})


def answers(stack: Stack, email: str = ANNA) -> tuple[list[str], list[list[str]]]:
    """The invitation (id, status) and its answers (id, order, status, size, recorded ms,
    duration ms, original, file, thumbnail; "-" for no file), as text."""
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as db:
        [invitation] = db.execute(INVITATION_SQL, [email]).fetchall()
        rows = db.execute(ANSWERS_SQL, [invitation[0]]).fetchall()
    return [str(v) for v in invitation], [[str(v) for v in row] for row in rows]


def new_page(browser: Browser, server: Server, width: int, errors: list[str]) -> Page:
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": 844})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return page


def staff_sign_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".whoami")).to_be_visible()


def limits(page: Page, row: int, thinking: int, answer: int, retakes: int) -> None:
    question = page.locator("#question-list .question-row").nth(row)
    question.locator('input[name$="-thinking"]').fill(str(thinking))
    question.locator('input[name$="-answer"]').fill(str(answer))
    question.locator('input[name$="-retakes"]').fill(str(retakes))


def invite_three(page: Page, smtp: SmtpPeer) -> str:
    """The wizard, then the three e-mails; Anna's sign-up link."""
    page.goto("/video-interviews/")
    page.locator("#video-interview-new").click()
    page.locator("#wizard-reset").click()
    page.locator("#id_title").fill(f"Recorded screening {TAG}")
    deadline = (datetime.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_deadline").fill(deadline)
    page.locator("#question-list textarea").first.fill(f"Why this team? {TAG}")
    limits(page, 0, thinking=3, answer=12, retakes=1)
    page.locator("#add-question").click()
    expect(page.locator("#question-list .question-row")).to_have_count(2)
    page.locator("#question-list textarea").nth(1).fill(f"A project you are proud of? {TAG}")
    limits(page, 1, thinking=0, answer=10, retakes=0)
    page.locator("#wizard-next").click()
    page.locator("#id_emails").fill(f"{ANNA}\n{BORIS}\n{BOUNCE}")
    page.locator("#wizard-next").click()
    page.locator("#wizard-create").click()
    expect(page.locator("#invitations tbody tr")).to_have_count(3)

    wait_for(lambda: len(smtp.messages) >= 2, timeout=60, what="two invitations delivered")
    assert sorted(to for [to] in smtp.recipients) == sorted([ANNA, BORIS])

    def shown_failed() -> bool:
        page.reload()
        cell = page.locator(f'tr[data-email="{BOUNCE}"] .delivery')
        return cell.get_attribute("data-delivery") == "failed"

    wait_for(shown_failed, timeout=60, what="the refused address shown as failed")
    expect(page.locator(f'tr[data-email="{BOUNCE}"] .delivery-error')).to_contain_text("550")
    for address in (ANNA, BORIS):
        sent = page.locator(f'tr[data-email="{address}"] .delivery')
        expect(sent).to_have_attribute("data-delivery", "sent")
    [mail] = [m for m, [to] in zip(smtp.messages, smtp.recipients, strict=True) if to == ANNA]
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
    return re.search(r"https?://[^\s]+(/signup\?code=\d{6})", text).group(1)


def record(page: Page, seconds: float | None) -> None:
    """Show the question, let its thinking time run, record (``None``: to the limit)."""
    expect(page.locator("#begin-take")).to_be_visible()  # the camera check is done
    page.locator("#begin-take").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#countdown")).to_contain_text("Recording", timeout=15_000)
    if seconds is not None:
        page.wait_for_timeout(seconds * 1000)
        page.locator("#stop-recording").click()


def test_invite_record_through_a_cut_and_a_reload_then_review(
    e2e_stack: Stack, server: Server, smtp: SmtpPeer, browser: Browser
) -> None:
    errors: list[str] = []
    card = int(e2e_stack.manage("shell", "-c", CARD.format(tag=TAG, email=ANNA)).split()[-1])

    # 1. The recruiter invites three; one address is refused.
    recruiter = new_page(browser, server, 1280, errors)
    staff_sign_in(recruiter, "rita")
    link = invite_three(recruiter, smtp)
    recruiter.context.close()

    # 2. Anna signs up from the link on her phone and records.
    phone = new_page(browser, server, 390, errors)
    phone.goto(link)
    phone.locator("#id_email").fill(ANNA)
    phone.locator("#id_full_name").fill(f"Anna Kowalska {TAG}")
    phone.locator("#id_password1").fill(PASSWORD)
    phone.locator("#id_password2").fill(PASSWORD)
    phone.get_by_role("button", name="Sign up").click()
    expect(phone).to_have_url(re.compile(r"/candidates/dashboard$"))
    phone.locator(".interview-card a").first.click()

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

    phone.route("**/candidate/uploads/**", uploads)
    expect(phone.locator("#recorder-status")).to_have_text("Camera and microphone work.")
    expect(phone.locator("#intro-title")).to_have_text("Question 1 of 2")
    record(phone, None)
    expect(phone.locator("#question-text")).to_contain_text(f"Why this team? {TAG}")
    cut["on"] = True  # mid-recording: the chunks due meanwhile cannot go
    expect(phone.locator("#recorder-status")).to_contain_text("connection is lost", timeout=25_000)
    phone.wait_for_timeout(2_000)
    cut["on"] = False
    expect(phone.locator("#upload-progress")).to_have_text(
        "Your answer has been saved.", timeout=40_000
    )
    assert cut["refused"] >= 1
    expect(phone.locator("#take-playback")).to_be_visible()
    phone.locator("#keep-take").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("#intro-title")).to_have_text("Question 2 of 2")

    _invitation, [first] = answers(e2e_stack)
    size, original = int(first[3]), first[6]
    assert original.endswith((".webm", ".mp4"))
    # Every byte arrived; what was sent twice is at most the one chunk in flight at the cut.
    assert size <= sum(sent) <= size + CHUNK, (size, sent)
    stored = (Path(e2e_stack.env["ROUNDTABLE_VAR_DIR"]) / "media" / original).read_bytes()
    assert len(stored) == size and (stored[:4] == b"\x1a\x45\xdf\xa3" or stored[4:8] == b"ftyp")

    phone.reload()  # continues at the next question
    expect(phone.locator("#intro-title")).to_have_text("Question 2 of 2")
    expect(phone.locator('#answer-progress li[data-order="0"]')).to_have_attribute(
        "data-state", "kept"
    )
    record(phone, 3)
    expect(phone.locator("#upload-progress")).to_have_text("Your answer has been saved.")
    expect(phone.locator("#retake")).to_be_hidden()  # no retakes on this one
    phone.locator("#keep-take").click()
    expect(phone.locator("#recorder-done")).to_be_visible()
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
    phone.context.close()

    # 3. The worker processes both; the manager watches, rates and recommends.
    def processed() -> Any:
        invitation, rows = answers(e2e_stack)
        return (invitation, rows) if [r[2] for r in rows] == ["ready", "ready"] else None

    (pk, status), rows = wait_for(processed, timeout=120, what="both answers processed")
    assert status == "completed"
    recorded_ms, duration_ms = int(rows[0][4]), int(rows[0][5])
    assert abs(duration_ms - recorded_ms) <= recorded_ms / 10, (recorded_ms, duration_ms)

    manager = new_page(browser, server, 390, errors)
    staff_sign_in(manager, "maria")
    manager.goto(f"/video-interviews/invitations/{pk}/review/")
    video = manager.locator(f"#answer-{rows[0][0]} video")
    played = video.evaluate(
        """v => new Promise((done, failed) => {
            setTimeout(() => failed('no metadata or seek within 20 s'), 20000);
            const seek = () => {
                v.addEventListener('seeked', () => done(v.duration), {once: true});
                v.currentTime = Math.min(2, v.duration / 2);
            };
            v.addEventListener('error', () => failed(String(v.error && v.error.message)));
            if (v.readyState >= 1) seek();
            else v.addEventListener('loadedmetadata', seek, {once: true});
        })"""
    )
    assert abs(played * 1000 - recorded_ms) <= recorded_ms / 10, (played, recorded_ms)
    poster = manager.request.get(video.get_attribute("poster"))
    assert poster.status == 200 and poster.headers["content-type"] == "image/jpeg"
    assert poster.body()[:3] == b"\xff\xd8\xff"

    form = manager.locator(f"#rating-form-{rows[0][0]}")
    form.locator('input[name="score"][value="4"]').check()
    form.locator("textarea").fill(f"Clear and concrete {TAG}")
    form.get_by_role("button").click()
    expect(manager.locator(f"#rating-form-{rows[0][0]} textarea")).to_have_value(
        f"Clear and concrete {TAG}"
    )
    manager.locator('#recommendation-form input[name="choice"][value="yes"]').check()
    manager.locator("#recommendation-summary").fill(f"Hire her {TAG}")
    manager.locator("#recommendation-save").click()
    expect(manager.locator("#recommendation-summary")).to_have_value(f"Hire her {TAG}")

    manager.goto(f"/candidates/{card}/")
    expect(manager.locator("body")).to_contain_text(f"Hire her {TAG}")
    assert errors == [], errors


ONE_QUESTION = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from video_interviews import rules, services
from video_interviews.models import CandidateProfile, Invitation
interview = services.interview_create(
    by=User.objects.get(username="rita"), title="Reload {tag}",
    deadline=timezone.now() + timedelta(days=3),
    questions=[rules.QuestionSpec(text="Tell us {tag}", thinking_seconds=0, answer_seconds=30, retakes=0)],
    emails=["{email}"], language="en",
)
user = services.candidate_signup(email="{email}", password="{password}")
CandidateProfile.objects.filter(user=user).update(email_confirmed_at=timezone.now())
invitation = Invitation.objects.get(interview=interview)
services.invitation_accept(candidate=user, code=invitation.code)
print("INVITATION", invitation.pk)
"""


def test_a_reload_mid_recording_sends_what_this_device_kept(
    e2e_stack: Stack, server: Server, browser: Browser
) -> None:
    """Offline from the first second, then the page is reloaded mid-recording: the recording
    so far was kept in IndexedDB, and the page sends it once it is back. The take was cut
    short, so it gives its retake back; keeping it stores exactly what the page sent."""
    errors: list[str] = []
    email = f"reload-{TAG}@example.com"
    out = e2e_stack.manage(
        "shell", "-c", ONE_QUESTION.format(tag=TAG, email=email, password=PASSWORD)
    )
    pk = int(out.split("INVITATION")[1].split()[0])
    page = new_page(browser, server, 390, errors)
    page.goto("/candidate/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/candidates/dashboard$"))

    sent: list[int] = []
    cut = {"on": True}

    def uploads(route: Route, request: Request) -> None:
        if cut["on"]:
            route.abort("internetdisconnected")
            return
        if request.method == "PATCH":
            sent.append(len(request.post_data_buffer or b""))
        route.continue_()

    page.route("**/candidate/uploads/**", uploads)
    page.goto(f"/candidate/interviews/{pk}/")
    record(page, None)
    expect(page.locator("#recorder-status")).to_contain_text("connection is lost", timeout=25_000)
    page.wait_for_timeout(1_000)
    cut["on"] = False
    page.reload()
    expect(page.locator("#review-note")).to_contain_text("cut short", timeout=40_000)
    expect(page.locator("#upload-progress")).to_have_text("Your answer has been saved.")
    expect(page.locator("#retake")).to_be_visible()  # the cut take gave its retake back
    assert sum(sent) > 50_000, sent  # several seconds came from this device's copy
    page.locator("#keep-take").click()
    expect(page.locator("#recorder-done")).to_be_visible()
    _invitation, [answer] = answers(e2e_stack, email)
    assert int(answer[3]) == sum(sent), (answer, sent)
    assert errors == [], errors
