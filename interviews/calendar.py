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
from html import escape as esc
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

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
    iso: str = ""
    weekday: str = ""  # "Mon" / "Пн"
    month: str = ""  # "Dec" / "Дек"
    html: SafeString = field(default_factory=SafeString)

    @property
    def more(self) -> int:
        return self.total - len(self.rounds)

    def rounds_html(self, week: bool) -> SafeString:
        """The day's ``<li>`` of rounds, built here rather than in a template loop: a month of
        a busy hiring drive holds hundreds of them (each one link, focusable in time order).
        Every value is escaped (``html.escape``; Django's lazy-aware escape is too slow for
        thousands of values)."""
        items = []
        for r in self.rounds:
            detail = ""
            if week:
                who = f" · {esc(r['interviewer'])}" if r["interviewer"] else ""
                detail = f'<span class="cal-detail"> · {esc(r["position"])}{who}</span>'
            status = ""
            if r["cancelled"]:
                status = f' <span class="cal-status">({esc(r["status_label"])})</span>'
            items.append(
                f'<li class="cal-round{" cal-cancelled" if r["cancelled"] else ""}"'
                f' data-status="{esc(r["status"])}"><a href="{esc(r["url"])}">'
                f'<span class="cal-time">{esc(r["time"])}</span> {esc(r["candidate"])} · '
                f"{r['number']:d}. {esc(r['name'])}{detail}{status}</a></li>"
            )
        return mark_safe("\n".join(items))  # noqa: S308 - every value escaped above


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
    user: Any, visible: QuerySet[Round], period: QuerySet[Round], chosen: dict[str, int | None]
) -> dict[str, Any]:
    """The filters' choices: only what the viewer may see. Those who see every round choose
    among every interviewer and position; others among the people and positions of their
    rounds in the shown days. Candidates: those with a round in the shown days (at most
    ``CANDIDATE_OPTIONS``). A chosen one stays among the choices while the viewer may see it."""
    users = get_user_model().objects
    if access.sees_all_candidates(user):
        interviewers = access.interviewers()
        positions = Position.objects.order_by("title", "pk")
    else:
        assisted = Round.assistants.through.objects.filter(round__in=period.values("pk"))
        people = Q(pk__in=period.values("interviewer_id")) | Q(pk__in=assisted.values("user_id"))
        if chosen["interviewer"] is not None:
            mine = Round.assistants.through.objects.filter(round__in=visible.values("pk"))
            people |= Q(pk=chosen["interviewer"]) & (
                Q(pk__in=visible.values("interviewer_id")) | Q(pk__in=mine.values("user_id"))
            )
        interviewers = users.filter(people).order_by("first_name", "last_name", "username")
        places = Q(pk__in=period.values("position_id"))
        if chosen["position"] is not None:
            places |= Q(pk=chosen["position"], pk__in=visible.values("position_id"))
        positions = Position.objects.filter(places).order_by("title", "pk")
    seen = _filtered(period, {**chosen, "candidate": None})
    shown = Q(pk__in=seen.values("candidate_id"))
    if chosen["candidate"] is not None:
        shown |= Q(pk=chosen["candidate"], pk__in=visible.values("candidate_id"))
    candidates = list(
        Candidate.objects.filter(shown)
        .order_by("full_name", "pk")
        .values_list("pk", "full_name")[: CANDIDATE_OPTIONS + 1]
    )
    people_named = (
        (pk, _person(first, last, username))
        for pk, first, last, username in interviewers.values_list(
            "pk", "first_name", "last_name", "username"
        )
    )
    return {
        "interviewers": _option_tags(people_named, chosen["interviewer"]),
        "positions": _option_tags(positions.values_list("pk", "title"), chosen["position"]),
        "candidates": _option_tags(candidates[:CANDIDATE_OPTIONS], chosen["candidate"]),
        "candidates_cut": len(candidates) > CANDIDATE_OPTIONS,
    }


def _option_tags(items: Any, chosen: int | None) -> SafeString:
    return mark_safe(  # noqa: S308 - ids are ints, labels escaped
        "\n".join(
            f'<option value="{pk:d}"{" selected" if pk == chosen else ""}>{esc(label)}</option>'
            for pk, label in items
        )
    )


