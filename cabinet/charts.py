"""Server-rendered inline SVG charts: no script, no CDN, readable without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-friendly (Okabe–Ito), in the order series are drawn.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000")
EXPECTED = "#cfd8e3"
ACTUAL = "#2f6fd6"


def expected_vs_actual(
    rows: Sequence[tuple[str, int, int]], *, expected_label: str, actual_label: str, title: str
) -> SafeString:
    """Horizontal bars per topic: the points available (expected) behind the points earned."""
    width, label_w, bar_h, gap = 640, 180, 14, 14
    plot_w = width - label_w - 70
    top = 28
    height = top + len(rows) * (2 * bar_h + gap) + 10
    scale = max((max(expected, actual) for _label, expected, actual in rows), default=0) or 1
    parts = [
        format_html(
            '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
            'xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
            width,
            height,
            title,
        ),
        _legend([(expected_label, EXPECTED), (actual_label, ACTUAL)], x=label_w, y=12),
    ]
    for index, (label, expected, actual) in enumerate(rows):
        y = top + index * (2 * bar_h + gap)
        parts.append(
            format_html(
                '<g class="topic" data-topic="{}" data-expected="{}" data-actual="{}">'
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11">{} / {}</text></g>',
                label,
                expected,
                actual,
                label_w - 8,
                y + bar_h + 4,
                label,
                label_w,
                y,
                _w(expected, scale, plot_w),
                bar_h,
                EXPECTED,
                label_w,
                y + bar_h,
                _w(actual, scale, plot_w),
                bar_h,
                ACTUAL,
                label_w + _w(max(expected, actual), scale, plot_w) + 6,
                y + bar_h + 4,
                actual,
                expected,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def stacked_weeks(
    weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str
) -> SafeString:
    """Vertical bars per ISO week, one stacked segment per series (team or reason)."""
    width, height, left, bottom, top = 640, 240, 34, 44, 30
    plot_w, plot_h = width - left - 10, height - top - bottom
    totals = [sum(values[i] for _name, values in series) for i in range(len(weeks))]
    scale = max(totals, default=0) or 1
    slot = plot_w / max(len(weeks), 1)
    bar = max(4.0, slot * 0.6)
    parts = [
        format_html(
            '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
            'xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
            width,
            height + 16 * ((len(series) + 3) // 4),
            title,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#9aa4b1"/>'
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
            left - 4,
            top + 8,
            scale,
        ),
    ]
    for i, week in enumerate(weeks):
        x = left + i * slot + (slot - bar) / 2
        y = float(top + plot_h)
        for index, (name, values) in enumerate(series):
            if not values[i]:
                continue
            h = plot_h * values[i] / scale
            y -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} · {}: {}</title></rect>",
                    _f(x),
                    _f(y),
                    _f(bar),
                    _f(h),
                    PALETTE[index % len(PALETTE)],
                    week,
                    name,
                    values[i],
                )
            )
        if totals[i]:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    _f(x + bar / 2),
                    _f(y - 3),
                    totals[i],
                )
            )
        if len(weeks) <= 16 or i % 2 == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
                    _f(x + bar / 2),
                    top + plot_h + 14,
                    week[-3:],
                )
            )
    parts.append(
        _legend(
            [(name, PALETTE[i % len(PALETTE)]) for i, (name, _values) in enumerate(series)],
            x=left,
            y=height - 8,
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(parts))


def _f(value: float) -> str:
    return f"{value:.1f}"


def _w(value: int, scale: int, plot_w: int) -> int:
    return round(plot_w * value / scale)


def _legend(items: Sequence[tuple[str, str]], *, x: int, y: int) -> SafeString:
    parts = []
    for index, (name, colour) in enumerate(items):
        cx = x + (index % 4) * 150
        cy = y + (index // 4) * 16
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                cx,
                cy - 9,
                colour,
                cx + 14,
                cy,
                name[:22],
            )
        )
    return mark_safe("".join(parts))
