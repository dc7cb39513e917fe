"""Pages and actions of the manager's cabinet. Every view is for managers only, except the
read-only decision summaries, which HR's readers (recruiters) and the panel (or the rounds'
interviewers) may open too. A decision is on a live session (``/cabinet/s/<code>/``) or on a
candidate with no session (``/cabinet/candidates/<id>/decide/``), with the same form."""

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
import arbiter
from cabinet import charts, exports, selectors, services
from cabinet.forms import DecisionForm, ReopenForm, StatsRangeForm
from candidates.models import Candidate
from interviews.selectors import sheet_chart
from notify.models import Outbox
from sessions_live.models import LiveSession
from sessions_live.selectors import results_for_page
from video_interviews import review_selectors as video_reviews

View = Callable[..., HttpResponse]
# Refusals about the state of things (409); the rest are about what was sent (400).
STATE_REFUSALS = ("not_ready", "already_decided")


def _manager(user: Any) -> bool:
    if access.can_decide(user):
        return True
    raise PermissionDenied


def manager_only(view: View) -> View:
    """Anonymous people are sent to log in; signed-in non-managers get 403."""
    guarded = login_required(user_passes_test(_manager)(view))
    return wraps(view)(guarded)


def _lists_context(request: HttpRequest) -> dict[str, Any]:
    awaiting = selectors.sessions_awaiting()
    candidates = selectors.candidates_awaiting(user=request.user)
    return {
        "awaiting": awaiting,
        "awaiting_candidates": candidates,
        "awaiting_count": len(awaiting) + len(candidates),
        "decided": selectors.decisions_recent(),
    }


@manager_only
@require_GET
def cabinet_index(request: HttpRequest) -> HttpResponse:
    if request.GET.get("fragment") == "lists":
        # What the page's socket asks for when told that the lists changed.
        return render(request, "cabinet/_lists.html", _lists_context(request))
    return render(request, "cabinet/index.html", _lists_context(request))


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
            "withdrawn": selectors.withdrawn_decisions(session=session),
            "topics": topics,
            "totals": totals,
            "can_decide": access.can_decide(request.user),
            "can_view_results": access.can_view_results(request.user, session),
        },
    )


def _candidate_or_404(pk: int) -> Candidate:
    return get_object_or_404(Candidate, pk=pk)


def _render_candidate(
    request: HttpRequest,
    candidate: Candidate,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    review = selectors.candidate_review(candidate=candidate, user=request.user)
    ready = review["decision"] is None and selectors.candidate_ready_for_decision(
        candidate=candidate
    )
    return render(
        request,
        "cabinet/candidate.html",
        {
            "candidate": candidate,
            **review,
            "ready": ready,
            "chart": sheet_chart(review["sheets"]) if review["sheets"] else None,
            "video_recommendations": video_reviews.for_candidate(
                candidate=candidate, user=request.user
            ),
            "form": form or DecisionForm(hr_language=candidate.hr_language),
            "reopen_form": ReopenForm(),
        },
        status=status,
    )


@manager_only
@require_http_methods(["GET", "POST"])
def cabinet_candidate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A candidate with no session to decide on: their rounds' sheets and the decision form
    (GET), the decision itself (POST), as the session's page does."""
    candidate = _candidate_or_404(pk)
    if request.method == "GET":
        return _render_candidate(request, candidate)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_candidate(request, candidate, form, status=400)

    def again(form: DecisionForm, status: int) -> HttpResponse:
        candidate.refresh_from_db()
        return _render_candidate(request, candidate, form, status=status)

    return _decide(
        request, form, {"candidate": candidate}, again, redirect("cabinet_candidate_decide", pk=pk)
    )


@manager_only
@require_POST
def cabinet_candidate_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate_or_404(pk)
    return _reopen(request, {"candidate": candidate}, redirect("cabinet_candidate_decide", pk=pk))


@login_required
@require_GET
def decision_summary_candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """What was decided about a candidate with no session, read-only: the page HR's messages
    link to. The rounds' points only where the reader may see that round's ratings."""
    candidate = _candidate_or_404(pk)
    if not access.can_view_candidate_decision(request.user, candidate):
        raise PermissionDenied
    decision = selectors.current_decision(candidate=candidate)
    rounds = selectors.rated_rounds(candidate=candidate) if decision is not None else []
    return render(
        request,
        "cabinet/decision_summary.html",
        {
            "session": None,
            "candidate": candidate,
            "decision": decision,
            "withdrawn": selectors.withdrawn_decisions(candidate=candidate),
            "rounds": [
                (r, access.can_view_round_ratings(request.user, r))
                for r in rounds
                if access.can_view_round(request.user, r)
            ],
            "can_decide": access.can_decide(request.user),
        },
    )


@manager_only
@require_POST
def cabinet_decide(request: HttpRequest, code: str) -> HttpResponse:
    session = _session_or_404(code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_session(request, session, form, status=400)

    def again(form: DecisionForm, status: int) -> HttpResponse:
        return _render_session(request, session, form, status=status)

    return _decide(
        request, form, {"session": session}, again, redirect("cabinet_session", code=code)
    )


@manager_only
@require_POST
def cabinet_reopen(request: HttpRequest, code: str) -> HttpResponse:
    session = _session_or_404(code)
    return _reopen(request, {"session": session}, redirect("cabinet_session", code=code))


def _decide(
    request: HttpRequest,
    form: DecisionForm,
    subject: dict[str, Any],
    again: Callable[[DecisionForm, int], HttpResponse],
    done: HttpResponse,
) -> HttpResponse:
    """The decision of a valid form on ``subject`` (``{"session": …}`` or
    ``{"candidate": …}``): ``done`` once made, else ``again`` with the refusal on its field
    (409 for a state the decision does not fit, 400 for a bad value)."""
    data = form.cleaned_data
    try:
        services.decision_make(
            **subject,
            manager=request.user,
            outcome=data["outcome"],
            team=data["team"],
            reasons=list(data["reasons"]),
            comment=data["comment"],
            hr_language=data["hr_language"] or None,
        )
    except services.DecisionRefused as refused:
        form.add_refusal(refused.code, refused.message)
        return again(form, 409 if refused.code in STATE_REFUSALS else 400)
    messages.success(request, _("Decision recorded; HR is being notified."))
    return done


def _reopen(request: HttpRequest, subject: dict[str, Any], done: HttpResponse) -> HttpResponse:
    form = ReopenForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.decision_reopen(**subject, manager=request.user, note=note)
    except services.DecisionRefused as refused:
        messages.error(request, refused.message)
        return done
    messages.success(request, _("Decision reopened; you can decide again."))
    return done


@manager_only
@require_POST
def cabinet_notification_retry(request: HttpRequest, outbox_id: int) -> HttpResponse:
    row = get_object_or_404(Outbox.objects.select_related("decision__session"), pk=outbox_id)
    if services.notification_retry(outbox_id=row.pk, manager=request.user):
        messages.success(request, _("Sending again."))
    else:
        messages.error(request, _("Only a failed message of a current decision can be retried."))
    if row.decision is not None and row.decision.session is not None:
        return redirect("cabinet_session", code=row.decision.session.code)
    if row.decision is not None:
        return redirect("cabinet_candidate_decide", pk=row.decision.candidate_id)
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
