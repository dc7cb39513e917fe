"""Forms of the one-way interviews' pages: they read and check the input's shape; the rules
are the services'. The wizard's question rows are read by ``read_questions`` (their number
and order change on the page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from candidates.models import Position
from video_interviews import rules
from video_interviews.models import VideoInterview

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DeadlineInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_LOCAL, **kwargs)


# --- candidates ------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Interview code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 \-]{6,11}",
                "placeholder": "123456",
            }
        ),
        help_text=_("The six digits from your invitation e-mail."),
    )


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=150)
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    code = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    time_zone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-browser-zone": ""})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class CandidateLoginForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    time_zone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-browser-zone": ""})
    )


# --- recruiters ------------------------------------------------------------------------------


class InterviewFieldsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the candidate reads before they start."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=DeadlineInput(),
        help_text=_("In your time zone. Invitations not finished by then expire."),
    )
    position = forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=Position.objects.none(),
        empty_label=_("— none —"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Position.objects.exclude(status=Position.Status.CLOSED).order_by("title")


@dataclass
class QuestionRow:
    """One row of the wizard's question list, as typed (numbers may still be wrong)."""

    key: str
    text: str = ""
    thinking: str = str(rules.DEFAULT_THINKING)
    answer: str = str(rules.DEFAULT_ANSWER)
    retakes: str = str(rules.DEFAULT_RETAKES)
    bank: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "text": self.text,
            "thinking": self.thinking,
            "answer": self.answer,
            "retakes": self.retakes,
            "bank": self.bank,
        }

    def spec(self) -> rules.QuestionSpec:
        return rules.QuestionSpec(
            text=self.text,
            thinking_seconds=_number(self.thinking),
            answer_seconds=_number(self.answer),
            retakes=_number(self.retakes),
            bank_question_id=int(self.bank) if self.bank.isdigit() else None,
        )

    @classmethod
    def from_spec(cls, key: str, spec: rules.QuestionSpec) -> QuestionRow:
        return cls(
            key=key,
            text=spec.text,
            thinking=str(spec.thinking_seconds),
            answer=str(spec.answer_seconds),
            retakes=str(spec.retakes),
            bank=str(spec.bank_question_id or ""),
        )


def _number(text: str) -> int:
    """A row's number as typed; anything but digits is -1, which the rules refuse."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 6 else -1


_KEY = re.compile(r"^[a-z0-9]{1,12}$")


def read_questions(data: QueryDict) -> list[QuestionRow]:
    """The rows in the order the page sent them (``q`` names each row's key, in document
    order: dragging a row moves its inputs, so the order is the page's)."""
    rows, seen = [], set()
    for key in data.getlist("q")[: rules.QUESTIONS_MAX + 5]:
        if not _KEY.match(key) or key in seen:
            continue
        seen.add(key)
        rows.append(
            QuestionRow(
                key=key,
                text=data.get(f"q-{key}-text", "")[: rules.TEXT_MAX + 100],
                thinking=data.get(f"q-{key}-thinking", "")[:8],
                answer=data.get(f"q-{key}-answer", "")[:8],
                retakes=data.get(f"q-{key}-retakes", "")[:8],
                bank=data.get(f"q-{key}-bank", "")[:18],
            )
        )
    return rows


class AddressesForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("One per line, or separated by commas."),
    )
    csv_file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_("A column headed “email”, or addresses in the first column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitations"),
        choices=settings.LANGUAGES,
        help_text=_("A candidate whose account has a language of its own gets that one."),
    )


class SettingsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=VideoInterview.Status.choices)
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=DeadlineInput(),
    )


class TemplateNameForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=200)
