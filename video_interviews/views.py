"""The recruiters' pages of the one-way interviews (``access.video``: recruiters and admins):

* ``/video-interviews/`` — every interview with its counts and completion rate;
* ``/video-interviews/new/`` → ``new/invite/`` → ``new/review/`` — the three steps of *New
  interview*: (1) title, description, deadline, position and the ordered questions (written
  here, from the bank by topic, or a saved template; each with its thinking time, answer
  limit and retakes; moved by drag or by the up/down buttons, which work without
  JavaScript), (2) the addresses (typed, pasted or a CSV file; bad ones listed and nothing
  kept), (3) review and create. The wizard's state lives in the person's session until
  created;
* ``/video-interviews/<id>/`` — invited / opened / started / completed with rates, each
  invitation's status and its e-mail's delivery (a failed one with the reason), revoke,
  resend, remind those not finished, invite more, the interview's settings, save its
  questions as a template.

Thin: every write is ``video_interviews.services``'; a GET changes nothing but the wizard's
own session state."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import video as video_access
from access.decorators import allowed
from candidates.models import Position
from questionbank.models import Question as BankQuestion
from questionbank.models import Topic
from video_interviews import review_views, rules, selectors, services
from video_interviews.forms import (
    DATETIME_LOCAL,
    AddressesForm,
    InterviewFieldsForm,
    QuestionRow,
    SettingsForm,
    TemplateNameForm,
    read_questions,
)
from video_interviews.models import Invitation, QuestionSetTemplate, VideoInterview

WIZARD = "video_interview_wizard"
manages = allowed(video_access.can_manage_video_interviews)


def _key() -> str:
    return secrets.token_hex(4)


# --- the list ---------------------------------------------------------------------------------


@manages
@require_GET
def interview_list(request: HttpRequest) -> HttpResponse:
    interviews = list(
        selectors.with_counts(video_access.visible_video_interviews(user=request.user))
        .select_related("created_by", "position")
        .order_by("-created_at", "-id")[:200]
    )
    for interview in interviews:
        interview.rates = selectors.rates(interview)
    return render(request, "video_interviews/list.html", {"interviews": interviews})


# --- the wizard: its state ---------------------------------------------------------------------


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(WIZARD)
    if not isinstance(state, dict):
        state = {
            "fields": {"title": "", "description": "", "deadline": "", "position": ""},
            "questions": [QuestionRow(key=_key()).as_dict()],
            "emails": [],
            "duplicates": [],
            "existing": [],
            "emails_text": "",
            "language": request.LANGUAGE_CODE
            if request.LANGUAGE_CODE in dict(settings.LANGUAGES)
            else settings.LANGUAGE_CODE,
            "bank_topic": "",
            "step1_ok": False,
            "step2_ok": False,
        }
    return state


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[WIZARD] = state
    request.session.modified = True


def _rows(state: dict[str, Any]) -> list[QuestionRow]:
    return [QuestionRow(**row) for row in state["questions"]]


def _deadline(state: dict[str, Any]) -> datetime | None:
    moment = parse_datetime(state["fields"].get("deadline") or "")
    return moment if moment is not None and timezone.is_aware(moment) else None


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime(DATETIME_LOCAL) if moment else ""


def _position(state: dict[str, Any]) -> Position | None:
    pk = str(state["fields"].get("position") or "")
    return Position.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


# --- step 1 -----------------------------------------------------------------------------------


def _step1_context(
    request: HttpRequest, state: dict[str, Any], form: InterviewFieldsForm, **extra: Any
) -> dict[str, Any]:
    topic_id = str(state.get("bank_topic") or "")
    topic = Topic.objects.filter(pk=int(topic_id)).first() if topic_id.isdigit() else None
    bank = []
    if topic is not None and video_access.can_pick_bank_questions(request.user):
        bank = list(BankQuestion.objects.active().filter(topic=topic).order_by("id")[:200])
    rows = _rows(state)
    return {
        "form": form,
        "rows": rows,
        "limits": {
            "thinking_max": rules.THINKING_MAX,
            "answer_min": rules.ANSWER_MIN,
            "answer_max": rules.ANSWER_MAX,
            "retakes_max": rules.RETAKES_MAX,
            "questions_max": rules.QUESTIONS_MAX,
        },
        "topics": Topic.objects.order_by("name"),
        "topic": topic,
        "bank": bank,
        "templates": QuestionSetTemplate.objects.all(),
        "step": 1,
        **extra,
    }


def _fields_form(state: dict[str, Any]) -> InterviewFieldsForm:
    fields = state["fields"]
    return InterviewFieldsForm(
        initial={
            "title": fields.get("title", ""),
            "description": fields.get("description", ""),
            "deadline": _local(_deadline(state)),
            "position": fields.get("position") or None,
        }
    )


def _apply_action(request: HttpRequest, state: dict[str, Any], action: str) -> str:
    """One of step 1's buttons other than *Next*; returns the button to focus afterwards."""
    rows = _rows(state)
    verb, _colon, key = action.partition(":")
    if verb == "add" and len(rows) < rules.QUESTIONS_MAX:
        rows.append(QuestionRow(key=_key()))
        focus = f"q-{rows[-1].key}-text"
    elif verb == "remove":
        rows = [r for r in rows if r.key != key]
        focus = "add-question"
    elif verb in ("up", "down"):
        order = rules.moved([r.key for r in rows], key, -1 if verb == "up" else 1)
        by_key = {r.key: r for r in rows}
        rows = [by_key[k] for k in order]
        focus = f"{verb}-{key}"
    elif verb == "bank":
        state["bank_topic"] = request.POST.get("bank_topic", "")[:18]
        focus = "bank-list"
    elif verb == "bank-add":
        ids = [int(i) for i in request.POST.getlist("bank_pick")[:50] if i.isdigit()]
        picked = {q.pk: q for q in BankQuestion.objects.active().filter(pk__in=ids)}
        present = {r.bank for r in rows}
        if picked:
            rows = [r for r in rows if r.text.strip() or r.bank]  # the empty row goes
        for pk in ids:
            question = picked.get(pk)
            if question is None or str(pk) in present or len(rows) >= rules.QUESTIONS_MAX:
                continue
            rows.append(QuestionRow(key=_key(), text=question.text, bank=str(pk)))
            present.add(str(pk))
        focus = "question-list"
    elif verb == "template-use":
        template_id = request.POST.get("template", "")
        template = (
            QuestionSetTemplate.objects.filter(pk=int(template_id)).first()
            if template_id.isdigit()
            else None
        )
        if template is not None:
            rows = [QuestionRow.from_spec(_key(), spec) for spec in template.specs()]
            messages.info(
                request, _("The questions of “%(name)s” are in the list.") % {"name": template.name}
            )
        focus = "question-list"
    else:
        focus = ""
    state["questions"] = [r.as_dict() for r in rows[: rules.QUESTIONS_MAX]]
    return focus


