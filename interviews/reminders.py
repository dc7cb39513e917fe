"""Reminders by e-mail (and a notice), through the outbox, one row per recipient:

* **before an interview** — ``REMINDER_BEFORE_MINUTES`` (default 24 h and 1 h) before a
  scheduled round starts, to everyone on it. Of the offsets already reached only the nearest
  is sent (a server that was down does not send yesterday's "tomorrow" along with "in an
  hour"); a rescheduled round is reminded again for its new time.
* **feedback overdue** — a one-to-one round still not rated ``REMINDER_FEEDBACK_AFTER_HOURS``
  (default 24) after its end: its interviewer, then again each day, at most
  ``REMINDER_FEEDBACK_REPEATS`` (default 3) times in all.

``reminders_due(now=…)`` is called by the beat task ``interviews.reminders_due`` every
``REMINDER_EVERY_SECONDS`` with the current time (tests pass a frozen one). Exactly once: each
reminder claims its ``ReminderSent`` (round, kind, slot) row — unique in the database — in the
transaction that writes its outbox rows, with the round locked, so two runs at once, or a run
repeated, send nothing more; a round done, cancelled or running its live session meanwhile
gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from interviews import ics, notices
from interviews.models import ReminderSent, Round, RoundKind

LONGEST_ROUND = timedelta(minutes=480)
SHORTEST_ROUND = timedelta(minutes=5)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    round_id: int
    kind: str
    slot: str
    starts_at: datetime


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def before_offsets() -> list[int]:
    """The configured minutes before a start, largest first."""
    return sorted({int(m) for m in settings.REMINDER_BEFORE_MINUTES if int(m) > 0}, reverse=True)


def due_before(now: datetime) -> list[Due]:
    """Scheduled rounds whose nearest reached "before" offset is not reminded yet (the
    sent ones are weeded out when claimed)."""
    offsets = before_offsets()
    if not offsets:
        return []
    rows = Round.objects.filter(
        status=Round.Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(minutes=offsets[0]),
    ).values_list("pk", "starts_at")
    due = []
    for pk, starts_at in rows:
        left = starts_at - now
        reached = [m for m in offsets if timedelta(minutes=m) >= left]
        nearest = min(reached)
        due.append(Due(pk, ReminderSent.Kind.BEFORE, f"{nearest}m@{_stamp(starts_at)}", starts_at))
    return due


def due_feedback(now: datetime) -> list[Due]:
    """One-to-one rounds not rated ``REMINDER_FEEDBACK_AFTER_HOURS`` after their end: the
    how-manieth reminder is due now (1, then one more each day, up to the repeats)."""
    after = timedelta(hours=settings.REMINDER_FEEDBACK_AFTER_HOURS)
    repeats = settings.REMINDER_FEEDBACK_REPEATS
    if repeats < 1:
        return []
    rows = Round.objects.filter(
        kind=RoundKind.ONE_TO_ONE,
        status=Round.Status.SCHEDULED,
        starts_at__lte=now - after - SHORTEST_ROUND,
        # The last reminder's day is over for rounds older than this: never looked at again.
        starts_at__gt=now - after - repeats * DAY - LONGEST_ROUND,
        interviewer__isnull=False,
    ).values_list("pk", "starts_at", "duration_minutes")
    due = []
    for pk, starts_at, minutes in rows:
        overdue = now - (starts_at + timedelta(minutes=minutes) + after)
        if overdue < timedelta(0):
            continue
        number = 1 + int(overdue / DAY)
        if number > repeats:
            continue
        due.append(Due(pk, ReminderSent.Kind.FEEDBACK, f"{number}@{_stamp(starts_at)}", starts_at))
    return due


def _send(item: Due, now: datetime) -> bool:
    """Claim ``item``'s row and write its messages, in one transaction; False when it was
    sent already (or the round moved on meanwhile)."""
    try:
        with transaction.atomic():
            row = (
                Round.objects.select_for_update(of=("self",))
                .select_related("candidate", "position", "interviewer")
                .filter(pk=item.round_id)
                .first()
            )
            if (
                row is None
                or row.status != Round.Status.SCHEDULED
                or row.starts_at != item.starts_at
            ):
                return False
            if ReminderSent.objects.filter(round=row, kind=item.kind, slot=item.slot).exists():
                return False
            ReminderSent.objects.create(round=row, kind=item.kind, slot=item.slot, sent_at=now)
            people = ics.people_on(row)
            if item.kind == ReminderSent.Kind.BEFORE:
                recipients, about = people, notices.REMIND_BEFORE
            else:
                recipients, about = people[:1], notices.REMIND_FEEDBACK  # the interviewer
            for person in recipients:
                if person.is_active:
                    notices.tell(person, row, about, method=None, people=people)
    except IntegrityError:  # another run claimed it first
        return False
    return True


def reminders_due(*, now: datetime) -> list[Due]:
    """Send every reminder due at ``now`` that was not sent before; returns those sent."""
    sent = []
    for item in due_before(now) + due_feedback(now):
        if _send(item, now):
            sent.append(item)
    return sent
