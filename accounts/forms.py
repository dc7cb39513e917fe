"""The login form, which also carries the browser's time zone (``frontend_static/js/tz.js``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.zones import is_zone


class LoginForm(AuthenticationForm):
    # Filled by tz.js with Intl.DateTimeFormat().resolvedOptions().timeZone; empty without
    # JavaScript, and anything that is not a zone name is ignored.
    time_zone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-browser-zone": ""})
    )

    def browser_zone(self) -> str:
        zone = self.cleaned_data.get("time_zone", "")
        return zone if is_zone(zone) else ""
