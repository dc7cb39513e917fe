"""People who use Roundtable. Roles are Django groups (see ``accounts.roles``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
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
