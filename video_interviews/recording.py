"""The recording's writes: a candidate begins a take of the current question, its bytes
arrive by the tus protocol (``video_interviews.tus``, the view is ``video_interviews.uploads``)
while it is recorded, and the candidate keeps it or records again. The rules (order, retakes,
sniffing) are ``video_interviews.rules``'.

Nothing recorded is lost:

* bytes in flight are written to ``VIDEO_UPLOADS_DIR/<take>.part`` at the offset the browser
  names, then synced, then the offset is stored: a request cut off mid-way stores nothing,
  and the browser, asking ``HEAD`` how much there is, sends that chunk again;
* a take cut short by a reload is finished from the browser's own copy (IndexedDB) when
  the page comes back, or, with none, closed at what arrived (``take_stop``);
* the kept take is copied into the private storage in pieces before its part file goes, and
  its processing is queued only after that commit.

Locks: the invitation's row, then the answer's, then the take's (every writer here takes
them in that order); a part file is written under an exclusive ``flock`` as well, which
SQLite (no row locks) needs and which tells a second writer 423 at once."""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from video_interviews import rules
from video_interviews.models import Answer, Invitation, Question, Take
from video_interviews.services import VideoRefused

logger = logging.getLogger(__name__)
PIECE = 64 * 1024  # bytes copied at a time: never a whole body or file in memory

MESSAGES = {
    rules.NOT_OPEN: gettext_lazy("This interview cannot be recorded now."),
    rules.NOT_CURRENT: gettext_lazy("Answer the questions in their order."),
    rules.NO_TAKES_LEFT: gettext_lazy("No retakes are left for this question."),
    rules.ANSWERED: gettext_lazy("This question is answered already."),
    rules.TAKE_NOT_UPLOADED: gettext_lazy(
        "This recording has not arrived in full yet: wait for its upload to finish."
    ),
    rules.TAKE_GONE: gettext_lazy("This recording was replaced or thrown away."),
    "offset_mismatch": gettext_lazy("The upload is not at that offset: ask where it is (HEAD)."),
    "too_large": gettext_lazy("The recording is larger than an answer of this length may be."),
    "not_video": gettext_lazy("This is not a WebM or MP4 recording."),
    "length_mismatch": gettext_lazy("The length does not match what was sent or said before."),
    "locked": gettext_lazy("Another request is writing this recording: try again shortly."),
    "no_such_question": gettext_lazy("The interview has no such question."),
    "bad_recorded_ms": gettext_lazy("The recording's length in milliseconds is not valid."),
}


def refused(code: str, status: int = 409) -> VideoRefused:
    error = VideoRefused(code, str(MESSAGES[code]))
    error.details["status"] = status
    return error


def part_path(take: Take) -> Path:
    return Path(settings.VIDEO_UPLOADS_DIR) / f"{take.pk}.part"


def max_bytes(question: Question) -> int:
    return rules.take_max_bytes(
        question.answer_seconds, settings.VIDEO_MAX_BITS_PER_SECOND, settings.VIDEO_SLACK_BYTES
    )


def is_open(invitation: Invitation, now: datetime) -> bool:
    """Takes may begin while the invitation is accepted, the interview active and the
    deadline ahead."""
    interview = invitation.interview
    return (
        invitation.status == Invitation.Status.ACCEPTED
        and interview.status == interview.Status.ACTIVE
        and interview.deadline > now
    )


def answers_seen(invitation: Invitation) -> list[rules.AnswerSeen]:
    answers = {a.question_id: a for a in invitation.answers.all()}
    counted = {
        row["answer__question_id"]: rules.takes_counted(row["whole"], row["cut"])
        for row in Take.objects.filter(answer__invitation=invitation)
        .values("answer__question_id")
        .annotate(
            whole=Count("id", filter=Q(interrupted=False)),
            cut=Count("id", filter=Q(interrupted=True)),
        )
    }
    seen = []
    for question in invitation.interview.questions.order_by("order"):
        answer = answers.get(question.pk)
        seen.append(
            rules.AnswerSeen(
                order=question.order,
                retakes=question.retakes,
                kept=answer is not None and answer.submitted_at is not None,
                takes_counted=counted.get(question.pk, 0),
            )
        )
    return seen


