"""People who use Roundtable. Roles are Django groups (see ``accounts.roles``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.zones import validate_zone


class User(AbstractUser):
    # Blank: the browser's language (Accept-Language) decides.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Blank: the browser's language."),
    )
    # An IANA name (Europe/Moscow); blank until the browser tells it at login.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_zone]
    )
    time_zone_from_browser = models.BooleanField(
        _("take the time zone from the browser"),
        default=True,
        help_text=_("At each login the browser's time zone replaces the one stored."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("run_interviews", _("Can lead and join live interview sessions")),
            ("decide_candidates", _("Can decide on candidates in the manager's cabinet")),
            ("manage_candidates", _("Can manage candidates, positions and schedules")),
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.display_name
