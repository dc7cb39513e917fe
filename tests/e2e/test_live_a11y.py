"""The live page in two languages and its accessibility, in real browsers on two real daphne
processes (PostgreSQL, Redis): the panel's browsers ask for Russian (``ru-RU``), one more asks
for English.

* in Russian the block page shows Russian interface words and none of the English ones listed
  here (the script's strings included: they come translated from the view), and every string
  the script is given is Russian; in English no Cyrillic interface text shows (names, topics
  and questions are content: the demo bank's Russian topic is taken out first);
* the countdown is a ``timer``; a polite live region announces the last minute and the
  hand-over ("Теперь спрашивает Olga Sidorova: Django"), and the new owner's focus moves to
  the score field, the tab title saying it is their turn;
* ``?`` (or the visible button) opens the keyboard shortcuts dialog, Escape closes it and the
  focus goes back; ``n`` scores the current question (not while typing in a field), ``e``
  ends the block;
* a skip link comes first and leads to the current question.

Screenshots: ``tests/artifacts/live-block-ru-desktop.png`` and ``live-block-ru-390.png``.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.live_pages import (
    Panel,
    Panelist,
    _console,
    content_strings,
    open_live,
    question_rows,
    running_panel,
)
from tests.e2e.servers import DEMO_PASSWORD, Server, Stack
from tests.e2e.test_browser_flow import WAIT_MS

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
DESKTOP_SHOT = ARTIFACTS / "live-block-ru-desktop.png"
PHONE_SHOT = ARTIFACTS / "live-block-ru-390.png"
CATALOGUE = ROOT / "sessions_live" / "locale" / "ru" / "LC_MESSAGES" / "django.po"

# Interface words of the English live page; none may show on the Russian one (whole words).
ENGLISH_WORDS = [
    "Score and next question", "Skip", "Lobby", "Topics", "Reconnecting", "Question", "Next",
    "asks", "Panel", "Blocks", "Your turn", "Pause", "Resume", "minute", "minutes", "Copy link",
    "Session code", "Keyboard shortcuts", "online", "offline", "Hide reference answers",
    "End my block", "Add a question", "Interview", "Note", "Score", "Lead", "extended",
]  # fmt: skip
RUSSIAN_WORDS = ["Вопрос", "Оценить и к следующему вопросу", "Пропустить", "Интервьюеры"]
CYRILLIC = re.compile(r"[\u0400-\u04FF]+")

# Python's block is 72 s, so its last minute starts 12 s in: the test hears it announced.
PYTHON_MINUTES = 1.2


def _compile_catalogue() -> None:
    """The running servers read compiled catalogues; set-up compiles them, and so does this
    module (at collection, before any server has loaded Russian) for its own app."""
    mo = CATALOGUE.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOGUE.stat().st_mtime:
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(CATALOGUE)], check=True)


_compile_catalogue()


def open_person(
    browser: Browser,
    server: Server,
    username: str,
    name: str,
    *,
    locale: str = "ru-RU",
    viewport: tuple[int, int] = (1280, 900),
    phone: bool = False,
) -> Panelist:
    """A logged-in browser context asking for ``locale`` (its Accept-Language and
    navigator.language); logs in by pressing Enter, so it needs no word of either language."""
    context = browser.new_context(
        base_url=server.url,
        locale=locale,
        viewport={"width": viewport[0], "height": viewport[1]},
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    person = Panelist(username, name, page)
    page.on("pageerror", lambda error: person.errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: _console(person, message))
    page.on("websocket", person.watch_socket)
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page.locator('form[action$="/logout/"]')).to_contain_text(name)
    return person


@pytest.fixture(scope="module")
def panel(e2e_stack: Stack, e2e_servers: tuple[Server, Server]) -> Iterator[Panel]:
    """In Russian: Ivan's Python block running (72 s), Olga's Django block next."""
    a, b = e2e_servers
    with running_panel(e2e_stack, a, b, PYTHON_MINUTES, opener=open_person) as running:
        yield running


def interface_text(page: Page, content: list[str]) -> str:
    """The live page's visible text (the site's header is base.html's, checked on every page
    elsewhere), its skip link and the shortcut dialog's (hidden until asked for), without the
    content."""
    text = "\n".join(
        [
            page.locator("main").inner_text(),
            page.locator("#skip-link").text_content() or "",
            page.locator("#shortcuts").text_content() or "",
        ]
    )
    for piece in content:
        text = text.replace(piece, " ")
    return text


def english_leaks(text: str) -> list[str]:
    return [word for word in ENGLISH_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]


def test_the_block_page_in_russian(panel: Panel) -> None:
    content = content_strings(panel.stack)
    for person in (panel.lena, panel.ivan, panel.olga):
        page = person.page
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        expect(page.locator("#q-counter")).to_have_text(re.compile(r"^Вопрос \d+ из \d+$"))
        expect(page.locator("#speaker")).to_have_text("Спрашивает Ivan Petrov")
        expect(page.locator("#next-line")).to_contain_text("Далее: Olga Sidorova — Django через")
        text = interface_text(page, content)
        assert english_leaks(text) == [], (person.name, english_leaks(text))
        for word in RUSSIAN_WORDS if person is panel.ivan else ["Вопрос", "Интервьюеры"]:
            assert word in text, (person.name, word)
    # Every string the script is given is Russian, plurals (one, few, many) included.
    strings = json.loads(panel.ivan.page.locator("#live-config").text_content())["i18n"]
    for key, value in strings.items():
        for text in value.values() if isinstance(value, dict) else [value]:
            assert CYRILLIC.search(text), (key, text)
    assert strings["minutes"]["one"] == "%(n)s минута"
    assert strings["minutes"]["few"] == "%(n)s минуты"
    assert strings["minutes"]["many"] == "%(n)s минут"
    score_max = panel.ivan.page.locator("#score-max")
    expect(score_max).to_have_text(re.compile(r"^из \d+ баллов$"))  # 5 баллов
    # The planned lengths are words in the block list: 1 минута for Django's block.
    expect(panel.lena.page.locator("#block-list")).to_contain_text("1 минута")
    for person in (panel.lena, panel.ivan, panel.olga):
        person.assert_clean()


def test_screenshots_of_the_block_page_in_russian(panel: Panel) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for shot in (DESKTOP_SHOT, PHONE_SHOT):
        shot.unlink(missing_ok=True)
    panel.ivan.page.screenshot(path=str(DESKTOP_SHOT), full_page=True)
    phone = open_person(
        panel.browser, panel.b, "ivan", "Ivan Petrov", viewport=(390, 844), phone=True
    )
    open_live(phone, panel.code)
    expect(phone.page.locator("#q-counter")).to_have_text(re.compile(r"^Вопрос"))
    overflow = phone.page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= 390, overflow  # the longer Russian words do not push it sideways
    phone.page.screenshot(path=str(PHONE_SHOT), full_page=True)
    for shot in (DESKTOP_SHOT, PHONE_SHOT):
        assert shot.is_file() and shot.stat().st_size > 1000, shot
    phone.assert_clean()
    phone.page.context.close()


def test_the_block_page_in_english_has_no_cyrillic_interface_text(panel: Panel) -> None:
    ivan = open_person(panel.browser, panel.b, "ivan", "Ivan Petrov", locale="en-US")
    page = ivan.page
    open_live(ivan, panel.code)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#q-counter")).to_have_text(re.compile(r"^Question \d+ of \d+$"))
    expect(page.get_by_role("button", name="Score and next question")).to_be_visible()
    text = interface_text(page, content_strings(panel.stack))
    assert CYRILLIC.findall(text) == [], CYRILLIC.findall(text)
    ivan.assert_clean()
    page.context.close()


def test_the_skip_link_is_first_and_leads_to_the_question(panel: Panel) -> None:
    page = panel.lena.page
    page.reload()  # so the keyboard starts from the top of the page
    expect(page.locator("body")).to_have_attribute("data-phase", "blocks")
    page.keyboard.press("Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Перейти к текущему вопросу")
    assert page.evaluate("document.body.firstElementChild.id") == "skip-link"
    # Visible when focused (it sits off screen otherwise), with a focus outline.
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, box
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#question-card")).to_be_focused()


def test_the_countdown_is_a_timer_and_the_announcer_is_polite(panel: Panel) -> None:
    for person in (panel.lena, panel.ivan, panel.olga):
        page = person.page
        expect(page.get_by_role("timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
        expect(page.get_by_role("timer")).to_have_accessible_name("Осталось времени в блоке")
        announcer = page.locator("#announcer")
        expect(announcer).to_have_attribute("aria-live", "polite")
        expect(announcer).to_have_attribute("role", "status")


def test_question_mark_opens_the_shortcuts_and_escape_closes_them(panel: Panel) -> None:
    page = panel.ivan.page
    page.locator("#copy-link").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Сочетания клавиш")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Оценить и к следующему вопросу")
    expect(page.locator("#shortcuts-close")).to_be_focused()
    page.keyboard.press("n")  # the dialog is open: no shortcut fires behind it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#copy-link")).to_be_focused()
    # The visible button opens it too; its Close button closes it.
    page.locator("#shortcuts-open").click()
    expect(dialog).to_be_visible()
    page.locator("#shortcuts-close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#shortcuts-open")).to_be_focused()
    assert panel.ivan.commands("question.next") == []


def test_the_n_shortcut_scores_but_not_while_typing(panel: Panel) -> None:
    ivan = panel.ivan
    page = ivan.page
    counter = page.locator("#q-counter")
    n = int(re.match(r"Вопрос (\d+)", counter.inner_text()).group(1))  # type: ignore[union-attr]
    before = question_rows(panel.stack, panel.code)
    page.locator("#score").fill("3")
    page.locator("#note").fill("")
    page.locator("#note").press("n")  # typing in a field: a letter, not a command
    expect(page.locator("#note")).to_have_value("n")
    page.locator("#copy-link").focus()
    page.keyboard.press("n")
    for person in (panel.lena, ivan, panel.olga):
        expect(person.page.locator("#q-counter")).to_have_text(re.compile(rf"^Вопрос {n + 1} "))
    after = question_rows(panel.stack, panel.code)
    assert len(after) == len(before) + 1, after
    assert after[-1][2:4] == (3, "n"), after[-1]
    # The next question's score field has the focus again.
    expect(page.locator("#score")).to_be_focused()
    expect(page.locator("#notice")).to_be_hidden()


def test_the_last_minute_and_the_hand_over_are_announced_and_focus_moves(panel: Panel) -> None:
    lena, ivan, olga = panel.lena, panel.ivan, panel.olga
    # Ivan's block has a minute left 12 s in: said once, politely.
    for person in (ivan, olga):
        expect(person.page.locator("#announcer")).to_have_text(
            "До конца блока осталась одна минута.", timeout=30_000
        )
    expect(ivan.page.locator("#low-time")).to_be_visible()  # in words, not colour alone
    expect(olga.page.locator("#score-form")).to_be_hidden()
    assert not olga.page.title().startswith("Ваша очередь")

    # Ivan ends his block with "e" (his focus is in no field).
    ivan.page.locator("#copy-link").focus()
    ivan.page.keyboard.press("e")
    expect(lena.page.locator("#announcer")).to_have_text("Теперь спрашивает Olga Sidorova: Django")
    expect(ivan.page.locator("#announcer")).to_have_text("Теперь спрашивает Olga Sidorova: Django")
    expect(olga.page.locator("#announcer")).to_have_text("Ваша очередь: Django")
    # Olga's controls: the focus is on her score field and the tab's title says it.
    expect(olga.page.locator("#score")).to_be_focused()
    expect(olga.page).to_have_title(re.compile(r"^Ваша очередь · "))
    expect(olga.page.locator("#your-turn")).to_be_visible()
    assert not ivan.page.title().startswith("Ваша очередь")
    # A short block (1 minute): its last minute is not announced over the hand-over.
    time.sleep(1.0)
    expect(olga.page.locator("#announcer")).to_have_text("Ваша очередь: Django")
    for person in (lena, ivan, olga):
        person.assert_clean()
