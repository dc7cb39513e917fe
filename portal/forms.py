"""The profile form: a person's language and time zone."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.zones import validate_zone, zone_names


def _language_choices() -> list[tuple[str, str]]:
    languages = [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]
    return [("", _("As my browser says")), *languages]


def _zone_choices() -> list[tuple[str, str]]:
    return [("", _("Not set yet (UTC)"))] + [(name, name) for name in zone_names()]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        required=False,
        validators=[validate_zone],
        help_text=_("Times are shown in this zone, with its name."),
    )
    time_zone_from_browser = forms.BooleanField(
        label=_("Take the time zone from my browser at each login"), required=False
    )

    class Meta:
        model = User
        fields = ["language", "time_zone", "time_zone_from_browser"]