@manages
@require_http_methods(["GET", "POST"])
def new_step1(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if request.method == "GET":
        return render(
            request,
            "video_interviews/new_step1.html",
            _step1_context(request, state, _fields_form(state)),
        )
    action = request.POST.get("action", "")[:40]
    if action == "reset":
        request.session.pop(WIZARD, None)
        return redirect("video_interview_new")
    form = InterviewFieldsForm(request.POST)
    fields_valid = form.is_valid()
    data = form.cleaned_data if fields_valid else {}
    state["fields"] = {
        "title": request.POST.get("title", "")[:300],
        "description": request.POST.get("description", "")[:10_000],
        "deadline": data["deadline"].isoformat() if data.get("deadline") else "",
        "position": str(data["position"].pk) if data.get("position") else "",
    }
    rows = read_questions(request.POST)
    state["questions"] = [r.as_dict() for r in rows] or [QuestionRow(key=_key()).as_dict()]
    state["step1_ok"] = False
    if action == "template-save":
        return _save_template(request, state, form)
    if action != "next":
        focus = _apply_action(request, state, action)
        _save(request, state)
        unbound = _fields_form(state)
        return render(
            request,
            "video_interviews/new_step1.html",
            _step1_context(request, state, unbound, focus=focus),
        )
    problems: list[str] = []
    if fields_valid:
        try:
            services.check_deadline(data["deadline"], timezone.now())
        except services.VideoRefused as refused:
            form.add_error("deadline", refused.message)
    try:
        services.check_questions([r.spec() for r in rows])
    except services.VideoRefused as refused:
        problems = refused.details.get("messages", [refused.message])
    if form.errors or problems:
        _save(request, state)
        return render(
            request,
            "video_interviews/new_step1.html",
            _step1_context(request, state, form, problems=problems),
            status=400,
        )
    state["step1_ok"] = True
    _save(request, state)
    return redirect("video_interview_new_invite")


def _save_template(
    request: HttpRequest, state: dict[str, Any], form: InterviewFieldsForm
) -> HttpResponse:
    rows = _rows(state)
    try:
        template = services.template_save(
            by=request.user,
            name=request.POST.get("template_name", "")[:300],
            questions=[r.spec() for r in rows],
        )
    except services.VideoRefused as refused:
        _save(request, state)
        context = _step1_context(
            request, state, _fields_form(state), template_error=refused.message,
            problems=refused.details.get("messages", []),
        )  # fmt: skip
        return render(request, "video_interviews/new_step1.html", context, status=400)
    _save(request, state)
    messages.success(request, _("Saved as the template “%(name)s”.") % {"name": template.name})
    return redirect("video_interview_new")


# --- step 2 -----------------------------------------------------------------------------------


def read_addresses(
    form: AddressesForm, interview: VideoInterview | None
) -> tuple[rules.Addresses | None, str]:
    """The addresses a valid ``AddressesForm`` gives (text and CSV together), sorted out;
    or (None, why not) for a CSV file that cannot be read or a batch that cannot be sent."""
    found = rules.split_addresses(form.cleaned_data.get("emails") or "")
    upload = form.cleaned_data.get("csv_file")
    if upload is not None:
        limit = settings.VIDEO_CSV_MAX_BYTES
        if upload.size > limit:
            return None, _csv_message("csv_too_large")
        try:
            found += rules.addresses_from_csv(upload.read(limit + 1), max_bytes=limit)
        except rules.CsvProblem as problem:
            return None, _csv_message(problem.code)
    addresses = services.sort_emails(emails=found, interview=interview)
    refusal = services.addresses_refusal(addresses)
    return addresses, refusal.message if refusal is not None else ""


def _csv_message(code: str) -> str:
    return {
        "csv_too_large": _("The CSV file is larger than %(kb)d KB.")
        % {"kb": settings.VIDEO_CSV_MAX_BYTES // 1024},
        "csv_empty": _("The CSV file has no rows."),
    }.get(code, _("This file is not a CSV text file."))


@manages
@require_http_methods(["GET", "POST"])
def new_step2(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if not state.get("step1_ok"):
        return redirect("video_interview_new")
    if request.method == "GET":
        form = AddressesForm(
            initial={"emails": state.get("emails_text", ""), "language": state["language"]}
        )
        return render(request, "video_interviews/new_step2.html", {"form": form, "step": 2})
    form = AddressesForm(request.POST, request.FILES)
    context: dict[str, Any] = {"form": form, "step": 2}
    if form.is_valid():
        addresses, refusal = read_addresses(form, None)
        if addresses is not None and not refusal:
            state.update(
                emails=addresses.valid,
                duplicates=addresses.duplicates,
                existing=[],
                emails_text=form.cleaned_data.get("emails") or "\n".join(addresses.valid),
                language=form.cleaned_data["language"],
                step2_ok=True,
            )
            _save(request, state)
            return redirect("video_interview_new_review")
        context.update(refusal=refusal, addresses=addresses)
    return render(request, "video_interviews/new_step2.html", context, status=400)


# --- step 3 -----------------------------------------------------------------------------------


@manages
@require_http_methods(["GET", "POST"])
def new_step3(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if not state.get("step1_ok"):
        return redirect("video_interview_new")
    if not state.get("step2_ok"):
        return redirect("video_interview_new_invite")
    rows = _rows(state)
    specs = [r.spec() for r in rows]
    if request.method == "POST":
        try:
            interview = services.interview_create(
                by=request.user,
                title=state["fields"]["title"],
                description=state["fields"]["description"],
                deadline=_deadline(state) or timezone.now(),
                position=_position(state),
                questions=specs,
                emails=state["emails"],
                language=state["language"],
            )
        except services.VideoRefused as refused:
            messages.error(request, refused.message)
            if refused.field == "emails":
                return redirect("video_interview_new_invite")
            state["step1_ok"] = False
            _save(request, state)
            return redirect("video_interview_new")
        request.session.pop(WIZARD, None)
        sent = len(state["emails"])
        messages.success(
            request,
            ngettext(
                "The interview is created; %(n)d invitation is on its way.",
                "The interview is created; %(n)d invitations are on their way.",
                sent,
            )
            % {"n": sent},
        )
        return redirect("video_interview_detail", pk=interview.pk)
    return render(
        request,
        "video_interviews/new_step3.html",
        {
            "step": 3,
            "fields": state["fields"],
            "deadline": _deadline(state),
            "position": _position(state),
            "rows": specs,
            "total_seconds": rules.total_seconds(specs),
            "emails": state["emails"],
            "duplicates": state["duplicates"],
            "language": dict(settings.LANGUAGES).get(state["language"], state["language"]),
        },
    )


# --- one interview ----------------------------------------------------------------------------


def _interview(request: HttpRequest, pk: int) -> VideoInterview:
    return get_object_or_404(
        selectors.with_counts(
            video_access.visible_video_interviews(user=request.user)
        ).select_related("created_by", "position"),
        pk=pk,
    )


def _detail(request: HttpRequest, interview: VideoInterview, status: int = 200,
            **extra: Any) -> HttpResponse:  # fmt: skip
    settings_form = extra.pop("settings_form", None) or SettingsForm(
        initial={
            "title": interview.title,
            "description": interview.description,
            "status": interview.status,
            "deadline": _local(interview.deadline),
        }
    )
    invite_form = extra.pop("invite_form", None) or AddressesForm(
        initial={"language": request.LANGUAGE_CODE}
    )
    questions = list(interview.questions.order_by("order"))
    invitations = selectors.invitations_of(interview)
    return render(
        request,
        "video_interviews/detail.html",
        {
            "interview": interview,
            "rates": selectors.rates(interview),
            "invitations": invitations,
            **review_views.detail_extras(interview, invitations),
            "questions": questions,
            "total_seconds": rules.total_seconds(q.spec() for q in questions),
            "settings_form": settings_form,
            "invite_form": invite_form,
            "template_form": extra.pop("template_form", None) or TemplateNameForm(),
            "deadline_passed": interview.deadline <= timezone.now(),
            **extra,
        },
        status=status,
    )


@manages
@require_GET
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _interview(request, pk))


@manages
@require_POST
def interview_invite(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(request, pk)
    form = AddressesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, interview, 400, invite_form=form)
    addresses, refusal = read_addresses(form, interview)
    if addresses is None or refusal:
        return _detail(request, interview, 400, invite_form=form, invite_refusal=refusal,
                       invite_addresses=addresses)  # fmt: skip
    try:
        invited = services.invitations_create(
            interview=interview,
            by=request.user,
            emails=addresses.valid,
            language=form.cleaned_data["language"],
        )
    except services.VideoRefused as refused:
        return _detail(request, interview, 400, invite_form=form, invite_refusal=refused.message)
    sent = len(invited.created)
    messages.success(
        request,
        ngettext("%(n)d invitation is on its way.", "%(n)d invitations are on their way.", sent)
        % {"n": sent},
    )
    if addresses.existing:
        messages.info(
            request,
            _("Invited before, left as they are (resend them from the list): %(list)s")
            % {"list": ", ".join(addresses.existing[:20])},
        )
    return redirect("video_interview_detail", pk=interview.pk)


@manages
@require_POST
def interview_remind(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(request, pk)
    try:
        count = services.invitations_remind(interview=interview, by=request.user)
    except services.VideoRefused as refused:
        messages.error(request, refused.message)
    else:
        if count:
            messages.success(
                request,
                ngettext("%(n)d reminder is on its way.", "%(n)d reminders are on their way.",
                         count) % {"n": count},
            )  # fmt: skip
        else:
            messages.info(request, _("Nobody to remind: everyone has finished or is out."))
    return redirect("video_interview_detail", pk=interview.pk)


@manages
@require_POST
def interview_settings(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(request, pk)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        return _detail(request, interview, 400, settings_form=form)
    try:
        services.interview_update(interview=interview, fields=dict(form.cleaned_data))
    except services.VideoRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return _detail(request, interview, 400, settings_form=form)
    messages.success(request, _("Saved."))
    return redirect("video_interview_detail", pk=interview.pk)


@manages
@require_POST
def interview_template(request: HttpRequest, pk: int) -> HttpResponse:
    interview = _interview(request, pk)
    form = TemplateNameForm(request.POST)
    if form.is_valid():
        try:
            template = services.template_save(
                by=request.user,
                name=form.cleaned_data["name"],
                questions=[q.spec() for q in interview.questions.order_by("order")],
            )
        except services.VideoRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(
                request, _("Saved as the template “%(name)s”.") % {"name": template.name}
            )
            return redirect("video_interview_detail", pk=interview.pk)
    return _detail(request, interview, 400, template_form=form)


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("interview").filter(
            interview__in=video_access.visible_video_interviews(user=request.user)
        ),
        pk=pk,
    )


@manages
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except services.VideoRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
        )
    return redirect("video_interview_detail", pk=invitation.interview_id)


@manages
@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        row = services.invitation_resend(invitation=invitation, by=request.user)
    except services.VideoRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is on its way again (code %(code)s).")
            % {"email": row.email, "code": row.code},
        )
    return redirect("video_interview_detail", pk=invitation.interview_id)
