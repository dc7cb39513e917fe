"""Writes to the outbox: enqueue inside the cause's transaction, deliver with a claimed lease,
retry with backoff, re-queue what got stuck.

Guarantees, and where each comes from:

* never lost — the row commits with the decision; the task is queued after commit, and the
  beat job ``outbox_requeue_stuck`` queues again whatever is still pending or whose worker died;
* one sender — a worker sends only after a conditional UPDATE moved the row to ``sending``
  under its own claim token; anyone else's UPDATE matches nothing;
* sent once in the books — ``sent`` is written with a conditional UPDATE on that token.

A worker killed after the peer accepted a message but before ``sent`` was written will send it
again when the lease runs out: at-least-once is the best any sender can do over SMTP or HTTP.

Notices (``notice_send``, ``notice_mark_read``) are the site's own messages to a person: a row
written in the cause's transaction, pushed to the person's open pages after commit
(``notify.push``; docs/protocol.md, "The personal socket").
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from notify import push
from notify.models import Notice, Outbox
from notify.selectors import notice_frame, unread_count
from notify.transports import (
    Attachment,
    Message,
    NotConfigured,
    PermanentError,
    TransientError,
    content_type,
    not_configured,
    transport_for,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sent:
    pass


@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class RetryLater:
    after: float


@dataclass(frozen=True)
class NotMine:
    """Someone else holds the row, or it is already done: nothing to do."""


Delivery = Sent | Failed | RetryLater | NotMine


# --- enqueue ------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    decision_id: int | None = None,
    kind: str = Outbox.Kind.DECISION,
    attachments: Sequence[dict[str, str]] = (),
) -> Outbox:
    """Write one row; it is queued for a worker only once the surrounding transaction commits.
    A channel this server cannot send on is written as ``skipped`` with the reason.

    ``attachments``: files an e-mail carries, each ``{"filename", "content_type", "content"}``
    with text content (an invitation: ``content_type="text/calendar; method=REQUEST"`` or
    ``method=CANCEL``). Malformed ones are a ValueError and nothing is written; a channel
    that cannot carry files (Telegram) sends the text alone."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the row would be visible before its cause is: refuse.
        raise RuntimeError("outbox_enqueue must run inside the transaction of its cause")
    files = _checked_attachments(attachments)
    skipped = not_configured(channel)
    row = Outbox.objects.create(
        decision_id=decision_id,
        kind=kind,
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body_text=body_text,
        body_html=body_html,
        attachments=files,
        status=Outbox.Status.SKIPPED if skipped else Outbox.Status.PENDING,
        last_error=skipped or "",
    )
    if not skipped:
        _queue_after_commit(row.pk)
    return row


MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 1024 * 1024  # all of a message's files together, as UTF-8
_FILENAME = re.compile(r"^[^\x00-\x1f\x7f/\\]{1,100}$")


def _checked_attachments(attachments: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    if isinstance(attachments, dict | str) or len(attachments) > MAX_ATTACHMENTS:
        raise ValueError(f"attachments: a list of at most {MAX_ATTACHMENTS} files")
    files, size = [], 0
    for item in attachments:
        if not isinstance(item, dict) or set(item) != {"filename", "content_type", "content"}:
            raise ValueError("an attachment is {filename, content_type, content}")
        filename, kind, content = item["filename"], item["content_type"], item["content"]
        if not isinstance(filename, str) or not _FILENAME.match(filename):
            raise ValueError(f"attachment file name: {filename!r}")
        content_type(kind)  # raises ValueError for anything but type/subtype; name=value
        if not isinstance(content, str) or "\x00" in content:
            raise ValueError("attachment content is text without NUL")
        try:
            size += len(content.encode("utf-8"))
        except UnicodeEncodeError as error:  # a lone surrogate
            raise ValueError("attachment content is not valid text") from error
        files.append({"filename": filename, "content_type": kind, "content": content})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"attachments: over {MAX_ATTACHMENT_BYTES} bytes in all")
    return files


def _queue_after_commit(outbox_id: int) -> None:
    # robust: a broker that is down must not turn a committed decision into an error page;
    # the row is safe in the database and the beat job queues it again.
    transaction.on_commit(lambda: queue_delivery(outbox_id), robust=True)


