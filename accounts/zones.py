"""Time zones and languages of people: IANA zone names checked against ``zoneinfo``, and the
helpers that turn a person's choices into the active language and zone."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted (the profile's choices)."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def is_zone(name: Any) -> bool:
    if not isinstance(name, str) or not name or len(name) > 64:
        return False
    return name in zone_names() or name == "UTC"


def validate_zone(name: str) -> None:
    if name and not is_zone(name):
        raise ValidationError(
            _("“%(name)s” is not a time zone name (like Europe/Moscow)."),
            code="invalid_time_zone",
            params={"name": name},
        )


def language_codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def language_of(user: Any, default: str | None = None) -> str:
    """The language to write to ``user`` in: their own choice, else ``default``, else the
    site's (``LANGUAGE_CODE``). For messages sent outside a request (e-mails, Telegram),
    wrap the rendering in ``translation.override(language_of(person))``."""
    chosen = getattr(user, "language", "") or ""
    if chosen in language_codes():
        return chosen
    return default or settings.LANGUAGE_CODE
