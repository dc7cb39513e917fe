"""Pages of interview plans, candidates' interviews, rounds and their ratings. Thin: the
access module says who may open each, ``interviews.services`` writes, ``selectors`` reads."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from access import video as video_access
from access.decorators import allowed
from access.interviews import rounds_on
from candidates.models import Candidate, Position
from interviews import selectors, services
from interviews.models import MAX_ASPECTS, PlanRound, Round, RoundKind
from questionbank.models import Topic
from video_interviews.models import VideoInterview

BLANK_ASPECT_ROWS = 3


# --- forms -----------------------------------------------------------------------------------


class PlanRoundForm(forms.Form):
    field_order = ["name", "kind", "video_interview"]

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=RoundKind.choices)
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration, minutes"), min_value=5, max_value=480, initial=60
    )
    default_interviewer = forms.ModelChoiceField(
        label=gettext_lazy("Default interviewer"), queryset=Candidate.objects.none(), required=False
    )
    assistants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Assisting interviewers"),
        queryset=Candidate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pool = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Interviewers the scheduler may choose"),
        queryset=Candidate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The hourly scheduler books one of them (the least loaded who is free). "
            "None ticked: the default interviewer."
        ),
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the interviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics (panel rounds)"),
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    video_interview = forms.ModelChoiceField(
        label=gettext_lazy("Video interview (one-way rounds)"),
        queryset=VideoInterview.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "The candidate is invited into it by e-mail when their interview reaches this "
            "round; its reviewers' recommendations decide the round. A one-way round has no "
            "interviewers, topics or aspects of its own. Active video interviews are listed."
        ),
    )

    def __init__(
        self, *args: Any, user: Any = None, current: PlanRound | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = access.interviewers()
        self.fields["default_interviewer"].queryset = people
        self.fields["assistants"].queryset = people
        self.fields["pool"].queryset = people
        # Those the recruiter may see that invite now, and the round's own (whatever its state:
        # saving the round unchanged keeps it).
        active = Q(status=VideoInterview.Status.ACTIVE)
        if current is not None and current.video_interview_id:
            active |= Q(pk=current.video_interview_id)
        self.fields["video_interview"].queryset = (
            video_access.visible_video_interviews(user=user).filter(active).order_by("title")
        )


class AssignForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        label=gettext_lazy("Interviewer"), queryset=Candidate.objects.none(), required=False
    )
    assistants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Assisting interviewers"),
        queryset=Candidate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("In your time zone. Empty: no time yet."),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Duration, minutes"), min_value=5, max_value=480
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions for the interviewers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = access.interviewers()
        self.fields["interviewer"].queryset = people
        self.fields["assistants"].queryset = people


class RateForm(forms.Form):
    feedback = forms.CharField(
        label=gettext_lazy("Feedback"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Overall recommendation"),
        choices=Round.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=Round.Outcome.choices, widget=forms.RadioSelect
    )


def _refused(form: forms.Form | None, refused: services.InterviewRefused) -> None:
    if form is not None and refused.field in (form.fields if form else {}):
        form.add_error(refused.field, refused.message)
    elif form is not None:
        form.add_error(None, refused.message)


# --- plans -----------------------------------------------------------------------------------


@allowed(access.can_view_plans)
@require_GET
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(Position, pk=pk)
    return render(
        request,
        "interviews/plan.html",
        {
            "position": position,
            "rounds": selectors.plan_of(position),
            "can_edit": access.can_manage_plans(request.user),
        },
    )


def _aspects_from(request: HttpRequest) -> tuple[list[services.AspectSpec], list[dict[str, str]]]:
    """The aspect rows as posted (``aspect_name`` / ``aspect_points`` side by side)."""
    names = request.POST.getlist("aspect_name")[: MAX_ASPECTS + BLANK_ASPECT_ROWS]
    points = request.POST.getlist("aspect_points")
    rows, specs = [], []
    for index, name in enumerate(names):
        raw = points[index] if index < len(points) else ""
        rows.append({"name": name, "points": raw})
        if not name.strip():
            continue
        try:
            value = int(raw or 5)
        except ValueError:
            value = -1  # the service refuses it with the reason
        specs.append(services.AspectSpec(name, value))
    return specs, rows


@allowed(access.can_manage_plans)
@require_http_methods(["GET", "POST"])
def plan_round_edit(request: HttpRequest, pk: int, round_pk: int | None = None) -> HttpResponse:
    position = get_object_or_404(Position, pk=pk)
    existing = None
    if round_pk is not None:
        existing = get_object_or_404(PlanRound.objects.filter(position=position), pk=round_pk)
    if request.method == "POST":
        form = PlanRoundForm(request.POST, user=request.user, current=existing)
        specs, rows = _aspects_from(request)
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "name": data["name"],
                "kind": data["kind"],
                "duration_minutes": data["duration_minutes"],
                "instructions": data["instructions"],
                "default_interviewer": data["default_interviewer"],
                "video_interview": data["video_interview"],
            }
            try:
                if existing is None:
                    services.plan_round_create(
                        position=position,
                        fields=fields,
                        aspects=specs,
                        assistants=list(data["assistants"]),
                        topics=list(data["topics"]),
                        pool=list(data["pool"]),
                    )
                else:
                    services.plan_round_update(
                        plan_round=existing,
                        fields=fields,
                        aspects=specs,
                        assistants=list(data["assistants"]),
                        topics=list(data["topics"]),
                        pool=list(data["pool"]),
                    )
            except services.InterviewRefused as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("position_plan", pk=position.pk)
    else:
        initial: dict[str, Any] = {}
        rows = []
        if existing is not None:
            initial = {
                "name": existing.name,
                "kind": existing.kind,
                "duration_minutes": existing.duration_minutes,
                "instructions": existing.instructions,
                "default_interviewer": existing.default_interviewer,
                "assistants": list(existing.assistants.all()),
                "topics": list(existing.topics.all()),
                "pool": list(existing.pool.all()),
                "video_interview": existing.video_interview,
            }
            rows = [
                {"name": a.name, "points": str(a.expected_points)} for a in existing.aspects.all()
            ]
        form = PlanRoundForm(initial=initial, user=request.user, current=existing)
    rows = [*rows, *({"name": "", "points": ""} for _n in range(BLANK_ASPECT_ROWS))]
    return render(
        request,
        "interviews/plan_round_form.html",
        {"position": position, "plan_round": existing, "form": form, "aspect_rows": rows},
    )


@allowed(access.can_manage_plans)
@require_POST
def plan_round_move(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    plan_round = get_object_or_404(PlanRound.objects.filter(position_id=pk), pk=round_pk)
    services.plan_round_move(plan_round=plan_round, by=-1 if request.POST.get("by") == "-1" else 1)
    return redirect("position_plan", pk=pk)


@allowed(access.can_manage_plans)
@require_POST
def plan_round_delete(request: HttpRequest, pk: int, round_pk: int) -> HttpResponse:
    plan_round = get_object_or_404(PlanRound.objects.filter(position_id=pk), pk=round_pk)
    services.plan_round_delete(plan_round=plan_round)
    messages.success(request, _("The round is removed from the plan."))
    return redirect("position_plan", pk=pk)


# --- a candidate's interviews -------------------------------------------------------------


@allowed(access.can_manage_interviews)
@require_http_methods(["GET", "POST"])
def interview_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a candidate's interview on one of their positions; an open one asks first."""
    candidate = get_object_or_404(Candidate, pk=pk)
    positions = list(candidate.positions.filter(status=Position.Status.OPEN).order_by("title"))
    error = ""
    confirm = None
    chosen = None
    if request.method == "POST":
        chosen = next((p for p in positions if str(p.pk) == request.POST.get("position")), None)
        if chosen is None:
            error = _("Choose one of the candidate's open positions.")
        else:
            try:
                interview = services.interview_create(
                    candidate=candidate,
                    position=chosen,
                    by=request.user,
                    replace_open=request.POST.get("replace_open") == "1",
                )
            except services.InterviewRefused as refused:
                if refused.code == "open_interview":
                    confirm = services.open_interview(candidate)
                error = refused.message
            else:
                count = interview.rounds.count()
                messages.success(
                    request,
                    ngettext(
                        "The interview for “%(title)s” is created with %(count)d round.",
                        "The interview for “%(title)s” is created with %(count)d rounds.",
                        count,
                    )
                    % {"title": chosen.title, "count": count},
                )
                return redirect("candidate_detail", pk=candidate.pk)
    return render(
        request,
        "interviews/interview_new.html",
        {
            "candidate": candidate,
            "positions": positions,
            "error": error,
            "confirm": confirm,
            "chosen": chosen,
        },
        status=409 if confirm is not None else (400 if error else 200),
    )


