"""The numbers behind the cabinet's charts, as plain data.

Chart.js (vendored from the npm registry, ``frontend_static/vendor/chart.umd.min.js``) draws
them in the browser from a ``json_script`` block (``cabinet/static/cabinet/stats.js``); the
same numbers are rendered by the template as a table with a caption for screen readers and
for anyone without JavaScript. Axis titles come from the template (translated there)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Colour-blind-friendly (Okabe–Ito), in the order series are drawn. Colour is never the only
# cue: every series is named in the legend and in the table.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000")
EXPECTED = "#9aa9bd"
ACTUAL = "#0072B2"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    colour: str


@dataclass(frozen=True)
class Chart:
    """One chart: category labels along one axis, one or more series of counts."""

    title: str
    labels: list[str]
    series: list[Series]
    stacked: bool = True
    horizontal: bool = False

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """The table fallback: one row per label with each series' value and their sum."""
        rows = []
        for i, label in enumerate(self.labels):
            values = [s.values[i] for s in self.series]
            rows.append((label, values, sum(values)))
        return rows

    @property
    def totals(self) -> list[int]:
        return [sum(s.values) for s in self.series]

    def data(self) -> dict[str, Any]:
        """What ``stats.js`` reads (through ``json_script``: escaped for HTML, no inline JS)."""
        return {
            "title": self.title,
            "labels": self.labels,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "series": [
                {"name": s.name, "values": s.values, "colour": s.colour} for s in self.series
            ],
        }


def stacked_weeks(
    weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str
) -> Chart:
    """Vertical bars per ISO week, one stacked segment per series (team or reason)."""
    return Chart(
        title=title,
        labels=list(weeks),
        series=[
            Series(str(name), [int(v) for v in values], PALETTE[index % len(PALETTE)])
            for index, (name, values) in enumerate(series)
        ],
    )


def expected_vs_actual(
    rows: Sequence[tuple[str, int, int]], *, expected_label: str, actual_label: str, title: str
) -> Chart:
    """Horizontal bars per topic: the points available (expected) beside the points earned."""
    return Chart(
        title=title,
        labels=[label for label, _expected, _actual in rows],
        series=[
            Series(expected_label, [int(expected) for _l, expected, _a in rows], EXPECTED),
            Series(actual_label, [int(actual) for _l, _e, actual in rows], ACTUAL),
        ],
        stacked=False,
        horizontal=True,
    )
