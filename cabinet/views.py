"""Pages and actions of the manager's cabinet. Every view is for managers only, except the
read-only decision summary, which HR's readers (recruiters) and the panel may open too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

import access
import arbiter
from cabinet import charts, exports, selectors, services
from cabinet.forms import DecisionForm, ReopenForm, StatsRangeForm
from cabinet.models import Decision
from notify.models import Outbox
from sessions_live.models import LiveSession
from sessions_live.selectors import results_for_page

View = Callable[..., HttpResponse]


def _manager(user: Any) -> bool:
    if access.can_decide(user):
        return True
    raise PermissionDenied


def manager_only(view: View) -> View:
    """Anonymous people are sent to log in; signed-in non-managers get 403."""
    guarded = login_required(user_passes_test(_manager)(view))
    return wraps(view)(guarded)


def _lists_context() -> dict[str, Any]:
    return {
        "awaiting": selectors.sessions_awaiting(),
        "decided": selectors.decisions_recent(),
    }


@manager_only
@require_GET
def cabinet_index(request: HttpRequest) -> HttpResponse:
    if request.GET.get("fragment") == "lists":
        # What the page's socket asks for when told that the lists changed.
        return render(request, "cabinet/_lists.html", _lists_context())
    return render(request, "cabinet/index.html", _lists_context())


def _session_or_404(code: str) -> LiveSession:
    return get_object_or_404(LiveSession.objects.select_related("candidate", "lead"), code=code)


def _render_session(
    request: HttpRequest,
    session: LiveSession,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    review = selectors.session_review(session=session)
    chart = charts.expected_vs_actual(
        [(line.topic, line.max_points, line.score) for line in review["topics"]],
        expected_label=_("Expected (max points)"),
        actual_label=_("Actual"),
        title=_("Expected vs actual points per topic"),
    )
    return render(
        request,
        "cabinet/session.html",
        {
            "session": session,
            "candidate": session.candidate,
            **review,
            "chart": chart,
            "form": form or DecisionForm(hr_language=session.candidate.hr_language),
            "reopen_form": ReopenForm(),
        },
        status=status,
    )


@manager_only
@require_GET
def cabinet_session(request: HttpRequest, code: str) -> HttpResponse:
    return _render_session(request, _session_or_404(code))


@login_required
@require_GET
def decision_summary(request: HttpRequest, code: str) -> HttpResponse:
    """What was decided about a candidate, read-only: the page HR's messages link to."""
    session = _session_or_404(code)
    if not access.can_view_decision(request.user, session):
        raise PermissionDenied
    decision = selectors.current_decision(session=session)
    topics: list[selectors.TopicLine] = []
    totals = None
    if decision is not None:  # every feedback is in: what HR's message says, no more
        results = results_for_page(
            session=session, state=arbiter.SessionState.from_json(session.state)
        )
        topics, totals = selectors.topic_lines(results), results["totals"]
    return render(
        request,
        "cabinet/decision_summary.html",
        {
            "session": session,
            "candidate": session.candidate,
            "decision": decision,
            "withdrawn": Decision.objects.filter(session=session, reopened_at__isnull=False)
            .select_related("team", "decided_by", "reopened_by")
            .prefetch_related("reasons")
            .order_by("-decided_at", "-id"),
            "topics": topics,
            "totals": totals,
            "can_decide": access.can_decide(request.user),
            "can_view_results": access.can_view_results(request.user, session),
        },
    )


@manager_only
@require_POST
def cabinet_decide(request: HttpRequest, code: str) -> HttpResponse:
    session = _session_or_404(code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, form, status=400)
    data = form.cleaned_data
    try:
        services.decision_make(
            session=session,
            manager=request.user,
            outcome=data["outcome"],
            team=data["team"],
            reasons=list(data["reasons"]),
            comment=data["comment"],
            hr_language=data["hr_language"] or None,
        )
    except services.DecisionRefused as refused:
        form.add_refusal(refused.code, refused.message)
        status = 409 if refused.code in ("not_ready", "already_decided") else 400
        return _render_session(request, session, form, status=status)
    messages.success(request, _("Decision recorded; HR is being notified."))
    return redirect("cabinet_session", code=code)


@manager_only
@require_POST
def cabinet_reopen(request: HttpRequest, code: str) -> HttpResponse:
    session = _session_or_404(code)
    form = ReopenForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.decision_reopen(session=session, manager=request.user, note=note)
    except services.DecisionRefused as refused:
        messages.error(request, refused.message)
        return redirect("cabinet_session", code=code)
    messages.success(request, _("Decision reopened; you can decide again."))
    return redirect("cabinet_session", code=code)


@manager_only
@require_POST
def cabinet_notification_retry(request: HttpRequest, outbox_id: int) -> HttpResponse:
    row = get_object_or_404(Outbox.objects.select_related("decision__session"), pk=outbox_id)
    if services.notification_retry(outbox_id=row.pk, manager=request.user):
        messages.success(request, _("Sending again."))
    else:
        messages.error(request, _("Only a failed message of a current decision can be retried."))
    if row.decision is not None:
        return redirect("cabinet_session", code=row.decision.session.code)
    return redirect("cabinet_index")


def _stats(request: HttpRequest) -> tuple[StatsRangeForm, selectors.WeeklyStats]:
    form = StatsRangeForm(request.GET or None)
    start, end = form.range()
    return form, selectors.weekly_stats(start=start, end=end)


@manager_only
@require_GET
def cabinet_stats(request: HttpRequest) -> HttpResponse:
    form, stats = _stats(request)
    labels = [week.week for week in stats.weeks]
    return render(
        request,
        "cabinet/stats.html",
        {
            "form": form,
            "stats": stats,
            "totals": stats.totals,
            "query": f"start={stats.start.isoformat()}&end={stats.end.isoformat()}",
            "hires_chart": charts.stacked_weeks(
                labels,
                [(team, [w.hires.get(team, 0) for w in stats.weeks]) for team in stats.teams],
                title=_("Hires per team per week"),
            ),
            "rejections_chart": charts.stacked_weeks(
                labels,
                [(r, [w.rejections.get(r, 0) for w in stats.weeks]) for r in stats.reasons],
                title=_("Rejections per reason per week"),
            ),
            "sessions_chart": charts.stacked_weeks(
                labels,
                [(_("Sessions held"), [w.sessions for w in stats.weeks])],
                title=_("Sessions held per week"),
            ),
        },
    )


def _filename(stats: selectors.WeeklyStats, ext: str) -> str:
    return f"roundtable-weekly-{stats.start.isoformat()}-{stats.end.isoformat()}.{ext}"


@manager_only
@require_GET
def cabinet_stats_csv(request: HttpRequest) -> HttpResponse:
    _form, stats = _stats(request)
    response = HttpResponse(exports.stats_csv(stats), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, "csv")}"'
    return response


@manager_only
@require_GET
def cabinet_stats_xlsx(request: HttpRequest) -> HttpResponse:
    _form, stats = _stats(request)
    response = HttpResponse(
        exports.stats_xlsx(stats),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, "xlsx")}"'
    return response
