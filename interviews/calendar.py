"""The calendar's pages: a month (``/calendar/?month=YYYY-MM``) or a week
(``/calendar/?view=week&date=YYYY-MM-DD``) of the rounds the viewer may see
(``access.visible_rounds``), each linked to its page, filtered by interviewer, position and
candidate; and the personal feed: its address made or turned off from the calendar page (a
POST each), read by calendar programs at ``/calendar/feed/<token>.ics`` without signing in.

Days are the viewer's (their time zone). Each page costs the same few queries however many
rounds there are: the rounds of the shown days come in one query, at most ``MONTH_PER_DAY``
(month) or ``WEEK_PER_DAY`` (week) per day picked by a window function in the database, and
one more query counts each day's rounds for the "N more" links.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

import access
from access.decorators import allowed
from candidates.models import Candidate, Position
from interviews import feeds, ics
from interviews.models import Round

MONTH_PER_DAY = 8
WEEK_PER_DAY = 100
CANDIDATE_OPTIONS = 300
SESSION_KEY = "calendar_feed_url"


class BadInput(ValueError):
    pass


@dataclass
class Day:
    day: date
    in_period: bool
    today: bool
    rounds: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    week_q: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.rounds)


def _month(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    try:
        parsed = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise BadInput(_("“%(value)s” is not a month (YYYY-MM).") % {"value": value}) from None
    if not 1900 <= parsed.year <= 9998:
        raise BadInput(_("“%(value)s” is not a month (YYYY-MM).") % {"value": value})
    return parsed


def _date(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise BadInput(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from None
    if not 1900 <= parsed.year <= 9998:
        raise BadInput(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
    return parsed


def _pk(value: str | None, refusal: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise BadInput(refusal)
    return int(value)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """(first shown day, day after the last shown, first day of the period, day after it)."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=7), start, start + timedelta(days=7)
    first = anchor.replace(day=1)
    after = _add_months(first, 1)
    start = first - timedelta(days=first.weekday())
    last = after - timedelta(days=1)
    end = last + timedelta(days=7 - last.weekday())
    return start, end, first, after


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _filtered(rounds: QuerySet[Round], chosen: dict[str, int | None]) -> QuerySet[Round]:
    if chosen["interviewer"] is not None:
        assisted = Round.assistants.through.objects.filter(
            round=OuterRef("pk"), user_id=chosen["interviewer"]
        )
        rounds = rounds.filter(Q(interviewer_id=chosen["interviewer"]) | Exists(assisted))
    if chosen["position"] is not None:
        rounds = rounds.filter(position_id=chosen["position"])
    if chosen["candidate"] is not None:
        rounds = rounds.filter(candidate_id=chosen["candidate"])
    return rounds


def _options(
    user: Any, visible: QuerySet[Round], in_period: QuerySet[Round], chosen: dict[str, int | None]
) -> dict[str, Any]:
    """The filters' choices: only what the viewer may see. Those who see every round choose
    among every interviewer and position; others among the people and positions of their
    own rounds. Candidates: those with a round in the shown days (at most
    ``CANDIDATE_OPTIONS``, the chosen one always among them)."""
    users = get_user_model().objects
    if access.sees_all_candidates(user):
        interviewers = list(access.interviewers())
        positions = list(Position.objects.order_by("title", "pk").only("pk", "title"))
    else:
        mine = visible.values("pk")
        assisted = Round.assistants.through.objects.filter(round__in=mine).values("user_id")
        interviewers = list(
            users.filter(Q(pk__in=visible.values("interviewer_id")) | Q(pk__in=assisted)).order_by(
                "first_name", "last_name", "username"
            )
        )
        positions = list(
            Position.objects.filter(pk__in=visible.values("position_id"))
            .order_by("title", "pk")
            .only("pk", "title")
        )
    candidate_filter = Q(pk__in=in_period.values("candidate_id"))
    if chosen["candidate"] is not None:
        candidate_filter |= Q(pk=chosen["candidate"], pk__in=visible.values("candidate_id"))
    candidates = list(
        Candidate.objects.filter(candidate_filter)
        .order_by("full_name", "pk")
        .only("pk", "full_name")[: CANDIDATE_OPTIONS + 1]
    )
    return {
        "interviewers": interviewers,
        "positions": positions,
        "candidates": candidates[:CANDIDATE_OPTIONS],
        "candidates_cut": len(candidates) > CANDIDATE_OPTIONS,
    }


