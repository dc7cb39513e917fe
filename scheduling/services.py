"""Writes of availability — slots, weekly hours, exceptions, capacity — and the read of free
time the scheduler uses. Keyword-only, typed; the only code that writes these rows (the
scheduler's runs and bookings are ``scheduling.booking``'s).

Who may call which is the caller's question to ``access.scheduling`` (pages and API ask it
first); the services check what the data forbids and raise ``SchedulingRefused`` with nothing
written:

* a slot ends after it starts, lasts at least ``MIN_SLOT`` and at most ``MAX_SLOT`` (14 days),
  does not end more than ``PAST_GRACE`` (a day) ago nor start more than ``MAX_AHEAD`` (a year)
  ahead; a person or candidate has at most ``MAX_SLOTS`` slots that have not ended;
* **overlaps are merged**: a slot that overlaps or touches others of the same owner becomes
  one slot with them (the grid then shows one stretch, the scheduler reads the same time
  either way); weekly hours of one weekday may not overlap (``overlap``: they are a form of
  seven rows, a mistake there is more likely than a wish), nor extra hours of one date;
* **free time under an interview**: a change that takes away an interviewer's (or a
  candidate's) free time under a scheduled round — deleting or shrinking a slot, a day off,
  new weekly hours, removing extra hours — is refused with ``holds_interview`` (naming the
  rounds) unless ``confirm=True``; confirmed, it goes ahead and every recruiter but the one
  who made the change gets a notice naming the person, the candidate and the round. The
  round itself stays booked: the recruiters decide whether to move it.

A new candidate may come with free time (``candidate_create_with_slots``: the card through
``candidates.services`` and the slots through ``slot_add``, in one transaction, all or nothing).

Times are aware datetimes, stored in UTC; each row keeps the IANA zone it was entered in.
Wall-clock input (the pages' forms) goes through ``local_range``, which reads it by the pure
expansion's rules (``scheduling.availability.local_to_utc``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.zones import is_zone
from candidates import services as candidate_services
from candidates.models import Candidate
from interviews.models import Round
from scheduling import availability
from scheduling.models import Capacity, DayException, Slot, WeeklyHours

MIN_SLOT = timedelta(minutes=5)
MAX_SLOT = timedelta(days=14)
PAST_GRACE = timedelta(days=1)
MAX_AHEAD = timedelta(days=366)
MAX_SLOTS = 500
MAX_HOURS_A_DAY = 3
MAX_EXCEPTIONS = 400
MAX_PER_DAY, MAX_PER_WEEK = 24, 100
# The longest round (interviews.models: 480 minutes): how far before a removed stretch a round
# may start and still reach into it.
LONGEST_ROUND = timedelta(minutes=480)

Interval = tuple[datetime, datetime]


class SchedulingRefused(Exception):
    """What the data forbids; ``code`` is stable for programs, ``message`` for the person,
    ``field`` the form field it is about (when it is about one). ``rounds``: with
    ``holds_interview``, the scheduled rounds that would lose their free time. ``index``: of
    several slots given at once (``candidate_create_with_slots``), which one (from 0)."""

    def __init__(
        self, code: str, message: str, field: str | None = None, rounds: Sequence[Round] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.rounds = list(rounds)
        self.index: int | None = None


@dataclass(frozen=True)
class Hours:
    """One row of the weekly hours: ``weekday`` 0 (Monday) to 6, wall-clock ``starts``–``ends``."""

    weekday: int
    starts: time
    ends: time


# --- shared checks -------------------------------------------------------------------------


def _zone(name: str, field: str = "zone") -> str:
    if not is_zone(name):
        raise SchedulingRefused(
            "bad_zone",
            _("“%(name)s” is not a time zone name (like Europe/Berlin).") % {"name": name},
            field,
        )
    return name


def zone_of(person: Any) -> str:
    """The zone a person's wall-clock input is read in: their own, else the site's."""
    from django.conf import settings

    name = getattr(person, "time_zone", "") or ""
    return name if is_zone(name) else settings.TIME_ZONE


def local_range(
    *, day: date, starts: time, ends: time, zone: str, end_day: date | None = None
) -> Interval:
    """A wall-clock range in ``zone`` as UTC: from ``starts`` on ``day`` to ``ends`` on
    ``end_day`` (the same day when not given). A range that a DST change leaves empty (wholly
    in the skipped hour) is refused."""
    _zone(zone)
    start = availability.local_to_utc(day, starts, zone)
    end = availability.local_to_utc(end_day or day, ends, zone)
    if end <= start and (end_day or day) == day and ends > starts:
        raise SchedulingRefused(
            "skipped_time",
            _("The clocks skip that time on that day (a change to summer time)."),
            "starts",
        )
    return start, end


def _check_slot(starts_at: datetime, ends_at: datetime, now: datetime) -> Interval:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("slot times must be aware datetimes")
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    if ends_at <= starts_at:
        raise SchedulingRefused("ends_before_start", _("A slot ends after it starts."), "ends")
    if ends_at - starts_at < MIN_SLOT:
        raise SchedulingRefused(
            "too_short",
            _("A slot lasts at least %(minutes)d minutes.") % {"minutes": MIN_SLOT.seconds // 60},
            "ends",
        )
    if ends_at - starts_at > MAX_SLOT:
        raise SchedulingRefused(
            "too_long",
            ngettext(
                "A slot lasts at most %(days)d day.",
                "A slot lasts at most %(days)d days.",
                MAX_SLOT.days,
            )
            % {"days": MAX_SLOT.days},
            "ends",
        )
    if ends_at < now - PAST_GRACE:
        raise SchedulingRefused("in_the_past", _("That time is already over."), "starts")
    if starts_at > now + MAX_AHEAD:
        raise SchedulingRefused(
            "too_far_ahead", _("A slot starts within a year from now."), "starts"
        )
    return starts_at, ends_at


# --- owners and their lock -----------------------------------------------------------------


def _owner_filter(user: Any = None, candidate: Any = None) -> Q:
    if (user is None) == (candidate is None):
        raise ValueError("a slot belongs to a person or to a candidate: name exactly one")
    return Q(user_id=user.pk) if user is not None else Q(candidate_id=candidate.pk)


def _lock(user: Any = None, candidate: Any = None) -> None:
    """One writer of an owner's availability at a time (merges and counts read it first)."""
    if user is not None:
        get_user_model().objects.select_for_update().only("pk").get(pk=user.pk)
    else:
        Candidate.objects.select_for_update().only("pk").get(pk=candidate.pk)


