"""Telling people about their rounds: on ``round_assigned`` and ``round_cancelled``
(``interviews.events``, sent after the round's transaction committed) each person concerned
gets a notice (``notify.services.notice_send``: stored, and pushed to their open pages) and
an e-mail through the outbox (one row each) with the round's calendar event attached:

* everyone now on the round: "Round 1 “Screening” with Carla Candidate on …", with the
  ``.ics`` as ``METHOD:REQUEST`` (a round without a time yet: no ``.ics``, unless it had one
  before — then a ``CANCEL``, so calendars drop the old time);
* everyone taken off it (in ``previous``, no longer on it) and everyone on a cancelled round:
  the same with ``METHOD:CANCEL``;
* the candidate, by e-mail alone (they have no account here), whenever the round's time is
  set, moved or taken away and when a round with a time is cancelled: their own copy of the
  event (same UID and SEQUENCE, without the interviewers' instructions or pages), REQUEST or
  CANCEL. Written in the site's language and zone (``LANGUAGE_CODE``, ``TIME_ZONE``: a
  candidate has neither on their card), with the zone's name beside every time.

A one-way round whose automatic invitation the video interviews refused (``round_not_invited``)
is told to every recruiter as a notice alone, with the reason and a link to the round's page,
where they send it by hand: once per round.

Every text is written in the recipient's language (``accounts.zones.language_of``) with times
in their zone. The reminders (``interviews.reminders``) write through the same helpers.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.zones import is_zone, language_of
from interviews import ics
from interviews.models import Round, RoundKind
from notify import services as notify
from notify.models import Notice, Outbox

# What a message is about (the e-mail's template picks its wording from it).
ASSIGNED = "assigned"
CHANGED = "changed"
REMOVED = "removed"
CANCELLED = "cancelled"
REMIND_BEFORE = "remind_before"
REMIND_FEEDBACK = "remind_feedback"


def zone_of(person: Any) -> zoneinfo.ZoneInfo:
    name = person.time_zone if is_zone(getattr(person, "time_zone", "")) else settings.TIME_ZONE
    return zoneinfo.ZoneInfo(name)


@contextmanager
def as_reader(person: Any) -> Iterator[str]:
    """Write to ``person``: their language and time zone active inside."""
    language = language_of(person)
    with translation.override(language), timezone.override(zone_of(person)):
        yield language


def moment(value: Any) -> str:
    """E.g. "7 Dec 2026, 10:00 CET": the active language's date and time in the active zone, with
    the zone's abbreviation (a reader's calendar names zones this way)."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def round_path(round_: Round) -> str:
    return reverse("round_detail", args=[round_.pk])


def round_title(round_: Round) -> str:
    """E.g. "Round 1 “Screening” with Carla Candidate on 7 Dec 2026, 10:00 CET" (language
    and zone), or "…, time not set yet"."""
    summary = ics.round_summary(round_)
    if round_.starts_at is None:
        return _("%(round)s, time not set yet") % {"round": summary}
    return _("%(round)s on %(when)s") % {"round": summary, "when": moment(round_.starts_at)}


def _headline(about: str, round_: Round) -> str:
    title = round_title(round_)
    if about == CHANGED:
        return _("Changed: %(round)s") % {"round": title}
    if about == REMOVED:
        return _("No longer yours: %(round)s") % {"round": title}
    if about == CANCELLED:
        return _("Cancelled: %(round)s") % {"round": title}
    if about == REMIND_BEFORE:
        return _("Reminder: %(round)s") % {"round": title}
    if about == REMIND_FEEDBACK:
        return _("Feedback overdue: %(round)s") % {"round": title}
    return title


def _notice_kind(about: str) -> str:
    return {
        ASSIGNED: "round_assigned",
        CHANGED: "round_changed",
        REMOVED: "round_unassigned",
        CANCELLED: "round_cancelled",
    }.get(about, "reminder")


def _outbox_kind(about: str) -> str:
    return (
        Outbox.Kind.REMINDER
        if about in (REMIND_BEFORE, REMIND_FEEDBACK)
        else Outbox.Kind.ASSIGNMENT
    )