def queue_delivery(outbox_id: int, countdown: float | None = None) -> None:
    """Hand a row to Celery. If the broker is down this raises; the row stays pending and the
    beat job queues it again, so callers after commit may log and move on."""
    from notify.tasks import outbox_deliver

    outbox_deliver.apply_async((outbox_id,), countdown=countdown, queue=settings.NOTIFY_QUEUE)


# --- deliver ------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> float:
    """Exponential: base, 2×base, 4×base … capped; ``attempts`` counts the failed tries."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    return float(min(settings.NOTIFY_RETRY_MAX_SECONDS, base * 2 ** max(0, attempts - 1)))


def outbox_claim(*, outbox_id: int, now: datetime | None = None) -> uuid.UUID | None:
    """Take the row for sending if it is due and free (or its holder's lease ran out).

    One UPDATE with the condition in its WHERE clause: the database lets exactly one of any
    number of racing workers match it."""
    now = now or timezone.now()
    token = uuid.uuid4()
    won = (
        Outbox.objects.filter(pk=outbox_id)
        .filter(
            Q(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Outbox.Status.SENDING, claimed_until__lt=now)
        )
        .update(
            status=Outbox.Status.SENDING,
            claim_token=token,
            claimed_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return token if won else None


def outbox_deliver(*, outbox_id: int) -> Delivery:
    """Claim, send, and record the outcome. Called by the Celery task, once per try."""
    token = outbox_claim(outbox_id=outbox_id)
    if token is None:
        row = Outbox.objects.filter(pk=outbox_id).only("status", "next_attempt_at").first()
        now = timezone.now()
        if row is not None and row.status == Outbox.Status.PENDING and row.next_attempt_at > now:
            return RetryLater((row.next_attempt_at - now).total_seconds())
        return NotMine()
    row = Outbox.objects.get(pk=outbox_id)
    message = Message(
        row.recipient,
        row.subject,
        row.body_text,
        row.body_html,
        tuple(Attachment(**item) for item in row.attachments or ()),
    )
    try:
        transport_for(row.channel)(message)
    except NotConfigured as error:  # configured when queued, not any more: nothing to retry
        _finish(row, token, status=Outbox.Status.SKIPPED, last_error=error.reason)
        logger.info("outbox %s skipped: %s", row.pk, error.reason)
        return Failed(error.reason)
    except PermanentError as error:
        _finish(row, token, status=Outbox.Status.FAILED, last_error=error.reason)
        logger.warning("outbox %s failed for good: %s", row.pk, error.reason)
        return Failed(error.reason)
    except TransientError as error:
        return _later(row, token, error.reason, error.retry_after)
    except Exception as error:  # a bug or an unforeseen library error: keep the row alive
        logger.exception("outbox %s: unexpected error while sending", row.pk)
        return _later(row, token, f"unexpected error: {error!r}", None)
    if not _finish(row, token, status=Outbox.Status.SENT, last_error=""):
        # Only possible if the lease ran out mid-send; the lease is kept well above the
        # transports' timeouts (checked in settings) so that this stays theoretical.
        logger.error("outbox %s: sent, but the claim was lost before it was recorded", row.pk)
    return Sent()


def _later(row: Outbox, token: uuid.UUID, reason: str, retry_after: float | None) -> Delivery:
    if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        reason = f"gave up after {row.attempts} attempts: {reason}"
        _finish(row, token, status=Outbox.Status.FAILED, last_error=reason)
        return Failed(reason)
    delay = max(backoff_seconds(row.attempts), retry_after or 0.0)
    now = timezone.now()
    Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING, claim_token=token).update(
        status=Outbox.Status.PENDING,
        claim_token=None,
        claimed_until=None,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=reason[:2000],
        updated_at=now,
    )
    logger.info("outbox %s: try %s failed (%s); next in %.1fs", row.pk, row.attempts, reason, delay)
    return RetryLater(delay)


def _finish(row: Outbox, token: uuid.UUID, *, status: str, last_error: str) -> bool:
    now = timezone.now()
    done = Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING, claim_token=token).update(
        status=status,
        claim_token=None,
        claimed_until=None,
        last_error=last_error,
        sent_at=now if status == Outbox.Status.SENT else None,
        updated_at=now,
    )
    return bool(done)


# --- manager's actions and housekeeping ----------------------------------------------------


def outbox_retry(*, outbox_id: int) -> bool:
    """A failed row goes back to pending (attempts start over) and is queued after commit."""
    with transaction.atomic():
        changed = Outbox.objects.filter(pk=outbox_id, status=Outbox.Status.FAILED).update(
            status=Outbox.Status.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if changed:
            _queue_after_commit(outbox_id)
    return bool(changed)


def outbox_cancel_unsent(*, decision_id: int) -> int:
    """Withdraw rows not yet on their way (a reopened decision must not reach HR late).
    A row being sent right now cannot be called back and is left to finish."""
    return Outbox.objects.filter(
        decision_id=decision_id, status__in=[Outbox.Status.PENDING, Outbox.Status.FAILED]
    ).update(status=Outbox.Status.CANCELLED, updated_at=timezone.now())


def outbox_requeue_stuck(*, now: datetime | None = None) -> list[int]:
    """Queue again rows whose task was lost: pending past their time (broker down at commit,
    web process died before queueing) and sending past their lease (worker died mid-send)."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.NOTIFY_REQUEUE_GRACE_SECONDS)
    ids = list(
        Outbox.objects.filter(
            Q(status=Outbox.Status.PENDING, next_attempt_at__lt=now - grace)
            | Q(status=Outbox.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("id")
        .values_list("id", flat=True)[:500]
    )
    for outbox_id in ids:
        queue_delivery(outbox_id)
    if ids:
        logger.info("re-queued %s stuck outbox rows", len(ids))
    return ids


# --- notices -------------------------------------------------------------------------------

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_BODY = 5000
MAX_LINK = 500


def _checked_link(link: str) -> str:
    """A path on this site (``/rounds/12/``), or nothing: never another site's address."""
    if not isinstance(link, str) or len(link) > MAX_LINK:
        raise ValueError(f"notice link: a site path of at most {MAX_LINK} characters")
    if link and (
        not link.startswith("/")
        or link.startswith("//")
        or any(c in link for c in "\\\r\n\t\x00")
        or any(ord(c) < 32 or ord(c) == 127 for c in link)
    ):
        raise ValueError(f"notice link: a path on this site, not {link!r}")
    return link


def notice_send(*, user: Any, kind: str, title: Any, body: Any = "", link: str = "") -> Notice:
    """Store a notice for ``user`` and, once the surrounding transaction commits (at once
    without one), push it to their open pages; a rollback leaves neither row nor push.

    ``title`` and ``body`` are rendered in the recipient's language (their profile's, else
    the site's), so pass lazy text: ``gettext_lazy("Round assigned")``, or
    ``format_lazy(gettext_lazy("Round {name} is yours"), name=...)`` with values (``%`` on a
    lazy string would translate it at once, in the sender's language). ``kind`` is a short
    code (``round_assigned``, ``no_match``, ``decision_waiting``, ``reminder``); ``link`` a path
    on this site. Bad arguments are a ValueError and nothing is written. A push that cannot
    reach the channel layer (Redis down) is logged; the row stays."""
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise ValueError(f"notice kind: a short lower-case code, not {kind!r}")
    link = _checked_link(link)
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        title_text, body_text = str(title).strip(), str(body).strip()
    if not title_text:
        raise ValueError("a notice has a title")
    notice = Notice.objects.create(
        recipient=user,
        kind=kind,
        title=title_text[:200],
        body=body_text[:MAX_BODY],
        link=link,
    )
    frame, user_id = notice_frame(notice), user.pk
    transaction.on_commit(lambda: push.notice_new(user_id, frame), robust=True)
    return notice


def notice_mark_read(*, user: Any, notice_ids: Iterable[int] = (), all: bool = False) -> int:
    """Mark the person's notices ``notice_ids`` (or ``all`` of them) read; ids of anyone
    else's notices, unknown or already read are passed over. Returns how many changed; when
    any did, every open page of the person is told the new unread count after commit."""
    with transaction.atomic():
        unread = Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        if not all:
            ids = sorted({int(i) for i in notice_ids})
            if not ids:
                return 0
            unread = unread.filter(pk__in=ids)
        changed = unread.update(read_at=timezone.now())
        if changed:
            count, user_id = unread_count(user_id=user.pk), user.pk
            transaction.on_commit(lambda: push.unread_changed(user_id, count), robust=True)
    return changed
