"""Rounds as calendar events (RFC 5545, with the ``icalendar`` package): the invitation an
assignment e-mail carries (``invite``: ``METHOD:REQUEST``, or ``CANCEL`` when the round is
off or the person was taken off it) and a person's feed (``feed``).

One round is one event whatever happens to it: its ``UID`` is the round's ``uid`` at this
site's host, stable for ever; its ``SEQUENCE`` is the round's, which ``round_assign`` and the
cancelling bump on every change, so a calendar program replaces the copy it holds.

Times are written in UTC (``…Z``): each program shows them in its owner's zone. The words
(summary, description) are in the active language: render under
``translation.override(language_of(person))`` for a person, or pass ``language=``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from interviews.models import Round

PRODID = "-//Roundtable//Interviews//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
METHODS = (REQUEST, CANCEL)


def site_host() -> str:
    return urlparse(settings.SITE_URL).hostname or "roundtable"


def event_uid(round_: Round) -> str:
    return f"{round_.uid}@{site_host()}"


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def round_url(round_: Round) -> str:
    """The round's page as an absolute address (``SITE_URL``), for e-mails and calendars."""
    return site_url() + reverse("round_detail", args=[round_.pk])


def round_summary(round_: Round) -> str:
    """The event's summary, "Round 1 “Screening” with Carla Candidate" (active language)."""
    return _("Round %(number)d “%(name)s” with %(candidate)s") % {
        "number": round_.order + 1,
        "name": round_.name,
        "candidate": round_.candidate.full_name,
    }


def people_on(round_: Round) -> list[Any]:
    """The interviewer, then the assistants (by name): everyone on the round. Uses the
    prefetched ``assistants`` when the caller prefetched them."""
    people = [] if round_.interviewer is None else [round_.interviewer]
    assistants = sorted(round_.assistants.all(), key=lambda p: (p.display_name, p.pk))
    return people + [p for p in assistants if p.pk != round_.interviewer_id]


def _address(person: Any, role: str) -> vCalAddress | None:
    if not person.email:
        return None
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.display_name)
    address.params["role"] = vText(role)
    address.params["cutype"] = vText("INDIVIDUAL")
    return address


def _organizer() -> vCalAddress:
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = vCalAddress(f"mailto:{email or 'roundtable@' + site_host()}")
    address.params["cn"] = vText(name or "Roundtable")
    return address


def _description(round_: Round) -> str:
    lines = [
        _("Candidate: %(name)s") % {"name": round_.candidate.full_name},
        _("Position: %(title)s") % {"title": round_.position.title},
        _("Kind: %(kind)s") % {"kind": round_.get_kind_display()},
    ]
    if round_.instructions.strip():
        lines += ["", _("Instructions:"), round_.instructions.strip()]
    lines += ["", _("The round's page: %(url)s") % {"url": round_url(round_)}]
    return "\n".join(lines)


def candidate_summary(round_: Round) -> str:
    """The candidate's copy's summary, "Interview: Backend engineer" (active language)."""
    return _("Interview: %(title)s") % {"title": round_.position.title}


def _candidate_description(round_: Round) -> str:
    # What the candidate needs and nothing of the interviewers' (no instructions, no link to
    # pages only the interviewers may open).
    lines = [
        _("Position: %(title)s") % {"title": round_.position.title},
        _("Duration: %(minutes)d min") % {"minutes": round_.duration_minutes},
    ]
    if round_.candidate.video_room_url:
        lines.append(_("Video call: %(url)s") % {"url": round_.candidate.video_room_url})
    return "\n".join(lines)


def round_event(
    round_: Round,
    *,
    cancelled: bool | None = None,
    attendees: Sequence[Any] | None = None,
    stamp: datetime | None = None,
    for_candidate: bool = False,
) -> Event:
    """The round's VEVENT. ``cancelled`` (default: the round is cancelled) writes
    ``STATUS:CANCELLED``; ``attendees`` (default: everyone on the round) are the people listed
    as ATTENDEE (the interviewer as CHAIR); ``stamp`` is DTSTAMP (default: now). A round
    without a time has no DTSTART/DTEND: only a cancellation may be sent for it.
    ``for_candidate``: the candidate's copy (same UID and SEQUENCE, so their calendar follows
    the changes too): its own summary and description, no link to the round's page."""
    if cancelled is None:
        cancelled = round_.status == Round.Status.CANCELLED
    event = Event()
    event.add("uid", event_uid(round_))
    event.add("sequence", round_.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    if round_.updated_at is not None:
        event.add("last-modified", round_.updated_at.astimezone(UTC))
    if round_.starts_at is not None:
        event.add("dtstart", round_.starts_at.astimezone(UTC))
        event.add("dtend", round_.ends_at.astimezone(UTC))
    if for_candidate:
        event.add("summary", candidate_summary(round_))
        event.add("description", _candidate_description(round_))
    else:
        event.add("summary", round_summary(round_))
        event.add("description", _description(round_))
        event.add("url", round_url(round_))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer())
    people = people_on(round_) if attendees is None else list(attendees)
    for person in people:
        chair = person.pk is not None and person.pk == round_.interviewer_id
        role = "CHAIR" if chair else "REQ-PARTICIPANT"
        address = _address(person, role)
        if address is not None:
            event.add("attendee", address, encode=False)
    return event


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def invite(
    round_: Round,
    method: str = REQUEST,
    *,
    attendees: Sequence[Any] | None = None,
    language: str | None = None,
    for_candidate: bool = False,
) -> str:
    """A VCALENDAR with ``METHOD:REQUEST`` (the round as it is now) or ``METHOD:CANCEL``
    (``STATUS:CANCELLED``: the round is off, or — with ``attendees`` = the people taken
    off — it is off for them). A REQUEST needs the round's time."""
    if method not in METHODS:
        raise ValueError(f"method: one of {METHODS}, not {method!r}")
    if method == REQUEST and (round_.starts_at is None or round_.status == Round.Status.CANCELLED):
        raise ValueError("only a round with a time that is not cancelled is requested")
    with translation.override(language or translation.get_language()):
        calendar = _calendar(method)
        calendar.add_component(
            round_event(
                round_,
                cancelled=method == CANCEL,
                attendees=attendees,
                for_candidate=for_candidate,
            )
        )
        return calendar.to_ical().decode("utf-8")


def attachment(
    round_: Round,
    method: str = REQUEST,
    *,
    attendees: Sequence[Any] | None = None,
    language: str | None = None,
    for_candidate: bool = False,
) -> dict[str, str]:
    """The invitation as an outbox attachment (``notify.services.outbox_enqueue``)."""
    return {
        "filename": f"round-{round_.pk}.ics"
        if method == REQUEST
        else f"round-{round_.pk}-cancel.ics",
        "content_type": f"text/calendar; method={method}",
        "content": invite(
            round_, method, attendees=attendees, language=language, for_candidate=for_candidate
        ),
    }


def feed(rounds: Iterable[Round], *, name: str) -> bytes:
    """A subscribed calendar (no METHOD) of ``rounds``, each stamped with its last change so
    that the same rounds give the same bytes. Rounds without a time are left out."""
    calendar = _calendar(None, name)
    for round_ in rounds:
        if round_.starts_at is None:
            continue
        calendar.add_component(round_event(round_, stamp=round_.updated_at))
    return calendar.to_ical()
