"""Writes of the candidate (create it, move its status) and of the pipeline around it
(positions, vendors). Keyword-only, typed; the only code that writes a candidate's status or
its history of moves.

A candidate's source says where they came from: a vendor (then ``vendor`` names it, and only
then), a referral or directly. A candidate is never put on a closed position, nor credited to
an inactive vendor.

Each move asks the pure rules (``candidates.lifecycle.check_move``) under the candidate row's
lock and writes the new status and one history event (the move, who, details) in the same
transaction. Who acts is given as lifecycle roles by the caller: a person's roles come from
``access.roles.roles_of`` (this lower app imports no higher one); a service acting on a fact
(a session started) passes ``{"system"}``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from candidates import events, lifecycle
from candidates.models import (
    Candidate,
    CandidateEvent,
    Position,
    ResumeVersion,
    Vendor,
    private_storage,
)
from candidates.validators import validate_one_line, validate_resume

if TYPE_CHECKING:
    from accounts.models import User

# The moves as the person reading a refusal calls them.
MOVE_LABELS = {
    "schedule": pgettext_lazy("candidate move", "schedule"),
    "unschedule": pgettext_lazy("candidate move", "unschedule"),
    "start": pgettext_lazy("candidate move", "start interviewing"),
    "select": pgettext_lazy("candidate move", "select"),
    "reject": pgettext_lazy("candidate move", "reject"),
    "hire": pgettext_lazy("candidate move", "hire"),
    "withdraw": pgettext_lazy("candidate move", "withdraw"),
    "reopen": pgettext_lazy("candidate move", "reopen"),
}


# The history's events as its reader calls them (``CandidateEvent.kind``: the moves, and
# ``created`` / ``updated``).
EVENT_LABELS = {
    "created": pgettext_lazy("candidate event", "created"),
    "updated": pgettext_lazy("candidate event", "card changed"),
    "schedule": pgettext_lazy("candidate event", "scheduled"),
    "unschedule": pgettext_lazy("candidate event", "no longer scheduled"),
    "start": pgettext_lazy("candidate event", "interviewing started"),
    "select": pgettext_lazy("candidate event", "selected"),
    "reject": pgettext_lazy("candidate event", "rejected"),
    "hire": pgettext_lazy("candidate event", "hired"),
    "withdraw": pgettext_lazy("candidate event", "withdrawn"),
    "reopen": pgettext_lazy("candidate event", "decision reopened"),
    # Facts of the higher apps, written through ``candidate_record`` (this app only names
    # them so the history reads them in the reader's language).
    "interview_created": pgettext_lazy("candidate event", "interview created"),
    "interview_closed": pgettext_lazy("candidate event", "interview closed"),
    "round_assigned": pgettext_lazy("candidate event", "round assigned"),
    "round_rescheduled": pgettext_lazy("candidate event", "round rescheduled"),
    "round_cancelled": pgettext_lazy("candidate event", "round cancelled"),
    "round_rated": pgettext_lazy("candidate event", "round rated"),
    "round_session": pgettext_lazy("candidate event", "live session results"),
    "resume_replaced": pgettext_lazy("candidate event", "resume replaced"),
    "resume_uploaded": pgettext_lazy("candidate event", "resume uploaded"),
    "video_recommended": pgettext_lazy("candidate event", "video interview recommendation"),
}


def event_label(kind: str) -> str:
    """An event's kind in the reader's language (an unknown kind as it is stored)."""
    return str(EVENT_LABELS.get(kind, kind))


class CandidateRefused(Exception):
    """A move the lifecycle does not allow; ``code`` is the lifecycle's, ``message`` is for
    the person (translated)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The field the refusal is about, when it is about one (a form shows it there).
        self.field = field


def _refusal_message(refused: lifecycle.Refused) -> str:
    move = str(MOVE_LABELS.get(refused.move, refused.move))
    status = str(dict(Candidate.Status.choices).get(refused.source, refused.source))
    if refused.code == lifecycle.NOT_FROM_HERE:
        return _("The candidate is %(status)s: “%(move)s” is not possible from there.") % {
            "status": status,
            "move": move,
        }
    if refused.code == lifecycle.NOT_ALLOWED:
        return _("You may not make the move “%(move)s” for this candidate.") % {"move": move}
    if refused.code == lifecycle.UNKNOWN_MOVE:
        return _("There is no such move for a candidate: %(move)s.") % {"move": move}
    return _("The candidate's status “%(status)s” is unknown.") % {"status": status}


