"""The report's filters: a period of whole days in the viewer's time zone, a position and a
vendor (each optional)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from candidates.models import Position, Vendor
from reports.queries import Filters

DEFAULT_DAYS = 90
# An <input type="date"> takes its value as YYYY-MM-DD whatever the language shows.
ISO_DATE = "%Y-%m-%d"


class ReportFilterForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("report", "From"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format=ISO_DATE),
    )
    end = forms.DateField(
        label=pgettext_lazy("report", "To"),
        required=False,
        widget=forms.DateInput({"type": "date"}, format=ISO_DATE),
    )
    position = forms.ModelChoiceField(
        label=pgettext_lazy("report", "Position"),
        queryset=Position.objects.all(),
        required=False,
        empty_label=pgettext_lazy("report", "All positions"),
    )
    vendor = forms.ModelChoiceField(
        label=pgettext_lazy("report", "Vendor"),
        queryset=Vendor.objects.all(),
        required=False,
        empty_label=pgettext_lazy("report", "All vendors"),
    )

    # Dates outside this window are typos; they would also overflow the date arithmetic.
    EARLIEST = date(1970, 1, 1)
    LATEST = date(9000, 12, 31)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not self.EARLIEST <= value <= self.LATEST:
                self.add_error(name, _("Pick a date between 1970 and 9000."))
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start > end:
            self.add_error("end", _("The period ends before it starts."))
        return data

    def filters(self) -> Filters | None:
        """The filters asked for (the last 90 days up to today when no dates are given), or
        ``None`` when the input is wrong (the form then carries the errors)."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        today = timezone.localdate()
        end = data.get("end") or max(today, data.get("start") or today)
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return Filters(
            start=start,
            end=end,
            zone=timezone.get_current_timezone(),
            position=data.get("position"),
            vendor=data.get("vendor"),
        )
