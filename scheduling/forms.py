"""The availability pages' forms: wall-clock input in a person's zone, read into what the
services take. They check the shape of the input only; the rules are the services'."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.zones import is_zone
from scheduling.services import MAX_HOURS_A_DAY, MAX_PER_DAY, MAX_PER_WEEK, Hours

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")

WEEKDAYS = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


def _zone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("The zone these times are in (an IANA name, like Europe/Berlin)."),
    )


class SlotForm(forms.Form):
    """A slot: from ``starts`` on ``date`` to ``ends`` on ``end_date`` (blank: the same day),
    wall-clock in ``zone`` (blank: the viewer's)."""

    date = forms.DateField(label=_("Date"), widget=DATE, input_formats=["%Y-%m-%d"])
    starts = forms.TimeField(label=pgettext_lazy("hours", "From"), widget=TIME)
    ends = forms.TimeField(label=pgettext_lazy("hours", "To"), widget=TIME)
    end_date = forms.DateField(
        label=_("Until (another date)"),
        widget=DATE,
        input_formats=["%Y-%m-%d"],
        required=False,
        help_text=_("Only for a slot that goes on past midnight."),
    )
    zone = _zone_field()

    def __init__(self, *args: Any, default_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_zone = default_zone
        self.fields["zone"].widget.attrs["placeholder"] = default_zone

    def clean_zone(self) -> str:
        name = (self.cleaned_data.get("zone") or "").strip() or self.default_zone
        if not is_zone(name):
            raise forms.ValidationError(
                _("“%(name)s” is not a time zone name (like Europe/Berlin)."),
                params={"name": name},
            )
        return name


class ExceptionForm(forms.Form):
    """A day off or extra hours on a date. Its ids are its own (``id_exception_…``): the
    slot form on the same page has a date and times too."""

    KINDS = (("off", _("a day off")), ("extra", _("extra hours")))
    day = forms.DateField(label=_("Date"), widget=DATE, input_formats=["%Y-%m-%d"])
    kind = forms.ChoiceField(
        label=_("What"), choices=KINDS, initial="off", widget=forms.RadioSelect
    )
    starts = forms.TimeField(label=pgettext_lazy("hours", "From"), widget=TIME, required=False)
    ends = forms.TimeField(label=pgettext_lazy("hours", "To"), widget=TIME, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_exception_%s")
        super().__init__(*args, **kwargs)

    def times(self) -> tuple[time | None, time | None]:
        data = self.cleaned_data
        if data["kind"] == "off":
            return None, None
        return data.get("starts"), data.get("ends")


class CapacityForm(forms.Form):
    per_day = forms.IntegerField(
        label=_("Interviews a day, at most"), min_value=0, max_value=MAX_PER_DAY, required=False
    )
    per_week = forms.IntegerField(
        label=_("Interviews a week, at most"), min_value=0, max_value=MAX_PER_WEEK, required=False
    )


def weekly_rows(hours: list[Any]) -> list[dict[str, Any]]:
    """The weekly-hours form's seven rows: each weekday's stored ranges and one blank pair
    more (at most ``MAX_HOURS_A_DAY``), as ``{weekday, name, pairs: [(n, starts, ends)]}``."""
    rows = []
    for weekday, name in enumerate(WEEKDAYS):
        stored = [(h.starts, h.ends) for h in hours if h.weekday == weekday]
        pairs = stored + [(None, None)] * (1 if len(stored) < MAX_HOURS_A_DAY else 0)
        rows.append(
            {
                "weekday": weekday,
                "field": f"hours-{weekday}",
                "name": name,
                "pairs": [(n, s, e) for n, (s, e) in enumerate(pairs)],
            }
        )
    return rows


class BadHours(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def read_weekly(data: Any) -> list[Hours]:
    """The weekly-hours form's posted pairs (``hours-<weekday>-<n>-starts`` / ``-ends``, both
    blank: none) as rows; a half-filled pair or a time that is not one is ``BadHours``."""
    field = forms.TimeField()
    found = []
    for weekday in range(7):
        for n in range(MAX_HOURS_A_DAY):
            name = f"hours-{weekday}-{n}"
            raw_start = (data.get(f"{name}-starts") or "").strip()
            raw_end = (data.get(f"{name}-ends") or "").strip()
            if not raw_start and not raw_end:
                continue
            if not raw_start or not raw_end:
                raise BadHours(f"hours-{weekday}", str(_("Give both times, or neither.")))
            try:
                starts, ends = field.clean(raw_start), field.clean(raw_end)
            except forms.ValidationError:
                raise BadHours(f"hours-{weekday}", str(_("Enter a time like 09:00."))) from None
            found.append(Hours(weekday, starts, ends))
    return found
