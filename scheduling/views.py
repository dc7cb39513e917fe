"""The availability pages: ``/availability/`` (an interviewer's own week: slots, weekly hours,
exceptions, capacity) and ``/candidates/<id>/availability/`` (the slots a recruiter keeps for a
candidate). Thin: ``access.scheduling`` says who may open each, ``scheduling.services`` writes.

Each page shows one week (``?date=YYYY-MM-DD``, Monday to Sunday in the viewer's zone) as a
week grid — FullCalendar, drawn by ``scheduling/static/scheduling/availability.js`` — beside a
list of the week's slots and forms that work without JavaScript. The grid posts to the same
form endpoints; a request that asks for JSON (``Accept: application/json``) gets the outcome
as JSON — the week's events and the list's new markup, or the refusal's code and message —
instead of a page. Times on the page are the viewer's wall clock; a form's times are read in
the zone it names (blank: the viewer's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

import access
from access.interviews import rounds_on
from candidates.models import Candidate
from interviews.models import Round
from scheduling import availability, services
from scheduling.forms import (
    BadHours,
    CapacityForm,
    ExceptionForm,
    SlotForm,
    read_weekly,
    weekly_rows,
)
from scheduling.models import Capacity, DayException, Slot, WeeklyHours

# FullCalendar 6 keeps its styles in a <style> element it makes, empty, and fills through the
# CSSOM (insertRule). Under the site's ``style-src 'self'`` that element is refused; the grid
# pages allow exactly an empty <style> element by its hash (sha256 of ""), nothing else —
# no inline style attribute and no style with any content. Its small icon font comes as a
# data: URL in those styles (the browser loads it as soon as the rule is in): fonts from data:
# are allowed on these pages too. Nothing else of the site's policy changes.
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
GRID_CSP = {"style-src": [EMPTY_STYLE], "font-src": ["'self'", "data:"]}
LONGEST_ROUND = services.LONGEST_ROUND
# Refusals about the state of things rather than a value typed: 409, not 400.
STATE_REFUSALS = frozenset(
    {"holds_interview", "too_many_slots", "too_many_exceptions", "duplicate"}
)


@dataclass
class Owner:
    """Whose availability a page keeps: the viewer's own, or a candidate's."""

    user: Any | None = None
    candidate: Candidate | None = None

    @property
    def prefix(self) -> str:
        return "availability" if self.candidate is None else "candidate_availability"

    @property
    def args(self) -> list[int]:
        return [] if self.candidate is None else [self.candidate.pk]

    def url(self, name: str, *extra: int) -> str:
        return reverse(f"{self.prefix}_{name}", args=[*self.args, *extra])

    @property
    def filter(self) -> Q:
        if self.candidate is not None:
            return Q(candidate=self.candidate)
        return Q(user=self.user)

    @property
    def kwargs(self) -> dict[str, Any]:
        return {"candidate": self.candidate} if self.candidate is not None else {"user": self.user}


def _own(request: HttpRequest) -> Owner:
    if not access.can_edit_own_availability(request.user):
        raise PermissionDenied
    return Owner(user=request.user)


def _of_candidate(request: HttpRequest, pk: int) -> Owner:
    candidate = get_object_or_404(Candidate, pk=pk)
    if not access.can_manage_candidate_availability(request.user, candidate):
        raise PermissionDenied
    return Owner(candidate=candidate)


def _slot_of(owner: Owner, pk: int) -> Slot:
    return get_object_or_404(Slot.objects.filter(owner.filter), pk=pk)


# --- the week ------------------------------------------------------------------------------


def _zone_name() -> str:
    return timezone.get_current_timezone_name()


def _week(value: str | None) -> tuple[date, str | None]:
    """The Monday of the week holding ``value`` (YYYY-MM-DD; blank: today), and an error
    when ``value`` is not a date (then this week)."""
    today = timezone.localdate()
    day, error = today, None
    if value:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            error = _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value[:20]}
        else:
            if not 2000 <= day.year <= 2100:
                day, error = today, _("Choose a date between 2000 and 2100.")
    return day - timedelta(days=day.weekday()), error


def _span(monday: date) -> tuple[datetime, datetime]:
    zone = _zone_name()
    return (
        availability.local_to_utc(monday, time.min, zone),
        availability.local_to_utc(monday + timedelta(days=7), time.min, zone),
    )


def _wall(moment: datetime) -> str:
    """The viewer's wall clock, without an offset: the grid runs on wall-clock times."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