TAGS_MAX = 500
# Fields of a position and a vendor that their services write (the rest are the row's own).
POSITION_FIELDS = frozenset({"title", "team", "description", "openings", "status"})
VENDOR_FIELDS = frozenset({"name", "contact_name", "contact_email", "phone", "terms", "active"})
# A candidate's own fields (all one line: each may end up in an e-mail header), and the
# pipeline's, which ``candidate_create`` takes as arguments of their own.
CANDIDATE_FIELDS = frozenset(
    {
        "full_name",
        "email",
        "phone",
        "video_room_url",
        "hr_email",
        "hr_telegram_chat_id",
        "hr_language",
    }
)
CANDIDATE_REQUIRED = ("full_name", "email")
PIPELINE_FIELDS = frozenset({"source", "vendor", "positions", "tags"})


def clean_tags(tags: str | Iterable[str]) -> str:
    """Tags as stored: trimmed, lower-case, each once, in the order given, comma-separated
    (a comma cannot be part of a tag)."""
    parts = tags.split(",") if isinstance(tags, str) else [p for t in tags for p in t.split(",")]
    seen: dict[str, None] = {}
    for part in parts:
        tag = " ".join(part.split()).lower()
        if tag:
            seen.setdefault(tag, None)
    return ",".join(seen)


def _check_source(source: str, vendor: Vendor | None, *, kept: Vendor | None = None) -> None:
    """``kept``: the vendor the candidate has already (it may have been deactivated since)."""
    if source not in Candidate.Source.values:
        raise CandidateRefused(
            "bad_source", _("There is no such source: %(source)s.") % {"source": source}, "source"
        )
    if source == Candidate.Source.VENDOR and vendor is None:
        raise CandidateRefused(
            "vendor_required", _("Name the vendor the candidate came from."), "vendor"
        )
    if source != Candidate.Source.VENDOR and vendor is not None:
        raise CandidateRefused(
            "vendor_not_expected",
            _("A vendor is named only when the source is a vendor."),
            "vendor",
        )
    if vendor is not None and not vendor.active and vendor != kept:
        raise CandidateRefused(
            "vendor_inactive",
            _("The vendor “%(name)s” is no longer active.") % {"name": vendor.name},
            "vendor",
        )


def _check_positions(positions: Collection[Position], *, kept: Collection[Position] = ()) -> None:
    """``kept``: positions the candidate is on already (closing one keeps its candidates)."""
    for position in positions:
        if position.status == Position.Status.CLOSED and position not in kept:
            raise CandidateRefused(
                "position_closed",
                _("The position “%(title)s” is closed.") % {"title": position.title},
                "positions",
            )


def _check_tags(tags: str | Iterable[str]) -> str:
    stored = clean_tags(tags)
    if len(stored) > TAGS_MAX:
        raise CandidateRefused("tags_too_long", _("The tags are too long all together."), "tags")
    return stored


def _check_fields(fields: Mapping[str, Any], *, required: Collection[str]) -> None:
    """The candidate's own fields: the required ones not blank, none with a line break or a
    control character (``candidates.validators``)."""
    for name in required:
        if not str(fields.get(name, "")).strip():
            raise CandidateRefused(f"{name}_required", _("This field is required."), name)
    for name, value in fields.items():
        try:
            validate_one_line(str(value))
        except ValidationError as error:
            raise CandidateRefused(
                error.code or "control_character", error.messages[0], name
            ) from error


def candidate_check(
    *,
    fields: Mapping[str, Any],
    source: str = Candidate.Source.DIRECT,
    vendor: Vendor | None = None,
    positions: Collection[Position] = (),
    tags: str | Iterable[str] = "",
) -> str:
    """What ``candidate_create`` checks before it writes, writing nothing: its first refusal
    (``CandidateRefused`` with the field), else the tags as they would be stored. A bulk
    import (``interviews.drives``) checks every row this way before it creates any."""
    if "status" in fields:
        raise ValueError("a new candidate starts as created; its status moves by the lifecycle")
    pipeline = {"source", "vendor", "positions", "tags"} & set(fields)
    if pipeline:
        raise ValueError(f"pass {sorted(pipeline)} as arguments of their own, not in fields")
    _check_fields(fields, required=CANDIDATE_REQUIRED)
    _check_source(source, vendor)
    _check_positions(positions)
    return _check_tags(tags)


