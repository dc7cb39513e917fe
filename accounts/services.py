"""Writes of people: create one (with a one-time link to set their password, sent through the
outbox), set their roles, deactivate or reactivate them. Keyword-only, typed.

Who may do which is the access module's rule (``access.people``); the pages and the API ask
it before they call here (``accounts`` sits below ``access`` and imports none of it). These
functions keep what holds whoever calls: a known role only, one account per e-mail address and
per username whatever the letter case, nobody deactivating themselves, never a deletion.

Deactivating saves the row (never a queryset ``update()``), so the user's open sockets are
closed by the receivers in ``sessions_live.signals``; Django then lets their browser sessions
and API tokens in no more, and their password no longer logs them in.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import QUESTION_EDITOR, ROLE_LABELS, ROLE_PERMISSIONS
from accounts.zones import language_codes, language_of
from notify.models import Outbox
from notify.services import outbox_enqueue

NAME_MAX = 150
USERNAME_MAX = 150
EMAIL_MAX = 254


class PersonRefused(Exception):
    """A write of a person that cannot be made; ``code`` is for programs, ``message`` for
    the person (translated), ``field`` the input it is about, if one."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def _check_line(value: str, field: str) -> str:
    """A name as stored: one line, no control character, spaces collapsed."""
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029"
           for char in value):  # fmt: skip
        raise PersonRefused(
            "control_character", _("Keep this on one line, without control characters."), field
        )
    text = " ".join(value.split())
    if len(text) > NAME_MAX:
        raise PersonRefused("too_long", _("At most %(max)d characters.") % {"max": NAME_MAX}, field)
    return text


def _check_roles(roles: Collection[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLE_PERMISSIONS))
    if unknown:
        raise PersonRefused(
            "unknown_role",
            _("There is no such role: %(role)s.") % {"role": ", ".join(unknown)},
            "roles",
        )
    return sorted(set(roles))


def _check_email(email: str, *, person: User | None = None) -> str:
    address = email.strip()
    if not address:
        raise PersonRefused("email_required", _("An e-mail address is required."), "email")
    try:
        if len(address) > EMAIL_MAX or "\n" in address or "\r" in address:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError as error:
        raise PersonRefused("email_invalid", _("Enter a valid e-mail address."), "email") from error
    # Candidates' accounts (``User.Kind.CANDIDATE``) keep their own addresses: a person may
    # have both a staff account and a candidate's with one address.
    others = User.objects.filter(email__iexact=address).exclude(kind=User.Kind.CANDIDATE)
    if person is not None:
        others = others.exclude(pk=person.pk)
    if others.exists():
        raise PersonRefused(
            "email_taken",
            _("Someone has an account with the e-mail address %(email)s already.")
            % {"email": address},
            "email",
        )
    return address


def _check_username(username: str) -> str:
    name = username.strip()
    try:
        if not name or len(name) > USERNAME_MAX:
            raise ValidationError("length")
        UnicodeUsernameValidator()(name)
    except ValidationError as error:
        raise PersonRefused(
            "username_invalid",
            _("A username has at most %(max)d letters, digits and the characters @ . + - _.")
            % {"max": USERNAME_MAX},
            "username",
        ) from error
    if User.objects.filter(username__iexact=name).exists():
        raise PersonRefused(
            "username_taken",
            _("The username %(username)s is taken.") % {"username": name},
            "username",
        )
    return name


def _set_groups(person: User, roles: list[str]) -> None:
    person.groups.set(Group.objects.filter(name__in=roles))
    # The bank is kept in the admin, which lets staff in only: the role needs it. Taking the
    # role away leaves the flag (without the role's permissions the admin shows nothing).
    if QUESTION_EDITOR in roles and not person.is_staff:
        person.is_staff = True
        person.save(update_fields=["is_staff"])


def role_names(roles: Collection[str]) -> list[str]:
    """The roles as their reader calls them, in the roles' order."""
    return [str(label) for role, label in ROLE_LABELS.items() if role in roles]


def password_link(person: User) -> str:
    """The one-time address where ``person`` sets a password: it stops working once a
    password is set (or they log in), and after ``PASSWORD_RESET_TIMEOUT``."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    path = reverse("password_set", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def _link_days() -> int:
    return max(1, round(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT).total_seconds() / 86400))


def user_send_password_link(*, person: User, by: User | None) -> Outbox:
    """An e-mail with a fresh set-password link, through the outbox (one row), in the
    person's language (else the one active now). Runs inside its own transaction when the
    caller has none."""
    if not person.email:
        raise PersonRefused("email_required", _("An e-mail address is required."), "email")
    with (
        transaction.atomic(),
        translation.override(language_of(person, default=translation.get_language())),
    ):
        days = _link_days()
        greeting = _("Hello %(name)s,") % {"name": person.display_name}
        if by is not None:
            opening = _("%(by)s has set up a Roundtable account for you.") % {"by": by.display_name}
        else:
            opening = _("A Roundtable account is waiting for you.")
        body = "\n\n".join(
            [
                greeting,
                opening,
                _("Your username: %(username)s") % {"username": person.username},
                _("Choose your password at this address:") + "\n" + password_link(person),
                ngettext(
                    "The link works once, for %(days)d day. Ask your recruiter for a new one "
                    "if it has run out.",
                    "The link works once, for %(days)d days. Ask your recruiter for a new one "
                    "if it has run out.",
                    days,
                )
                % {"days": days},
                "Roundtable",
            ]
        )
        return outbox_enqueue(
            channel=Outbox.Channel.EMAIL,
            recipient=person.email,
            subject=_("Your Roundtable account"),
            body_text=body,
            kind=Outbox.Kind.ACCOUNT,
        )


def user_create(
    *,
    by: User | None,
    email: str,
    roles: Collection[str],
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> User:
    """A new active person holding ``roles``, with no password yet: the e-mail with the
    one-time link to set it goes out through the outbox in the same transaction. The username
    is the e-mail address unless one is given. ``PersonRefused`` and nothing written when an
    input is bad or the e-mail address or username is taken."""
    address = _check_email(email)
    name = _check_username(username or address)
    first = _check_line(first_name, "first_name")
    last = _check_line(last_name, "last_name")
    wanted = _check_roles(roles)
    if language and language not in language_codes():
        raise PersonRefused("bad_language", _("There is no such language."), "language")
    try:
        with transaction.atomic():
            person = User(
                username=name, email=address, first_name=first, last_name=last, language=language
            )
            person.set_unusable_password()
            person.save()
            _set_groups(person, wanted)
            user_send_password_link(person=person, by=by)
    except IntegrityError as clash:  # the same username written at the same moment
        raise PersonRefused(
            "username_taken",
            _("The username %(username)s is taken.") % {"username": name},
            "username",
        ) from clash
    return person


def user_update_roles(*, person: User, roles: Collection[str]) -> User:
    """Give ``person`` exactly ``roles`` (the others are taken away)."""
    wanted = _check_roles(roles)
    with transaction.atomic():
        _set_groups(person, wanted)
    return person


def user_set_active(*, person: User, active: bool, by: User | None) -> User:
    """Deactivate (``active=False``) or reactivate a person; never deleted. Nobody
    deactivates themselves. Deactivation closes the person's open sockets (the row is saved,
    so ``sessions_live.signals`` hears it) and their sessions and tokens let them in no more."""
    if by is not None and by.pk == person.pk and not active:
        raise PersonRefused("self", _("You cannot deactivate yourself."))
    if person.is_active == active:
        return person
    with transaction.atomic():
        person.is_active = active
        person.save(update_fields=["is_active"])
    return person
