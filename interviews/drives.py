"""Drives: many candidates for one position at once, from a CSV or .xlsx file, with their
resumes, each candidate given the position's interview (its rounds, from the plan).

Two steps, nothing written to the pipeline until the second:

1. **Upload and check** (``drive_start``; then ``drive_add_resumes`` / ``drive_replace_sheet``
   while it is a draft). The file and the PDF resumes are refused at once, and nothing is
   kept, when the file as a whole cannot be used (not CSV/.xlsx, too big, unreadable, no
   e-mail column, too many rows) or a resume is not a PDF by its content or too big. Otherwise
   a draft ``Drive`` keeps the files in the private storage (``drives/<key>/``: no public URL,
   the user's file names only in the row) and ``drive_check`` reports every row's problems by
   the line the spreadsheet shows (the header is line 1): the same checks ``candidate_create``
   makes (``candidates.services.candidate_check``), the e-mail's form, the lengths the columns
   take, the vendor named (it exists and is active), the same e-mail twice in the file or
   already on this position, the resume named in the row (or, with none named, a file whose
   name holds the row's e-mail) uploaded, readable and a PDF. Resumes no row takes are
   reported too (they are not imported). The check runs again whenever the report is shown,
   so it is always the state of now, in the reader's language.
2. **Import** (``drive_import``): in ONE transaction, with the position's row locked, the
   check once more, then each row's candidate (``candidate_create``, its ``created`` event
   naming the drive) and interview (``interview_create``: the plan's rounds). Any refusal or
   database error on any row rolls everything back; the drive is a draft again with the reason
   (the line it stopped at), and the resumes stored for the rolled-back rows are removed.

Progress: the import runs in the request that confirms it (no worker needed, so a drive works
wherever the site runs, and a test sees the outcome when the request returns); the rows it is
writing are not committed until the end, so it tells how far it got through the cache
(``progress_key``), which the page polls. A process killed half-way leaves nothing written;
the drive shows as interrupted and can be imported again.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from candidates import services as candidates
from candidates.models import Candidate, CandidateEvent, Position, Vendor, private_storage
from candidates.validators import validate_resume
from config import tables
from interviews import services
from interviews.models import Drive

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

MAX_ROWS = 1000  # candidates in one drive
MAX_COLUMNS = 32
SHEET_MAX_BYTES = 5 * 1024 * 1024
MAX_RESUMES_PER_UPLOAD = 50  # files in one request (Django refuses over 100)
MAX_RESUMES = MAX_ROWS  # resumes on one drive, over all its uploads
DRAFT_KEPT = timedelta(days=1)  # an untouched draft and its files are removed after this
RUNNING_STALE = timedelta(hours=1)  # an import still "running" after this was interrupted
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The columns, in the template's order. Only the full name and the e-mail are required.
COLUMNS = ("full_name", "email", "phone", "source", "vendor", "tags", "resume")
REQUIRED = ("full_name", "email")
COLUMN_LABELS = {
    "full_name": pgettext_lazy("drive column", "Full name"),
    "email": pgettext_lazy("drive column", "E-mail"),
    "phone": pgettext_lazy("drive column", "Phone"),
    "source": pgettext_lazy("drive column", "Source"),
    "vendor": pgettext_lazy("drive column", "Vendor"),
    "tags": pgettext_lazy("drive column", "Tags"),
    "resume": pgettext_lazy("drive column", "Resume"),
}
# Header names a file may use, whatever the interface language (compared without case,
# spaces or punctuation); the labels above in every site language are accepted as well.
HEADER_ALIASES = {
    "full_name": ["full name", "name", "candidate", "фио", "имя", "полное имя", "имя и фамилия",
                  "кандидат"],
    "email": ["e-mail", "email", "mail", "e-mail address", "электронная почта", "почта",
              "эл. почта", "e-mail адрес"],
    "phone": ["phone", "telephone", "phone number", "mobile", "телефон", "номер телефона",
              "тел"],
    "source": ["source", "источник"],
    "vendor": ["vendor", "agency", "вендор", "агентство", "кадровое агентство", "поставщик"],
    "tags": ["tags", "tag", "теги", "тег", "метки"],
    "resume": ["resume", "cv", "resume file", "резюме", "файл резюме"],
}  # fmt: skip
# A source as a file may write it (the stored values, and these words in either language).
SOURCE_WORDS = {
    "vendor": ["vendor", "agency", "вендор", "агентство", "кадровое агентство"],
    "referral": ["referral", "reference", "рекомендация", "реферал", "по рекомендации"],
    "direct": ["direct", "directly", "напрямую", "прямой", "сам", "самостоятельно"],
}
# The model's column sizes: a longer value would fail only when written.
MAX_LENGTHS = {"full_name": 200, "email": 254, "phone": 40}


class DriveRefused(Exception):
    """The upload or the import cannot go on; ``message`` is for the person, ``line`` the
    spreadsheet's line it is about (0: none), ``field`` the form field (``sheet``,
    ``resumes``) when it is about one. Nothing was written."""

    def __init__(self, code: str, message: str, *, line: int = 0, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.field = field


@dataclass(frozen=True)
class Problem:
    """One line of the report: ``line`` as the spreadsheet shows it (0: not a row, e.g. an
    uploaded resume no row takes), ``column`` one of ``COLUMNS`` or empty."""

    line: int
    message: str
    column: str = ""

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, ""))


@dataclass(frozen=True)
class RawRow:
    """A row's cells as text, by column (a column the file lacks is empty)."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class ResumeFile:
    """A resume uploaded to a drive: its name as uploaded, where it is kept, and why it cannot
    be used (``problem``; empty when it is a readable PDF)."""

    name: str
    path: str
    size: int = 0
    problem: str = ""