def tell(
    person: Any,
    round_: Round,
    about: str,
    *,
    method: str | None,
    people: Sequence[Any],
    notice: bool = True,
) -> Outbox | None:
    """One person's notice and e-mail about ``round_`` (inside the caller's transaction).
    ``method``: the ``.ics`` to attach (REQUEST, CANCEL) or None; ``people``: who is on the
    round (for the text). A person without an e-mail address gets the notice alone."""
    with as_reader(person):
        headline = _headline(about, round_)
        context = {
            "about": about,
            "round": round_,
            "person": person,
            "headline": headline,
            "when": moment(round_.starts_at) if round_.starts_at else "",
            "people": people,
            "assistants": [p for p in people if p.pk != round_.interviewer_id],
            "url": ics.round_url(round_),
            "feedback_hours": settings.REMINDER_FEEDBACK_AFTER_HOURS,
        }
        if notice:
            notify.notice_send(
                user=person,
                kind=_notice_kind(about),
                title=headline,
                body=_notice_body(round_, people),
                link=round_path(round_),
            )
        if not person.email:
            return None
        attachments = []
        if method is not None:
            attendees = [person] if about == REMOVED else None
            attachments.append(ics.attachment(round_, method, attendees=attendees))
        return notify.outbox_enqueue(
            channel=Outbox.Channel.EMAIL,
            recipient=person.email,
            subject=headline,
            body_text=render_to_string("interviews/mail/round.txt", context).strip() + "\n",
            body_html=render_to_string("interviews/mail/round.html", context),
            kind=_outbox_kind(about),
            attachments=attachments,
        )


def _notice_body(round_: Round, people: Sequence[Any]) -> str:
    parts = [round_.position.title, round_.get_kind_display()]
    if round_.starts_at is not None:
        parts.append(_("%(minutes)d min") % {"minutes": round_.duration_minutes})
    if round_.interviewer is not None:
        parts.append(_("interviewer: %(name)s") % {"name": round_.interviewer.display_name})
    return " · ".join(parts)


class _CandidateAddress:
    """The candidate as an ATTENDEE of their copy of the event (``ics`` reads these)."""

    pk = None

    def __init__(self, candidate: Any) -> None:
        self.email = candidate.email
        self.display_name = candidate.full_name


def _candidate_subject(about: str, round_: Round) -> str:
    title = ics.candidate_summary(round_)
    if round_.starts_at is not None and about != CANCELLED:
        title = _("%(round)s on %(when)s") % {"round": title, "when": moment(round_.starts_at)}
    if about == CHANGED:
        return _("Moved: %(interview)s") % {"interview": title}
    if about == CANCELLED:
        return _("Cancelled: %(interview)s") % {"interview": title}
    return title


def tell_candidate(round_: Round, about: str) -> Outbox | None:
    """The candidate's e-mail about ``round_`` (ASSIGNED, CHANGED: the REQUEST; CANCELLED:
    the CANCEL), inside the caller's transaction. None when they have no address."""
    candidate = round_.candidate
    if not candidate.email:
        return None
    method = ics.CANCEL if about == CANCELLED else ics.REQUEST
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(zoneinfo.ZoneInfo(settings.TIME_ZONE)),
    ):
        interviewer = round_.interviewer.display_name if round_.interviewer else ""
        context = {
            "about": about,
            "round": round_,
            "candidate": candidate,
            "when": moment(round_.starts_at) if round_.starts_at else "",
            "interviewer": interviewer,
        }
        attachment = ics.attachment(
            round_, method, attendees=[_CandidateAddress(candidate)], for_candidate=True
        )
        return notify.outbox_enqueue(
            channel=Outbox.Channel.EMAIL,
            recipient=candidate.email,
            subject=_candidate_subject(about, round_),
            body_text=render_to_string("interviews/mail/candidate.txt", context).strip() + "\n",
            body_html=render_to_string("interviews/mail/candidate.html", context),
            kind=Outbox.Kind.ASSIGNMENT,
            attachments=[attachment],
        )


def _round(round_id: int) -> Round | None:
    return (
        Round.objects.select_related("candidate", "position", "interviewer", "video_interview")
        .prefetch_related("assistants")
        .filter(pk=round_id)
        .first()
    )


def _active(people: Iterable[Any]) -> list[Any]:
    return [p for p in people if p.is_active]


def round_assigned(
    *, round_id: int, previous: Sequence[int] = (), moved: bool = False, had_time: bool = False
) -> None:
    """``round_assigned``: everyone now on the round is told (new ones "assigned", those who
    were on it when it already had a time "changed"), with the REQUEST; those taken off get
    the CANCEL. ``moved``: the time (or length) changed, ``had_time``: it had one before; then
    the candidate is told too (a first time, a new one, or none any more: the CANCEL)."""
    with transaction.atomic():
        row = _round(round_id)
        if row is None or row.status == Round.Status.CANCELLED:
            return
        people = ics.people_on(row)
        before = set(previous)
        if row.starts_at is not None:
            method: str | None = ics.REQUEST
        else:
            # No time (any more): a calendar that holds an earlier time must drop it.
            method = ics.CANCEL if row.sequence > 0 else None
        for person in _active(people):
            # A round whose SEQUENCE never moved had no time before this change: whoever was
            # on it (the plan's default interviewer) hears of it now for the first time.
            about = CHANGED if person.pk in before and row.sequence > 0 else ASSIGNED
            tell(person, row, about, method=method, people=people)
        gone = before - {p.pk for p in people}
        if gone:
            had_event = row.starts_at is not None or row.sequence > 0
            for person in get_user_model().objects.filter(pk__in=gone, is_active=True):
                tell(person, row, REMOVED, method=ics.CANCEL if had_event else None, people=people)
        if moved and row.starts_at is not None:
            tell_candidate(row, CHANGED if had_time else ASSIGNED)
        elif moved and had_time:
            tell_candidate(row, CANCELLED)


