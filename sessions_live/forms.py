"""Forms of the live-session pages: the new session (candidate card and topics) and joining."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from candidates.validators import validate_one_line, validate_plain_text, validate_resume
from questionbank.models import Topic
from sessions_live.codes import normalise_code
from sessions_live.services import TopicChoice

DEFAULT_INTRO = _(
    "Welcome! Thank you for joining us today. The interview is a conversation with several of "
    "us, each asking about one topic for a set time. It is fine to think aloud, ask questions "
    "back, or say you don't know."
)
DEFAULT_CLOSING = _(
    "That is all our questions. Do you have questions for us? We will get back to you with "
    "the result by e-mail within a few days. Thank you for your time."
)


def validate_multiline(text: str) -> None:
    validate_plain_text(text, multiline=True)


TELEGRAM_OFF_WARNING = _(
    "Telegram is not set up on this server (no bot token), so nothing is sent to this chat "
    "id: HR gets the result by e-mail only. Ask an administrator to set TELEGRAM_BOT_TOKEN."
)


class SessionCreateForm(forms.Form):
    # A candidate the lead may see (the view passes ``access.visible_candidates``): chosen,
    # the session takes them and the new candidate's fields are not needed.
    existing_candidate = forms.ModelChoiceField(
        label=_("Existing candidate"),
        queryset=Candidate.objects.none(),
        required=False,
        empty_label=_("— a new candidate, from the fields below —"),
    )
    # Every one-line field can end up in an e-mail header: a line break there would make
    # every message about this candidate fail, so it is refused here, where it is typed.
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, validators=[validate_one_line]
    )
    email = forms.EmailField(label=_("E-mail"), validators=[validate_one_line])
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, validators=[validate_one_line]
    )
    resume = forms.FileField(
        label=_("Resume (PDF, up to 10 MB)"), required=False, validators=[validate_resume]
    )
    video_room_url = forms.URLField(
        label=_("Video-call room link"),
        required=False,
        assume_scheme="https",
        validators=[validate_one_line],
    )
    hr_email = forms.EmailField(
        label=_("HR e-mail"), required=False, validators=[validate_one_line]
    )
    hr_telegram_chat_id = forms.RegexField(
        label=_("HR Telegram chat id"),
        regex=r"^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$",
        required=False,
        error_messages={"invalid": _("A numeric chat id or an @channel name.")},
        validators=[validate_one_line],
    )
    hr_language = forms.ChoiceField(
        label=_("Language of HR's messages"),
        choices=[("", _("The site's default")), *settings.LANGUAGES],
        required=False,
    )
    shuffle = forms.TypedChoiceField(
        label=_("Question order"),
        choices=[("0", _("Fixed, as in the bank")), ("1", _("Shuffled"))],
        coerce=lambda value: value == "1",
        initial="0",
    )
    intro_text = forms.CharField(
        label=_("Intro text"),
        widget=forms.Textarea,
        initial=DEFAULT_INTRO,
        max_length=5000,
        validators=[validate_multiline],
    )
    closing_text = forms.CharField(
        label=_("Closing text"),
        widget=forms.Textarea,
        initial=DEFAULT_CLOSING,
        max_length=5000,
        validators=[validate_multiline],
    )

    def __init__(
        self, *args: Any, candidates: QuerySet[Candidate] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["existing_candidate"].queryset = candidates.order_by("full_name", "id")
        if self.is_bound and self.data.get("existing_candidate"):
            for name in ("full_name", "email"):
                self.fields[name].required = False
        self.topics = list(Topic.objects.order_by("name"))
        for position, topic in enumerate(self.topics, start=1):
            # The checkbox's label is the topic's name in its row; the row's two numbers are
            # named for screen readers, with the topic, as the column heads are not labels.
            self.fields[f"topic_{topic.pk}_on"] = forms.BooleanField(required=False)
            self.fields[f"topic_{topic.pk}_position"] = forms.IntegerField(
                min_value=1,
                max_value=99,
                initial=position,
                widget=forms.NumberInput(
                    attrs={"aria-label": gettext("Order of %(topic)s") % {"topic": topic.name}}
                ),
            )
            self.fields[f"topic_{topic.pk}_minutes"] = forms.DecimalField(
                min_value=Decimal("0.05"),
                max_value=180,
                decimal_places=2,
                initial=topic.default_minutes,
                widget=forms.NumberInput(
                    attrs={"aria-label": gettext("Minutes for %(topic)s") % {"topic": topic.name}}
                ),
            )

    @property
    def telegram_warning(self) -> str:
        """Non-blocking: a chat id is accepted, but without a bot nothing reaches it. Shown on
        the empty form (next to the field) and on a re-shown form that has a chat id."""
        if settings.TELEGRAM_BOT_TOKEN:
            return ""
        if self.is_bound and not str(self.data.get("hr_telegram_chat_id", "")).strip():
            return ""
        return str(TELEGRAM_OFF_WARNING)

    def topic_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "topic": topic,
                "on": self[f"topic_{topic.pk}_on"],
                "position": self[f"topic_{topic.pk}_position"],
                "minutes": self[f"topic_{topic.pk}_minutes"],
            }
            for topic in self.topics
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [
            (data.get(f"topic_{t.pk}_position") or 99, index, t)
            for index, t in enumerate(self.topics)
            if data.get(f"topic_{t.pk}_on")
        ]
        if not chosen:
            raise forms.ValidationError(_("Pick at least one topic."))
        self.chosen_topics = [
            TopicChoice(topic=t, seconds=max(1, round(float(data[f"topic_{t.pk}_minutes"]) * 60)))
            for _position, _index, t in sorted(chosen, key=lambda item: item[:2])
        ]
        return data


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        max_length=40,
        help_text=_("Like K7M-PQ4-XR9; case and dashes do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("That is not a session code (like K7M-PQ4-XR9)."))
        return code


class ScoreEditForm(forms.Form):
    """An author's change of one score and note on the results page."""

    block = forms.IntegerField(min_value=0, max_value=999)
    key = forms.CharField(max_length=40)
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class FeedbackEditForm(forms.Form):
    """An author's change of their feedback: the summary and ``item_<question key>`` texts."""

    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea)

    def items(self) -> dict[str, str]:
        return {
            name.removeprefix("item_"): str(value).strip()
            for name, value in self.data.items()
            if name.startswith("item_") and str(value).strip()
        }
