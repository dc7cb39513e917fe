"""The pages of drives (``interviews.drives``): upload a file of candidates with their
resumes, read the line-numbered report, import it all at once and watch its progress. Thin:
recruiters only (``access.can_manage_interviews``), the services check and write.

The upload routes sit under ``/drives/`` so their request body limit (``BODY_LIMITS``) is one
prefix; the page that starts a drive is the position's, ``/positions/<pk>/drives/new/``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from access.decorators import allowed
from candidates.models import Position
from interviews import drives
from interviews.models import Drive, Interview, Round

recruiters = allowed(access.can_manage_interviews)


def _limits() -> dict[str, Any]:
    return {
        "max_rows": drives.MAX_ROWS,
        "sheet_max": filesizeformat(drives.SHEET_MAX_BYTES),
        "sheet_max_bytes": drives.SHEET_MAX_BYTES,
        "resume_max": filesizeformat(settings.RESUME_MAX_BYTES),
        "resume_max_bytes": settings.RESUME_MAX_BYTES,
        "resumes_per_upload": drives.MAX_RESUMES_PER_UPLOAD,
        "upload_max": filesizeformat(settings.DRIVE_UPLOAD_MAX_BYTES),
        "upload_max_bytes": settings.DRIVE_UPLOAD_MAX_BYTES,
    }


def _columns() -> list[dict[str, Any]]:
    return [
        {"key": key, "label": drives.COLUMN_LABELS[key], "help": text}
        for key, text in drives.column_help()
    ]


def _new_page(
    request: HttpRequest, position: Position, *, refused: drives.DriveRefused | None = None
) -> HttpResponse:
    blocked = None
    try:
        drives.check_position(position)
    except drives.DriveRefused as refusal:
        blocked = refusal.message
    context = {
        "position": position,
        "blocked": blocked,
        "refused": refused,
        "columns": _columns(),
        "limits": _limits(),
        "rounds": position.plan_rounds.count(),
        "recent": Drive.objects.filter(position=position)
        .exclude(status=Drive.Status.DISCARDED)
        .select_related("created_by")[:10],
    }
    status = 400 if refused is not None else 200
    return render(request, "interviews/drive_new.html", context, status=status)


@recruiters
@require_GET
def drive_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The form that starts a drive for the position."""
    return _new_page(request, get_object_or_404(Position, pk=pk))


@recruiters
@require_http_methods(["GET", "POST"])
def drive_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the file and the resumes uploaded and checked; a draft, or the refusal."""
    position = get_object_or_404(Position, pk=pk)
    if request.method == "GET":
        return redirect("drive_new", pk=position.pk)
    try:
        drive = drives.drive_start(
            position=position,
            by=request.user,
            sheet=request.FILES.get("sheet"),
            resumes=request.FILES.getlist("resumes"),
        )
    except drives.DriveRefused as refused:
        return _new_page(request, position, refused=refused)
    return redirect("drive_detail", pk=drive.pk)


def _outcome(drive: Drive) -> list[dict[str, Any]]:
    """The drive's candidates, each with the rounds of the interview it gave them."""
    people = drives.drive_candidates(drive)
    rounds: dict[int, list[Round]] = defaultdict(list)
    for round_ in (
        Round.objects.filter(
            candidate__in=people,
            position_id=drive.position_id,
            interview__status=Interview.Status.OPEN,
        )
        .select_related("interviewer")
        .order_by("candidate_id", "order")
    ):
        rounds[round_.candidate_id].append(round_)
    return [{"candidate": person, "rounds": rounds[person.pk]} for person in people]


def _drive_page(
    request: HttpRequest, pk: int, *, refused: drives.DriveRefused | None = None
) -> HttpResponse:
    drive = get_object_or_404(Drive.objects.select_related("position", "created_by"), pk=pk)
    context: dict[str, Any] = {
        "drive": drive,
        "position": drive.position,
        "progress": drives.drive_progress(drive),
        "limits": _limits(),
        "columns": _columns(),
        "resumes": (drive.files or {}).get("resumes", []),
        "refused": refused,
    }
    if drive.status == Drive.Status.DRAFT:
        report = drives.drive_check(drive)
        context["report"] = report
        context["shown_errors"] = report.errors[:500]
    elif drive.status == Drive.Status.DONE:
        context["outcome"] = _outcome(drive)
    status = 400 if refused is not None else 200
    return render(request, "interviews/drive.html", context, status=status)


@recruiters
@require_GET
def drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The drive: a draft's report (checked again now), an import's progress, its outcome."""
    return _drive_page(request, pk)


def _back(request: HttpRequest, pk: int, refused: drives.DriveRefused | None) -> HttpResponse:
    if refused is None:
        return redirect("drive_detail", pk=pk)
    return _drive_page(request, pk, refused=refused)


@recruiters
@require_POST
def drive_resumes(request: HttpRequest, pk: int) -> HttpResponse:
    """More resumes for a draft."""
    get_object_or_404(Drive, pk=pk)
    try:
        drives.drive_add_resumes(
            drive=pk, by=request.user, resumes=request.FILES.getlist("resumes")
        )
    except drives.DriveRefused as refused:
        return _back(request, pk, refused)
    return _back(request, pk, None)


@recruiters
@require_POST
def drive_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A corrected file of candidates for a draft."""
    get_object_or_404(Drive, pk=pk)
    try:
        drives.drive_replace_sheet(drive=pk, by=request.user, sheet=request.FILES.get("sheet"))
    except drives.DriveRefused as refused:
        return _back(request, pk, refused)
    return _back(request, pk, None)


@recruiters
@require_POST
def drive_discard(request: HttpRequest, pk: int) -> HttpResponse:
    drive = get_object_or_404(Drive, pk=pk)
    try:
        drives.drive_discard(drive=pk, by=request.user)
    except drives.DriveRefused as refused:
        return _back(request, pk, refused)
    return redirect("drive_new", pk=drive.position_id)


@recruiters
@require_POST
def drive_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: import it all, or nothing. Runs in this request (the page polls the progress
    meanwhile), then shows the drive: imported, or a draft again saying why it stopped."""
    get_object_or_404(Drive, pk=pk)
    try:
        drives.drive_import(drive=pk, by=request.user)
    except drives.DriveRefused as refused:
        if refused.code == "not_a_draft":
            return _back(request, pk, refused)
        # The drive is a draft again and says why (``failure``): its page shows it.
    return redirect("drive_detail", pk=pk)


@recruiters
@require_GET
def drive_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """How far the import is: ``{"status", "done", "total", "url"}`` (the page polls it)."""
    drive = get_object_or_404(Drive, pk=pk)
    body = {**drives.drive_progress(drive), "url": reverse("drive_detail", args=[drive.pk])}
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@recruiters
@require_GET
def drive_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """An empty file of candidates with the columns, in the reader's language."""
    body = drives.template_file(fmt)
    content_type = drives.XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="drive-template.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
