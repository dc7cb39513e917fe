"""One way to show a moment everywhere: ``{{ moment|when }}`` → "25 Oct 2026, 14:05
Europe/Berlin" in English, "25 октября 2026, 14:05 Europe/Berlin" in Russian: the active
language's format (``config/formats/<lang>/formats.py``) in the viewer's zone (activated by
``accounts.middleware``), followed by the zone's name. ``{{ moment|when:True }}`` adds seconds.

Outside a template (exports, e-mails) call ``when(moment)`` under
``translation.override(...)`` and ``timezone.override(...)`` for the reader."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


def _format(seconds: bool) -> str:
    if seconds:
        with_seconds = formats.get_format("WHEN_SECONDS_FORMAT")
        if with_seconds != "WHEN_SECONDS_FORMAT":  # a language without one: no seconds
            return str(with_seconds)
    return "DATETIME_FORMAT"


@register.filter
def when(moment: datetime | date | None, seconds: bool = False) -> str:
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        if isinstance(moment, date):
            return formats.date_format(moment, "DATE_FORMAT")
        return str(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    local = timezone.localtime(moment)
    shown = formats.date_format(local, _format(seconds))
    return f"{shown} {timezone.get_current_timezone_name()}"
