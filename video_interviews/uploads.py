"""The tus endpoint of the recording (docs/protocol.md, "Recording an answer"): a candidate's
browser sends each take here while it records. ``/candidate/uploads/`` (OPTIONS, POST) and
``/candidate/uploads/<take>`` (HEAD, PATCH, DELETE, OPTIONS). The protocol's headers are
``video_interviews.tus``', the writes ``video_interviews.recording``'; here only who asks.

Only the candidate whose take it is reaches it: anybody else gets 404, as if there were no
such upload. CSRF applies as to any other write (tus-js-client sends ``X-CSRFToken``); the
body limit (``BODY_LIMITS``) stops a PATCH larger than a chunk before Django reads it."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from access import video as video_access
from accounts.fence import candidate_area
from video_interviews import recording, tus
from video_interviews.models import Take
from video_interviews.services import VideoRefused

ALLOWED = "OPTIONS, POST, HEAD, PATCH, DELETE"


def _error(status: int, code: str, message: str = "") -> HttpResponse:
    response = JsonResponse({"error": code, "message": message}, status=status)
    response["Tus-Resumable"] = tus.VERSION
    if status == 412:
        response["Tus-Version"] = tus.VERSION
    return response


def _refusal(error: VideoRefused) -> HttpResponse:
    return _error(int(error.details.get("status", 409)), error.code, error.message)


def _options() -> HttpResponse:
    response = HttpResponse(status=204)
    for name, value in tus.options_headers(_largest()).items():
        response[name] = value
    response["Allow"] = ALLOWED
    return response


def _largest() -> int:
    from video_interviews import rules

    return rules.take_max_bytes(
        rules.ANSWER_MAX, settings.VIDEO_MAX_BITS_PER_SECOND, settings.VIDEO_SLACK_BYTES
    )


def _signed_in_candidate(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and video_access.can_use_candidate_area(request.user))


def _take(request: HttpRequest, take_id: str) -> Take:
    try:
        key = uuid.UUID(take_id)
    except ValueError:
        raise Http404 from None
    take = (
        Take.objects.select_related("answer__question", "answer__invitation__interview")
        .filter(pk=key)
        .first()
    )
    if take is None or not video_access.can_upload_take(request.user, take):
        raise Http404
    return take


def _with_offset(response: HttpResponse, take: Take) -> HttpResponse:
    for name, value in tus.offset_headers(take.offset, take.length).items():
        response[name] = value
    return response


@candidate_area
def collection(request: HttpRequest) -> HttpResponse:
    """OPTIONS: what this server speaks. POST (creation): the upload of a take begun with
    ``POST /candidate/interviews/<id>/takes/``, named by the ``take`` metadata; it is that
    take's own address, so POSTing again for it answers the same place."""
    if request.method == "OPTIONS":
        return _options()
    if not _signed_in_candidate(request):
        raise Http404
    if request.method != "POST":
        return _error(405, "method_not_allowed")
    try:
        tus.check_version(request.headers)
        length = tus.creation_length(request.headers)
        meta = tus.metadata(request.headers.get("Upload-Metadata"))
    except tus.TusError as error:
        return _error(error.status, error.code)
    take = _take(request, meta.get("take", ""))
    try:
        if length is not None:
            take = recording.take_declare(take=take, length=length)
    except VideoRefused as error:
        return _refusal(error)
    response = _with_offset(HttpResponse(status=201), take)
    response["Location"] = request.build_absolute_uri(f"/candidate/uploads/{take.pk}")
    return response


@candidate_area
def resource(request: HttpRequest, take_id: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    if not _signed_in_candidate(request):
        raise Http404
    take = _take(request, take_id)
    try:
        tus.check_version(request.headers)
        if request.method == "HEAD":
            if take.status == Take.Status.DISCARDED:
                return _error(410, "take_gone")
            return _with_offset(HttpResponse(status=200), take)
        if request.method == "PATCH":
            return _patch(request, take)
        if request.method == "DELETE":
            recording.take_discard(take=take)
            response = HttpResponse(status=204)
            response["Tus-Resumable"] = tus.VERSION
            return response
    except tus.TusError as error:
        return _error(error.status, error.code)
    except VideoRefused as error:
        return _refusal(error)
    response = _error(405, "method_not_allowed")
    response["Allow"] = ALLOWED
    return response


def _patch(request: HttpRequest, take: Take) -> HttpResponse:
    offset = tus.patch_offset(request.headers)
    length = tus.optional_length(request.headers)
    body: Any = request  # a file-like: Django spooled the body to disk past 256 KiB
    take = recording.take_receive(take=take, offset=offset, body=body, length=length)
    return _with_offset(HttpResponse(status=204), take)
