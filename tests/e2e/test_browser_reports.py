"""The pipeline's statistics page /reports/ in a real browser (Debian's chromium) against a
real daphne on PostgreSQL, in Russian, at desktop width and at 390 px: Chart.js draws the
funnel from its JSON data island under the site's strict CSP (no console error, no
violation), the page does not scroll sideways at 390 px, the filters are reached by
keyboard, and the Excel download, opened with openpyxl, has the page's numbers.

Screenshots: ``tests/artifacts/reports-ru-desktop.png``, ``reports-ru-390.png`` (git-ignored).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.e2e.pages import watched_page
from tests.e2e.servers import Server, Stack

pytestmark = [pytest.mark.browser, pytest.mark.processes]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# Today: a position with three candidates (one from a vendor), moved along the funnel.
DATA = """
from accounts.models import User
from candidates import services
rita, maria = User.objects.get(username="rita"), User.objects.get(username="maria")
position = services.position_create(by=rita, fields={"title": "Бэкенд-разработчик"})
vendor = services.vendor_create(fields={"name": "Кадры Плюс"})
people = [services.candidate_create(by=rita, fields={"full_name": f"Кандидат {n}",
          "email": f"k{n}@example.com"}, positions=[position],
          **({"source": "vendor", "vendor": vendor} if n == 0 else {})) for n in range(3)]
for person in people[:2]:
    services.candidate_move(candidate=person, move="schedule", by=rita, roles={"recruiter"})
services.candidate_move(candidate=people[0], move="start", roles={"system"})
services.candidate_move(candidate=people[0], move="hire", by=maria, roles={"manager"})
print("POSITION", position.pk)
"""

CHART = """() => {
  const canvas = document.querySelector('canvas[data-report-chart]');
  const chart = window.Chart && window.Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) if (pixels[i] > 0) painted += 1;
  return {chart: Boolean(chart), painted, labels: chart ? chart.data.labels : [],
          values: chart ? chart.data.datasets[0].data : [],
          axis: chart ? chart.options.scales.x.title.text : null};
}"""

TABLE = """(id) => [...document.querySelectorAll(`#${id} tr[data-key]`)].map(tr =>
  [tr.querySelector('th').textContent.trim(),
   ...[...tr.querySelectorAll('td')].map(td => td.dataset.value === '' ? null : Number(td.dataset.value))])"""


@pytest.fixture(scope="module")
def reports_server(e2e_stack: Stack) -> Server:
    out = e2e_stack.manage("shell", "-c", DATA)
    assert "POSITION" in out, out
    return e2e_stack.start_server()


def signed_in_recruiter(
    browser: Browser, server: Server, width: int, height: int
) -> tuple[Page, list[str]]:
    return watched_page(
        browser, server, "rita", width=width, height=height, locale="ru-RU",
        accept_downloads=True,
    )  # fmt: skip


def tab_to(page: Page, selector: str, most: int = 6) -> None:
    """Tab on until ``selector`` has the focus (in the page's order), at most ``most`` times."""
    for _n in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


def check_reports_page(page: Page, problems: list[str], shot: str) -> list[list]:
    page.goto("/")
    page.locator("header nav a", has_text="Отчёты").click()
    page.wait_for_url("**/reports/")  # followed the navigation's link
    expect(page.locator("h1")).to_have_text("Отчёты по найму")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-report-chart]'))"
    )
    chart = page.evaluate(CHART)
    assert chart["chart"] and chart["painted"] > 300, chart
    assert chart["labels"][0] == "Созданы" and chart["axis"] == "Кандидаты"
    funnel = page.evaluate(TABLE, "table-funnel")
    assert ["Бэкенд-разработчик", 3, 2, 1, 1, 1] in funnel, funnel
    assert funnel[-1][0] == "Все кандидаты" and chart["values"] == funnel[-1][1:]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
    path = ARTIFACTS / shot
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert problems == [], problems
    return funnel


def test_the_reports_page_draws_its_funnel_and_the_workbook_has_its_numbers(
    browser: Browser, reports_server: Server
) -> None:
    page, problems = signed_in_recruiter(browser, reports_server, 1280, 900)
    funnel = check_reports_page(page, problems, "reports-ru-desktop.png")
    statuses = page.evaluate(TABLE, "table-status")
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[:5] == [
        "Воронка",
        "По статусам",
        "По поставщикам",
        "Интервьюеры",
        "Время на этапах",
    ]
    for sheet, shown in ((book["Воронка"], funnel), (book["По статусам"], statuses)):
        rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert rows == shown, sheet.title
    assert problems == [], problems
    page.context.close()


def test_the_reports_page_works_at_390_px_and_by_keyboard(
    browser: Browser, reports_server: Server
) -> None:
    page, problems = signed_in_recruiter(browser, reports_server, 390, 844)
    check_reports_page(page, problems, "reports-ru-390.png")
    # The dates show the period chosen (an <input type=date> takes YYYY-MM-DD only).
    for name in ("#id_start", "#id_end"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.locator(name).input_value()), name
    page.locator("#id_start").focus()
    for name in ("id_end", "id_position", "id_vendor"):
        tab_to(page, f"#{name}")  # a date field's day, month and year are Tab stops of their own
    page.keyboard.press("ArrowDown")  # the first vendor
    submit = page.locator("#report-filters button[type=submit]")
    tab_to(page, "#report-filters button[type=submit]")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#report-period")).to_contain_text("Кадры Плюс")
    funnel = page.evaluate(TABLE, "table-funnel")
    assert funnel[-1] == ["Все кандидаты", 1, 1, 1, 1, 1], funnel
    assert problems == [], problems
    page.context.close()