def _person(first: str, last: str, username: str) -> str:
    return f"{first or ''} {last or ''}".strip() or username


def _rounds_by_day(in_period: QuerySet[Round], per_day: int) -> tuple[dict, dict]:
    """The first ``per_day`` rounds of each day (by time) and each day's count. Two queries
    whatever the count: a window over the period's rounds alone (narrow rows: ranks and
    counts per day, no joins) picks them, then those few are read with their names."""
    zone = timezone.get_current_timezone()
    day = TruncDate("starts_at", tzinfo=zone)
    ranked = (
        in_period.annotate(
            day=day,
            rank=Window(
                RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]
            ),
            total=Window(Count("pk"), partition_by=[day]),
        )
        .filter(rank__lte=per_day)
        .order_by()
        .values_list("pk", "day", "total")
    )
    day_of, totals = {}, {}
    for pk, on, total in ranked:
        day_of[pk] = on
        totals[on] = total
    rows = (
        Round.objects.filter(pk__in=list(day_of))
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "starts_at",
            "order",
            "name",
            "status",
            "candidate__full_name",
            "position__title",
            "interviewer__first_name",
            "interviewer__last_name",
            "interviewer__username",
        )  # fmt: skip
    )
    link = reverse("round_detail", args=[0]).replace("/0/", "/{}/")
    labels = {value: str(label) for value, label in Round.Status.choices}
    shown: dict[date, list[dict[str, Any]]] = {}
    for pk, starts_at, order, name, status, candidate, position, first, last, username in rows:
        shown.setdefault(day_of[pk], []).append(
            {
                "pk": pk,
                "url": link.format(pk),
                "time": timezone.localtime(starts_at, zone).strftime("%H:%M"),
                "number": order + 1,
                "name": name,
                "status": status,
                "status_label": labels[status],
                "cancelled": status == Round.Status.CANCELLED,
                "candidate": candidate,
                "position": position,
                "interviewer": _person(first, last, username or "") if username else "",
            }
        )
    return shown, totals


def _on_rounds_between(user: Any, start: datetime, end: datetime) -> list[int]:
    """The rounds ``user`` is on (interviewer or assistant) in [start, end), by the indexes
    (interviewer, starts_at) and the assistants' — one query. Only a narrowing for those who
    do not see every round: ``access.visible_rounds`` still decides (the page intersects)."""
    own = Round.objects.filter(interviewer=user, starts_at__gte=start, starts_at__lt=end)
    assisted = Round.assistants.through.objects.filter(
        user=user, round__starts_at__gte=start, round__starts_at__lt=end
    )
    return list(
        own.order_by()
        .values_list("pk", flat=True)
        .union(assisted.order_by().values_list("round_id", flat=True))
    )


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
    if not access.sees_all_candidates(user):
        period = period.filter(pk__in=_on_rounds_between(user, _aware(start), _aware(end)))
    in_period = _filtered(period, chosen)
    shown, totals = _rounds_by_day(in_period, WEEK_PER_DAY if view == "week" else MONTH_PER_DAY)
    days, names = [], {}
    for n in range((end - start).days):
        day = start + timedelta(days=n)
        for key, fmt in ((("D", day.weekday()), "D"), (("M", day.month), "M")):
            if key not in names:
                names[key] = formats.date_format(day, fmt)
        days.append(
            Day(
                day,
                first <= day < after,
                day == today,
                shown.get(day, []),
                totals.get(day, 0),
                iso=day.isoformat(),
                weekday=names[("D", day.weekday())],
                month=names[("M", day.month)],
            )  # fmt: skip
        )
    options = _options(user, visible, period, chosen)
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
        day.week_q = _query(view="week", date=day.iso, **filters)
        day.html = day.rounds_html(view == "week")
    context = {
        "view": view,
        "days": days,
        "weekdays": days[:7],
        "week": view == "week",
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


@require_safe  # GET, and HEAD (some calendar programs look before they read)
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
