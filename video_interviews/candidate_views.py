"""The candidates' area: sign up (``/signup?code=…``), log in and out, confirm the address,
the dashboard (``/candidates/dashboard?code=…`` opens *Add interview* filled in), adding an
interview by its code, and an interview's page. Every view here is marked ``candidate_area``
(``accounts.fence`` lets candidates reach these and nothing else) and serves candidates only:
staff get 403, anonymous people the candidates' login page.

Codes are guessable only slowly: wrong ones are counted per account and per client address
(``video_interviews.guessing``); past either limit the answer is 429 with ``Retry-After``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from access import video as video_access
from accounts.fence import candidate_area
from accounts.models import User
from accounts.zones import is_zone
from config.client_ip import client_ip
from config.permissions_policy import header_value
from video_interviews import guessing, rules, selectors, services
from video_interviews.forms import CandidateLoginForm, CodeForm, SignupForm
from video_interviews.models import CandidateProfile, Invitation

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _address(request: HttpRequest) -> str:
    return client_ip(request) or request.META.get("REMOTE_ADDR") or "unknown"


def candidates_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in candidates only: anonymous people log in first (the candidates' page),
    staff are refused (403)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("candidate_login"))
        if not video_access.can_use_candidate_area(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _dashboard_url(code: str | None = None) -> str:
    url = reverse("candidate_dashboard")
    return f"{url}?{urlencode({'code': code})}" if code else url


def _throttled(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return ngettext(
        "Too many wrong codes. Wait %(minutes)d minute, then try again.",
        "Too many wrong codes. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}


def try_code(request: HttpRequest, code: str) -> tuple[Invitation | None, str, int | None]:
    """Add the interview with ``code`` for the signed-in candidate: (the invitation, "",
    None), or (None, why not, seconds to wait when throttled)."""
    counters = guessing.code_counters(user_id=request.user.pk, address=_address(request))
    wait = guessing.blocked_for(counters)
    if wait is not None:
        return None, _throttled(wait), wait
    try:
        invitation = services.invitation_accept(candidate=request.user, code=code)
    except services.VideoRefused as refused:
        if refused.code != "bad_code_format" and rules.counts_as_guess(refused.code):
            for counter in counters:
                counter.add()
        return None, refused.message, None
    return invitation, "", None


def _added(request: HttpRequest, invitation: Invitation) -> None:
    messages.success(
        request,
        _("“%(title)s” is on your dashboard.") % {"title": invitation.interview.title},
    )


def _login_zone(user: User, zone: str) -> None:
    if is_zone(zone) and user.time_zone_from_browser and user.time_zone != zone:
        user.time_zone = zone
        user.save(update_fields=["time_zone"])


# --- signing up, in and out -------------------------------------------------------------------


@candidate_area
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    code = (request.POST.get("code") or request.GET.get("code") or "")[:32]
    if video_access.is_candidate(request.user):
        return redirect(_dashboard_url(code))
    if request.user.is_authenticated:  # staff: not here
        return render(request, "video_interviews/staff_here.html", status=403)
    form = SignupForm(request.POST or None, initial={"code": code})
    status = 200
    if request.method == "POST" and form.is_valid():
        counter = guessing.signup_counter(address=_address(request))
        if counter.full():
            response = render(
                request,
                "video_interviews/signup.html",
                {
                    "form": form,
                    "code": code,
                    "refused": _("Too many sign-ups from here. Try again later."),
                },
                status=429,
            )
            response["Retry-After"] = str(counter.retry_after())
            return response
        data = form.cleaned_data
        try:
            user = services.candidate_signup(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                language=getattr(request, "LANGUAGE_CODE", ""),
                time_zone=data["time_zone"],
            )
        except services.VideoRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            status = 400
        else:
            counter.add()
            login(request, user, backend=MODEL_BACKEND)
            messages.success(
                request,
                _("Welcome! We have sent you a link to confirm your e-mail address."),
            )
            if not code:
                return redirect(_dashboard_url())
            invitation, why, _wait = try_code(request, code)
            if invitation is not None:
                _added(request, invitation)
                return redirect(_dashboard_url())
            messages.error(request, why)
            return redirect(_dashboard_url(code))
    elif request.method == "POST":
        status = 400
    return render(
        request, "video_interviews/signup.html", {"form": form, "code": code}, status=status
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@candidate_area
@require_http_methods(["GET", "POST"])
def candidate_login(request: HttpRequest) -> HttpResponse:
    if video_access.is_candidate(request.user):
        return redirect(_safe_next(request, _dashboard_url()))
    form = CandidateLoginForm(request.POST or None)
    error = ""
    staff_refused = False
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip()
        # The candidate with this address; else a staff account with it (or that username),
        # only to tell them where staff log in.
        account = (
            User.objects.filter(kind=User.Kind.CANDIDATE, email__iexact=email).first()
            or User.objects.filter(kind=User.Kind.STAFF, email__iexact=email).first()
        )
        username = account.username if account is not None else email
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            error = _("The e-mail address and password do not match. Please try again.")
        elif not video_access.is_candidate(user):
            staff_refused = True
            error = _("This is a staff account: staff log in on the staff page, not here.")
        else:
            login(request, user, backend=MODEL_BACKEND)
            _login_zone(user, form.cleaned_data.get("time_zone", ""))
            return redirect(_safe_next(request, _dashboard_url()))
    status = 400 if error or (request.method == "POST" and not form.is_valid()) else 200
    return render(
        request,
        "video_interviews/login.html",
        {
            "form": form,
            "error": error,
            "staff_refused": staff_refused,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@candidate_area
@require_POST
def candidate_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("candidate_login")


@candidate_area
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: a page with one button, so a GET (a mail scanner's) changes
    nothing."""
    if request.method == "POST":
        try:
            services.candidate_confirm(token=token[:1000])
        except services.VideoRefused as refused:
            return render(
                request, "video_interviews/confirm.html", {"refused": refused.message}, status=400
            )
        messages.success(request, _("Thank you: your e-mail address is confirmed."))
        if video_access.is_candidate(request.user):
            return redirect("candidate_dashboard")
        return redirect("candidate_login")
    return render(request, "video_interviews/confirm.html", {"token": token})