def _rounds(owner: Owner, start: datetime, end: datetime) -> list[Round]:
    rounds = (
        rounds_on(owner.user)
        if owner.candidate is None
        else Round.objects.filter(candidate=owner.candidate)
    )
    return list(
        rounds.filter(
            status=Round.Status.SCHEDULED,
            starts_at__lt=end,
            starts_at__gte=start - LONGEST_ROUND,
        )
        .select_related("candidate", "position")
        .order_by("starts_at", "pk")
    )


def _events(owner: Owner, monday: date) -> list[dict[str, Any]]:
    """What the grid draws for the week: the owner's slots (movable), working hours and days
    off (behind them), and the scheduled interviews (links)."""
    start, end = _span(monday)
    events: list[dict[str, Any]] = []
    for slot in Slot.objects.filter(owner.filter, starts_at__lt=end, ends_at__gt=start):
        events.append(
            {
                "id": f"slot-{slot.pk}",
                "title": _("Free"),
                "start": _wall(slot.starts_at),
                "end": _wall(slot.ends_at),
                "classNames": ["av-slot"],
                "editable": True,
                "extendedProps": {
                    "kind": "slot",
                    "edit": owner.url("slot_edit", slot.pk),
                    "delete": owner.url("slot_delete", slot.pk),
                },
            }
        )
    if owner.user is not None:
        for s, e in services.working_hours(user=owner.user, start=start, end=end):
            events.append(
                {
                    "start": _wall(s),
                    "end": _wall(e),
                    "display": "background",
                    "classNames": ["av-hours"],
                    "extendedProps": {"kind": "hours"},
                }
            )
        days_off = DayException.objects.filter(
            user=owner.user,
            available=False,
            day__range=(monday - timedelta(days=1), monday + timedelta(days=8)),
        )
        for row in days_off:
            s, e = services.day_window(row.day, row.zone)
            if s < end and e > start:
                events.append(
                    {
                        "start": _wall(max(s, start)),
                        "end": _wall(min(e, end)),
                        "display": "background",
                        "classNames": ["av-off"],
                        "extendedProps": {"kind": "off"},
                    }
                )
    for round_ in _rounds(owner, start, end):
        if round_.ends_at is None or round_.ends_at <= start:
            continue
        events.append(
            {
                "id": f"round-{round_.pk}",
                "title": _round_label(round_),
                "start": _wall(round_.starts_at),
                "end": _wall(round_.ends_at),
                "url": reverse("round_detail", args=[round_.pk]),
                "classNames": ["av-round"],
                "editable": False,
                "extendedProps": {"kind": "round"},
            }
        )
    return events


def _round_label(round_: Round) -> str:
    return _("Interview: %(candidate)s · %(number)d. %(name)s") % {
        "candidate": round_.candidate.full_name,
        "number": round_.order + 1,
        "name": round_.name,
    }


def _slot_rows(owner: Owner, monday: date) -> list[dict[str, Any]]:
    start, end = _span(monday)
    rows = []
    for slot in Slot.objects.filter(owner.filter, starts_at__lt=end, ends_at__gt=start):
        local_start, local_end = (
            timezone.localtime(slot.starts_at),
            timezone.localtime(slot.ends_at),
        )
        rows.append(
            {
                "slot": slot,
                "start": local_start,
                "end": local_end,
                "same_day": local_start.date() == local_end.date()
                or (local_end - local_start <= timedelta(days=1) and local_end.time() == time.min),
                "other_zone": slot.zone if slot.zone != _zone_name() else "",
                "edit": owner.url("page") + f"?date={monday.isoformat()}&edit={slot.pk}#slot-form",
                "delete": owner.url("slot_delete", slot.pk),
            }
        )
    return rows