# --- interviews under removed free time -----------------------------------------------------


def _rounds_in(
    removed: list[Interval], *, user: Any = None, candidate: Any = None, now: datetime
) -> list[Round]:
    """Scheduled rounds of the owner (the interviewer or an assistant on it; the candidate's)
    that have not ended and overlap ``removed``."""
    if not removed:
        return []
    from access.interviews import rounds_on

    rounds = rounds_on(user) if user is not None else Round.objects.filter(candidate=candidate)
    earliest, latest = removed[0][0], removed[-1][1]
    found = (
        rounds.filter(
            status=Round.Status.SCHEDULED,
            starts_at__lt=latest,
            starts_at__gte=earliest - LONGEST_ROUND,
        )
        .select_related("candidate", "position", "interviewer")
        .order_by("starts_at", "pk")
    )
    held = []
    for round_ in found:
        start, end = round_.starts_at, round_.ends_at
        if end is None or end <= now:
            continue
        if any(start < r_end and end > r_start for r_start, r_end in removed):
            held.append(round_)
    return held


def _guard(
    before: list[Interval],
    *,
    by: Any,
    user: Any = None,
    candidate: Any = None,
    window: Interval,
    confirm: bool,
    now: datetime,
) -> list[Round]:
    """Compare the owner's free time in ``window`` with ``before`` (read before the write,
    in the same transaction): rounds under what was taken away refuse the change unless
    ``confirm``; confirmed, the recruiters are told."""
    after = free_time(user=user, candidate=candidate, start=window[0], end=window[1])
    removed = availability.subtract(before, after)
    held = _rounds_in(removed, user=user, candidate=candidate, now=now)
    if held and not confirm:
        raise SchedulingRefused(
            "holds_interview",
            ngettext(
                "This time holds a scheduled interview: %(rounds)s. Confirm to go ahead; the "
                "recruiters will be told.",
                "This time holds scheduled interviews: %(rounds)s. Confirm to go ahead; the "
                "recruiters will be told.",
                len(held),
            )
            % {"rounds": "; ".join(_round_named(r) for r in held)},
            rounds=held,
        )
    if held:
        _tell_recruiters(held, by=by, user=user, candidate=candidate)
    return held