def candidate_create(
    *,
    by: User | None,
    fields: Mapping[str, Any],
    resume: UploadedFile | None = None,
    source: str = Candidate.Source.DIRECT,
    vendor: Vendor | None = None,
    positions: Collection[Position] = (),
    tags: str | Iterable[str] = "",
    history: Mapping[str, Any] | None = None,
) -> Candidate:
    """A new candidate card in ``created``, with its first history event (its source,
    vendor and positions in the details); ``CandidateRefused`` and nothing written when the
    source and vendor disagree, the vendor is inactive or a position is closed. ``history``:
    more details for that event (the drive the candidate came in by: ``{"drive": id}``)."""
    stored_tags = candidate_check(
        fields=fields, source=source, vendor=vendor, positions=positions, tags=tags
    )
    stored = ""
    try:
        with transaction.atomic():
            candidate = Candidate(
                **fields, created_by=by, source=source, vendor=vendor, tags=stored_tags
            )
            if resume is not None:
                candidate.resume_name = (resume.name or "resume.pdf")[:200]
                candidate.resume.save("resume.pdf", resume, save=False)
                stored = candidate.resume.name
            candidate.save()
            if resume is not None:  # the first of the resume's versions (``resume_add``)
                _resume_version(candidate, by)
            if positions:
                candidate.positions.set(positions)
            CandidateEvent.objects.create(
                candidate=candidate,
                kind="created",
                by=by,
                details={**_origin(source, vendor, positions), **(history or {})},
            )
    except BaseException:
        if stored:  # nothing in the database names it (rolled back): do not leave it behind
            private_storage.delete(stored)
        raise
    return candidate


def candidate_update(
    *, candidate: Candidate | int, by: User | None, fields: Mapping[str, Any]
) -> Candidate:
    """Change a candidate's card: its own fields (``CANDIDATE_FIELDS``) and its source,
    vendor, positions and tags, checked as ``candidate_create`` checks them (a vendor or a
    position it has already may have been deactivated or closed since: it keeps them). One
    ``updated`` history event names the changed fields; nothing changed, nothing written.
    ``CandidateRefused`` (with the field it is about) and nothing written otherwise; the
    status moves by ``candidate_move`` only."""
    unknown = set(fields) - CANDIDATE_FIELDS - PIPELINE_FIELDS
    if unknown:
        raise ValueError(f"not fields this service writes: {sorted(unknown)}")
    own = {name: value for name, value in fields.items() if name in CANDIDATE_FIELDS}
    _check_fields(own, required=[name for name in CANDIDATE_REQUIRED if name in own])
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        row = Candidate.objects.select_for_update().get(pk=pk)
        current_positions = list(row.positions.all())
        source = fields.get("source", row.source)
        vendor = fields["vendor"] if "vendor" in fields else row.vendor
        if "source" in fields and source != Candidate.Source.VENDOR and "vendor" not in fields:
            vendor = None  # no longer from a vendor: the vendor goes with the source
        _check_source(source, vendor, kept=row.vendor)
        changed = [name for name, value in own.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, own[name])
        if source != row.source:
            row.source = source
            changed.append("source")
        if vendor != row.vendor:
            row.vendor = vendor
            changed.append("vendor")
        if "tags" in fields:
            tags = _check_tags(fields["tags"])
            if tags != row.tags:
                row.tags = tags
                changed.append("tags")
        if "positions" in fields:
            positions = list(fields["positions"])
            _check_positions(positions, kept=current_positions)
            if {p.pk for p in positions} != {p.pk for p in current_positions}:
                row.positions.set(positions)
                changed.append("positions")
        if changed:
            row.save()
            CandidateEvent.objects.create(
                candidate=row, kind="updated", by=by, details={"fields": sorted(changed)}
            )
    return row


