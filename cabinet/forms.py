"""Input of the cabinet's forms; the rules themselves are checked in ``cabinet.services``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cabinet.models import Decision, RejectionReason, Team


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.filter(active=True),
        required=False,
        help_text=_("When hiring: the team the candidate joins."),
    )
    reasons = forms.ModelMultipleChoiceField(
        label=_("Reasons"),
        queryset=RejectionReason.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When rejecting: one or more."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Required when rejecting; HR reads it."),
    )
    hr_language = forms.ChoiceField(
        label=_("Language of HR's messages"),
        choices=settings.LANGUAGES,
        required=False,  # left out: HR_LANGUAGE
        help_text=_("The e-mail and the Telegram message to HR are written in this language."),
    )

    def __init__(self, *args: Any, hr_language: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The HR contact's language (set on the candidate), else the site's HR_LANGUAGE.
        self.fields["hr_language"].initial = hr_language or settings.HR_LANGUAGE

    # Which field a refusal of ``cabinet.services`` is about (the rest go above the form).
    REFUSAL_FIELDS = {
        "team_required": "team",
        "reason_required": "reasons",
        "comment_required": "comment",
        "bad_outcome": "outcome",
    }

    def add_refusal(self, code: str, message: str) -> None:
        self.add_error(self.REFUSAL_FIELDS.get(code), message)


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("Why reopen"), required=False, max_length=1000)


class StatsRangeForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    MAX_DAYS = 3 * 366
    # Dates outside this window are typos; they would also overflow the date arithmetic.
    EARLIEST = date(1970, 1, 1)
    LATEST = date(9000, 12, 31)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not self.EARLIEST <= value <= self.LATEST:
                self.add_error(name, _("Pick a date between 1970 and 9000."))
        return data

    def range(self) -> tuple[date, date]:
        """The chosen range, or the last twelve weeks; never reversed, never endless."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(weeks=12) + timedelta(days=1)
        if start > end:
            start, end = end, start
        if (end - start).days > self.MAX_DAYS:
            start = end - timedelta(days=self.MAX_DAYS)
        return start, end