CONFIRM_SENDS_PER_HOUR = 5


@candidate_area
@candidates_only
@require_POST
def confirm_again(request: HttpRequest) -> HttpResponse:
    counter = guessing.Counter(f"confirm:{request.user.pk}", CONFIRM_SENDS_PER_HOUR, 3600)
    if counter.full():
        messages.error(request, _("We have sent several links already. Try again later."))
    else:
        counter.add()
        services.candidate_confirmation_send(user=request.user)
        messages.success(request, _("A new link is on its way to %(email)s.") % {
            "email": request.user.email})  # fmt: skip
    return redirect("candidate_dashboard")


# --- the dashboard ----------------------------------------------------------------------------


def _dashboard(
    request: HttpRequest, form: CodeForm, *, open_dialog: bool, status: int = 200
) -> HttpResponse:
    profile = CandidateProfile.objects.filter(user=request.user).first()
    rows = selectors.dashboard(invitations=video_access.own_invitations(user=request.user))
    return render(
        request,
        "video_interviews/dashboard.html",
        {
            "form": form,
            "open_dialog": open_dialog,
            "invitations": rows,
            "confirmed": profile is not None and profile.email_confirmed_at is not None,
        },
        status=status,
    )


@candidate_area
@candidates_only
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    """``?code=123456`` opens *Add interview* with the code filled in (a GET adds nothing);
    ``?add=1`` opens it empty (the button's link without JavaScript)."""
    code = request.GET.get("code", "")[:32]
    form = CodeForm(initial={"code": code})
    return _dashboard(request, form, open_dialog=bool(code) or "add" in request.GET)


@candidate_area
@candidates_only
@require_POST
def interview_add(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, form, open_dialog=True, status=400)
    invitation, why, wait = try_code(request, form.cleaned_data["code"])
    if invitation is not None:
        _added(request, invitation)
        return redirect("candidate_dashboard")
    form.add_error("code", why)
    response = _dashboard(request, form, open_dialog=True, status=429 if wait else 400)
    if wait:
        response["Retry-After"] = str(wait)
    return response


# The recording page alone may use the camera and microphone (config/permissions_policy.py),
# and play back what it recorded from a blob: URL before it is kept.
RECORDING_PERMISSIONS = "camera=(self), microphone=(self), " + header_value(
    {k: v for k, v in settings.PERMISSIONS_POLICY.items() if k not in ("camera", "microphone")}
)
RECORDING_CSP = {"media-src": ["'self'", "blob:"]}


def _recording_strings() -> dict[str, str]:
    """Every text the recorder's script shows (it holds none of its own)."""
    return {
        "no_camera": _(
            "The camera or microphone cannot be used. Allow them for this site in the "
            "browser's address bar, then press “Check again”."
        ),
        "no_recorder": _(
            "This browser cannot record video. Use a current Chrome, Edge, Firefox or Safari."
        ),
        "camera_ok": _("Camera and microphone work."),
        "question_of": _("Question %(n)s of %(total)s"),
        "thinking": _("Time to think: %(time)s"),
        "recording": _("Recording: %(time)s left"),
        "saving": _("Saving your answer: %(percent)s %%"),
        "saved": _("Your answer has been saved."),
        "offline": _(
            "The connection is lost. Your recording is kept on this device and is sent as "
            "soon as the connection is back."
        ),
        "resuming": _("Sending the rest of your last recording…"),
        "cut_short": _(
            "Your last recording was cut short. Keep what was saved, or record again: it "
            "does not use up a retake."
        ),
        "takes_left": _("Retakes left: %(n)s"),
        "refused": _("The server refused this: %(message)s"),
        "done": _("You have answered every question. Thank you!"),
    }


@candidate_area
@candidates_only
@require_http_methods(["GET"])
@csp_update(RECORDING_CSP)
def interview_page(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(
        video_access.own_invitations(user=request.user).select_related("interview"), pk=pk
    )
    if not video_access.can_open_invitation(request.user, invitation):  # pragma: no cover
        raise Http404
    questions = list(invitation.interview.questions.order_by("order"))
    config = {
        "invitation": invitation.pk,
        "state_url": reverse("candidate_recording_state", args=[invitation.pk]),
        "takes_url": reverse("candidate_take_start", args=[invitation.pk]),
        "take_url": reverse("candidate_take_keep", args=[invitation.pk, "TAKE"]).removesuffix(
            "keep/"
        ),
        "i18n": _recording_strings(),
    }
    response = render(
        request,
        "video_interviews/candidate_interview.html",
        {
            "invitation": invitation,
            "interview": invitation.interview,
            "current": invitation.current_status(),
            "questions": questions,
            "total_minutes": -(-rules.total_seconds(q.spec() for q in questions) // 60),
            "recording_config": config,
        },
    )
    response["Permissions-Policy"] = RECORDING_PERMISSIONS
    return response
