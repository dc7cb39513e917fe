"""The recording page's JSON calls (docs/protocol.md, "Recording an answer"), beside the tus
endpoint (``video_interviews.uploads``): the interview's state, beginning a take, keeping it,
and closing a take cut short. Candidates only, each on their own invitation (404 otherwise);
refusals are ``{"error": code, "message": text}`` with 4xx and change nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access import video as video_access
from accounts.fence import candidate_area
from video_interviews import recording, selectors
from video_interviews.candidate_views import candidates_only
from video_interviews.models import Invitation, Take
from video_interviews.services import VideoRefused

BODY_MAX = 4096  # these calls carry a number or two


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        video_access.own_invitations(user=request.user).select_related("interview"), pk=pk
    )


def _take(invitation: Invitation, take_id: str) -> Take:
    try:
        key = uuid.UUID(take_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        Take.objects.select_related("answer__question", "answer__invitation__interview"),
        pk=key,
        answer__invitation=invitation,
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > BODY_MAX:
        raise VideoRefused("bad_body", _("The request's body is too large."))
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        raise VideoRefused("bad_body", _("The request's body is not JSON.")) from None
    if not isinstance(data, dict):
        raise VideoRefused("bad_body", _("The request's body must be a JSON object."))
    return data


def _int_or_none(data: dict[str, Any], key: str, code: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise VideoRefused(code, str(recording.MESSAGES.get(code, code)))
    return value


def _refused(error: VideoRefused) -> JsonResponse:
    status = int(error.details.get("status", 400))
    return JsonResponse({"error": error.code, "message": error.message}, status=status)


def _state(invitation: Invitation, status: int = 200) -> JsonResponse:
    invitation.refresh_from_db()
    response = JsonResponse(selectors.recording_state(invitation=invitation), status=status)
    response["Cache-Control"] = "no-store"
    return response


@candidate_area
@candidates_only
@require_GET
def state(request: HttpRequest, pk: int) -> HttpResponse:
    return _state(_invitation(request, pk))


@candidate_area
@candidates_only
@require_POST
def take_start(request: HttpRequest, pk: int) -> HttpResponse:
    """``{"question": <order>}`` → 201 and the state, whose ``take`` is the new one."""
    invitation = _invitation(request, pk)
    try:
        order = _int_or_none(_body(request), "question", "no_such_question")
        if order is None:
            raise recording.refused("no_such_question", 400)
        recording.take_start(candidate=request.user, invitation=invitation, order=order)
    except VideoRefused as error:
        return _refused(error)
    return _state(invitation, 201)


def _on_take(request: HttpRequest, pk: int, take_id: str, write: Any) -> HttpResponse:
    """``{"recorded_ms": n}`` → ``write(take=…, recorded_ms=n)`` → the state."""
    invitation = _invitation(request, pk)
    take = _take(invitation, take_id)
    try:
        recorded = _int_or_none(_body(request), "recorded_ms", "bad_recorded_ms")
        write(take=take, recorded_ms=recorded)
    except VideoRefused as error:
        return _refused(error)
    return _state(invitation)


@candidate_area
@candidates_only
@require_POST
def take_keep(request: HttpRequest, pk: int, take_id: str) -> HttpResponse:
    """This take is the question's answer."""
    return _on_take(request, pk, take_id, recording.take_keep)


@candidate_area
@candidates_only
@require_POST
def take_stop(request: HttpRequest, pk: int, take_id: str) -> HttpResponse:
    """A take cut short, closed at what arrived."""
    return _on_take(request, pk, take_id, recording.take_stop)