def _round_named(round_: Round) -> str:
    from interviews import notices

    return notices.round_title(round_)


def _tell_recruiters(rounds: list[Round], *, by: Any, user: Any, candidate: Any) -> None:
    """A notice to each recruiter (but the one who made the change) per round: who took the
    free time away, whose interview it held."""
    from access.scheduling import recruiters
    from interviews import notices
    from notify import services as notify

    actor = getattr(by, "pk", None)
    for person in recruiters().exclude(pk=actor) if actor else recruiters():
        with notices.as_reader(person):
            for round_ in rounds:
                if user is not None:
                    title = _("%(person)s removed free time under %(round)s") % {
                        "person": user.display_name,
                        "round": notices.round_title(round_),
                    }
                else:
                    title = _("Free time of %(candidate)s removed under %(round)s") % {
                        "candidate": candidate.full_name,
                        "round": notices.round_title(round_),
                    }
                body = _(
                    "Candidate: %(candidate)s. The interview is still booked: move it if it no "
                    "longer fits."
                ) % {"candidate": round_.candidate.full_name}
                if by is not None and (user is None or by.pk != user.pk):
                    body += " " + _("Changed by %(name)s.") % {"name": by.display_name}
                notify.notice_send(
                    user=person,
                    kind="availability_removed",
                    title=title,
                    body=body,
                    link=notices.round_path(round_),
                )


# --- slots -----------------------------------------------------------------------------------


def _merge_into(
    slot: Slot | None,
    starts_at: datetime,
    ends_at: datetime,
    *,
    owner: Q,
    fields: dict[str, Any],
) -> Slot:
    """Write ``[starts_at, ends_at)`` as ``slot`` (a new row when None), swallowing the
    owner's other slots that overlap or touch it."""
    others = Slot.objects.filter(owner, starts_at__lte=ends_at, ends_at__gte=starts_at)
    if slot is not None:
        others = others.exclude(pk=slot.pk)
    swallowed = list(others)
    for other in swallowed:
        starts_at, ends_at = min(starts_at, other.starts_at), max(ends_at, other.ends_at)
    if swallowed:
        Slot.objects.filter(pk__in=[o.pk for o in swallowed]).delete()
    if slot is None:
        slot = Slot(**fields)
    slot.starts_at, slot.ends_at = starts_at, ends_at
    slot.zone = fields["zone"]
    slot.save()
    return slot


def slot_add(
    *,
    by: Any,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    user: Any = None,
    candidate: Any = None,
) -> Slot:
    """A free slot for ``user`` (their own) or ``candidate`` (kept by a recruiter), merged
    with the owner's slots it overlaps or touches. Returns the slot that holds it."""
    now = timezone.now()
    owner = _owner_filter(user, candidate)
    starts_at, ends_at = _check_slot(starts_at, ends_at, now)
    _zone(zone)
    with transaction.atomic():
        _lock(user, candidate)
        if Slot.objects.filter(owner, ends_at__gt=now).count() >= MAX_SLOTS:
            raise SchedulingRefused(
                "too_many_slots",
                _("At most %(count)d slots that have not ended: delete some first.")
                % {"count": MAX_SLOTS},
            )
        fields = {"user": user, "candidate": candidate, "zone": zone, "created_by": by}
        return _merge_into(None, starts_at, ends_at, owner=owner, fields=fields)


