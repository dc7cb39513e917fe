"""A person's secret calendar feed: writes (make a new address, turn it off) and reads (whose
feed a token opens, the rounds in it).

The address ``/calendar/feed/<token>.ics`` opens without signing in — calendar programs
cannot sign in — so the token is the key: ``secrets.token_urlsafe(32)`` (256 random bits),
shown once when it is made, never stored: the row keeps its SHA-256, and a token is found by
its hash (a lookup on a unique index: nothing to learn from timing, since the hash of a guess
shares nothing with the hash stored). A new token replaces the old one, which stops working
at once; a deactivated person's feed opens nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from access.interviews import on_rounds_filter
from interviews.models import CalendarFeed, Round

if TYPE_CHECKING:
    from accounts.models import User

# How far back a feed reaches; everything ahead is in it.
PAST_DAYS = 60
# What token_urlsafe(32) makes: 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_create(*, user: User) -> str:
    """A new secret address for ``user``'s feed; the previous one (if any) stops working.
    Returns the token: the only time it is known."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user,
            defaults={
                "token_hash": _hash(token),
                "created_at": timezone.now(),
                "last_used_at": None,
            },
        )
    return token


def feed_revoke(*, user: User) -> bool:
    """Turn ``user``'s feed off. True if there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_of(user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user_id=user.pk).first()


def feed_owner(token: str, *, now: datetime | None = None) -> Any | None:
    """The active person whose feed ``token`` opens, or None. Notes when it was last read
    (at most once an hour, so a polling calendar program does not write on every read)."""
    if not isinstance(token, str) or not TOKEN_SHAPE.match(token):
        return None
    found = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=_hash(token), user__is_active=True)
        .first()
    )
    if found is None:
        return None
    now = now or timezone.now()
    if found.last_used_at is None or found.last_used_at < now - timedelta(hours=1):
        CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def feed_rounds(user: Any, *, now: datetime | None = None) -> QuerySet[Round]:
    """The rounds ``user`` is on (interviewer or assistant) with a time from ``PAST_DAYS``
    ago on, cancelled ones included (calendars then show them cancelled), soonest first."""
    now = now or timezone.now()
    on_it = Round.objects.filter(on_rounds_filter(user)).values("pk")
    return (
        Round.objects.filter(pk__in=on_it)
        .filter(Q(starts_at__gte=now - timedelta(days=PAST_DAYS)))
        .select_related("candidate", "position", "interviewer")
        .prefetch_related("assistants")
        .order_by("starts_at", "pk")
    )
