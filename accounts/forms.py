"""The staff login form, which also carries the browser's time zone
(``frontend_static/js/tz.js``) and refuses candidates' accounts (they log in on their own
page, ``video_interviews``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.zones import is_zone


class LoginForm(AuthenticationForm):
    # Filled by tz.js with Intl.DateTimeFormat().resolvedOptions().timeZone; empty without
    # JavaScript, and anything that is not a zone name is ignored.
    time_zone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-browser-zone": ""})
    )

    # Set when the password was right but the account is a candidate's: the page says so.
    candidate_refused = False

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if getattr(user, "is_candidate", False):
            self.candidate_refused = True
            raise forms.ValidationError(
                _(
                    "This is a candidate's account: candidates log in on the candidates' "
                    "page, not here."
                ),
                code="candidate_account",
            )

    def browser_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone", "")
        return zone if is_zone(zone) else ""