@dataclass(frozen=True)
class NewSlot:
    """A slot to add: aware ``starts_at`` and ``ends_at``, the IANA ``zone`` it was entered in."""

    starts_at: datetime
    ends_at: datetime
    zone: str


# Free time given with a new candidate, at most: more is added on their availability page.
MAX_SLOTS_AT_CREATION = 50


def slot_check(*, starts_at: datetime, ends_at: datetime, zone: str) -> None:
    """What ``slot_add`` refuses of a slot by itself (its times, its zone), before anything is
    written: ``SchedulingRefused`` with its field."""
    _check_slot(starts_at, ends_at, timezone.now())
    _zone(zone)


def candidate_create_with_slots(*, by: Any, slots: Sequence[NewSlot], **card: Any) -> Candidate:
    """A new candidate (``candidates.services.candidate_create``, given ``card``: its fields,
    resume, source, vendor, positions, tags) and their free time (``slot_add`` for each of
    ``slots``) in one transaction: all or nothing. Every slot is checked before the candidate is
    made (``slot_check``), so a bad one writes nothing, not even the resume's file; a refusal
    about a slot names it (``index``). ``CandidateRefused`` as ``candidate_create`` raises it."""
    if len(slots) > MAX_SLOTS_AT_CREATION:
        raise SchedulingRefused(
            "too_many_slots",
            ngettext(
                "At most %(count)d slot with a new candidate: add more on their page.",
                "At most %(count)d slots with a new candidate: add more on their page.",
                MAX_SLOTS_AT_CREATION,
            )
            % {"count": MAX_SLOTS_AT_CREATION},
            "free_slots",
        )
    for index, slot in enumerate(slots):
        try:
            slot_check(starts_at=slot.starts_at, ends_at=slot.ends_at, zone=slot.zone)
        except SchedulingRefused as refused:
            refused.index = index
            raise
    stored = ""
    try:
        with transaction.atomic():
            candidate = candidate_services.candidate_create(by=by, **card)
            stored = candidate.resume.name or ""
            for index, slot in enumerate(slots):
                try:
                    slot_add(
                        by=by,
                        candidate=candidate,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        zone=slot.zone,
                    )
                except SchedulingRefused as refused:
                    refused.index = index
                    raise
    except BaseException:
        if stored:  # rolled back: nothing in the database names the file any more
            candidate.resume.storage.delete(stored)
        raise
    return candidate


def slot_move(
    *,
    by: Any,
    slot: Slot,
    starts_at: datetime,
    ends_at: datetime,
    zone: str | None = None,
    confirm: bool = False,
) -> Slot:
    """Give ``slot`` a new start and end (a move or a resize; ``zone``: the one they were
    entered in, else the slot keeps its own), merged with the owner's slots it now overlaps
    or touches. Time taken away from under a scheduled round: see ``holds_interview``."""
    now = timezone.now()
    starts_at, ends_at = _check_slot(starts_at, ends_at, now)
    if zone is not None:
        _zone(zone)
    user, candidate = slot.user, slot.candidate
    with transaction.atomic():
        _lock(user, candidate)
        row = Slot.objects.select_for_update().get(pk=slot.pk)
        window = (row.starts_at, row.ends_at)
        before = free_time(user=user, candidate=candidate, start=window[0], end=window[1])
        fields = {"user": user, "candidate": candidate, "zone": zone or row.zone, "created_by": by}
        moved = _merge_into(
            row, starts_at, ends_at, owner=_owner_filter(user, candidate), fields=fields
        )
        _guard(
            before, by=by, user=user, candidate=candidate, window=window, confirm=confirm, now=now
        )
    return moved


