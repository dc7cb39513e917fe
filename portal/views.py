"""The pages that bring the parts together: each person's home, candidates, and the bank as
its readers see it. Who sees what is the access module's to say."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from accounts.middleware import set_language_cookie
from accounts.roles import ROLE_LABELS
from candidates import services as candidates
from candidates.models import Candidate, ResumeVersion
from interviews import selectors as interview_selectors
from portal import pipeline
from portal.forms import ProfileForm
from questionbank.models import Question, Topic
from sessions_live.models import LiveSession
from video_interviews import review_selectors as video_reviews

LIST_LIMIT = 200


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    groups = set(user.groups.values_list("name", flat=True))
    role_names = [str(label) for role, label in ROLE_LABELS.items() if role in groups]
    if user.is_superuser:
        role_names.insert(0, _("Administrator"))
    my_sessions = list(
        LiveSession.objects.filter(memberships__user=user)
        .select_related("candidate")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "portal/home.html",
        {
            "role_names": role_names,
            "my_sessions": my_sessions,
            "sees_all_candidates": access.sees_all_candidates(user),
        },
    )


@login_required
@require_GET
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.select_related("vendor"), pk=pk)
    if not access.can_view_candidate(request.user, candidate):
        raise PermissionDenied
    sessions = access.with_membership(
        access.visible_sessions(user=request.user).filter(candidate=candidate), request.user
    ).select_related("lead")
    rows = [
        {
            "session": session,
            "url": access.session_link(request.user, session, member=session.is_member),
        }
        for session in sessions.order_by("-created_at")
    ]
    urls = {row["session"].code: row["url"] for row in rows}
    return render(
        request,
        "portal/candidate.html",
        {
            "candidate": candidate,
            "rows": rows,
            "history": _history(
                candidate,
                urls,
                access.rounds_with_ratings_shown(request.user, candidate),
                video_reviews.history_lens(user=request.user, candidate=candidate),
            ),
            "positions": list(candidate.positions.order_by("title", "id")),
            "resumes": candidates.resume_versions(candidate=candidate),
            "can_upload_resume": access.can_upload_resume(request.user, candidate),
            "resume_limit": settings.RESUME_MAX_BYTES,
            "interviews": interview_selectors.candidate_interviews(candidate, request.user),
            "card_moves": pipeline.card_moves(request.user, candidate),
        },
    )


@login_required
@require_POST
def resume_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """A new resume version from the candidate's page (the earlier ones are kept); a file
    refused (not a PDF by its content, too large) changes nothing and says why."""
    candidate = get_object_or_404(Candidate, pk=pk)
    if not access.can_upload_resume(request.user, candidate):
        raise PermissionDenied
    upload = request.FILES.get("resume")
    if upload is None:
        messages.error(request, _("Choose a PDF file to upload."))
    else:
        try:
            version = candidates.resume_add(candidate=candidate, upload=upload, by=request.user)
        except candidates.CandidateRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, _("The resume “%(name)s” is uploaded.") % {"name": version.original_name}
            )
    return redirect(reverse("candidate_detail", args=[pk]) + "#resumes")


@login_required
@require_GET
def resume_download(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    """One version of the candidate's resume, streamed after the access check as an
    attachment (the files have no public address)."""
    candidate = get_object_or_404(Candidate, pk=pk)
    if not access.can_download_resume(request.user, candidate):
        raise PermissionDenied
    version = get_object_or_404(ResumeVersion, pk=version_id, candidate=candidate)
    try:
        handle = version.file.open("rb")
    except OSError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


HISTORY_LIMIT = 200
_OUTCOMES = {
    "selected": pgettext_lazy("round outcome", "selected"),
    "rejected": pgettext_lazy("round outcome", "rejected"),
}


def _history(
    candidate: Candidate,
    session_urls: dict[str, str],
    rated_shown: set[int],
    video_lens: video_reviews.HistoryLens,
) -> list[dict[str, Any]]:
    """The candidate's events, newest first, as the page reads them: what (translated), the
    move's from and to, the changed fields, the session (linked only when the reader may see
    it: ``session_urls`` holds the visible ones), a round's points and outcome (only of the
    rounds in ``rated_shown``), a video interview's recommendation (its choice and summary
    only as ``video_lens`` lets the reader see them), who and when."""
    statuses = dict(Candidate.Status.choices)
    labels = {field.name: field.verbose_name for field in Candidate._meta.get_fields()
              if hasattr(field, "verbose_name")}  # fmt: skip
    history = []
    events = candidate.events.select_related("by").order_by("-at", "-id")[:HISTORY_LIMIT]
    for event in events:
        details = event.details if isinstance(event.details, dict) else {}
        code = details.get("session")
        round_id = details.get("round") if isinstance(details.get("round"), int) else None
        rated = round_id in rated_shown
        history.append(
            {
                "event": event,
                "label": candidates.event_label(event.kind),
                "source": statuses.get(details.get("from", ""), ""),
                "target": statuses.get(details.get("to", ""), ""),
                "fields": [str(labels.get(name, name)) for name in details.get("fields", [])],
                "session": code if code in session_urls else "",
                # A round's fact: its name, linked (the round page asks who may open it),
                # and the points it gave against the expected.
                "round": details.get("round_name", ""),
                "round_id": round_id,
                "points": details.get("points") if rated else None,
                "expected": details.get("expected") if rated else None,
                "outcome": _OUTCOMES.get(details.get("outcome", ""), "") if rated else "",
                "url": session_urls.get(code, "") if code else "",
                "who": event.by.display_name if event.by else _("Roundtable (automatically)"),
                **video_reviews.history_fields(details, video_lens),
            }
        )
    return history


@login_required
@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A topic's questions and reference answers, read-only (editors keep them in the admin)."""
    if not access.can_view_bank(request.user):
        raise PermissionDenied
    topic = get_object_or_404(
        Topic.objects.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("id"), to_attr="listed")
        ),
        pk=pk,
    )
    return render(
        request,
        "portal/topic.html",
        {"topic": topic, "can_edit": access.can_edit_bank(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's language and time zone (zone names checked against zoneinfo)."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        language = user.language or translation.get_language_from_request(request)
        translation.activate(language)  # the message below is in the language just chosen
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        if user.language:
            set_language_cookie(response, user.language)
        return response
    return render(request, "portal/profile.html", {"form": form, "now_moment": timezone.now()})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