def _locked_invitation(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("interview")
        .get(pk=invitation.pk)
    )


def _open_take(answer: Answer) -> Take | None:
    """The take of ``answer`` not yet kept or thrown away (at most one)."""
    return (
        answer.recordings.filter(status__in=(Take.Status.RECORDING, Take.Status.UPLOADED))
        .order_by("-number")
        .first()
    )


def _discard(take: Take) -> None:
    take.status = Take.Status.DISCARDED
    take.save(update_fields=["status"])
    path = part_path(take)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def take_start(
    *, candidate: User, invitation: Invitation, order: int, now: datetime | None = None
) -> Take:
    """Begin a take of question ``order``: the question's text is the candidate's from now.
    A take still open for it is thrown away (an interrupted one gives its retake back)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        question = invitation.interview.questions.filter(order=order).first()
        if question is None:
            raise refused("no_such_question", 404)
        answer, _created = Answer.objects.select_for_update().get_or_create(
            invitation=invitation, question=question
        )
        previous = _open_take(answer)
        refusal = rules.take_refusal(
            open_=is_open(invitation, now),
            answers=answers_seen(invitation),
            order=order,
        )
        if refusal is not None:
            raise refused(refusal, 403 if refusal == rules.NOT_OPEN else 409)
        if previous is not None:
            _discard(previous)
        last = answer.recordings.order_by("-number").values_list("number", flat=True).first()
        take = Take.objects.create(answer=answer, number=(last or 0) + 1, started_at=now)
        answer.takes += 1
        answer.status = Answer.Status.UPLOADING
        answer.save(update_fields=["takes", "status", "updated_at"])
        if invitation.started_at is None:
            invitation.started_at = now
            invitation.save(update_fields=["started_at"])
        logger.info("take %s begun: invitation %s question %s", take.pk, invitation.pk, order)
    return take


def _locked_take(take: Take) -> Take:
    return (
        Take.objects.select_for_update(of=("self",))
        .select_related("answer__question", "answer__invitation")
        .get(pk=take.pk)
    )


@contextmanager
def _writing(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refused("locked", 423) from None
        yield descriptor
    finally:
        os.close(descriptor)  # the lock goes with it


def _set_length(take: Take, length: int | None, limit: int) -> None:
    if length is None:
        return
    if take.length is not None and take.length != length:
        raise refused("length_mismatch", 409)
    if length > limit:
        raise refused("too_large", 413)
    if length < take.offset:
        raise refused("length_mismatch", 409)
    take.length = length


def take_declare(*, take: Take, length: int) -> Take:
    """tus creation with ``Upload-Length``: the take's length told before its bytes."""
    with transaction.atomic():
        take = _locked_take(take)
        if take.status == Take.Status.DISCARDED:
            raise refused(rules.TAKE_GONE, 410)
        if take.status != Take.Status.RECORDING:
            if take.length == length:
                return take  # told again: it is all here
            raise refused("length_mismatch", 409)
        if length == 0:
            raise refused("not_video", 415)
        _set_length(take, length, max_bytes(take.answer.question))
        take.save(update_fields=["length"])
    return take