def _context(
    request: HttpRequest,
    owner: Owner,
    monday: date,
    *,
    slot_form: SlotForm | None = None,
    editing: Slot | None = None,
    exception_form: ExceptionForm | None = None,
    capacity_form: CapacityForm | None = None,
    hours_error: tuple[str, str] | None = None,
    confirm: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    zone = _zone_name()
    default_zone = zone
    if slot_form is None:
        initial: dict[str, Any] = {"zone": ""}
        if editing is not None:
            s, e = timezone.localtime(editing.starts_at), timezone.localtime(editing.ends_at)
            initial.update(date=s.date(), starts=s.time(), ends=e.time())
            if e.date() != s.date():
                initial["end_date"] = e.date()
        slot_form = SlotForm(initial=initial, default_zone=default_zone)
    today = timezone.localdate()
    days = [monday + timedelta(days=n) for n in range(7)]
    context: dict[str, Any] = {
        "owner": owner,
        "candidate": owner.candidate,
        "monday": monday,
        "sunday": days[-1],
        "days": days,
        "today": today,
        "this_week": monday <= today <= days[-1],
        "zone": zone,
        "prev_q": f"?date={(monday - timedelta(days=7)).isoformat()}",
        "next_q": f"?date={(monday + timedelta(days=7)).isoformat()}",
        "today_q": "?",
        "slots": _slot_rows(owner, monday),
        "slot_form": slot_form,
        "editing": editing,
        "slot_action": owner.url("slot_edit", editing.pk) if editing else owner.url("slot_new"),
        "confirm": confirm,
        "errors": errors or [],
        "grid": {
            "events": _events(owner, monday),
            "week": monday.isoformat(),
            "now": _wall(timezone.now()),
            "day": (today if monday <= today <= days[-1] else monday).isoformat(),
            "end": (monday + timedelta(days=7)).isoformat(),
            "locale": translation.get_language() or "en",
            "newUrl": owner.url("slot_new"),
            "strings": {
                "deleteAsk": _("Delete this free slot?"),
                "failed": _("That did not work. Try again, or use the form beside the grid."),
                "saved": _("Saved."),
                "deleted": _("The slot is deleted."),
                "free": _("Free"),
            },
        },
    }
    if owner.user is not None:
        hours = list(WeeklyHours.objects.filter(user=owner.user))
        capacity = Capacity.objects.filter(user=owner.user).first()
        context.update(
            weekly=weekly_rows(hours),
            hours_zones=sorted({h.zone for h in hours} - {zone}),
            hours_error=hours_error,
            exceptions=list(
                DayException.objects.filter(user=owner.user, day__gte=today - timedelta(days=1))
            ),
            exception_form=exception_form or ExceptionForm(),
            capacity_form=capacity_form
            or CapacityForm(
                initial={
                    "per_day": capacity.per_day if capacity else None,
                    "per_week": capacity.per_week if capacity else None,
                }
            ),
        )
    return context


def _page(
    request: HttpRequest, owner: Owner, monday: date, status: int = 200, **kw: Any
) -> HttpResponse:
    return render(
        request,
        "scheduling/availability.html",
        _context(request, owner, monday, **kw),
        status=status,
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _done(
    request: HttpRequest, owner: Owner, monday: date, message: str, anchor: str
) -> HttpResponse:
    if _wants_json(request):
        context = _context(request, owner, monday)
        return JsonResponse(
            {
                "ok": True,
                "message": message,
                "events": context["grid"]["events"],
                "list_html": render_to_string("scheduling/_slot_list.html", context, request),
            }
        )
    messages.success(request, message)
    return redirect(owner.url("page") + f"?date={monday.isoformat()}#{anchor}")


def _refused(
    request: HttpRequest,
    owner: Owner,
    monday: date,
    refused: services.SchedulingRefused,
    form: Any = None,
    form_name: str = "slot_form",
    **kw: Any,
) -> HttpResponse:
    """A refusal: JSON for the grid; else the page again with the refusal on the field of
    ``form`` it is about (or above the forms) — or, for ``holds_interview``, the question
    with a button that sends the same again, confirmed."""
    status = 409 if refused.code in STATE_REFUSALS else 400
    if _wants_json(request):
        return JsonResponse(
            {"ok": False, "code": refused.code, "message": refused.message, "field": refused.field},
            status=status,
        )
    if form is not None:
        kw[form_name] = form
    if refused.code == "holds_interview":
        kw["confirm"] = {
            "message": refused.message,
            "action": request.path,
            "fields": [
                (name, value)
                for name, value in request.POST.items()
                if name not in ("csrfmiddlewaretoken", "confirm")
            ],
            "rounds": [
                {"label": _round_label(r), "url": reverse("round_detail", args=[r.pk])}
                for r in refused.rounds
            ],
        }
    elif form is not None and refused.field in form.fields:
        form.add_error(refused.field, refused.message)
    else:
        kw.setdefault("errors", []).append(refused.message)
    return _page(request, owner, monday, status=status, **kw)


def _monday_posted(request: HttpRequest) -> date:
    return _week(request.POST.get("week"))[0]


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") in ("1", "true", "on")


# --- pages -----------------------------------------------------------------------------------


def _show(request: HttpRequest, owner: Owner) -> HttpResponse:
    monday, error = _week(request.GET.get("date"))
    editing = None
    edit = request.GET.get("edit", "")
    if edit.isdigit() and len(edit) < 19:
        editing = Slot.objects.filter(owner.filter, pk=int(edit)).first()
    return _page(request, owner, monday, editing=editing, errors=[error] if error else None)


@csp_update(GRID_CSP)
@login_required
@require_GET
def own_page(request: HttpRequest) -> HttpResponse:
    return _show(request, _own(request))


@csp_update(GRID_CSP)
@login_required
@require_GET
def candidate_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _show(request, _of_candidate(request, pk))


# --- slots -----------------------------------------------------------------------------------


def _slot_times(form: SlotForm) -> tuple[datetime, datetime, str]:
    data = form.cleaned_data
    start, end = services.local_range(
        day=data["date"],
        starts=data["starts"],
        ends=data["ends"],
        end_day=data.get("end_date"),
        zone=data["zone"],
    )
    return start, end, data["zone"]


def _invalid(
    request: HttpRequest, owner: Owner, monday: date, form: SlotForm, editing: Slot | None
) -> HttpResponse:
    if _wants_json(request):
        field, problems = next(iter(form.errors.items()))
        return JsonResponse(
            {"ok": False, "code": "invalid", "message": str(problems[0]), "field": field},
            status=400,
        )
    return _page(request, owner, monday, status=400, slot_form=form, editing=editing)


def _slot_new(request: HttpRequest, owner: Owner) -> HttpResponse:
    monday = _monday_posted(request)
    form = SlotForm(request.POST, default_zone=_zone_name())
    if not form.is_valid():
        return _invalid(request, owner, monday, form, None)
    try:
        start, end, zone = _slot_times(form)
        services.slot_add(by=request.user, starts_at=start, ends_at=end, zone=zone, **owner.kwargs)
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused, form)
    return _done(request, owner, monday, _("The slot is added."), "slots")


def _slot_edit(request: HttpRequest, owner: Owner, slot_pk: int) -> HttpResponse:
    slot = _slot_of(owner, slot_pk)
    monday = _monday_posted(request)
    form = SlotForm(request.POST, default_zone=_zone_name())
    if not form.is_valid():
        return _invalid(request, owner, monday, form, slot)
    try:
        start, end, zone = _slot_times(form)
        services.slot_move(
            by=request.user, slot=slot, starts_at=start, ends_at=end, zone=zone,
            confirm=_confirmed(request),
        )  # fmt: skip
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused, form, editing=slot)
    return _done(request, owner, monday, _("The slot is changed."), "slots")


