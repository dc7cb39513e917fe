"""People who use Roundtable. Roles are Django groups (see ``accounts.roles``).

Two kinds of account share the table: **staff** (everyone who works in Roundtable; the
default) and **candidates**, who sign up themselves for one-way video interviews
(``video_interviews``). A candidate is never staff: the database refuses a candidate with
``is_staff`` or ``is_superuser``, their e-mail address is their login (one candidate account
per address, whatever the letter case), they hold no role, every access predicate refuses
them (``access.bank.signed_in``) and ``accounts.fence`` answers 404 to them outside their own
area, refuses their API tokens and closes their sockets."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.zones import validate_zone


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        CANDIDATE = "candidate", _("candidate")

    kind = models.CharField(
        _("kind of account"),
        max_length=10,
        choices=Kind.choices,
        default=Kind.STAFF,
        help_text=_("Candidates sign up themselves and see only their own video interviews."),
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="staff") | models.Q(is_staff=False, is_superuser=False),
                name="accounts_candidate_never_staff",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(kind="candidate"),
                name="accounts_candidate_email_unique",
            ),
        ]

    @property
    def is_candidate(self) -> bool:
        return self.kind == self.Kind.CANDIDATE

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.display_name