def slot_delete(*, by: Any, slot: Slot, confirm: bool = False) -> None:
    """Remove ``slot``. Under a scheduled round: see ``holds_interview`` above."""
    now = timezone.now()
    user, candidate = slot.user, slot.candidate
    with transaction.atomic():
        _lock(user, candidate)
        row = Slot.objects.filter(pk=slot.pk).first()
        if row is None:
            return  # already gone: deleting twice is deleting once
        window = (row.starts_at, row.ends_at)
        before = free_time(user=user, candidate=candidate, start=window[0], end=window[1])
        row.delete()
        _guard(
            before, by=by, user=user, candidate=candidate, window=window, confirm=confirm, now=now
        )


# --- weekly hours, exceptions, capacity --------------------------------------------------------


def _minute(value: time) -> time:
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _future_window(user: Any, now: datetime) -> Interval:
    """From now to the end of the person's last scheduled round (at least a day)."""
    from access.interviews import rounds_on

    last = (
        rounds_on(user)
        .filter(status=Round.Status.SCHEDULED, starts_at__gte=now - LONGEST_ROUND)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    end = max(now + timedelta(days=1), (last or now) + LONGEST_ROUND)
    return now, end


def weekly_hours_set(
    *, by: Any, user: Any, hours: Sequence[Hours], zone: str, confirm: bool = False
) -> list[WeeklyHours]:
    """Replace ``user``'s weekly hours with ``hours`` (wall-clock times in ``zone``); an
    empty list: no weekly hours. Rows of one weekday may not overlap, at most
    ``MAX_HOURS_A_DAY`` a day."""
    _zone(zone)
    cleaned: list[Hours] = []
    for row in hours:
        field = f"hours-{row.weekday}"
        if not 0 <= int(row.weekday) <= 6:
            raise SchedulingRefused(
                "bad_weekday", _("A weekday is 0 (Monday) to 6 (Sunday)."), "weekday"
            )
        starts, ends = _minute(row.starts), _minute(row.ends)
        if ends <= starts:
            raise SchedulingRefused(
                "ends_before_start",
                _("Working hours end after they start, on the same day."),
                field,
            )
        cleaned.append(Hours(int(row.weekday), starts, ends))
    cleaned.sort(key=lambda h: (h.weekday, h.starts))
    for weekday in range(7):
        day = [h for h in cleaned if h.weekday == weekday]
        if len(day) > MAX_HOURS_A_DAY:
            raise SchedulingRefused(
                "too_many_hours",
                _("At most %(count)d ranges of hours a day.") % {"count": MAX_HOURS_A_DAY},
                f"hours-{weekday}",
            )
        if any(day[i].ends > day[i + 1].starts for i in range(len(day) - 1)):
            raise SchedulingRefused(
                "overlap",
                _("The hours of one day overlap: make them one range."),
                f"hours-{weekday}",
            )
    now = timezone.now()
    with transaction.atomic():
        _lock(user=user)
        window = _future_window(user, now)
        before = free_time(user=user, start=window[0], end=window[1])
        WeeklyHours.objects.filter(user=user).delete()
        rows = WeeklyHours.objects.bulk_create(
            WeeklyHours(user=user, weekday=h.weekday, starts=h.starts, ends=h.ends, zone=zone)
            for h in cleaned
        )
        _guard(before, by=by, user=user, window=window, confirm=confirm, now=now)
    return rows


def day_window(day: date, zone: str) -> Interval:
    start = availability.local_to_utc(day, time.min, zone)
    return start, availability.local_to_utc(day + timedelta(days=1), time.min, zone)


def exception_add(
    *,
    by: Any,
    user: Any,
    day: date,
    zone: str,
    starts: time | None = None,
    ends: time | None = None,
    confirm: bool = False,
) -> DayException:
    """A day off on ``day`` (no times) or extra hours ``starts``–``ends`` on it, wall-clock in
    ``zone``. A day off under a scheduled round: see ``holds_interview`` above."""
    _zone(zone)
    now = timezone.now()
    today = now.astimezone(availability.zone(zone)).date()
    if day < today - timedelta(days=1):
        raise SchedulingRefused("in_the_past", _("That day is already over."), "day")
    if day > today + MAX_AHEAD:
        raise SchedulingRefused("too_far_ahead", _("Choose a day within a year from now."), "day")
    if (starts is None) != (ends is None):
        raise SchedulingRefused(
            "hours_incomplete", _("Extra hours need both a start and an end."), "ends"
        )
    available = starts is not None
    if starts is not None and ends is not None:
        starts, ends = _minute(starts), _minute(ends)
        if ends <= starts:
            raise SchedulingRefused(
                "ends_before_start", _("Extra hours end after they start, on the same day."), "ends"
            )
    with transaction.atomic():
        _lock(user=user)
        same_day = DayException.objects.filter(user=user, day=day)
        if DayException.objects.filter(user=user, day__gte=today).count() >= MAX_EXCEPTIONS:
            raise SchedulingRefused(
                "too_many_exceptions",
                _("At most %(count)d exceptions ahead: delete some first.")
                % {"count": MAX_EXCEPTIONS},
            )
        if not available and same_day.filter(available=False).exists():
            raise SchedulingRefused("duplicate", _("That day is already a day off."), "day")
        if available and same_day.filter(available=True, starts__lt=ends, ends__gt=starts).exists():
            raise SchedulingRefused(
                "overlap", _("These hours overlap extra hours already on that day."), "starts"
            )
        window = day_window(day, zone)
        before = free_time(user=user, start=window[0], end=window[1])
        row = DayException.objects.create(
            user=user, day=day, available=available, starts=starts, ends=ends, zone=zone
        )
        _guard(before, by=by, user=user, window=window, confirm=confirm, now=now)
    return row


def exception_delete(*, by: Any, exception: DayException, confirm: bool = False) -> None:
    """Remove a day off (the weekly hours apply again) or extra hours (under a scheduled
    round: see ``holds_interview`` above)."""
    now = timezone.now()
    user = exception.user
    with transaction.atomic():
        _lock(user=user)
        row = DayException.objects.filter(pk=exception.pk).first()
        if row is None:
            return
        window = day_window(row.day, row.zone)
        before = free_time(user=user, start=window[0], end=window[1])
        row.delete()
        _guard(before, by=by, user=user, window=window, confirm=confirm, now=now)


def capacity_set(*, user: Any, per_day: int | None, per_week: int | None) -> Capacity:
    """How many interviews ``user`` takes a day and a week (None: the site's default)."""
    if per_day is not None and not 0 <= per_day <= MAX_PER_DAY:
        raise SchedulingRefused(
            "bad_capacity",
            _("A day takes 0 to %(max)d interviews.") % {"max": MAX_PER_DAY},
            "per_day",
        )
    if per_week is not None and not 0 <= per_week <= MAX_PER_WEEK:
        raise SchedulingRefused(
            "bad_capacity",
            _("A week takes 0 to %(max)d interviews.") % {"max": MAX_PER_WEEK},
            "per_week",
        )
    if per_day is not None and per_week is not None and per_week < per_day:
        raise SchedulingRefused(
            "bad_capacity", _("A week takes at least as many interviews as a day."), "per_week"
        )
    with transaction.atomic():
        capacity, _created = Capacity.objects.update_or_create(
            user=user, defaults={"per_day": per_day, "per_week": per_week}
        )
    return capacity


# --- the read the scheduler uses ---------------------------------------------------------------

MAX_RANGE = timedelta(days=62)


def check_range(*, start: datetime, end: datetime) -> None:
    """A range of free time someone may ask for (the API's): ``end`` after ``start``, at
    most ``MAX_RANGE``."""
    if end <= start:
        raise SchedulingRefused("bad_range", _("The range ends after it starts."), "to")
    if end - start > MAX_RANGE:
        raise SchedulingRefused(
            "range_too_long",
            _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE.days},
            "to",
        )