def _rounds_by_day(in_period: QuerySet[Round], per_day: int) -> tuple[dict, dict]:
    zone = timezone.get_current_timezone()
    day = TruncDate("starts_at", tzinfo=zone)
    picked = (
        in_period.annotate(
            day=day,
            rank=Window(
                RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]
            ),
        )
        .filter(rank__lte=per_day)
        .values(
            "pk",
            "day",
            "starts_at",
            "duration_minutes",
            "order",
            "name",
            "kind",
            "status",
            "candidate__full_name",
            "position__title",
            "interviewer__first_name",
            "interviewer__last_name",
            "interviewer__username",
        )  # fmt: skip
        .order_by("starts_at", "pk")
    )
    shown: dict[date, list[dict[str, Any]]] = {}
    for row in picked:
        first, last = row.pop("interviewer__first_name"), row.pop("interviewer__last_name")
        username = row.pop("interviewer__username")
        row["interviewer"] = f"{first or ''} {last or ''}".strip() or username or ""
        row["status_label"] = Round.Status(row["status"]).label
        row["cancelled"] = row["status"] == Round.Status.CANCELLED
        shown.setdefault(row["day"], []).append(row)
    totals = {
        row["day"]: row["n"]
        for row in in_period.annotate(day=day).order_by().values("day").annotate(n=Count("pk"))
    }
    return shown, totals


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@never_cache
@require_GET
@allowed(access.can_view_plans)
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    view = "week" if request.GET.get("view") == "week" else "month"
    today = timezone.localdate()
    errors = []
    try:
        anchor = (
            _date(request.GET.get("date"), today)
            if view == "week"
            else _month(request.GET.get("month"), today)
        )
    except BadInput as bad:
        errors.append(str(bad))
        anchor = today if view == "week" else today.replace(day=1)
    chosen: dict[str, int | None] = {}
    for name, refusal in (
        ("interviewer", _("Choose an interviewer from the list.")),
        ("position", _("Choose a position from the list.")),
        ("candidate", _("Choose a candidate from the list.")),
    ):
        try:
            chosen[name] = _pk(request.GET.get(name), refusal)
        except BadInput as bad:
            errors.append(str(bad))
            chosen[name] = None
    start, end, first, after = _period(view, anchor)
    visible = access.visible_rounds(user=user)
    period = visible.filter(starts_at__gte=_aware(start), starts_at__lt=_aware(end))
    in_period = _filtered(period, chosen)
    shown, totals = _rounds_by_day(in_period, WEEK_PER_DAY if view == "week" else MONTH_PER_DAY)
    days = []
    for n in range((end - start).days):
        day = start + timedelta(days=n)
        days.append(
            Day(day, first <= day < after, day == today, shown.get(day, []), totals.get(day, 0))
        )
    options = _options(user, visible, _filtered(period, {**chosen, "candidate": None}), chosen)
    filters = {k: v for k, v in chosen.items() if v is not None}
    if view == "week":
        prev_q = _query(view="week", date=(start - timedelta(days=7)).isoformat(), **filters)
        next_q = _query(view="week", date=(start + timedelta(days=7)).isoformat(), **filters)
        other_q = _query(month=f"{start:%Y-%m}", **filters)
        today_q = _query(view="week", **filters)
    else:
        prev_q = _query(month=f"{_add_months(first, -1):%Y-%m}", **filters)
        next_q = _query(month=f"{after:%Y-%m}", **filters)
        week_of = today if first <= today < after else first
        other_q = _query(view="week", date=week_of.isoformat(), **filters)
        today_q = _query(**filters)
    for day in days:
        day.week_q = _query(view="week", date=day.day.isoformat(), **filters)
    context = {
        "view": view,
        "days": days,
        "weekdays": [days[i].day for i in range(7)],
        "first": first,
        "start": start,
        "last": end - timedelta(days=1),
        "anchor": anchor,
        "chosen": chosen,
        "options": options,
        "errors": errors,
        "count": sum(totals.values()),
        "prev_q": prev_q,
        "next_q": next_q,
        "other_q": other_q,
        "today_q": today_q,
        "feed": feeds.feed_of(user),
        "feed_url": request.session.pop(SESSION_KEY, None),
        "zone": timezone.get_current_timezone_name(),
    }
    return render(request, "interviews/calendar_page.html", context, status=400 if errors else 200)


def feed_address(token: str) -> str:
    return ics.site_url() + reverse("calendar_feed", args=[token])


@require_POST
@allowed(access.can_view_plans)
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """A new secret address for the viewer's feed (the old one stops working); shown once,
    on the calendar page this redirects to."""
    had = feeds.feed_of(request.user) is not None
    token = feeds.feed_create(user=request.user)
    request.session[SESSION_KEY] = feed_address(token)
    if had:
        messages.success(request, _("A new feed address is made; the old one no longer works."))
    return redirect(reverse("calendar") + "#feed")


@require_POST
@allowed(access.can_view_plans)
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    if feeds.feed_revoke(user=request.user):
        messages.success(request, _("Your calendar feed is off: its address no longer works."))
    return redirect(reverse("calendar") + "#feed")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself, for calendar programs: no sign-in, the token is the key. A wrong,
    replaced or turned-off token, or a deactivated person: 404, nothing told."""
    owner = feeds.feed_owner(token)
    if owner is None:
        raise Http404
    from interviews.notices import as_reader

    with as_reader(owner):
        body = ics.feed(
            feeds.feed_rounds(owner),
            name=_("Roundtable: %(name)s's interviews") % {"name": owner.display_name},
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="roundtable.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