def take_receive(
    *,
    take: Take,
    offset: int,
    body: IO[bytes],
    length: int | None = None,
    now: datetime | None = None,
) -> Take:
    """A tus PATCH: ``body`` goes at ``offset`` (which must be where the take is); ``length``
    (``Upload-Length``) is told once, with the last chunk. The first bytes must be WebM or MP4.
    A refusal writes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        take = _locked_take(take)
        if take.status != Take.Status.RECORDING:
            if take.status == Take.Status.DISCARDED:
                raise refused(rules.TAKE_GONE, 410)
            if offset == take.offset and length in (None, take.length):
                return take  # the last PATCH again, its answer lost: it is all here
            raise refused("offset_mismatch", 409)
        if offset != take.offset:
            raise refused("offset_mismatch", 409)
        limit = max_bytes(take.answer.question)
        _set_length(take, length, limit)
        end = take.length if take.length is not None else limit
        path = part_path(take)
        with _writing(path) as descriptor:
            try:
                written = _copy(body, descriptor, take, end)
            except VideoRefused:
                os.ftruncate(descriptor, take.offset)  # nothing of a refused chunk stays
                raise
            os.ftruncate(descriptor, take.offset + written)
            os.fsync(descriptor)
        take.offset += written
        if take.length is not None and take.offset > take.length:  # pragma: no cover - _copy stops
            raise refused("length_mismatch", 409)
        if take.offset == 0 and take.length == 0:
            raise refused("not_video", 415)
        fields = ["offset", "length", "content_type"]
        if take.length is not None and take.offset == take.length:
            take.status = Take.Status.UPLOADED
            take.finished_at = now
            fields += ["status", "finished_at"]
        take.save(update_fields=fields)
    return take


def _copy(body: IO[bytes], descriptor: int, take: Take, end: int) -> int:
    """Copy ``body`` to the part file at the take's offset, refusing before the first byte
    lands if it is not a recording or would go past ``end``."""
    os.lseek(descriptor, take.offset, os.SEEK_SET)
    written = 0
    first = take.offset == 0
    while True:
        piece = body.read(PIECE)
        if not piece:
            break
        if first:
            # The chunk's start, read whole before anything is written (a first chunk is
            # far larger than the sniff; a tiny one is all the recording there is).
            while len(piece) < rules.SNIFF_BYTES:
                more = body.read(rules.SNIFF_BYTES - len(piece))
                if not more:
                    break
                piece += more
            container = rules.sniff_container(piece[: rules.SNIFF_BYTES])
            if container is None:
                raise refused("not_video", 415)
            take.content_type = rules.CONTAINER_TYPES[container]
            first = False
        if take.offset + written + len(piece) > end:
            raise refused("too_large" if take.length is None else "length_mismatch", 413)
        os.write(descriptor, piece)
        written += len(piece)
    return written


def take_discard(*, take: Take) -> None:
    """tus termination: a take not kept goes (its retake stays used, unless interrupted)."""
    with transaction.atomic():
        take = _locked_take(take)
        if take.status == Take.Status.KEPT:
            raise refused(rules.ANSWERED, 409)
        if take.status != Take.Status.DISCARDED:
            _discard(take)


def take_stop(*, take: Take, recorded_ms: int | None, now: datetime | None = None) -> Take:
    """A take cut short (a reload, a lost camera) whose browser has no copy of the rest: it is
    closed at what arrived, marked interrupted (its retake is given back), and may be kept.
    With nothing arrived it is thrown away."""
    now = now or timezone.now()
    _check_ms(recorded_ms)
    with transaction.atomic():
        take = _locked_take(take)
        if take.status == Take.Status.DISCARDED:
            raise refused(rules.TAKE_GONE, 410)
        if take.status == Take.Status.KEPT:
            raise refused(rules.ANSWERED, 409)
        take.interrupted = True
        take.recorded_ms = recorded_ms or take.recorded_ms
        if take.status == Take.Status.RECORDING:
            if take.offset == 0:
                _discard(take)
                take.save(update_fields=["interrupted", "recorded_ms"])
                return take
            take.length = take.offset
            take.status = Take.Status.UPLOADED
            take.finished_at = now
        take.save(update_fields=["interrupted", "recorded_ms", "length", "status", "finished_at"])
    return take


def _check_ms(recorded_ms: int | None) -> None:
    if recorded_ms is not None and not 0 <= recorded_ms <= rules.ANSWER_MAX * 2000:
        raise refused("bad_recorded_ms", 400)


def _may_keep(invitation: Invitation, take: Take) -> bool:
    """Accepted, or expired since this take began: an answer recorded before the deadline
    is kept even if its upload or the candidate's choice came after it."""
    if invitation.status == Invitation.Status.ACCEPTED:
        return True
    return (
        invitation.status == Invitation.Status.EXPIRED
        and take.started_at < invitation.interview.deadline
    )


