"""The statistics page in a real browser (Debian's chromium) against a real daphne on
PostgreSQL and Redis, in Russian, at desktop width and at 390 px:

* Chart.js (vendored, served from our static files) draws every chart on its canvas — a chart
  instance exists and the canvas has painted pixels — under the site's strict CSP (no
  ``bypass_csp``): the console has no error and no CSP violation is reported;
* the axis titles, legends and the screen reader's tables are in Russian, with the numbers;
* the page does not scroll sideways at 390 px;
* the decision form works from the keyboard alone at 390 px.

Screenshots: ``tests/artifacts/stats-ru-desktop.png`` and ``tests/artifacts/stats-ru-390.png``
(git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import watched_page
from tests.e2e.servers import Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# Decisions over the last weeks (the page's default range is the last twelve), made by Maria,
# and one session ready for a decision for the keyboard test. Printed: its code.
DATA = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from cabinet.models import Decision, RejectionReason, Team
from tests.cabinet.helpers import new_session, ready_session, topics

maria, lena = User.objects.get(username="maria"), User.objects.get(username="lena")
ivan, olga = User.objects.get(username="ivan"), User.objects.get(username="olga")
platform, payments = Team.objects.get(name="Platform"), Team.objects.get(name="Payments")
depth = RejectionReason.objects.get(name="Technical depth")
talk = RejectionReason.objects.get(name="Communication")
shared = topics(1, questions=1)
now = timezone.now()
plan = [(0, "hire", platform, ()), (0, "reject", None, (depth,)), (1, "hire", payments, ()),
        (2, "hire", platform, ()), (2, "hire", platform, ()), (3, "reject", None, (depth, talk)),
        (5, "hire", payments, ()), (6, "reject", None, (talk,))]
for weeks, outcome, team, reasons in plan:
    session = new_session(lena, [], with_topics=shared)
    when = now - timedelta(weeks=weeks)
    type(session).objects.filter(pk=session.pk).update(finished_at=when, phase="finished")
    decision = Decision.objects.create(session=session, outcome=outcome, team=team,
                                       decided_by=maria, decided_at=when)
    decision.reasons.set(reasons)
ready = ready_session(lena, ivan, olga, hr_email="hr@example.com")
print("READY", ready.code)
"""


@pytest.fixture(scope="module")
def stats_server(e2e_stack: Stack) -> tuple[Server, str]:
    out = e2e_stack.manage("shell", "-c", DATA)
    code = re.search(r"READY (\S+)", out)
    assert code, out
    return e2e_stack.start_server(), code[1]


def signed_in_manager(
    browser: Browser, server: Server, width: int, height: int
) -> tuple[Page, list[str]]:
    """Maria, in Russian (the browser's language), with the site's CSP in force."""
    return watched_page(browser, server, "maria", width=width, height=height, locale="ru-RU")


CHARTS_DRAWN = """() => [...document.querySelectorAll('canvas[data-chart]')].map(canvas => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  const { width, height } = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) if (pixels[i] > 0) painted += 1;
  return {
    id: canvas.dataset.chart, chart: Boolean(chart), width, height, painted,
    legend: chart ? chart.legend.legendItems.map(item => item.text) : [],
    x: chart ? chart.options.scales.x.title.text : null,
    y: chart ? chart.options.scales.y.title.text : null,
    tick: chart ? chart.options.scales.x.ticks.font.size : 0,
    legendFont: chart ? chart.options.plugins.legend.labels.font.size : 0,
  };
})"""


def check_stats_page(page: Page, problems: list[str], shot: str) -> None:
    page.goto("/cabinet/stats/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Статистика найма")
    page.wait_for_function(
        "() => document.querySelectorAll('canvas[data-chart]').length === 3 && "
        "[...document.querySelectorAll('canvas[data-chart]')].every(c => Chart.getChart(c))"
    )
    drawn = {item["id"]: item for item in page.evaluate(CHARTS_DRAWN)}
    assert set(drawn) == {"chart-hires-data", "chart-rejections-data", "chart-sessions-data"}
    for item in drawn.values():
        assert item["chart"] and item["width"] > 200 and item["height"] > 150, item
        assert item["painted"] > 500, item  # bars, axes, labels and legend were painted
        assert item["x"] == "Неделя (ISO)" and item["tick"] >= 12 and item["legendFont"] >= 12
    assert drawn["chart-hires-data"]["y"] == "Кандидаты"
    # This test's hires went to Payments and Platform; other tests on the shared stack may
    # have hired into other teams (the decision test: Mobile). Teams in name order.
    legend = drawn["chart-hires-data"]["legend"]
    assert {"Payments", "Platform"} <= set(legend) and legend == sorted(legend), legend
    assert drawn["chart-sessions-data"]["legend"] == ["Проведено собеседований"]
    # The screen reader's table of the same numbers, with a Russian caption and headers.
    table = page.locator("#chart-hires table")
    expect(table.locator("caption")).to_have_text("Наймы по командам по неделям")
    expect(table.locator("thead th")).to_have_text(["Неделя (ISO)", *legend, "Итого"])
    totals = [int(t) for t in table.locator("tbody td:last-child").all_inner_texts()]
    assert sum(totals) >= 5  # this test's five hires (other tests may add more)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => "
        "e.getBoundingClientRect().right > window.innerWidth + 1 && "
        "!e.closest('.table-scroll, .cabinet-sr-only')).slice(0, 5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px: {wide}"
    path = ARTIFACTS / shot
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    assert problems == [], problems


def test_the_statistics_page_draws_its_charts_in_russian_at_desktop_width(
    browser: Browser, stats_server: tuple[Server, str]
) -> None:
    page, problems = signed_in_manager(browser, stats_server[0], 1280, 900)
    check_stats_page(page, problems, "stats-ru-desktop.png")
    page.context.close()


def test_the_statistics_page_and_the_decision_form_work_at_390_px(
    browser: Browser, stats_server: tuple[Server, str]
) -> None:
    server, code = stats_server
    page, problems = signed_in_manager(browser, server, 390, 844)
    check_stats_page(page, problems, "stats-ru-390.png")

    # The decision, from the keyboard alone: every control is reached by Tab, labelled.
    page.goto(f"/cabinet/s/{code}/")
    form = page.locator("#decision-form")
    expect(form.locator("legend").first).to_have_text("Решение:")
    page.locator("#id_outcome_0").focus()  # the first control of the form
    page.keyboard.press("Space")
    expect(page.locator("#id_outcome_0")).to_be_checked()
    page.keyboard.press("Tab")  # the team
    expect(page.locator("#id_team")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_team")).not_to_have_value("")
    for _n in range(30):  # on through the reasons, the comment and the language to the button
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type === 'submit'"):
            break
    submit = form.locator("button[type=submit]")
    expect(submit).to_be_focused()
    box = submit.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Решение сохранено")
    expect(page.locator("#delivery tr.outbox").first).to_contain_text("почта")
    expect(page.locator("#delivery .pill .status-word").first).to_have_text("ожидает отправки")
    assert problems == [], problems
    page.context.close()
