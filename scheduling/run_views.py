"""The scheduler's pages: ``/scheduling/`` (recent runs, and for recruiters "Preview" and
"Schedule now") and ``/scheduling/runs/<id>/`` (what a run booked or would book — candidate,
round, interviewers, the time in the viewer's zone, why — and what it could not place, with
the reason). Thin: ``access.scheduling`` says who may open each, ``scheduling.booking`` runs;
the two reads (``recent_runs``, ``run_parts``) serve the API too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

import access
from access.decorators import allowed
from accounts.templatetags.when import when
from scheduling import booking
from scheduling.models import Booking, Run

RECENT_RUNS = 30


def recent_runs() -> QuerySet[Run]:
    return (
        Run.objects.select_related("by")
        .annotate(bookings_count=Count("bookings"))
        .order_by("-started_at", "-pk")
    )


def run_parts(run: Run) -> dict[str, Any]:
    """A run's bookings and no-matches with their people, in a fixed number of queries."""
    bookings = list(
        run.bookings.select_related("candidate", "round", "interviewer").order_by("starts_at", "pk")
    )
    missed = list(run.no_matches.select_related("candidate").order_by("pk"))
    ids = {p for b in bookings for p in b.people} | {
        p for m in missed for p in m.detail.get("interviewers", [])
    }
    people = get_user_model().objects.in_bulk(
        list(ids | {b.why.get("cap_interviewer") for b in bookings if b.why.get("cap_interviewer")})
    )
    for row in bookings:
        row.people_shown = [people[p] for p in row.people if p in people]
        row.assistants_shown = [p for p in row.people_shown if p.pk != row.interviewer_id]
    for row in missed:
        row.people_shown = [people[p] for p in row.detail.get("interviewers", []) if p in people]
    return {"bookings": bookings, "no_matches": missed, "people": people}


def _moment(text: Any) -> datetime | None:
    return parse_datetime(text) if isinstance(text, str) else None


def why_lines(row: Booking, people: dict[int, Any]) -> list[str]:
    """A booking's ``why`` in the viewer's words (language and zone)."""
    why, lines = row.why or {}, []
    earliest = _moment(why.get("earliest_possible"))
    if earliest is None or earliest == row.starts_at:
        lines.append(_("The earliest time possible."))
    else:
        text = _("The earliest possible was %(when)s.") % {"when": when(earliest)}
        capped = people.get(why.get("cap_interviewer") or 0)
        if why.get("cap") in ("day", "week") and capped is not None:
            limit = (
                _("their limit for the day")
                if why["cap"] == "day"
                else _("their limit for the week")
            )
            text = _("%(earlier)s %(name)s had reached %(limit)s then.") % {
                "earlier": text,
                "name": capped.display_name,
                "limit": limit,
            }
        lines.append(text)
    others = int(why.get("alternatives") or 0)
    lines.append(
        ngettext("%(n)d other choice was possible.", "%(n)d other choices were possible.", others)
        % {"n": others}
    )
    load = int(why.get("load_before") or 0)
    lines.append(
        ngettext(
            "%(n)d interview that week before this one.",
            "%(n)d interviews that week before this one.",
            load,
        )
        % {"n": load}
    )
    if row.outcome == Booking.Outcome.REFUSED:
        lines.append(
            _("Not booked: the time was taken meanwhile (%(code)s).")
            % {"code": why.get("refused", "?")}
        )
    return lines


@allowed(access.can_view_scheduler_runs)
@require_GET
def scheduler_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scheduling/run_list.html",
        {
            "runs": recent_runs()[:RECENT_RUNS],
            "can_run": access.can_run_scheduler(request.user),
            "horizon_days": settings.SCHEDULER_HORIZON_DAYS,
        },
    )


@allowed(access.can_run_scheduler)
@require_POST
def scheduler_start(request: HttpRequest) -> HttpResponse:
    """``action=preview``: what would be booked; ``action=book``: book it now."""
    preview = request.POST.get("action") != "book"
    run = booking.scheduler_run(by=request.user, preview=preview)
    if preview:
        messages.info(request, _("A preview: nothing was booked."))
    else:
        messages.success(
            request,
            _("%(booked)d booked, %(missed)d not placed.")
            % {"booked": run.booked, "missed": run.unmatched},
        )
    return redirect("scheduler_run_detail", pk=run.pk)


@allowed(access.can_view_scheduler_runs)
@require_GET
def scheduler_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(Run.objects.select_related("by"), pk=pk)
    parts = run_parts(run)
    for row in parts["bookings"]:
        row.why_lines = why_lines(row, parts["people"])
    for row in parts["no_matches"]:
        row.reason_text = booking.REASONS.get(row.reason, row.reason)
    return render(
        request,
        "scheduling/run_detail.html",
        {"run": run, **parts, "can_run": access.can_run_scheduler(request.user)},
    )
