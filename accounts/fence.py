"""The fence around candidate accounts: defence in depth beside the access module.

A candidate (``User.kind == "candidate"``, see ``accounts.models``) may use their own area
only — the views marked with ``candidate_area`` (``video_interviews``' sign-up, log-in,
dashboard and interview pages), plus the language switch and logging out. Everything else
answers as if it did not exist:

* pages: **404** (the site's 404 page; under ``/api/`` the API's JSON error body). The home
  page sends a candidate to their dashboard instead, since it is where logging in lands;
* API tokens: a candidate's token is refused like a wrong one (401), so no API view ever
  runs for a candidate whatever its own permission classes say;
* WebSockets: every socket of a candidate is accepted and closed at once with
  ``CLOSE_CANDIDATE`` (4403) before any consumer sees it.

The access predicates refuse candidates as well (``access.bank.signed_in``); this fence keeps
a page that forgot to ask them shut to candidates all the same. ``tests/video_interviews/
test_candidate_fence.py`` walks every URL pattern and every socket route as a candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

CANDIDATE = "candidate"
# The URL names outside ``video_interviews`` that a candidate may use: switching the language
# and the staff logout (harmless: it only ends the session).
OPEN_TO_CANDIDATES = frozenset({"set_language", "logout"})
# Where a candidate who opens the home page (or logs in without ``next``) is sent.
CANDIDATE_HOME = "candidate_dashboard"
CLOSE_CANDIDATE = 4403
API_PREFIX = "/api/"


def is_candidate(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "kind", "") == CANDIDATE
    )


def candidate_area(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as part of the candidates' area: the fence lets candidates reach it. (The
    view still decides whom it serves; staff may well be refused there.) Put it outermost."""
    view.candidate_area = True  # type: ignore[attr-defined]
    return view


class CandidateFenceMiddleware:
    """After ``AuthenticationMiddleware``: a candidate reaches only the candidate area."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not is_candidate(getattr(request, "user", None)):
            return None
        if getattr(view_func, "candidate_area", False):
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in OPEN_TO_CANDIDATES:
            return None
        if name == "home":
            return redirect(CANDIDATE_HOME)
        if request.path.startswith(API_PREFIX):
            # The API's own error body (api/errors.py), though no API view runs.
            missing = exceptions.NotFound()
            return JsonResponse(
                {"status": 404, "code": "not_found", "message": str(missing.detail)}, status=404
            )
        raise Http404


class StaffTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a candidate's token as if it were wrong."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if is_candidate(user):
            raise exceptions.AuthenticationFailed()
        return user, token


class CandidateSocketFence:
    """ASGI middleware inside ``AuthMiddlewareStack``: a candidate's socket is accepted (so
    the close code reaches the browser, as the consumers do) and closed with 4403 at once;
    no consumer runs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") != "websocket" or not is_candidate(scope.get("user")):
            return await self.inner(scope, receive, send)
        message = await receive()
        if message.get("type") != "websocket.connect":
            return None
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": CLOSE_CANDIDATE})
        while message.get("type") != "websocket.disconnect":
            message = await receive()
        return None
