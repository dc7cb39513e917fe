"""Pages of the live session: create, join, the live page, results and the resume."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import access
import arbiter
from access.decorators import allowed
from sessions_live import feedback_edits, refusals, selectors, services
from sessions_live.forms import FeedbackEditForm, JoinForm, ScoreEditForm, SessionCreateForm
from sessions_live.models import LiveSession

CANDIDATE_FIELDS = (
    "full_name",
    "email",
    "phone",
    "video_room_url",
    "hr_email",
    "hr_telegram_chat_id",
    "hr_language",
)


@allowed(access.can_run_interviews)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    form = SessionCreateForm(
        request.POST or None,
        request.FILES or None,
        candidates=access.visible_candidates(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = data.get("existing_candidate")
        session = services.session_create(
            lead=request.user,
            candidate=existing,
            candidate_fields=(
                None if existing else {name: data[name] for name in CANDIDATE_FIELDS}
            ),
            resume=None if existing else data.get("resume"),
            topics=form.chosen_topics,
            shuffle=data["shuffle"],
            intro_text=data["intro_text"],
            closing_text=data["closing_text"],
        )
        return redirect("session_live", code=session.code)
    return render(request, "sessions_live/new.html", {"form": form})


# Wrong codes a person may try in a minute (counted in the shared cache, so across processes):
# past it every lookup is refused for the rest of the minute, and guessing a code is useless.
JOIN_MISS_SECONDS = 60


def _join_misses_key(request: HttpRequest) -> str:
    return f"join-miss:{request.user.pk}"


def _join_blocked(request: HttpRequest) -> bool:
    return int(cache.get(_join_misses_key(request), 0)) >= settings.JOIN_CODE_MISSES_PER_MINUTE


def _join_missed(request: HttpRequest) -> None:
    key = _join_misses_key(request)
    cache.add(key, 0, timeout=JOIN_MISS_SECONDS)  # the minute starts at the first miss
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=JOIN_MISS_SECONDS)


def _join_refused(request: HttpRequest, form: JoinForm) -> HttpResponse:
    form.is_valid()  # a bound form takes the error below
    form.add_error(
        "code", _("Too many wrong codes. Wait a minute, then check the code with the lead.")
    )
    response = render(request, "sessions_live/join.html", {"form": form}, status=429)
    response["Retry-After"] = str(JOIN_MISS_SECONDS)
    return response


@allowed(access.can_run_interviews)
@require_http_methods(["GET", "POST"])
def session_join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        if _join_blocked(request):
            return _join_refused(request, form)
        session = LiveSession.objects.filter(code=form.cleaned_data["code"]).first()
        if session is None:
            _join_missed(request)
            form.add_error("code", _("No session has this code. Check it with the lead."))
        elif request.method == "POST":
            return _join_and_open(request, session)
        else:
            return redirect("session_join_confirm", code=session.code)
    return render(request, "sessions_live/join.html", {"form": form})


@allowed(access.can_run_interviews)
@require_http_methods(["GET", "POST"])
def session_join_confirm(request: HttpRequest, code: str) -> HttpResponse:
    """The shareable join link: a page with one button, so a GET never changes anything."""
    if _join_blocked(request):
        return _join_refused(request, JoinForm({"code": code}))
    session = LiveSession.objects.select_related("candidate", "lead").filter(code=code).first()
    if session is None:
        _join_missed(request)  # a code in the address is tried as much as a typed one
        raise Http404
    if selectors.is_member(session=session, user=request.user):
        return redirect("session_live", code=code)
    if request.method == "POST":
        return _join_and_open(request, session)
    return render(request, "sessions_live/join_confirm.html", {"session": session})


def _join_and_open(request: HttpRequest, session: LiveSession) -> HttpResponse:
    outcome = services.session_join(session=session, user=request.user)
    if isinstance(outcome, arbiter.Refused):
        reason = refusals.message(outcome.template, outcome.params, outcome.message)
        messages.error(request, _("You cannot join this session: %(reason)s") % {"reason": reason})
        return redirect("session_join")
    return redirect("session_live", code=session.code)


@login_required
def session_live(request: HttpRequest, code: str) -> HttpResponse:
    session = get_object_or_404(LiveSession.objects.select_related("candidate", "lead"), code=code)
    if not selectors.is_member(session=session, user=request.user):
        return redirect("session_join_confirm", code=code)
    join_url = request.build_absolute_uri(reverse("session_join_confirm", args=[code]))
    return render(
        request,
        "sessions_live/live.html",
        {
            "session": session,
            "join_url": join_url,
            "live_config": {
                "code": code,
                "wsPath": f"/ws/sessions/{code}/",
                "me": request.user.pk,
                "language": get_language() or settings.LANGUAGE_CODE,
                "timeZone": timezone.get_current_timezone_name(),
                "i18n": _live_strings(),
            },
        },
    )


# A sample count for each plural category a language's Intl.PluralRules may select: the page
# picks the form with ``new Intl.PluralRules(lang).select(n)``, the catalogue's own plural
# rule chose the text for the sample here (Russian: one 1, few 2, many 5; English: one, other).
PLURAL_SAMPLES = {"zero": 0, "one": 1, "two": 2, "few": 2, "many": 5, "other": 5}


def _plural(forms: Callable[[int], str]) -> dict[str, str]:
    """``forms`` is ``lambda n: ngettext(singular, plural, n)`` (literal, for makemessages)."""
    return {category: forms(n) for category, n in PLURAL_SAMPLES.items()}


def _live_strings() -> dict[str, object]:
    """Words the live page's script shows, translated on the server like every other text.
    ``%(name)s`` placeholders are filled by the script; a dict is a plural (by category)."""
    return {
        "lobby": _("Lobby"),
        "intro": _("Intro"),
        "blocks": _("Interview"),
        "closing": _("Closing"),
        "finished": _("Finished"),
        "online": _("online"),
        "offline": _("offline"),
        "lead": _("lead"),
        "claimedBy": _("claimed by: %(names)s"),
        "nobody": _("nobody yet"),
        "conflict": _("Conflict"),
        "conflictOn": _("%(names)s collide on %(topic)s"),
        "unclaimed": _("Not claimed yet: %(topics)s"),
        "readyHint": _("Everyone has a topic — the lead can start."),
        "notReadyHint": _("Start opens when every topic has exactly one interviewer."),
        "leadOnly": _("Only the lead can start."),
        "nextLine": _("Next: %(name)s — %(topic)s in %(time)s"),
        "last": _("Last block; then the closing."),
        "questionOf": _("Question %(n)s of %(m)s"),
        "maxPoints": _plural(lambda n: ngettext("out of %(n)s point", "out of %(n)s points", n)),
        "minutes": _plural(lambda n: ngettext("%(n)s minute", "%(n)s minutes", n)),
        "asks": _("%(name)s asks"),
        "you": _("you"),
        "timeLeft": _("Time left in the block"),
        "handOver": _("%(name)s's turn: %(topic)s"),
        "handOverYou": _("Your turn: %(topic)s"),
        "lastMinute": _("One minute left in this block."),
        "lowTime": _("Less than a minute left"),
        "pausedNow": _("The lead paused the interview."),
        "resumedNow": _("The interview goes on."),
        "closingNow": _("All blocks are done: the closing."),
        "skipQuestion": _("Skip to the current question"),
        "skipStep": _("Skip to the current step"),
        "reconnecting": _("Connection lost — reconnecting…"),
        "reconnectIn": _plural(
            lambda n: ngettext(
                "Connection lost — reconnecting in %(n)s second…",
                "Connection lost — reconnecting in %(n)s seconds…",
                n,
            )
        ),
        "notConnected": _("Not connected; try again in a moment."),
        "closedLogin": _("You are logged out. Log in again to rejoin."),
        "closedMember": _("You are not a member of this session."),
        "closedGone": _("This session does not exist."),
        "closedSignedOut": _(
            "You signed out or your password changed. Sign in again to rejoin the session."
        ),
        "closedTooMany": _(
            "This session is open in too many of your tabs or devices. Close one, then reload."
        ),
        "copied": _("Copied"),
        "introWho": _("The lead speaks, then begins the first block."),
        "scored": _("score %(score)s/%(max)s"),
        "skipped": _("skipped"),
        "adhoc": _("added live"),
        "feedbackOn": _("Feedback on this question"),
        "summary": _("Summary"),
        "submittedAt": _("Submitted at %(time)s."),
    }


@login_required
def session_results(request: HttpRequest, code: str) -> HttpResponse:
    session = get_object_or_404(LiveSession.objects.select_related("candidate", "lead"), code=code)
    if not selectors.can_see_results(session=session, user=request.user):
        raise PermissionDenied
    state = arbiter.SessionState.from_json(session.state)
    if not access.results_open(request.user, state):
        # Interviewers do not see each other's scores before the end.
        return render(request, "sessions_live/results_wait.html", {"session": session}, status=403)
    results = selectors.results_for_viewer(session=session, state=state, user=request.user)
    return render(
        request,
        "sessions_live/results.html",
        {
            "session": session,
            "results": results,
            "editable": feedback_edits.edits_open(session),
            "history": feedback_edits.history_for(session=session, results=results),
        },
    )


@login_required
@require_POST
def session_results_edit(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """An author's edit of their own score and note, or of their feedback."""
    session = get_object_or_404(LiveSession, code=code)
    if kind not in ("score", "feedback"):
        raise Http404
    if not selectors.is_member(session=session, user=request.user):
        raise PermissionDenied
    try:
        if kind == "score":
            form = ScoreEditForm(request.POST)
            if not form.is_valid():
                raise feedback_edits.EditRefused("bad_request", _("Give a score and a note."))
            data = form.cleaned_data
            feedback_edits.score_edit(
                session=session,
                author=request.user,
                block_index=data["block"],
                question_key=data["key"],
                score=data["score"],
                note=data["note"],
            )
        else:
            feedback_form = FeedbackEditForm(request.POST)
            if not feedback_form.is_valid():
                raise feedback_edits.EditRefused("bad_request", _("The summary cannot be empty."))
            feedback_edits.feedback_edit(
                session=session,
                author=request.user,
                summary=feedback_form.cleaned_data["summary"],
                items=feedback_form.items(),
            )
    except feedback_edits.EditRefused as refused:
        messages.error(request, refused.message)
        return redirect("session_results", code=code)
    messages.success(request, _("Saved; the change is kept in the session's history."))
    return redirect("session_results", code=code)


@login_required
def session_resume(request: HttpRequest, code: str) -> HttpResponse:
    session = get_object_or_404(LiveSession.objects.select_related("candidate"), code=code)
    if not selectors.can_see_results(session=session, user=request.user):
        raise PermissionDenied
    candidate = session.candidate
    if not candidate.resume:
        raise Http404
    response = FileResponse(
        candidate.resume.open("rb"),
        as_attachment=True,
        filename=candidate.resume_name or "resume.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response