@login_required
@require_GET
def candidate_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """The candidate's rating sheet: every round the reader may see the ratings of, its
    aspects' points against the expected, comments, and one chart of them all."""
    candidate = get_object_or_404(Candidate, pk=pk)
    if not access.can_view_candidate(request.user, candidate):
        raise PermissionDenied
    sheets = selectors.rating_sheets(
        selectors.rounds_with_parts(
            access.visible_rounds(user=request.user).filter(candidate=candidate)
        ),
        request.user,
    )
    return render(
        request,
        "interviews/candidate_ratings.html",
        {"candidate": candidate, "sheets": sheets, "chart": selectors.sheet_chart(sheets)},
    )


# --- rounds ------------------------------------------------------------------------------------


def _round_for(request: HttpRequest, pk: int) -> Round:
    round_ = get_object_or_404(selectors.rounds_with_parts(Round.objects.all()), pk=pk)
    if not access.can_view_round(request.user, round_):
        raise PermissionDenied
    return round_


@allowed(access.can_run_interviews)
@require_GET
def my_rounds(request: HttpRequest) -> HttpResponse:
    """The rounds the reader is on: to rate or hold, then the recent ones done."""
    rounds = selectors.rounds_with_parts(
        rounds_on(request.user)
    )
    upcoming = list(rounds.filter(status__in=["planned", "scheduled", "running"])[:200])
    upcoming.sort(key=lambda r: (r.starts_at is None, r.starts_at or timezone.now()))
    done = list(rounds.filter(status="done").order_by("-rated_at")[:50])
    return render(request, "interviews/my_rounds.html", {"upcoming": upcoming, "done": done})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    sheets = (
        selectors.rating_sheets([round_], request.user)
        if access.can_view_round_ratings(request.user, round_)
        else []
    )
    return render(
        request,
        "interviews/round.html",
        {
            "round": round_,
            "sheets": sheets,
            "chart": selectors.sheet_chart(sheets) if sheets and sheets[0]["aspects"] else None,
            "one_way": selectors.one_way_of(round_, request.user),
            "can_assign": access.can_manage_interviews(request.user)
            and round_.kind != RoundKind.ONE_WAY
            and round_.status in ("planned", "scheduled"),
            "can_cancel": access.can_manage_interviews(request.user)
            and round_.status in ("planned", "scheduled"),
            "can_rate": access.can_rate_round(request.user, round_),
            "can_start": access.can_start_round_session(request.user, round_),
            "session_url": (
                access.session_link(request.user, round_.session) if round_.session else ""
            ),
        },
    )