def free_time(
    *, user: Any = None, candidate: Any = None, start: datetime, end: datetime
) -> list[Interval]:
    """The free time of ``user`` (an interviewer: slots ∪ weekly hours − days off + extra
    hours) or ``candidate`` (their slots) within ``[start, end)``: UTC, sorted, overlapping
    and touching stretches merged, clipped to the range. Exactly one of the two."""
    _owner_filter(user, candidate)
    users, candidates = free_time_many(
        users=[user.pk] if user is not None else [],
        candidates=[candidate.pk] if candidate is not None else [],
        start=start,
        end=end,
    )
    return users[user.pk] if user is not None else candidates[candidate.pk]


def working_hours(*, user: Any, start: datetime, end: datetime) -> list[Interval]:
    """``user``'s weekly hours less days off plus extra hours in ``[start, end)``, without
    the slots (the week grid draws them apart)."""
    return free_time_many(users=[user.pk], start=start, end=end, slots=False)[0][user.pk]


def free_time_many(
    *,
    users: Iterable[int] = (),
    candidates: Iterable[int] = (),
    start: datetime,
    end: datetime,
    slots: bool = True,
) -> tuple[dict[int, list[Interval]], dict[int, list[Interval]]]:
    """``free_time`` of many at once (by id), in a fixed number of queries: ``({user id:
    intervals}, {candidate id: intervals})``, every id asked for present (empty when free
    never). ``slots=False``: the weekly hours and exceptions alone."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    user_ids, candidate_ids = sorted(set(users)), sorted(set(candidates))
    found: dict[tuple[str, int], list[Interval]] = {}
    owners = Q(user_id__in=user_ids) | Q(candidate_id__in=candidate_ids)
    if slots and (user_ids or candidate_ids):
        for user_id, candidate_id, s, e in Slot.objects.filter(
            owners, starts_at__lt=end, ends_at__gt=start
        ).values_list("user_id", "candidate_id", "starts_at", "ends_at"):
            key = ("user", user_id) if user_id is not None else ("candidate", candidate_id)
            found.setdefault(key, []).append((s, e))
    weekly: dict[int, list[availability.WeeklyRule]] = {}
    days_off: dict[int, list[availability.DayOff]] = {}
    extra: dict[int, list[availability.ExtraHours]] = {}
    if user_ids:
        for row in WeeklyHours.objects.filter(user_id__in=user_ids):
            weekly.setdefault(row.user_id, []).append(
                availability.WeeklyRule(row.weekday, row.starts, row.ends, row.zone)
            )
        # Local dates reach a day either side of the UTC ones (UTC-12 to UTC+14).
        first, last = start.date() - timedelta(days=2), end.date() + timedelta(days=2)
        for row in DayException.objects.filter(user_id__in=user_ids, day__range=(first, last)):
            if row.available:
                extra.setdefault(row.user_id, []).append(
                    availability.ExtraHours(row.day, row.starts, row.ends, row.zone)
                )
            else:
                days_off.setdefault(row.user_id, []).append(availability.DayOff(row.day, row.zone))
    by_user = {
        pk: availability.free_intervals(
            start=start,
            end=end,
            weekly=weekly.get(pk, ()),
            days_off=days_off.get(pk, ()),
            extra=extra.get(pk, ()),
            slots=found.get(("user", pk), ()),
        )
        for pk in user_ids
    }
    by_candidate = {
        pk: availability.free_intervals(
            start=start, end=end, slots=found.get(("candidate", pk), ())
        )
        for pk in candidate_ids
    }
    return by_user, by_candidate