def take_keep(*, take: Take, recorded_ms: int | None, now: datetime | None = None) -> Answer:
    """The candidate keeps this take as their answer: copied into the private storage, its
    processing queued; the other takes go. The last question's keep hands the interview in."""
    from video_interviews import tasks

    now = now or timezone.now()
    _check_ms(recorded_ms)
    with transaction.atomic():
        invitation = _locked_invitation(take.answer.invitation)
        answer = Answer.objects.select_for_update().get(pk=take.answer_id)
        take = _locked_take(take)
        if answer.submitted_at is not None:
            raise refused(rules.ANSWERED, 409)
        if take.status == Take.Status.DISCARDED:
            raise refused(rules.TAKE_GONE, 410)
        if take.status != Take.Status.UPLOADED:
            raise refused(rules.TAKE_NOT_UPLOADED, 409)
        if not _may_keep(invitation, take):
            raise refused(rules.NOT_OPEN, 403)
        path = part_path(take)
        container = rules.CONTAINER_TYPES
        suffix = ".mp4" if take.content_type == container[rules.MP4] else ".webm"
        with path.open("rb") as part:
            answer.original.save(f"original{suffix}", File(part), save=False)
        take.status = Take.Status.KEPT
        take.recorded_ms = recorded_ms if recorded_ms is not None else take.recorded_ms
        take.save(update_fields=["status", "recorded_ms"])
        for other in answer.recordings.exclude(pk=take.pk).exclude(status=Take.Status.DISCARDED):
            _discard(other)
        answer.status = Answer.Status.UPLOADED
        answer.submitted_at = now
        answer.content_type = take.content_type
        answer.size = take.length or 0
        answer.recorded_ms = take.recorded_ms
        answer.save()
        if rules.current_question(answers_seen(invitation)) is None:
            invitation.status = Invitation.Status.COMPLETED
            invitation.completed_at = now
            invitation.save(update_fields=["status", "completed_at"])
        transaction.on_commit(lambda: path.unlink(missing_ok=True))
        tasks.queue_processing(answer.pk)  # once this commits
    logger.info("answer %s kept (take %s, %s bytes)", answer.pk, take.pk, answer.size)
    return answer


# A take left unkept this long after its interview's deadline (or its invitation revoked or
# handed in) will not be finished: its part file goes. A day's grace after the deadline,
# since a take begun before it may still arrive and be kept (``_may_keep``).
ABANDONED_AFTER = timedelta(days=1)


def parts_sweep(*, now: datetime | None = None) -> int:
    """Throw away the takes nobody will finish and remove part files no take owns (a crash
    between a keep's commit and its unlink); the beat job runs this. How many files went."""
    now = now or timezone.now()
    open_statuses = (Take.Status.RECORDING, Take.Status.UPLOADED)
    stale = Take.objects.filter(status__in=open_statuses).filter(
        Q(answer__invitation__status__in=(Invitation.Status.REVOKED, Invitation.Status.COMPLETED))
        | Q(answer__invitation__interview__deadline__lt=now - ABANDONED_AFTER)
    )
    gone: set[str] = set()
    for take in stale.iterator():
        with transaction.atomic():
            locked = _locked_take(take)
            if locked.status in open_statuses:
                _discard(locked)  # its file goes once this commits
                gone.add(str(locked.pk))
    removed = len(gone)
    directory = Path(settings.VIDEO_UPLOADS_DIR)
    if directory.is_dir():
        owned = gone | {
            str(pk)
            for pk in Take.objects.filter(status__in=open_statuses).values_list("pk", flat=True)
        }
        cutoff = (now - ABANDONED_AFTER).timestamp()
        for path in directory.glob("*.part"):
            if path.stem not in owned and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("uploads: %s part files of abandoned takes removed", removed)
    return removed