def _origin(source: str, vendor: Vendor | None, positions: Collection[Position]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if source != Candidate.Source.DIRECT:
        details["source"] = source
    if vendor is not None:
        details["vendor"] = vendor.pk
    if positions:
        details["positions"] = sorted(position.pk for position in positions)
    return details


def _fields_of(fields: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not fields this service writes: {sorted(unknown)}")
    return dict(fields)


def _check_openings(fields: Mapping[str, Any]) -> None:
    openings = fields.get("openings", 1)
    if not isinstance(openings, int) or openings < 1:
        raise CandidateRefused("bad_openings", _("A position has at least one opening."))
    if "status" in fields and fields["status"] not in Position.Status.values:
        raise CandidateRefused("bad_status", _("There is no such status for a position."))


def position_create(*, by: User | None, fields: Mapping[str, Any]) -> Position:
    """A new position (open unless ``fields`` says otherwise)."""
    values = _fields_of(fields, POSITION_FIELDS)
    _check_openings(values)
    if not str(values.get("title", "")).strip():
        raise CandidateRefused("title_required", _("A position needs a title."))
    return Position.objects.create(**values, created_by=by)


def position_update(*, position: Position, fields: Mapping[str, Any]) -> Position:
    """Change a position's fields (its status among them: open, on hold, closed). Closing a
    position keeps its candidates; it only takes no new ones."""
    values = _fields_of(fields, POSITION_FIELDS)
    _check_openings(values)
    if "title" in values and not str(values["title"]).strip():
        raise CandidateRefused("title_required", _("A position needs a title."))
    for name, value in values.items():
        setattr(position, name, value)
    position.save()
    return position


def _check_vendor_name(name: str, vendor: Vendor | None = None) -> None:
    if not name.strip():
        raise CandidateRefused("name_required", _("A vendor needs a name."))
    others = Vendor.objects.filter(name__iexact=name.strip())
    if vendor is not None:
        others = others.exclude(pk=vendor.pk)
    if others.exists():
        raise CandidateRefused(
            "name_taken", _("There is a vendor named “%(name)s” already.") % {"name": name}
        )


def vendor_create(*, fields: Mapping[str, Any]) -> Vendor:
    """A new vendor; its name is unique (whatever the letter case)."""
    values = _fields_of(fields, VENDOR_FIELDS)
    values["name"] = str(values.get("name", "")).strip()
    _check_vendor_name(values["name"])
    try:
        with transaction.atomic():
            return Vendor.objects.create(**values)
    except IntegrityError as clash:  # the same name written at the same moment
        raise CandidateRefused(
            "name_taken",
            _("There is a vendor named “%(name)s” already.") % {"name": values["name"]},
        ) from clash


def vendor_update(*, vendor: Vendor, fields: Mapping[str, Any]) -> Vendor:
    """Change a vendor's fields; deactivating one keeps its candidates' source."""
    values = _fields_of(fields, VENDOR_FIELDS)
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        _check_vendor_name(values["name"], vendor)
    for name, value in values.items():
        setattr(vendor, name, value)
    try:
        with transaction.atomic():
            vendor.save()
    except IntegrityError as clash:
        raise CandidateRefused(
            "name_taken",
            _("There is a vendor named “%(name)s” already.") % {"name": vendor.name},
        ) from clash
    return vendor


def candidate_move(
    *,
    candidate: Candidate | int,
    move: str,
    by: User | None = None,
    roles: Collection[str],
    details: Mapping[str, Any] | None = None,
) -> Candidate:
    """Make ``move`` on ``candidate`` as someone holding ``roles``: the new status and one
    history event, or ``CandidateRefused`` and nothing written. Returns the row as moved."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        row = Candidate.objects.select_for_update().get(pk=pk)
        outcome = lifecycle.check_move(row.status, move, roles)
        if isinstance(outcome, lifecycle.Refused):
            raise CandidateRefused(outcome.code, _refusal_message(outcome))
        row.status = outcome.target
        row.save(update_fields=["status", "updated_at"])
        CandidateEvent.objects.create(
            candidate=row,
            kind=move,
            by=by,
            details={"from": outcome.source, "to": outcome.target, **(details or {})},
        )
        transaction.on_commit(
            lambda: events.candidate_moved.send(
                sender=Candidate,
                candidate_id=row.pk,
                move=move,
                source=outcome.source,
                target=outcome.target,
            ),
            robust=True,
        )
    if isinstance(candidate, Candidate):
        candidate.status = row.status
        candidate.updated_at = row.updated_at
    return row


def candidate_unschedule(
    *,
    candidate: Candidate | int,
    by: User | None,
    roles: Collection[str] = (lifecycle.SYSTEM,),
    details: Mapping[str, Any] | None = None,
) -> bool:
    """The round that scheduled ``candidate`` left the schedule (cancelled, its time taken
    away) and, as the caller (``interviews.services``) has checked, no other round of theirs
    is scheduled: the lifecycle's ``unschedule`` takes them back to created, where the
    scheduler books them again. Only when their scheduling took them from created: one
    scheduled between rounds (from interviewing) keeps their status, as does one who is not
    scheduled (moved on meanwhile). Returns whether the candidate moved."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    with transaction.atomic():
        row = Candidate.objects.select_for_update().get(pk=pk)
        if row.status != lifecycle.SCHEDULED:
            return False
        last = (
            CandidateEvent.objects.filter(candidate=row, kind__in=list(lifecycle.MOVES))
            .order_by("-at", "-id")
            .values_list("details", flat=True)
            .first()
        )
        if (last or {}).get("from") == lifecycle.INTERVIEWING:
            return False
        candidate_move(candidate=row, move="unschedule", by=by, roles=roles, details=details)
    if isinstance(candidate, Candidate):
        candidate.status = row.status
    return True


def candidate_record(
    *,
    candidate: Candidate | int,
    kind: str,
    by: User | None,
    details: Mapping[str, Any] | None = None,
) -> CandidateEvent:
    """One line of the candidate's history that is not a status move (a round assigned or
    rated, a live session's results, a resume replaced): higher apps tell it here instead of
    writing history rows themselves. ``kind`` is one of ``EVENT_LABELS``."""
    if kind in lifecycle.MOVES or kind not in EVENT_LABELS:
        raise ValueError(f"{kind!r} is not a history fact (moves go through candidate_move)")
    pk = candidate if isinstance(candidate, int) else candidate.pk
    return CandidateEvent.objects.create(
        candidate_id=pk, kind=kind, by=by, details=dict(details or {})
    )


# --- resumes ----------------------------------------------------------------------------------
# Every upload is a ``ResumeVersion``; the newest is the current one, which the candidate's
# ``resume`` and ``resume_name`` name as well (the same stored file).


def _resume_version(candidate: Candidate, by: User | None) -> ResumeVersion:
    """The version of the file ``candidate.resume`` names now."""
    return ResumeVersion.objects.create(
        candidate=candidate,
        file=candidate.resume.name,
        original_name=candidate.resume_name or "resume.pdf",
        size=candidate.resume.size,
        uploaded_by=by,
    )


def _original_name(upload: UploadedFile) -> str:
    """The uploaded file's name as its reader saw it: the last part of the path, one line,
    at most 200 characters (it is user input: shown and sent as a download name only)."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if ord(char) >= 0x20 and ord(char) != 0x7F).strip()
    return (name or "resume.pdf")[-200:]


def resume_add(
    *, candidate: Candidate | int, upload: UploadedFile, by: User | None
) -> ResumeVersion:
    """Upload a resume to a candidate after creation, or replace the one they have: a new
    version (the earlier ones are kept), the candidate's current resume from now on, and one
    history event (``resume_uploaded`` for the first, ``resume_replaced`` after). A file that
    is not a PDF by its content, or larger than ``RESUME_MAX_BYTES``, is refused
    (``CandidateRefused`` with the field ``resume``) and nothing is stored or written."""
    try:
        validate_resume(upload)
    except ValidationError as error:
        raise CandidateRefused(error.code or "bad_resume", error.messages[0], "resume") from error
    pk = candidate if isinstance(candidate, int) else candidate.pk
    stored = ""
    try:
        with transaction.atomic():
            row = Candidate.objects.select_for_update().get(pk=pk)
            had = bool(row.resume)
            row.resume.save("resume.pdf", upload, save=False)
            stored = row.resume.name
            row.resume_name = _original_name(upload)
            row.save(update_fields=["resume", "resume_name", "updated_at"])
            version = _resume_version(row, by)
            candidate_record(
                candidate=row,
                kind="resume_replaced" if had else "resume_uploaded",
                by=by,
                details={"version": version.pk, "name": version.original_name},
            )
    except BaseException:
        if stored:  # nothing in the database names it: do not leave it behind
            private_storage.delete(stored)
        raise
    if isinstance(candidate, Candidate):
        candidate.resume.name = row.resume.name
        candidate.resume_name = row.resume_name
    return version


def resume_versions(*, candidate: Candidate | int) -> list[ResumeVersion]:
    """The candidate's resumes, newest (the current one) first, with who uploaded each."""
    pk = candidate if isinstance(candidate, int) else candidate.pk
    return list(
        ResumeVersion.objects.filter(candidate_id=pk)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