def round_cancelled(*, round_id: int) -> None:
    """``round_cancelled``: everyone on the round gets the CANCEL."""
    with transaction.atomic():
        row = _round(round_id)
        if row is None or (row.kind == RoundKind.ONE_WAY and row.starts_at is None):
            return  # nobody on it, no time: nothing in anyone's calendar (its invitation goes)
        people = ics.people_on(row)
        for person in _active(people):
            tell(person, row, CANCELLED, method=ics.CANCEL, people=people)
        tell_candidate(row, CANCELLED)  # (sent only for a round that had a time)


NOT_INVITED = "one_way_not_invited"  # the notice's kind
# Why a one-way round's automatic invitation did not go, by the video interviews' refusal code,
# and what the recruiter does about it (the round's page sends it by hand).
NOT_INVITED_REASONS = {
    "email_required": gettext_lazy(
        "The candidate's card has no e-mail address: add it, then send the invitation from "
        "the round's page."
    ),
    "email_invalid": gettext_lazy(
        "The e-mail address on the candidate's card is not valid: correct it, then send the "
        "invitation from the round's page."
    ),
    "interview_not_active": gettext_lazy(
        "The video interview is not active: activate it, then send the invitation from the "
        "round's page."
    ),
    "deadline_passed": gettext_lazy(
        "The video interview's deadline has passed: move it, then send the invitation from "
        "the round's page."
    ),
}


def round_not_invited(*, round_id: int, code: str, message: str = "") -> int:
    """``round_not_invited``: the candidate of a one-way round was not invited automatically.
    Every recruiter gets a notice (stored, and pushed to their open pages) naming the round,
    its video interview and the reason (``NOT_INVITED_REASONS``; an unknown code: the
    refusal's own ``message``), linking to the round's page. Once per round: however often
    the interview reaches the round again, a round told of already is not told again (the
    round's row lock makes two facts at once tell once). Returns how many were told."""
    from access.scheduling import recruiters

    with transaction.atomic():
        if Round.objects.select_for_update().filter(pk=round_id).first() is None:
            return 0
        row = _round(round_id)
        assert row is not None
        link = round_path(row)
        if Notice.objects.filter(kind=NOT_INVITED, link=link).exists():
            return 0
        reason = NOT_INVITED_REASONS.get(code) or message or code
        video = row.video_interview.title if row.video_interview else ""
        told = 0
        for person in recruiters():
            with as_reader(person):
                title = _("Not invited into the video interview: %(round)s") % {
                    "round": ics.round_summary(row)
                }
            notify.notice_send(
                user=person,
                kind=NOT_INVITED,
                title=title,
                body=format_lazy("{reason} ({video})", reason=reason, video=video)
                if video
                else reason,
                link=link,
            )
            told += 1
    return told


def connect() -> None:
    """Called from ``interviews.subscribers.connect``."""
    from interviews import events

    def on_assigned(sender: object, round_id: int, previous: Sequence[int] = (), **kw: Any) -> None:
        round_assigned(
            round_id=round_id,
            previous=list(previous or ()),
            moved=bool(kw.get("moved")),
            had_time=bool(kw.get("had_time")),
        )

    def on_cancelled(sender: object, round_id: int, **kw: Any) -> None:
        round_cancelled(round_id=round_id)

    events.round_assigned.connect(
        on_assigned, dispatch_uid="interviews.notices.assigned", weak=False
    )
    events.round_cancelled.connect(
        on_cancelled, dispatch_uid="interviews.notices.cancelled", weak=False
    )

    def on_not_invited(sender: object, round_id: int, code: str = "", **kw: Any) -> None:
        round_not_invited(round_id=round_id, code=code, message=str(kw.get("message") or ""))

    events.round_not_invited.connect(
        on_not_invited, dispatch_uid="interviews.notices.not_invited", weak=False
    )