def _local_naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)


@allowed(access.can_manage_interviews)
@require_http_methods(["GET", "POST"])
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            starts_at = data["starts_at"]
            if starts_at is not None and timezone.is_naive(starts_at):
                # The form's time is the viewer's wall clock (accounts.middleware's zone).
                zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
                starts_at = starts_at.replace(tzinfo=zone)
            try:
                services.round_assign(
                    round_=round_,
                    by=request.user,
                    interviewer=data["interviewer"],
                    assistants=list(data["assistants"]),
                    instructions=data["instructions"],
                    starts_at=starts_at,
                    duration_minutes=data["duration_minutes"],
                )
            except services.InterviewRefused as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("The round is assigned."))
                return redirect("round_detail", pk=round_.pk)
    else:
        form = AssignForm(
            initial={
                "interviewer": round_.interviewer,
                "assistants": list(round_.assistants.all()),
                "starts_at": _local_naive(round_.starts_at),
                "duration_minutes": round_.duration_minutes,
                "instructions": round_.instructions,
            }
        )
    return render(
        request,
        "interviews/round_assign.html",
        {"round": round_, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_rate(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    if not access.can_rate_round(request.user, round_):
        raise PermissionDenied
    aspects = list(round_.aspects.all())
    rows = [{"aspect": a, "points": "", "comment": ""} for a in aspects]
    if request.method == "POST":
        form = RateForm(request.POST)
        ratings: dict[int, services.Rating] = {}
        bad = False
        for row in rows:
            aspect = row["aspect"]
            raw = request.POST.get(f"points_{aspect.pk}", "").strip()
            row["points"] = raw
            row["comment"] = request.POST.get(f"comment_{aspect.pk}", "")[:5000]
            if raw == "":
                continue
            try:
                ratings[aspect.pk] = services.Rating(int(raw), row["comment"])
            except ValueError:
                bad = True
        if bad:
            form.add_error(None, _("Points are whole numbers."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.round_rate(
                    round_=round_,
                    by=request.user,
                    ratings=ratings,
                    feedback=data["feedback"],
                    recommendation=data["recommendation"],
                    outcome=data["outcome"],
                )
            except services.InterviewRefused as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("Your rating is saved."))
                return redirect("round_detail", pk=round_.pk)
    else:
        form = RateForm()
    return render(
        request,
        "interviews/round_rate.html",
        {"round": round_, "form": form, "rows": rows},
        status=400 if form.errors else 200,
    )


@allowed(access.can_manage_interviews)
@require_POST
def round_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round_for(request, pk)
    try:
        services.round_cancel(round_=round_, by=request.user)
    except services.InterviewRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The round is cancelled."))
    return redirect("round_detail", pk=round_.pk)


@login_required
@require_POST
def round_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a one-way round's invitation by hand (when the automatic one could not go)."""
    round_ = _round_for(request, pk)
    if not access.interviews.can_invite_round(request.user, round_):
        raise PermissionDenied
    try:
        services.round_invite(round_=round_, by=request.user)
    except services.InterviewRefused as refused:
        messages.error(request, refused.message)
    else:
        if Round.objects.filter(pk=round_.pk, video_invitation__isnull=False).exists():
            messages.success(
                request,
                _("%(name)s is invited into the video interview by e-mail.")
                % {"name": round_.candidate.full_name},
            )
        else:  # refused by the video interview meanwhile (its log says why)
            messages.error(request, _("The invitation could not be sent. Try again later."))
    return redirect("round_detail", pk=round_.pk)


@login_required
@require_POST
def round_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a panel round's live session and go to it."""
    round_ = _round_for(request, pk)
    if not access.can_start_round_session(request.user, round_):
        raise PermissionDenied
    try:
        row = services.round_start_session(round_=round_, by=request.user)
    except services.InterviewRefused as refused:
        messages.error(request, refused.message)
        return redirect("round_detail", pk=round_.pk)
    assert row.session is not None
    return redirect("session_live", code=row.session.code)


@login_required
@require_GET
def interviewer_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every round a person was on, newest first and a page at a time: the rated ones with
    their rating sheet, the others with their status; and their load per week."""
    from django.contrib.auth import get_user_model
    from django.core.paginator import Paginator

    person = get_object_or_404(get_user_model(), pk=pk)
    if not access.can_view_interviewer_history(request.user, person):
        raise Http404
    pages = Paginator(selectors.history_rounds(person), selectors.HISTORY_PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    return render(
        request,
        "interviews/interviewer_history.html",
        {
            "person": person,
            "page": page,
            "entries": selectors.history_entries(page.object_list, request.user),
            "weeks": selectors.load_per_week(person),
        },
    )
