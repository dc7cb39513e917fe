"""Writes to live sessions: load, lock, apply the arbiter, save, and publish after commit.

Every change to a session's state goes through ``_locked_apply``: one short transaction that
holds the session row's lock (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the
transaction is ``BEGIN IMMEDIATE``), advances due deadlines, applies the command, writes the
state and the rows reports need, and queues the broadcast with ``transaction.on_commit`` so
nothing is announced that was rolled back. The row's lock and write are the SQL of
``sessions_live.repository``; the time is read from ``sessions_live.clock``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

import arbiter
import arbiter.codes
from accounts.models import User
from candidates import lifecycle
from candidates import services as candidates
from candidates.models import Candidate
from questionbank.models import Question, Topic
from questionbank.services import questions_mark_used
from sessions_live import broadcast, clock, events, presence, repository, selectors
from sessions_live.codes import new_code
from sessions_live.models import (
    AskedQuestion,
    FeedbackRecord,
    LiveSession,
    Membership,
    SessionTopic,
)

Outcome = arbiter.Applied | arbiter.Duplicate | arbiter.Refused


@dataclass(frozen=True)
class TopicChoice:
    topic: Topic
    seconds: int


def _stamp(unix: float | None) -> datetime | None:
    return None if unix is None else datetime.fromtimestamp(unix, tz=UTC)


# --- creating and joining -----------------------------------------------------------------


def session_create(
    *,
    lead: User,
    candidate: Candidate | None = None,
    candidate_fields: dict[str, Any] | None = None,
    resume: UploadedFile | None = None,
    topics: Sequence[TopicChoice],
    shuffle: bool,
    intro_text: str,
    closing_text: str,
) -> LiveSession:
    """A session led by ``lead``, with a fresh unique code, for an existing ``candidate`` or
    a new one created from ``candidate_fields`` (and ``resume``) through
    ``candidates.services.candidate_create``: exactly one of the two. Whether the lead may
    see an existing candidate is the caller's to ask (``access.visible_candidates``)."""
    if (candidate is None) == (candidate_fields is None):
        raise ValueError("pass exactly one of candidate= (existing) and candidate_fields= (new)")
    if candidate is not None and resume is not None:
        raise ValueError("an existing candidate's resume is changed on their page, not here")
    with transaction.atomic():
        if candidate is None:
            candidate = candidates.candidate_create(
                by=lead, fields=candidate_fields or {}, resume=resume
            )

        state = arbiter.new_session(
            lead=lead.pk,
            lead_name=lead.display_name,
            topics=[
                arbiter.TopicSpec(
                    id=choice.topic.pk, name=choice.topic.name, seconds=choice.seconds
                )
                for choice in topics
            ],
            shuffle=shuffle,
            seed=secrets.randbits(32),
            intro_text=intro_text,
            closing_text=closing_text,
        )
        for _attempt in range(5):  # a clash of ~45-bit codes is rare; retry it anyway
            try:
                with transaction.atomic():
                    session = LiveSession.objects.create(
                        code=new_code(),
                        candidate=candidate,
                        lead=lead,
                        state=state.to_json(),
                        version=state.version,
                        phase=state.phase,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five collisions in a row means something else is wrong
            raise RuntimeError("could not allocate a unique session code")
        SessionTopic.objects.bulk_create(
            SessionTopic(
                session=session, topic=choice.topic, position=index, seconds=choice.seconds
            )
            for index, choice in enumerate(topics)
        )
        Membership.objects.create(session=session, user=lead)
    return session


def session_join(*, session: LiveSession, user: User) -> Outcome:
    """Make ``user`` a member (idempotent): a membership row plus the arbiter's join."""
    command = arbiter.JoinSession(id=f"join:{user.pk}", actor=user.pk, name=user.display_name)

    def also(_row: LiveSession, outcome: Outcome) -> None:
        if not isinstance(outcome, arbiter.Refused):
            Membership.objects.get_or_create(session=_row, user=user)

    return _locked_apply(session.pk, command, also=also)


# --- commands and timers ------------------------------------------------------------------


def session_command(*, session_id: int, command: arbiter.Command) -> Outcome:
    """Apply one member's command. The arbiter checks who may do what; this only executes."""
    if isinstance(command, arbiter.StartSession):
        command = _with_bank(session_id, command)
    return _locked_apply(session_id, command)


def session_advance(*, session_id: int) -> float | None:
    """Apply transitions that are due now (a timer fired) and return the next deadline.

    A second process doing the same is a no-op: the row lock serialises them and the later
    one finds nothing due. It then publishes the current state once more, unless the push of
    that version has reached this process already: if the process that advanced died between
    its commit and its publish, this is what heals the pages (and a push that did go out is
    not sent twice to every page).

    A row another transaction holds is not waited for (a database thread waiting on a lock
    serves nobody): that transaction is a command or another process's advance, and both
    apply what is due before they commit, so this looks again after ``BUSY_RETRY_SECONDS``
    only for the rare holder that locked just before the deadline (the push of what it
    commits moves this process's timer first). A row whose stored ``next_deadline`` is still
    ahead (written with the state, from it, so it is the state's own) has nothing due and is
    not parsed."""
    with transaction.atomic():
        row = repository.lock(session_id, skip_locked=True)
        now = clock.now()
        if row is None:
            if not LiveSession.objects.filter(pk=session_id).exists():
                return None
            return now + BUSY_RETRY_SECONDS
        if row.next_deadline is None or row.next_deadline > now:
            _republish_unless_received(row)
            return row.next_deadline
        state = arbiter.SessionState.from_json(row.state)
        advanced, events = arbiter.advance(state, now)
        if events:
            _save(row, advanced, events, now)
        else:
            _republish_unless_received(row)
        return arbiter.next_deadline(advanced)


# How soon a timer that found the row held by another transaction looks again.
BUSY_RETRY_SECONDS = 0.05


def _republish_unless_received(row: LiveSession) -> None:
    """Publish the stored state once more after commit, unless its push reached this
    process (see ``session_advance``)."""
    session_id, version, payload = row.pk, row.version, row.state
    if not selectors.push_received(session_id, version):
        transaction.on_commit(lambda: broadcast.state_changed(session_id, version, payload))


def session_snapshot(*, session_id: int) -> dict[str, Any]:
    """The current state, advanced to now first: a session nobody watched catches up here."""
    row = LiveSession.objects.only("state", "next_deadline").get(pk=session_id)
    if row.next_deadline is not None and row.next_deadline <= clock.now():
        session_advance(session_id=session_id)
        row = LiveSession.objects.only("state").get(pk=session_id)
    return row.state


@dataclass(frozen=True)
class Attached:
    state: dict[str, Any]
    online: list[int]
    stamp: float


def session_attach(*, session_id: int, user_id: int, channel_name: str) -> Attached | None:
    """A member's socket opened: record it for presence, tell the session's other sockets,
    and return the current state with who is online, in one trip to a database thread (the
    connect path of every page and of every reconnect after a process died). None when the
    member holds too many sockets on the session already (nothing is recorded)."""
    reading = presence.connection_open(
        session_id=session_id, user_id=user_id, channel_name=channel_name
    )
    if reading is None:
        return None
    online, stamp = reading
    broadcast.presence_changed(session_id, online, stamp)
    return Attached(state=session_snapshot(session_id=session_id), online=online, stamp=stamp)


def session_detach(*, session_id: int, channel_name: str) -> None:
    """A member's socket closed: forget it and tell the session's other sockets."""
    online, stamp = presence.connection_close(session_id=session_id, channel_name=channel_name)
    broadcast.presence_changed(session_id, online, stamp)


def presence_heal() -> None:
    """This process's heartbeat, and the sweep of processes that died: their sessions learn
    the corrected presence."""
    presence.heartbeat()
    for session_id in presence.sweep_dead_servers():
        online, stamp = presence.online(session_id)
        broadcast.presence_changed(session_id, online, stamp)


def _with_bank(session_id: int, command: arbiter.StartSession) -> arbiter.StartSession:
    """Attach the snapshot of each topic's active questions, taken at start."""
    topic_ids = list(
        SessionTopic.objects.filter(session_id=session_id).values_list("topic_id", flat=True)
    )
    bank: dict[int, list[arbiter.QuestionSpec]] = {topic_id: [] for topic_id in topic_ids}
    for question in Question.objects.active().filter(topic_id__in=topic_ids).order_by("id"):
        bank[question.topic_id].append(
            arbiter.QuestionSpec(
                id=question.pk,
                text=question.text,
                answer=question.reference_answer,
                max_points=question.max_points,
            )
        )
    return arbiter.StartSession(id=command.id, actor=command.actor, bank=bank)


def _locked_apply(
    session_id: int,
    command: arbiter.Command,
    also: Callable[[LiveSession, Outcome], None] | None = None,
) -> Outcome:
    with transaction.atomic():
        row = repository.lock(session_id)
        now = clock.now()
        state, due = arbiter.advance(arbiter.SessionState.from_json(row.state), now)
        outcome = arbiter.apply(state, command, now)
        if isinstance(outcome, arbiter.Applied):
            encoded = _encode(outcome.state)
            if len(encoded.stored) > state_max_bytes():
                outcome = _STATE_TOO_LARGE
                if due:
                    _save(row, state, due, now)
            else:  # the text measured is the text written
                _save(row, outcome.state, (*due, *outcome.events), now, encoded)
        elif due:  # refused, but the clock moved the session on: keep that
            _save(row, state, due, now)
        if also is not None:
            also(row, outcome)
    return outcome


# The largest state a command may leave behind: the compact JSON a push carries, in bytes.
# Every limit of a single frame holds (64 KiB, 20 questions added per block, texts of 2000
# characters), yet many frames could still grow one session's row without end, and every
# later command rewrites and every push carries the whole of it.
STATE_MAX_BYTES = 256 * 1024
_STATE_TOO_LARGE = arbiter.Refused(
    arbiter.codes.STATE_TOO_LARGE,
    # English here; the socket's reply translates it (refusals.message looks the text up).
    gettext_noop("The session has reached its size limit; nothing was changed."),
)


def state_max_bytes() -> int:
    return int(getattr(settings, "LIVE_STATE_MAX_BYTES", STATE_MAX_BYTES))


@dataclass(frozen=True)
class _Encoded:
    payload: dict[str, Any]  # the state's JSON (``SessionState.to_json``)
    stored: str  # its text, as the row stores it and the size cap measures it
    pushed: str  # its text without the ids of recent commands, as a push carries it


def _encode(state: arbiter.SessionState) -> _Encoded:
    """The state's JSON and both its texts, with the bulk of it encoded once: the stored text
    is the pushed one with the ids of recent commands added as its last key (a JSON object's
    keys have no order; the pushed text is ``broadcast.push_text``'s)."""
    payload = state.to_json()
    pushed = broadcast.push_text(payload)
    recent = repository.json_text(payload["recent"])
    stored = f'{pushed[:-1]}{"," if len(pushed) > 2 else ""}"recent":{recent}}}'
    return _Encoded(payload, stored, pushed)


def _save(
    row: LiveSession,
    state: arbiter.SessionState,
    events: Iterable[arbiter.Event],
    now: float,
    encoded: _Encoded | None = None,
) -> None:
    """Write ``state`` (and the rows its events need, stamped ``now``: the clock reading the
    arbiter decided with), and announce it once committed. ``encoded`` is ``_encode(state)``
    when the caller has it already."""
    if encoded is None:
        encoded = _encode(state)
    row.state = encoded.payload
    row.version = state.version
    row.phase = state.phase
    row.next_deadline = arbiter.next_deadline(state)
    fields = ["state", "version", "phase", "next_deadline", "updated_at"]
    for event in events:
        fields += _record(row, event, now)
    repository.update(row, tuple(sorted(set(fields))), encoded.stored)
    session_id, version = row.pk, row.version

    def announce() -> None:
        # This process's sockets render the push from the state in hand, without parsing it.
        selectors.remember_state(session_id, version, state)
        broadcast.state_changed(session_id, version, encoded.payload, encoded.pushed)

    transaction.on_commit(announce)


def _candidate_interviewing(row: LiveSession) -> None:
    """The session's fact moves its candidate to interviewing (the lifecycle's ``start``, by
    the system). A candidate who is elsewhere already (interviewing, or withdrawn meanwhile)
    stays: the session's own write never fails for the candidate's status."""
    try:
        candidates.candidate_move(
            candidate=row.candidate_id,
            move="start",
            roles={lifecycle.SYSTEM},
            details={"session": row.code},
        )
    except candidates.CandidateRefused:
        pass


# What a question scored again would change (never ``reviewed``, the bank editor's).
_ASKED_UPDATED = ["owner", "topic", "question", "text", "max_points", "score", "note", "skipped",
                  "adhoc", "asked_at"]  # fmt: skip


def _record(row: LiveSession, event: arbiter.Event, unix: float) -> list[str]:
    """Write the rows that reports need, in the same transaction as the state."""
    data = event.data
    now = _stamp(unix)
    if event.type == "session_started":
        questions_mark_used(question_ids=data.get("question_ids", []))
        row.started_at = now
        _candidate_interviewing(row)
        return ["started_at"]
    if event.type == "question_scored":
        # One INSERT … ON CONFLICT DO UPDATE (update_or_create's SAVEPOINT, SELECT … FOR
        # UPDATE, INSERT and RELEASE were four round trips of the scoring command).
        AskedQuestion.objects.bulk_create(
            [
                AskedQuestion(
                    session=row,
                    block_index=data["block"],
                    key=data["question_key"],
                    owner_id=data["owner"],
                    topic_id=data["topic_id"],
                    question_id=data.get("bank_id"),
                    text=data.get("text", ""),
                    max_points=data["max_points"],
                    score=data.get("score"),
                    note=data.get("note", ""),
                    skipped=data.get("skipped", False),
                    adhoc=data.get("adhoc", False),
                    asked_at=now,
                )
            ],
            update_conflicts=True,
            unique_fields=["session", "block_index", "key"],
            update_fields=_ASKED_UPDATED,
        )
        return []
    if event.type == "feedback_submitted":
        FeedbackRecord.objects.get_or_create(
            session=row,
            member_id=data["member"],
            defaults={"summary": data["summary"], "items": data["items"], "submitted_at": now},
        )
        return []
    if event.type == "session_finished":
        row.finished_at = now
        # Normally moved when the session started; a session started before the lifecycle
        # was wired (or whose start move was refused then) catches up here, or stays put.
        _candidate_interviewing(row)
        return ["finished_at"]
    if event.type == "ready_for_decision":
        row.ready_for_decision = True
        row.ready_at = now
        transaction.on_commit(  # the cabinet listens and updates its list, live
            lambda: events.session_ready_for_decision.send(sender=LiveSession, session_id=row.pk)
        )
        return ["ready_for_decision", "ready_at"]
    return []