@dataclass(frozen=True)
class CheckedRow:
    line: int
    fields: dict[str, str]
    source: str
    vendor: Vendor | None
    tags: str
    resume: ResumeFile | None


@dataclass
class DriveCheck:
    """The report: rows ready to import, errors (any one stops the import) and warnings."""

    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    lines: int = 0  # rows read (blank lines not counted)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def with_resume(self) -> int:
        return sum(1 for row in self.rows if row.resume is not None)


# --- reading the file (pure) -------------------------------------------------------------------


def _key(text: str) -> str:
    """A header or a word as compared: lower case, ё as е, letters and digits only."""
    return re.sub(r"[\W_]+", "", text.casefold().replace("ё", "е"))


def header_names() -> dict[str, str]:
    """Each accepted header name (compared form) → its column."""
    names: dict[str, str] = {}
    for column, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            names[_key(alias)] = column
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for column, label in COLUMN_LABELS.items():
                names.setdefault(_key(str(label)), column)
    return names


def source_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for source, aliases in SOURCE_WORDS.items():
        for alias in [source, *aliases]:
            words[_key(alias)] = source
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in Candidate.Source.choices:
                words.setdefault(_key(str(label)), value)
    return words


# What reading a file gives: its columns, its rows, the rows' reading errors, the header's
# warnings.
Read = tuple[list[str], list[RawRow], list[Problem], list[Problem]]


def read_rows(header: Sequence[str] | None, records: Iterable[tuple[int, tables.Record]]) -> Read:
    """The file's columns, its rows (blank ones skipped), the rows' reading errors and the
    header's warnings. ``TableFileError`` when the file cannot be used as a whole: no rows, a
    required column missing, a column named twice, more than ``MAX_ROWS`` rows."""
    if not header:
        raise tables.TableFileError(_("The file is empty: the first line names the columns."))
    known = header_names()
    columns: list[str] = []
    positions: dict[str, str] = {}  # the file's header name → column
    warnings: list[Problem] = []
    for name in header:
        if not name.strip():
            continue
        column = known.get(_key(name))
        if column is None:
            warnings.append(
                Problem(1, _("The column “%(name)s” is not read.") % {"name": name[:60]})
            )
            continue
        if column in columns:
            raise tables.TableFileError(
                _("Two columns of the header mean %(column)s.") % {"column": COLUMN_LABELS[column]},
                line=1,
            )
        columns.append(column)
        positions[name] = column
    missing = [str(COLUMN_LABELS[c]) for c in REQUIRED if c not in columns]
    if missing:
        raise tables.TableFileError(
            _("The header (line 1) lacks: %(missing)s. The columns are: %(all)s.")
            % {
                "missing": ", ".join(missing),
                "all": ", ".join(str(COLUMN_LABELS[c]) for c in COLUMNS),
            },
            line=1,
        )
    rows: list[RawRow] = []
    errors: list[Problem] = []
    read = 0
    for line, record in records:
        if isinstance(record, str):  # the reader found the row unusable as a whole
            errors.append(Problem(line, record))
            read += 1
            continue
        if all(tables.blank(value) for value in record.values()):
            continue  # an empty line is not a candidate
        read += 1
        if read > MAX_ROWS:
            raise tables.TableFileError(
                _("Too many candidates: at most %(n)d in one drive.") % {"n": MAX_ROWS},
                line=line,
            )
        cells = {column: "" for column in COLUMNS}
        for name, column in positions.items():
            cells[column] = tables.text(record.get(name))
        rows.append(RawRow(line, cells))
    if not rows and not errors:
        raise tables.TableFileError(_("The file names its columns but has no candidates."))
    return columns, rows, errors, warnings