def _slot_delete(request: HttpRequest, owner: Owner, slot_pk: int) -> HttpResponse:
    slot = _slot_of(owner, slot_pk)
    monday = _monday_posted(request)
    try:
        services.slot_delete(by=request.user, slot=slot, confirm=_confirmed(request))
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused)
    return _done(request, owner, monday, _("The slot is deleted."), "slots")


@csp_update(GRID_CSP)
@login_required
@require_POST
def own_slot_new(request: HttpRequest) -> HttpResponse:
    return _slot_new(request, _own(request))


@csp_update(GRID_CSP)
@login_required
@require_POST
def own_slot_edit(request: HttpRequest, slot: int) -> HttpResponse:
    return _slot_edit(request, _own(request), slot)


@csp_update(GRID_CSP)
@login_required
@require_POST
def own_slot_delete(request: HttpRequest, slot: int) -> HttpResponse:
    return _slot_delete(request, _own(request), slot)


@csp_update(GRID_CSP)
@login_required
@require_POST
def candidate_slot_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _slot_new(request, _of_candidate(request, pk))


@csp_update(GRID_CSP)
@login_required
@require_POST
def candidate_slot_edit(request: HttpRequest, pk: int, slot: int) -> HttpResponse:
    return _slot_edit(request, _of_candidate(request, pk), slot)


