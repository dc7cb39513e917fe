"""One way to show a moment everywhere: ``{{ moment|when }}`` → "2026-03-29 14:05 UTC"
(the viewer's zone, by name; per-person zones come later, the site's zone until then)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()

FORMAT = "%Y-%m-%d %H:%M"


@register.filter
def when(moment: datetime | date | None, seconds: bool = False) -> str:
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat() if isinstance(moment, date) else str(moment)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    local = timezone.localtime(moment)
    zone = timezone.get_current_timezone_name()
    return f"{local.strftime(FORMAT + (':%S' if seconds else ''))} {zone}"