def read_sheet(data: bytes, fmt: str) -> Read:
    """``read_rows`` of a stored file (``TableFileError`` as there, or when it is unreadable)."""
    header, records = tables.read_table(data, fmt, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    return read_rows(header, records)


# --- checking the rows (pure: the lookups are given) -------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """What the check needs from the database, fetched once for the whole file."""

    position: Position
    vendors: Mapping[str, Vendor]  # lower-case name → vendor
    on_position: Mapping[str, str]  # lower-case e-mail → the full name of that candidate
    elsewhere: frozenset[str] = frozenset()  # lower-case e-mails of candidates elsewhere


def _file_key(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name.casefold()


def _resume_for(
    row: RawRow, resumes: Mapping[str, ResumeFile], problems: list[Problem]
) -> ResumeFile | None:
    named = row.cells["resume"]
    if named:
        wanted = _file_key(named)
        found = resumes.get(wanted) or resumes.get(wanted + ".pdf")
        if found is None:
            problems.append(
                Problem(
                    row.line,
                    _("No uploaded resume is named “%(name)s”: upload it or fix the name.")
                    % {"name": named[:200]},
                    "resume",
                )
            )
        return found
    email = row.cells["email"].casefold()
    if not email:
        return None
    holding = [resume for key, resume in resumes.items() if email in key]
    if len(holding) > 1:
        problems.append(
            Problem(
                row.line,
                _("Several resumes hold this e-mail in their name (%(names)s): name one.")
                % {"names": ", ".join(sorted(r.name for r in holding))},
                "resume",
            )
        )
        return None
    return holding[0] if holding else None


def check_rows(
    rows: Sequence[RawRow], resumes: Sequence[ResumeFile], lookups: Lookups
) -> tuple[list[CheckedRow], list[Problem], list[Problem]]:
    """Each row through the checks a candidate gets, the file's duplicates and its resumes:
    (rows ready, errors, warnings), every problem with its line."""
    by_name = {_file_key(resume.name): resume for resume in resumes}
    words = source_words()
    checked: list[CheckedRow] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    first_line: dict[str, int] = {}  # e-mail → the line it is on first
    used: dict[str, int] = {}  # resume key → the line that takes it
    for row in rows:
        problems: list[Problem] = []
        cells = row.cells
        own = {name: cells[name] for name in ("full_name", "email", "phone")}
        for name in REQUIRED:
            if not own[name]:
                problems.append(Problem(row.line, _("This column is empty."), name))
        for name, limit in MAX_LENGTHS.items():
            if len(own[name]) > limit:
                problems.append(
                    Problem(
                        row.line,
                        ngettext("At most %(n)d character.", "At most %(n)d characters.", limit)
                        % {"n": limit},
                        name,
                    )
                )
        email = own["email"].lower()
        if own["email"]:
            try:
                validate_email(own["email"])
            except ValidationError:
                problems.append(
                    Problem(
                        row.line,
                        _("“%(email)s” is not an e-mail address.") % {"email": own["email"][:254]},
                        "email",
                    )
                )
            if email in first_line:
                problems.append(
                    Problem(
                        row.line,
                        _("The same e-mail is on line %(line)d already.")
                        % {"line": first_line[email]},
                        "email",
                    )
                )
            else:
                first_line[email] = row.line
            if email in lookups.on_position:
                problems.append(
                    Problem(
                        row.line,
                        _("%(name)s, with this e-mail, is a candidate for this position already.")
                        % {"name": lookups.on_position[email]},
                        "email",
                    )
                )
            elif email in lookups.elsewhere:
                warnings.append(
                    Problem(
                        row.line,
                        _(
                            "A candidate with this e-mail exists (not for this position): "
                            "this row makes a new card."
                        ),
                        "email",
                    )
                )
        vendor: Vendor | None = None
        if cells["vendor"]:
            vendor = lookups.vendors.get(cells["vendor"].lower())
            if vendor is None:
                problems.append(
                    Problem(
                        row.line,
                        _("There is no vendor named “%(name)s”.") % {"name": cells["vendor"][:200]},
                        "vendor",
                    )
                )
        source = Candidate.Source.VENDOR if cells["vendor"] else Candidate.Source.DIRECT
        if cells["source"]:
            source = words.get(_key(cells["source"]), "")
            if not source:
                problems.append(
                    Problem(
                        row.line,
                        _("“%(value)s” is not a source: write %(choices)s.")
                        % {
                            "value": cells["source"][:60],
                            "choices": ", ".join(
                                str(label) for _v, label in Candidate.Source.choices
                            ),
                        },
                        "source",
                    )
                )
        resume = _resume_for(row, by_name, problems)
        if resume is not None:
            key = _file_key(resume.name)
            if resume.problem:
                problems.append(Problem(row.line, f"{resume.name}: {resume.problem}", "resume"))
            elif key in used:
                problems.append(
                    Problem(
                        row.line,
                        _("The resume “%(name)s” is line %(line)d's already.")
                        % {"name": resume.name, "line": used[key]},
                        "resume",
                    )
                )
            else:
                used[key] = row.line
        tags = ""
        if not problems and source and (vendor is not None or not cells["vendor"]):
            # What candidate_create itself refuses: control characters and line breaks, the
            # source against the vendor, an inactive vendor, a closed position, the tags.
            try:
                tags = candidates.candidate_check(
                    fields=own,
                    source=source,
                    vendor=vendor,
                    positions=[lookups.position],
                    tags=cells["tags"],
                )
            except candidates.CandidateRefused as refused:
                column = "" if refused.field in (None, "positions") else refused.field
                problems.append(Problem(row.line, refused.message, column or ""))
        if problems:
            errors.extend(problems)
            continue
        checked.append(CheckedRow(row.line, own, source, vendor, tags, resume))
    for key, resume in sorted(by_name.items()):
        if key not in used:
            warnings.append(
                Problem(
                    0,
                    _("The resume “%(name)s” matches no row: it is not imported.")
                    % {"name": resume.name},
                    "resume",
                )
            )
    return checked, errors, warnings


# --- the drive's files --------------------------------------------------------------------------


def _clean_name(upload: UploadedFile | str) -> str:
    """An uploaded file's name as its owner saw it: the last part of the path, printable, at
    most 200 characters (user input: shown, and matched against the rows, only)."""
    raw = upload if isinstance(upload, str) else (upload.name or "")
    name = PurePosixPath(raw.replace("\\", "/")).name
    name = "".join(char for char in name if ord(char) >= 0x20 and ord(char) != 0x7F).strip()
    return name[-200:]


def _folder(drive: Drive) -> str:
    return f"drives/{drive.key.hex}"


def _save(drive: Drive, stem: str, upload: UploadedFile | File, suffix: str) -> str:
    upload.seek(0)
    return private_storage.save(f"{_folder(drive)}/{stem}-{uuid.uuid4().hex[:12]}.{suffix}", upload)


def _delete_files(paths: Iterable[str]) -> None:
    for path in paths:
        try:
            private_storage.delete(path)
        except OSError:  # gone already, or the disk refuses: nothing names it any more
            logger.warning("drive file %s could not be removed", path)


def _drive_paths(drive: Drive) -> list[str]:
    files = drive.files or {}
    paths = [r["path"] for r in files.get("resumes", [])]
    if files.get("sheet"):
        paths.append(files["sheet"]["path"])
    return paths


def _remove_folder(drive: Drive) -> None:
    _delete_files(_drive_paths(drive))
    try:
        folder = private_storage.path(_folder(drive))
        if os.path.isdir(folder) and not os.listdir(folder):
            os.rmdir(folder)
    except (OSError, NotImplementedError):
        pass


def _checked_sheet(sheet: UploadedFile | None) -> tuple[str, bytes]:
    """The sheet's format and content, or ``DriveRefused`` (field ``sheet``)."""
    if sheet is None:
        raise DriveRefused("sheet_required", _("Choose the file of candidates."), field="sheet")
    fmt = tables.format_for(sheet.name or "", FORMATS)
    if fmt is None:
        raise DriveRefused(
            "sheet_format", _("Choose a .csv or .xlsx file of candidates."), field="sheet"
        )
    if (sheet.size or 0) > SHEET_MAX_BYTES:
        raise DriveRefused(
            "sheet_too_large",
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(sheet.size), "limit": filesizeformat(SHEET_MAX_BYTES)},
            field="sheet",
        )
    sheet.seek(0)
    data = sheet.read(SHEET_MAX_BYTES + 1)
    try:
        read_sheet(data, fmt)
    except tables.TableFileError as error:
        where = (
            _("Line %(line)d: %(reason)s") % {"line": error.line, "reason": error.reason}
            if error.line
            else error.reason
        )
        raise DriveRefused("sheet_unreadable", where, line=error.line, field="sheet") from error
    return fmt, data


def _checked_resumes(resumes: Sequence[UploadedFile], *, already: int = 0) -> list[str]:
    """The resumes' names, or ``DriveRefused`` (field ``resumes``): too many, two with one
    name, one too big or not a PDF by its content."""
    if len(resumes) > MAX_RESUMES_PER_UPLOAD:
        raise DriveRefused(
            "too_many_resumes",
            ngettext(
                "At most %(n)d resume at a time: upload the others on the next page.",
                "At most %(n)d resumes at a time: upload the others on the next page.",
                MAX_RESUMES_PER_UPLOAD,
            )
            % {"n": MAX_RESUMES_PER_UPLOAD},
            field="resumes",
        )
    if already + len(resumes) > MAX_RESUMES:
        raise DriveRefused(
            "too_many_resumes",
            ngettext(
                "A drive takes at most %(n)d resume.",
                "A drive takes at most %(n)d resumes.",
                MAX_RESUMES,
            )
            % {"n": MAX_RESUMES},
            field="resumes",
        )
    names: list[str] = []
    for upload in resumes:
        name = _clean_name(upload) or "resume.pdf"
        if _file_key(name) in {_file_key(n) for n in names}:
            raise DriveRefused(
                "resume_twice",
                _("Two of the resumes are named “%(name)s”.") % {"name": name},
                field="resumes",
            )
        try:
            validate_resume(upload)
        except ValidationError as error:
            raise DriveRefused(
                error.code or "bad_resume", f"{name}: {error.messages[0]}", field="resumes"
            ) from error
        names.append(name)
    return names


def check_position(position: Position) -> None:
    if position.status != Position.Status.OPEN:
        raise DriveRefused(
            "position_closed",
            _("“%(title)s” is %(status)s: a drive needs an open position.")
            % {"title": position.title, "status": position.get_status_display()},
        )
    if not position.plan_rounds.exists():
        raise DriveRefused(
            "empty_plan",
            _("“%(title)s” has no interview plan yet: add its rounds first.")
            % {"title": position.title},
        )


def _lock_draft(drive: Drive | int) -> Drive:
    pk = drive if isinstance(drive, int) else drive.pk
    row = Drive.objects.select_for_update().get(pk=pk)
    if row.status != Drive.Status.DRAFT:
        raise DriveRefused(
            "not_a_draft",
            _("This drive is %(status)s: it changes no more.")
            % {"status": row.get_status_display()},
        )
    return row


def _store_resumes(
    drive: Drive, resumes: Sequence[UploadedFile], names: Sequence[str]
) -> list[str]:
    """Save ``resumes`` into the drive's folder; a file with a name the drive has already
    replaces that one. Returns the paths saved (for the caller to remove on failure)."""
    files = dict(drive.files or {})
    kept = {_file_key(r["name"]): r for r in files.get("resumes", [])}
    saved: list[str] = []
    replaced: list[str] = []
    for upload, name in zip(resumes, names, strict=True):
        path = _save(drive, "resume", upload, "pdf")
        saved.append(path)
        previous = kept.get(_file_key(name))
        if previous is not None:
            replaced.append(previous["path"])
        kept[_file_key(name)] = {"name": name, "path": path, "size": upload.size or 0}
    files["resumes"] = sorted(kept.values(), key=lambda r: r["name"].casefold())
    drive.files = files
    transaction.on_commit(lambda: _delete_files(replaced))
    return saved


def _forget_stale() -> None:
    """Drafts nobody touched for ``DRAFT_KEPT`` lose their files (and become discarded)."""
    for stale in Drive.objects.filter(
        status=Drive.Status.DRAFT, updated_at__lt=timezone.now() - DRAFT_KEPT
    )[:50]:
        _remove_folder(stale)
        Drive.objects.filter(pk=stale.pk, status=Drive.Status.DRAFT).update(
            status=Drive.Status.DISCARDED, files={}, updated_at=timezone.now()
        )


# --- services -----------------------------------------------------------------------------------


def drive_start(
    *,
    position: Position,
    by: User | None,
    sheet: UploadedFile | None,
    resumes: Sequence[UploadedFile] = (),
) -> Drive:
    """A draft drive for ``position`` from the uploaded file of candidates and resumes, or
    ``DriveRefused`` and nothing kept (see the module's docstring). Its rows are checked by
    ``drive_check``; nothing of the pipeline is written here."""
    check_position(position)
    fmt, _data = _checked_sheet(sheet)
    assert sheet is not None
    names = _checked_resumes(resumes)
    _forget_stale()
    saved: list[str] = []
    try:
        with transaction.atomic():
            drive = Drive.objects.create(
                position=position, created_by=by, sheet_name=_clean_name(sheet)
            )
            path = _save(drive, "sheet", sheet, fmt)
            saved.append(path)
            drive.files = {"sheet": {"path": path, "name": drive.sheet_name, "format": fmt}}
            saved += _store_resumes(drive, resumes, names)
            drive.save(update_fields=["files", "updated_at"])
    except BaseException:
        _delete_files(saved)
        raise
    return drive


def drive_add_resumes(
    *, drive: Drive | int, by: User | None, resumes: Sequence[UploadedFile]
) -> Drive:
    """More resumes for a draft (one with the name of one it has replaces it)."""
    if not resumes:
        raise DriveRefused("resumes_required", _("Choose the resumes to add."), field="resumes")
    saved: list[str] = []
    try:
        with transaction.atomic():
            row = _lock_draft(drive)
            names = _checked_resumes(resumes, already=len(row.files.get("resumes", [])))
            saved += _store_resumes(row, resumes, names)
            row.failure = ""
            row.save(update_fields=["files", "failure", "updated_at"])
    except BaseException:
        _delete_files(saved)
        raise
    return row


def drive_replace_sheet(
    *, drive: Drive | int, by: User | None, sheet: UploadedFile | None
) -> Drive:
    """A corrected file of candidates for a draft; its resumes stay."""
    fmt, _data = _checked_sheet(sheet)
    assert sheet is not None
    saved: list[str] = []
    try:
        with transaction.atomic():
            row = _lock_draft(drive)
            old = (row.files or {}).get("sheet", {}).get("path")
            path = _save(row, "sheet", sheet, fmt)
            saved.append(path)
            row.sheet_name = _clean_name(sheet)
            row.files = {
                **row.files,
                "sheet": {"path": path, "name": row.sheet_name, "format": fmt},
            }
            row.failure = ""
            row.save(update_fields=["files", "sheet_name", "failure", "updated_at"])
            if old:
                transaction.on_commit(lambda: _delete_files([old]))
    except BaseException:
        _delete_files(saved)
        raise
    return row


def drive_discard(*, drive: Drive | int, by: User | None) -> Drive:
    """Give up a draft: its files are removed; nothing else was ever written."""
    with transaction.atomic():
        row = _lock_draft(drive)
        row.status = Drive.Status.DISCARDED
        paths = _drive_paths(row)
        row.files = {}
        row.save(update_fields=["status", "files", "updated_at"])
        transaction.on_commit(lambda: _delete_files(paths))
    return row


def _resume_files(drive: Drive) -> list[ResumeFile]:
    found = []
    for item in (drive.files or {}).get("resumes", []):
        problem = ""
        try:
            with private_storage.open(item["path"], "rb") as handle:
                validate_resume(File(handle, name=item["name"]))
        except OSError:
            problem = _("The uploaded file is gone: upload it again.")
        except ValidationError as error:
            problem = error.messages[0]
        found.append(ResumeFile(item["name"], item["path"], item.get("size", 0), problem))
    return found


def _lookups(position: Position, rows: Sequence[RawRow]) -> Lookups:
    names = {row.cells["vendor"].lower() for row in rows if row.cells["vendor"]}
    vendors = {
        vendor.name.lower(): vendor
        for vendor in Vendor.objects.annotate(key=Lower("name")).filter(key__in=names)
    }
    emails = {row.cells["email"].lower() for row in rows if row.cells["email"]}
    on_position: dict[str, str] = {}
    elsewhere: set[str] = set()
    found = (
        Candidate.objects.annotate(key=Lower("email"))
        .filter(key__in=emails)
        .values_list("pk", "key", "full_name")
    )
    matched = {pk: (key, name) for pk, key, name in found}
    on = set(
        Candidate.positions.through.objects.filter(
            candidate_id__in=matched, position_id=position.pk
        ).values_list("candidate_id", flat=True)
    )
    for pk, (key, name) in matched.items():
        if pk in on:
            on_position[key] = name
        else:
            elsewhere.add(key)
    return Lookups(position, vendors, on_position, frozenset(elsewhere - set(on_position)))


def drive_check(drive: Drive, *, position: Position | None = None) -> DriveCheck:
    """The drive's report as of now: its stored file read again and every row checked."""
    position = position or drive.position
    sheet = (drive.files or {}).get("sheet")
    if not sheet:
        return DriveCheck(errors=[Problem(0, _("The drive has no file of candidates."))])
    try:
        with private_storage.open(sheet["path"], "rb") as handle:
            data = handle.read(SHEET_MAX_BYTES + 1)
        columns, raw, reading, warnings = read_sheet(data, sheet["format"])
    except OSError:
        return DriveCheck(errors=[Problem(0, _("The uploaded file is gone: upload it again."))])
    except tables.TableFileError as error:
        return DriveCheck(errors=[Problem(error.line, error.reason)])
    rows, errors, more = check_rows(raw, _resume_files(drive), _lookups(position, raw))
    errors = sorted(reading + errors, key=lambda p: p.line)
    return DriveCheck(rows, errors, warnings + more, columns, lines=len(raw) + len(reading))


def progress_key(drive_id: int) -> str:
    return f"interviews:drive:{drive_id}:done"


def _tell_progress(drive_id: int, done: int, total: int) -> None:
    try:
        cache.set(
            progress_key(drive_id),
            {"done": done, "total": total},
            timeout=int(RUNNING_STALE.total_seconds()),
        )
    except Exception:  # noqa: BLE001 - the progress bar is a courtesy; the import goes on
        logger.warning("drive %s: progress not told", drive_id, exc_info=True)


def drive_progress(drive: Drive) -> dict[str, Any]:
    """Where the drive is: ``status``, ``total``, ``done`` (rows written so far)."""
    done, total, status = drive.done, drive.total, drive.status
    if status == Drive.Status.RUNNING:
        if drive.started_at and timezone.now() - drive.started_at > RUNNING_STALE:
            status = "interrupted"
        try:
            told = cache.get(progress_key(drive.pk)) or {}
        except Exception:  # noqa: BLE001 - no progress known: the bar waits
            told = {}
        done, total = int(told.get("done", 0)), int(told.get("total", total))
    return {"status": status, "total": total, "done": min(done, total)}


class _Stopped(Exception):
    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def drive_import(
    *,
    drive: Drive | int,
    by: User | None,
    on_row: Callable[[int, CheckedRow], None] | None = None,
) -> Drive:
    """Import a draft: every row's candidate and interview, in one transaction, or none.
    ``DriveRefused`` (the drive a draft again, with ``failure`` saying why and where) when
    anything refuses. ``on_row(done, row)`` is called after each row is written (inside the
    transaction: raising there stops the import like any failure)."""
    pk = drive if isinstance(drive, int) else drive.pk
    with transaction.atomic():
        claimed = Drive.objects.select_for_update().get(pk=pk)
        stale = (
            claimed.status == Drive.Status.RUNNING
            and claimed.started_at is not None
            and timezone.now() - claimed.started_at > RUNNING_STALE
        )
        if claimed.status != Drive.Status.DRAFT and not stale:
            raise DriveRefused(
                "not_a_draft",
                _("This drive is %(status)s: it is not imported again.")
                % {"status": claimed.get_status_display()},
            )
        claimed.status = Drive.Status.RUNNING
        claimed.started_at = timezone.now()
        claimed.done = 0
        claimed.failure = ""
        claimed.save(update_fields=["status", "started_at", "done", "failure", "updated_at"])
    stored: list[str] = []  # resumes saved for candidates, removed again if rolled back
    line = 0
    try:
        with transaction.atomic():
            position = Position.objects.select_for_update().get(pk=claimed.position_id)
            check_position(position)
            report = drive_check(claimed, position=position)
            if not report.ok:
                raise _Stopped(
                    _("The file no longer passes the check (see the report): nothing was imported.")
                )
            total = len(report.rows)
            _tell_progress(pk, 0, total)
            for done, row in enumerate(report.rows, start=1):
                line = row.line
                candidate = _create(claimed, row, position, by, stored)
                services.interview_create(candidate=candidate, position=position, by=by)
                _tell_progress(pk, done, total)
                if on_row is not None:
                    on_row(done, row)
            claimed.status = Drive.Status.DONE
            claimed.total = claimed.done = total
            claimed.finished_at = timezone.now()
            claimed.save(update_fields=["status", "total", "done", "finished_at", "updated_at"])
            paths = _drive_paths(claimed)
            transaction.on_commit(lambda: _delete_files(paths))
    except (
        _Stopped,
        DriveRefused,
        candidates.CandidateRefused,
        services.InterviewRefused,
    ) as error:
        where = 0 if isinstance(error, _Stopped) else line
        message = _failure(error.message, where)
        _undo(pk, stored, message)
        raise DriveRefused("import_failed", message, line=where) from error
    except (DatabaseError, OSError) as error:
        logger.exception("drive %s: the import stopped at line %s", pk, line)
        message = _("Line %(line)d could not be written: nothing was imported. Try again.") % {
            "line": line
        }
        _undo(pk, stored, message)
        raise DriveRefused("import_failed", message, line=line) from error
    except BaseException:
        _undo(pk, stored, _("The import was interrupted: nothing was imported."))
        raise
    _tell_progress(pk, total, total)
    return claimed


def _failure(message: str, line: int) -> str:
    if not line:
        return message
    return _("Line %(line)d: %(reason)s Nothing was imported.") % {"line": line, "reason": message}


def _undo(pk: int, stored: list[str], failure: str) -> None:
    """After a rollback: the resumes saved for rows that are not there, and the drive a draft
    again saying why."""
    _delete_files(stored)
    Drive.objects.filter(pk=pk).update(
        status=Drive.Status.DRAFT, done=0, failure=failure, updated_at=timezone.now()
    )
    try:
        cache.delete(progress_key(pk))
    except Exception:  # noqa: BLE001
        pass


def _create(
    drive: Drive, row: CheckedRow, position: Position, by: User | None, stored: list[str]
) -> Candidate:
    resume = None
    handle = None
    try:
        if row.resume is not None:
            handle = private_storage.open(row.resume.path, "rb")
            resume = File(handle, name=row.resume.name)
        candidate = candidates.candidate_create(
            by=by,
            fields=row.fields,
            resume=resume,
            source=row.source,
            vendor=row.vendor,
            positions=[position],
            tags=row.tags,
            history={"drive": drive.pk},
        )
    finally:
        if handle is not None:
            handle.close()
    if candidate.resume:
        stored.append(candidate.resume.name)
    return candidate


# --- reading a drive's outcome and its template --------------------------------------------------


def drive_candidates(drive: Drive) -> list[Candidate]:
    """The candidates the drive created (their ``created`` event names it), in its order."""
    ids = list(
        CandidateEvent.objects.filter(kind="created", details__drive=drive.pk)
        .order_by("id")
        .values_list("candidate_id", flat=True)
    )
    found = Candidate.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def template_file(fmt: str) -> bytes:
    """An empty file of candidates to fill in: the header in the active language (.xlsx: with
    a second sheet saying what each column takes)."""
    header = [str(COLUMN_LABELS[c]) for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerow(header)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = _("Candidates")[:31]
        sheet.append(header)
        for index, _name in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 24
        help_sheet = book.create_sheet(_("Help")[:31])
        for column, text in column_help():
            help_sheet.append([str(COLUMN_LABELS[column]), str(text)])
        help_sheet.column_dimensions["A"].width = 24
        help_sheet.column_dimensions["B"].width = 100
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


def column_help() -> Iterator[tuple[str, str]]:
    """What each column takes, for the page and the template's help sheet."""
    sources = ", ".join(str(label) for _v, label in Candidate.Source.choices)
    yield "full_name", _("Required.")
    yield "email", _("Required; once per file and per position.")
    yield "phone", _("Optional.")
    yield (
        "source",
        _("%(sources)s; empty: a vendor when one is named, else direct.") % {"sources": sources},
    )
    yield "vendor", _("The vendor's name as Roundtable knows it (an active vendor).")
    yield "tags", _("Optional, separated by commas.")
    yield (
        "resume",
        _("The PDF's file name as uploaded; empty: the uploaded PDF whose name holds the e-mail."),
    )