@csp_update(GRID_CSP)
@login_required
@require_POST
def candidate_slot_delete(request: HttpRequest, pk: int, slot: int) -> HttpResponse:
    return _slot_delete(request, _of_candidate(request, pk), slot)


# --- an interviewer's weekly hours, exceptions and capacity ---------------------------------------


@csp_update(GRID_CSP)
@login_required
@require_POST
def hours_set(request: HttpRequest) -> HttpResponse:
    owner = _own(request)
    monday = _monday_posted(request)
    try:
        hours = read_weekly(request.POST)
    except BadHours as bad:
        return _page(request, owner, monday, status=400, hours_error=(bad.field, bad.message))
    try:
        services.weekly_hours_set(
            by=request.user, user=request.user, hours=hours, zone=services.zone_of(request.user),
            confirm=_confirmed(request),
        )  # fmt: skip
    except services.SchedulingRefused as refused:
        if refused.code == "holds_interview":
            return _refused(request, owner, monday, refused)
        return _page(
            request, owner, monday, status=400, hours_error=(refused.field or "", refused.message)
        )
    return _done(request, owner, monday, _("Your weekly hours are saved."), "hours")


@csp_update(GRID_CSP)
@login_required
@require_POST
def exception_new(request: HttpRequest) -> HttpResponse:
    owner = _own(request)
    monday = _monday_posted(request)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        return _page(request, owner, monday, status=400, exception_form=form)
    starts, ends = form.times()
    try:
        services.exception_add(
            by=request.user, user=request.user, day=form.cleaned_data["day"],
            starts=starts, ends=ends, zone=services.zone_of(request.user),
            confirm=_confirmed(request),
        )  # fmt: skip
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused, form, "exception_form")
    return _done(request, owner, monday, _("The exception is added."), "exceptions")


@csp_update(GRID_CSP)
@login_required
@require_POST
def exception_delete(request: HttpRequest, exception: int) -> HttpResponse:
    owner = _own(request)
    monday = _monday_posted(request)
    row = get_object_or_404(DayException, pk=exception, user=request.user)
    try:
        services.exception_delete(by=request.user, exception=row, confirm=_confirmed(request))
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused)
    return _done(request, owner, monday, _("The exception is deleted."), "exceptions")


@csp_update(GRID_CSP)
@login_required
@require_POST
def capacity_set(request: HttpRequest) -> HttpResponse:
    owner = _own(request)
    monday = _monday_posted(request)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        return _page(request, owner, monday, status=400, capacity_form=form)
    try:
        services.capacity_set(
            user=request.user,
            per_day=form.cleaned_data.get("per_day"),
            per_week=form.cleaned_data.get("per_week"),
        )
    except services.SchedulingRefused as refused:
        return _refused(request, owner, monday, refused, form, "capacity_form")
    return _done(request, owner, monday, _("Your limits are saved."), "capacity")
