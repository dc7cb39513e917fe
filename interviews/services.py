"""Writes of interview plans and of candidates' interviews and rounds. Keyword-only, typed;
the only code that writes ``interviews`` rows.

Who may call which is the caller's question to ``access`` (pages and API ask it first); the
services check what the data itself forbids (a closed position, a candidate whose journey is
over, a round already rated, an interviewer booked elsewhere at that time) and raise
``InterviewRefused`` with nothing written.

A candidate's status moves only through ``candidates.services.candidate_move``: a round that
gets a time schedules the candidate, a scheduled round that loses its time or is cancelled
(its interview closed too) unschedules them when it was their only one (back to created, for
the scheduler), a rated round starts the interviewing, its outcome selects (after the last
round) or rejects.

A **one-way round** (``RoundKind.ONE_WAY``) names a video interview (``video_interviews``)
and has nobody on it and no time. When the candidate's interview reaches it (created with it
first, or the round before it held; ``round_reached``) the video interview invites the
candidate, once (``video_interviews.subscribers``); its reviewers' recommendations decide it
(``round_review``, on ``recommendation_given``). The two apps tell each other facts; from
``video_interviews`` this module reads only its models.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates import lifecycle
from candidates import services as candidates
from candidates.models import Candidate, Position
from interviews import events, one_way
from interviews.models import (
    MAX_ASPECTS,
    MAX_POINTS,
    MAX_ROUNDS,
    Hold,
    Interview,
    PlanAspect,
    PlanRound,
    Round,
    RoundAspect,
    RoundKind,
)
from questionbank.models import Topic

if TYPE_CHECKING:
    from accounts.models import User


class InterviewRefused(Exception):
    """What the data forbids; ``code`` is stable for programs, ``message`` for the person,
    ``field`` the form field it is about (when it is about one)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class AspectSpec:
    name: str
    expected_points: int = 5


@dataclass(frozen=True)
class Rating:
    points: int
    comment: str = ""


# --- plans ---------------------------------------------------------------------------------

PLAN_FIELDS = frozenset(
    {"name", "kind", "duration_minutes", "instructions", "default_interviewer", "video_interview"}
)


def _check_aspects(aspects: Sequence[AspectSpec]) -> list[AspectSpec]:
    cleaned = [
        AspectSpec(a.name.strip(), int(a.expected_points)) for a in aspects if a.name.strip()
    ]
    if len(cleaned) > MAX_ASPECTS:
        raise InterviewRefused(
            "too_many_aspects",
            _("A round rates at most %(count)d aspects.") % {"count": MAX_ASPECTS},
            "aspects",
        )
    names = [a.name.casefold() for a in cleaned]
    if len(set(names)) != len(names):
        raise InterviewRefused("duplicate_aspect", _("Each aspect is named once."), "aspects")
    for aspect in cleaned:
        if len(aspect.name) > 200:
            raise InterviewRefused(
                "invalid", _("An aspect's name is at most 200 characters."), "aspects"
            )
        if not 1 <= aspect.expected_points <= MAX_POINTS:
            raise InterviewRefused(
                "invalid",
                _("Expected points are between 1 and %(max)d.") % {"max": MAX_POINTS},
                "aspects",
            )
    return cleaned


def _check_plan_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - PLAN_FIELDS
    if unknown:
        raise ValueError(f"not a plan round's field: {sorted(unknown)}")
    values = dict(fields)
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"] or len(values["name"]) > 200:
            raise InterviewRefused(
                "invalid", _("A round needs a name (up to 200 characters)."), "name"
            )
    if "kind" in values and values["kind"] not in RoundKind.values:
        raise InterviewRefused("invalid", _("Choose a kind of round."), "kind")
    if "duration_minutes" in values:
        minutes = int(values["duration_minutes"])
        if not 5 <= minutes <= 480:
            raise InterviewRefused(
                "invalid", _("A round lasts from 5 to 480 minutes."), "duration_minutes"
            )
        values["duration_minutes"] = minutes
    interviewer = values.get("default_interviewer")
    if interviewer is not None:
        _check_interviewer(interviewer, field="default_interviewer")
    return values


def _check_interviewer(user: User, *, field: str) -> None:
    import access  # who may interview is the access module's rule

    if not (user.is_active and access.can_run_interviews(user)):
        raise InterviewRefused(
            "not_an_interviewer",
            _("%(name)s does not interview.") % {"name": user.display_name},
            field,
        )


def _check_people(interviewer: User | None, assistants: Collection[User]) -> list[User]:
    people = list(dict.fromkeys(assistants))
    for person in people:
        _check_interviewer(person, field="assistants")
    if interviewer is not None and interviewer in people:
        people.remove(interviewer)  # the interviewer is not their own assistant
    return people


def _check_video_interview(video_interview: Any, position: Position | None = None) -> None:
    """A one-way round's video interview takes invitations now (the same rule its invitations
    follow: active, before its deadline) and, for a plan, is ``position``'s (or no
    position's)."""
    from video_interviews.models import VideoInterview

    title = {"title": video_interview.title}
    if video_interview.status != VideoInterview.Status.ACTIVE:
        raise InterviewRefused(
            "video_interview_not_active",
            _("The video interview “%(title)s” is %(status)s: only an active one invites.")
            % {**title, "status": video_interview.get_status_display()},
            "video_interview",
        )
    if video_interview.deadline <= timezone.now():
        raise InterviewRefused(
            "video_interview_deadline_passed",
            _("The deadline of the video interview “%(title)s” has passed: move it first.") % title,
            "video_interview",
        )
    if position is not None and video_interview.position_id not in (None, position.pk):
        raise InterviewRefused(
            "video_interview_other_position",
            _("The video interview “%(title)s” is for another position.") % title,
            "video_interview",
        )


def _check_kind_parts(
    *,
    kind: str,
    video_interview: Any,
    interviewer: Any,
    assistants: Collection[User],
    pool: Collection[User],
    topics: Collection[Topic],
    aspects: Collection[Any],
) -> None:
    """A one-way round names its video interview and nobody else's parts; no other kind names
    a video interview."""
    if kind != RoundKind.ONE_WAY:
        if video_interview is not None:
            raise InterviewRefused(
                "invalid",
                _("Only a one-way video interview round names a video interview."),
                "video_interview",
            )
        return
    if video_interview is None:
        raise InterviewRefused(
            "invalid", _("Choose the video interview of this one-way round."), "video_interview"
        )
    nobody = _(
        "A one-way round has no interviewers of its own: the video interview's reviewers review it."
    )
    for field, value in (
        ("default_interviewer", interviewer),
        ("assistants", assistants),
        ("pool", pool),
    ):
        if value:
            raise InterviewRefused("invalid", nobody, field)
    if topics:
        raise InterviewRefused("invalid", _("Only a panel round asks the bank's topics."), "topics")
    if aspects:
        raise InterviewRefused(
            "invalid",
            _("A one-way round rates no aspects: its reviewers rate each answer."),
            "aspects",
        )


def plan_round_create(
    *,
    position: Position,
    fields: Mapping[str, Any],
    aspects: Sequence[AspectSpec] = (),
    assistants: Collection[User] = (),
    topics: Collection[Topic] = (),
    pool: Collection[User] = (),
) -> PlanRound:
    """A round appended to ``position``'s plan. ``pool``: whom the scheduler may put on it
    (empty: its default interviewer)."""
    values = _check_plan_fields(fields)
    if "name" not in values:
        raise InterviewRefused("invalid", _("A round needs a name (up to 200 characters)."), "name")
    cleaned = _check_aspects(aspects)
    people = _check_people(values.get("default_interviewer"), assistants)
    chosen = _check_pool(pool)
    kind = values.get("kind", RoundKind.ONE_TO_ONE)
    _check_kind_parts(
        kind=kind,
        video_interview=values.get("video_interview"),
        interviewer=values.get("default_interviewer"),
        assistants=people,
        pool=chosen,
        topics=topics,
        aspects=cleaned,
    )
    if kind == RoundKind.ONE_WAY:
        _check_video_interview(values["video_interview"], position)
    with transaction.atomic():
        Position.objects.select_for_update().get(pk=position.pk)  # one writer of the order
        count = position.plan_rounds.count()
        if count >= MAX_ROUNDS:
            raise InterviewRefused(
                "too_many_rounds",
                _("A plan has at most %(count)d rounds.") % {"count": MAX_ROUNDS},
            )
        plan_round = PlanRound.objects.create(position=position, order=count, **values)
        _set_plan_parts(plan_round, cleaned, people, topics, chosen)
    return plan_round


def plan_round_update(
    *,
    plan_round: PlanRound,
    fields: Mapping[str, Any],
    aspects: Sequence[AspectSpec] | None = None,
    assistants: Collection[User] | None = None,
    topics: Collection[Topic] | None = None,
    pool: Collection[User] | None = None,
) -> PlanRound:
    """Change a plan round; interviews already created keep their copy. A round made one-way
    drops the parts not given that it cannot have (interviewers, topics, aspects); a round
    made another kind drops its video interview unless one is given (then refused)."""
    values = _check_plan_fields(fields)
    kind = values.get("kind", plan_round.kind)
    if kind == RoundKind.ONE_WAY and plan_round.kind != RoundKind.ONE_WAY:
        values.setdefault("default_interviewer", None)
        assistants = [] if assistants is None else assistants
        pool = [] if pool is None else pool
        topics = [] if topics is None else topics
        aspects = [] if aspects is None else aspects
    if kind != RoundKind.ONE_WAY and "video_interview" not in values:
        values["video_interview"] = None
    cleaned = None if aspects is None else _check_aspects(aspects)
    interviewer = values.get("default_interviewer", plan_round.default_interviewer)
    people = None if assistants is None else _check_people(interviewer, assistants)
    chosen = None if pool is None else _check_pool(pool)
    video_interview = values.get("video_interview", plan_round.video_interview)
    _check_kind_parts(
        kind=kind,
        video_interview=video_interview,
        interviewer=interviewer,
        assistants=list(plan_round.assistants.all()) if people is None else people,
        pool=list(plan_round.pool.all()) if chosen is None else chosen,
        topics=list(plan_round.topics.all()) if topics is None else topics,
        aspects=list(plan_round.aspects.all()) if cleaned is None else cleaned,
    )
    if kind == RoundKind.ONE_WAY and (
        plan_round.kind != RoundKind.ONE_WAY
        or getattr(video_interview, "pk", None) != plan_round.video_interview_id
    ):
        _check_video_interview(video_interview, plan_round.position)
    with transaction.atomic():
        for name, value in values.items():
            setattr(plan_round, name, value)
        plan_round.save()
        _set_plan_parts(plan_round, cleaned, people, topics, chosen)
    return plan_round


def _check_pool(pool: Collection[User]) -> list[User]:
    people = list(dict.fromkeys(pool))
    for person in people:
        _check_interviewer(person, field="pool")
    return people


def _set_plan_parts(
    plan_round: PlanRound,
    aspects: list[AspectSpec] | None,
    assistants: list[User] | None,
    topics: Collection[Topic] | None,
    pool: list[User] | None = None,
) -> None:
    if aspects is not None:
        plan_round.aspects.all().delete()
        PlanAspect.objects.bulk_create(
            PlanAspect(
                plan_round=plan_round, order=index, name=a.name, expected_points=a.expected_points
            )
            for index, a in enumerate(aspects)
        )
    if assistants is not None:
        plan_round.assistants.set(assistants)
    if topics is not None:
        plan_round.topics.set(topics)
    if pool is not None:
        plan_round.pool.set(pool)


def plan_round_delete(*, plan_round: PlanRound) -> None:
    """Remove a round from the plan and close the gap in the order."""
    with transaction.atomic():
        Position.objects.select_for_update().get(pk=plan_round.position_id)
        position_id, order = plan_round.position_id, plan_round.order
        plan_round.delete()
        _shift(PlanRound.objects.filter(position_id=position_id, order__gt=order), -1)


def plan_round_move(*, plan_round: PlanRound, by: int) -> PlanRound:
    """Move a round ``by`` places (-1 earlier, +1 later), clamped to the plan."""
    with transaction.atomic():
        Position.objects.select_for_update().get(pk=plan_round.position_id)
        rounds = list(
            PlanRound.objects.filter(position_id=plan_round.position_id).order_by("order")
        )
        index = next(i for i, r in enumerate(rounds) if r.pk == plan_round.pk)
        target = max(0, min(len(rounds) - 1, index + by))
        if target == index:
            return plan_round
        rounds.insert(target, rounds.pop(index))
        _renumber(rounds)
    plan_round.refresh_from_db()
    return plan_round


def _shift(rounds: Any, by: int) -> None:
    # Unique (position, order): move through a free range first so no step collides.
    for row in rounds.order_by("order" if by < 0 else "-order"):
        row.order += by
        row.save(update_fields=["order"])


def _renumber(rounds: list[PlanRound]) -> None:
    offset = MAX_ROUNDS + len(rounds) + 1  # above every order in use
    for index, row in enumerate(rounds):
        PlanRound.objects.filter(pk=row.pk).update(order=offset + index)
    for index, row in enumerate(rounds):
        PlanRound.objects.filter(pk=row.pk).update(order=index)


# --- a candidate's interview ---------------------------------------------------------------


def open_interview(candidate: Candidate) -> Interview | None:
    return candidate.interviews.filter(status=Interview.Status.OPEN).first()


def interview_create(
    *,
    candidate: Candidate,
    position: Position,
    by: User | None,
    replace_open: bool = False,
) -> Interview:
    """An interview for ``candidate`` on ``position``, its rounds copied from the position's
    plan. A candidate with an open interview is refused with ``open_interview`` unless
    ``replace_open``: then that one is closed first (its rounds not yet held cancelled).
    A plan that starts with a one-way round needs its video interview open for invitations
    and the candidate's e-mail address (``video_interview_not_active``,
    ``video_interview_deadline_passed``, ``candidate_no_email``): the interview reaches that
    round at once and the candidate is invited (after commit, ``round_reached``)."""
    if position.status != Position.Status.OPEN:
        raise InterviewRefused(
            "position_closed", _("“%(title)s” is not open.") % {"title": position.title}, "position"
        )
    plan = list(
        position.plan_rounds.select_related("default_interviewer", "video_interview")
        .prefetch_related("aspects", "assistants", "topics", "pool")
        .order_by("order")
    )
    if not plan:
        raise InterviewRefused(
            "empty_plan",
            _("“%(title)s” has no interview plan yet: add its rounds first.")
            % {"title": position.title},
            "position",
        )
    with transaction.atomic():
        row = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if lifecycle.is_final(row.status):
            raise InterviewRefused(
                "candidate_final",
                _("%(name)s is %(status)s: their journey is over.")
                % {"name": row.full_name, "status": row.get_status_display()},
            )
        if not row.positions.filter(pk=position.pk).exists():
            raise InterviewRefused(
                "not_on_position",
                _("%(name)s is not a candidate for “%(title)s”.")
                % {"name": row.full_name, "title": position.title},
                "position",
            )
        if plan[0].kind == RoundKind.ONE_WAY:
            _check_invitable(plan[0].video_interview, row)
        previous = open_interview(row)
        if previous is not None:
            if not replace_open:
                raise InterviewRefused(
                    "open_interview",
                    _(
                        "%(name)s's interview for “%(title)s” is still open. "
                        "Close it and start a new one?"
                    )
                    % {"name": row.full_name, "title": previous.position.title},
                )
            _close(previous, by=by)
        interview = Interview.objects.create(candidate=row, position=position, created_by=by)
        for plan_round in plan:
            new = Round.objects.create(
                interview=interview,
                candidate=row,
                position=position,
                order=plan_round.order,
                name=plan_round.name,
                kind=plan_round.kind,
                duration_minutes=plan_round.duration_minutes,
                instructions=plan_round.instructions,
                interviewer=plan_round.default_interviewer,
                video_interview=plan_round.video_interview,
            )
            new.assistants.set(plan_round.assistants.all())
            new.topics.set(plan_round.topics.all())
            new.pool.set(plan_round.pool.all())
            RoundAspect.objects.bulk_create(
                RoundAspect(
                    round=new, order=a.order, name=a.name, expected_points=a.expected_points
                )
                for a in plan_round.aspects.all()
            )
        candidates.candidate_record(
            candidate=row,
            kind="interview_created",
            by=by,
            details={"interview": interview.pk, "position": position.title, "rounds": len(plan)},
        )
        _reach(interview)
    return interview


def _check_invitable(video_interview: Any, candidate: Candidate) -> None:
    """The candidate can be invited into a one-way round's video interview now (else the
    refusal): it takes invitations, and the card has an address."""
    if not (candidate.email or "").strip():
        raise InterviewRefused(
            "candidate_no_email",
            _(
                "%(name)s has no e-mail address: a one-way video interview invites by e-mail. "
                "Add it to the card first."
            )
            % {"name": candidate.full_name},
        )
    _check_video_interview(video_interview)


def _reach(interview: Interview, *, inviter: User | None = None) -> Round | None:
    """Tell ``round_reached`` (after commit) for the open ``interview``'s current round: the
    first that is neither done nor cancelled. ``inviter``: the recruiter who asked by hand
    (else the interview's creator is named)."""
    if interview.status != Interview.Status.OPEN:
        return None
    current = (
        Round.objects.filter(interview_id=interview.pk)
        .exclude(status__in=[Round.Status.DONE, Round.Status.CANCELLED])
        .order_by("order")
        .first()
    )
    if current is not None:
        _announce_reached(current, inviter_id=inviter.pk if inviter else interview.created_by_id)
    return current


def _announce_reached(row: Round, *, inviter_id: int | None) -> None:
    events.send_after_commit(
        events.round_reached,
        round_id=row.pk,
        kind=row.kind,
        candidate_id=row.candidate_id,
        video_interview_id=row.video_interview_id,
        inviter_id=inviter_id,
    )


def _close(interview: Interview, *, by: User | None) -> None:
    """Close ``interview``: rounds not yet held are cancelled (their calendar events too)."""
    for held in interview.rounds.filter(status__in=[Round.Status.PLANNED, Round.Status.SCHEDULED]):
        _cancel(held, by=by)
    interview.status = Interview.Status.CLOSED
    interview.closed_at = timezone.now()
    interview.save(update_fields=["status", "closed_at"])
    candidates.candidate_record(
        candidate=interview.candidate_id,
        kind="interview_closed",
        by=by,
        details={"interview": interview.pk, "position": interview.position.title},
    )


def interview_close(*, interview: Interview, by: User | None) -> Interview:
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if locked.status == Interview.Status.OPEN:
            _close(locked, by=by)
    return locked


# --- rounds --------------------------------------------------------------------------------


def _lock_round(round_: Round | int) -> Round:
    pk = round_ if isinstance(round_, int) else round_.pk
    return Round.objects.select_for_update().select_related("interview").get(pk=pk)


def _busy(person: User, starts_at: datetime, ends_at: datetime, *, other_than: int) -> Round | None:
    """A round ``person`` is on that overlaps [starts_at, ends_at)."""
    longest = timedelta(minutes=480)
    candidates_q = (
        Round.objects.filter(status__in=[Round.Status.SCHEDULED, Round.Status.RUNNING])
        .filter(Q(interviewer=person) | Q(assistants=person))
        .filter(starts_at__lt=ends_at, starts_at__gt=starts_at - longest)
        .exclude(pk=other_than)
        .distinct()
    )
    for other in candidates_q:
        if other.ends_at is not None and other.ends_at > starts_at:
            return other
    return None


def _candidate_busy(row: Round, starts_at: datetime, ends_at: datetime) -> Hold | None:
    """A hold of ``row``'s candidate (another round of theirs) that overlaps the time."""
    return (
        Hold.objects.filter(
            candidate_id=row.candidate_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(round_id=row.pk)
        .select_related("round__candidate")
        .first()
    )


def _busy_refusal(person: User, clash: Round | None) -> InterviewRefused:
    return InterviewRefused(
        "interviewer_busy",
        _("%(name)s is on another interview then (%(round)s).")
        % {"name": person.display_name, "round": str(clash) if clash else "?"},
        "starts_at",
    )


def _candidate_refusal(row: Round, clash: Round | None) -> InterviewRefused:
    return InterviewRefused(
        "candidate_busy",
        _("%(name)s has another interview then (%(round)s).")
        % {"name": row.candidate.full_name, "round": str(clash) if clash else "?"},
        "starts_at",
    )


def _hold(row: Round, people: Sequence[User]) -> None:
    """Make ``row``'s holds match it: one per person on it and one for its candidate while it
    is scheduled or running with a time, none otherwise. Each insert is its own savepoint, so
    the database's refusal of an overlap (the exclusion constraint, SQLite's trigger: a
    writer that committed first, e.g. another scheduler run) names whom it is about; the
    caller's transaction then rolls back whole.

    Two writers inserting overlapping holds at the same moment each wait for the other's
    uncommitted row while checking the exclusion constraint; PostgreSQL breaks that by
    failing one with "deadlock detected" (40P01) instead of an exclusion violation. That is
    the same refusal: the other writer got the hour."""
    Hold.objects.filter(round_id=row.pk).delete()
    if row.starts_at is None or row.status not in (Round.Status.SCHEDULED, Round.Status.RUNNING):
        return
    starts, ends = row.starts_at, row.ends_at
    for person in people:
        try:
            with transaction.atomic():
                Hold.objects.create(round=row, user=person, starts_at=starts, ends_at=ends)
        except (IntegrityError, OperationalError) as error:
            if not _an_overlap(error):
                raise
            raise _busy_refusal(person, _busy(person, starts, ends, other_than=row.pk)) from None
    try:
        with transaction.atomic():
            Hold.objects.create(
                round=row, candidate_id=row.candidate_id, starts_at=starts, ends_at=ends
            )
    except (IntegrityError, OperationalError) as error:
        if not _an_overlap(error):
            raise
        clash = _candidate_busy(row, starts, ends)
        raise _candidate_refusal(row, clash.round if clash else None) from None


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def _an_overlap(error: Exception) -> bool:
    """Whether a failed hold insert was the database refusing an overlap (see ``_hold``)."""
    if isinstance(error, IntegrityError):
        return True
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _unhold(row: Round) -> None:
    Hold.objects.filter(round_id=row.pk).delete()


def round_assign(
    *,
    round_: Round,
    by: User | None,
    interviewer: User | None,
    assistants: Collection[User] = (),
    instructions: str | None = None,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
) -> Round:
    """Give ``round_`` its interviewer, assistants, instructions and time (``None``: no time
    yet). A time schedules the candidate (the lifecycle's ``schedule``, when they are created
    or between rounds); taking a scheduled round's time away unschedules them when no other
    round of theirs is scheduled (``_unschedule``). Refused: a round already held, an
    interviewer (``interviewer_busy``) or the candidate (``candidate_busy``) on another round
    then; the database's holds (``Hold``) refuse the same even when another writer got there
    first."""
    people = _check_people(interviewer, assistants)
    if interviewer is not None:
        _check_interviewer(interviewer, field="interviewer")
    if starts_at is not None and timezone.is_naive(starts_at):
        raise ValueError("starts_at must be an aware datetime")
    if duration_minutes is not None and not 5 <= duration_minutes <= 480:
        raise InterviewRefused(
            "invalid", _("A round lasts from 5 to 480 minutes."), "duration_minutes"
        )
    with transaction.atomic():
        row = _lock_round(round_)
        if row.kind == RoundKind.ONE_WAY:
            raise InterviewRefused(
                "one_way_round",
                _(
                    "A one-way video interview has no interviewer and no time: the candidate "
                    "records when they like, its reviewers review it."
                ),
            )
        if row.status not in (Round.Status.PLANNED, Round.Status.SCHEDULED):
            raise InterviewRefused(
                "round_closed",
                _("This round is %(status)s.") % {"status": row.get_status_display()},
            )
        if starts_at is not None and interviewer is None:
            raise InterviewRefused(
                "no_interviewer", _("Choose the interviewer before the time."), "interviewer"
            )
        before = (row.interviewer_id, sorted(p.pk for p in row.assistants.all()), row.starts_at,
                  row.duration_minutes)  # fmt: skip
        previous = [pk for pk in [before[0], *before[1]] if pk is not None]
        was_booked = row.status == Round.Status.SCHEDULED
        minutes = duration_minutes or row.duration_minutes
        if starts_at is not None:
            for person in [interviewer, *people]:
                assert person is not None
                clash = _busy(
                    person, starts_at, starts_at + timedelta(minutes=minutes), other_than=row.pk
                )
                if clash is not None:
                    raise _busy_refusal(person, clash)
            taken = _candidate_busy(row, starts_at, starts_at + timedelta(minutes=minutes))
            if taken is not None:
                raise _candidate_refusal(row, taken.round)
        row.interviewer = interviewer
        if instructions is not None:
            row.instructions = instructions
        row.starts_at = starts_at
        row.duration_minutes = minutes
        row.status = Round.Status.PLANNED if starts_at is None else Round.Status.SCHEDULED
        after = (
            row.interviewer_id,
            sorted(p.pk for p in people),
            row.starts_at,
            row.duration_minutes,
        )
        changed = after != before
        if changed and before[2] is not None:
            row.sequence += 1  # the calendar's next version of the same event
        row.save()
        row.assistants.set(people)
        _hold(row, [p for p in [interviewer, *people] if p is not None])
        if starts_at is not None:
            try:
                candidates.candidate_move(
                    candidate=row.candidate_id,
                    move="schedule",
                    by=by,
                    roles={lifecycle.SYSTEM},
                    details={"round": row.pk, "round_name": row.name},
                )
            except candidates.CandidateRefused:
                pass  # scheduled already, or further on: the round's time is still kept
        if changed:
            candidates.candidate_record(
                candidate=row.candidate_id,
                kind="round_rescheduled"
                if before[2] is not None and starts_at is not None
                else "round_assigned",
                by=by,
                details={
                    "round": row.pk,
                    "round_name": row.name,
                    "interviewer": interviewer.display_name if interviewer else "",
                    "starts_at": starts_at.isoformat() if starts_at else "",
                },
            )
            events.send_after_commit(
                events.round_assigned,
                round_id=row.pk,
                previous=previous,
                moved=(before[2], before[3]) != (after[2], after[3]),
                had_time=before[2] is not None,
            )
        if starts_at is None and was_booked:
            _unschedule(row, by=by)  # its time taken away: it left the schedule
    return row


def _unschedule(row: Round, *, by: User | None) -> None:
    """``row`` has just left the schedule (cancelled, its time taken away): a candidate with
    no other round scheduled or running goes back to created (``candidate_unschedule``), so
    the scheduler books them again — in the round's transaction."""
    booked = (
        Round.objects.filter(
            candidate_id=row.candidate_id,
            status__in=[Round.Status.SCHEDULED, Round.Status.RUNNING],
        )
        .exclude(pk=row.pk)
        .exists()
    )
    if not booked:
        candidates.candidate_unschedule(
            candidate=row.candidate_id,
            by=by,
            roles={lifecycle.SYSTEM},
            details={"round": row.pk, "round_name": row.name},
        )


def _cancel(row: Round, *, by: User | None) -> None:
    was_scheduled = row.starts_at is not None
    was_booked = row.status == Round.Status.SCHEDULED
    row.status = Round.Status.CANCELLED
    row.sequence += 1
    row.save(update_fields=["status", "sequence", "updated_at"])
    _unhold(row)  # the time is free again
    candidates.candidate_record(
        candidate=row.candidate_id,
        kind="round_cancelled",
        by=by,
        details={"round": row.pk, "round_name": row.name},
    )
    if was_booked:
        _unschedule(row, by=by)
    if was_scheduled or row.kind == RoundKind.ONE_WAY:
        # A one-way round's invitation is withdrawn on it (``video_interviews.subscribers``).
        events.send_after_commit(
            events.round_cancelled,
            round_id=row.pk,
            kind=row.kind,
            video_interview_id=row.video_interview_id,
        )


def round_cancel(*, round_: Round, by: User | None) -> Round:
    """Cancel a round not yet held; the interview reaches the next one if it was this one."""
    with transaction.atomic():
        row = _lock_round(round_)
        if row.status not in (Round.Status.PLANNED, Round.Status.SCHEDULED):
            raise InterviewRefused(
                "round_closed",
                _("This round is %(status)s.") % {"status": row.get_status_display()},
            )
        _cancel(row, by=by)
        if not _earlier_open(row):
            _reach(row.interview)
    return row


def _earlier_open(row: Round) -> bool:
    """Whether a round before ``row`` is still to be held (then ``row`` was not current)."""
    return (
        Round.objects.filter(interview_id=row.interview_id, order__lt=row.order)
        .exclude(status__in=[Round.Status.DONE, Round.Status.CANCELLED])
        .exists()
    )


def _later_rounds(row: Round) -> Any:
    return Round.objects.filter(interview_id=row.interview_id, order__gt=row.order).exclude(
        status=Round.Status.CANCELLED
    )


def round_rate(
    *,
    round_: Round,
    by: User,
    ratings: Mapping[int, Rating],
    feedback: str,
    recommendation: str,
    outcome: str,
) -> Round:
    """A one-to-one round's verdict by its interviewer: points per aspect (0 … expected),
    feedback, an overall recommendation, selected or rejected. The candidate starts
    interviewing if they had not; rejected moves them to rejected (later rounds cancelled,
    the interview closed); selected after the last round moves them to selected."""
    if recommendation not in Round.Recommendation.values:
        raise InterviewRefused("invalid", _("Choose an overall recommendation."), "recommendation")
    if outcome not in Round.Outcome.values:
        raise InterviewRefused("invalid", _("Choose selected or rejected."), "outcome")
    if not feedback.strip():
        raise InterviewRefused("invalid", _("Write your feedback."), "feedback")
    with transaction.atomic():
        row = _lock_round(round_)
        if row.kind != RoundKind.ONE_TO_ONE:
            raise InterviewRefused(
                "not_one_to_one",
                _("A panel round is rated in its live session.")
                if row.kind == RoundKind.PANEL
                else _("A one-way round is decided by its video interview's reviewers."),
            )
        if row.interviewer_id != by.pk:
            raise InterviewRefused("not_your_round", _("Only the round's interviewer rates it."))
        if row.status == Round.Status.DONE:
            raise InterviewRefused("already_rated", _("This round is rated already."))
        if row.status not in (Round.Status.PLANNED, Round.Status.SCHEDULED):
            raise InterviewRefused(
                "round_closed",
                _("This round is %(status)s.") % {"status": row.get_status_display()},
            )
        aspects = list(row.aspects.all())
        missing = [a.name for a in aspects if a.pk not in ratings]
        unknown = set(ratings) - {a.pk for a in aspects}
        if missing or unknown:
            raise InterviewRefused(
                "unrated_aspect",
                _("Rate every aspect: %(names)s.") % {"names": ", ".join(missing) or "?"},
                "ratings",
            )
        for aspect in aspects:
            rating = ratings[aspect.pk]
            if not 0 <= rating.points <= aspect.expected_points:
                raise InterviewRefused(
                    "invalid",
                    _("%(aspect)s: from 0 to %(max)d points.")
                    % {"aspect": aspect.name, "max": aspect.expected_points},
                    "ratings",
                )
            aspect.points = rating.points
            aspect.comment = rating.comment.strip()
        RoundAspect.objects.bulk_update(aspects, ["points", "comment"])
        row.feedback = feedback.strip()
        row.points_received = sum(a.points or 0 for a in aspects)
        row.points_expected = sum(a.expected_points for a in aspects)
        row.recommendation = recommendation
        row.outcome = outcome
        row.rated_by = by
        row.rated_at = timezone.now()
        row.status = Round.Status.DONE
        row.save()
        _unhold(row)
        points = sum(a.points or 0 for a in aspects)
        expected = sum(a.expected_points for a in aspects)
        candidates.candidate_record(
            candidate=row.candidate_id,
            kind="round_rated",
            by=by,
            details={
                "round": row.pk,
                "round_name": row.name,
                "outcome": outcome,
                "recommendation": recommendation,
                "points": points,
                "expected": expected,
            },
        )
        _follow_outcome(row, by=by)
        events.send_after_commit(events.round_rated, round_id=row.pk)
    return row


def _follow_outcome(
    row: Round, *, by: User | None, roles: Collection[str] = (lifecycle.INTERVIEWER,)
) -> None:
    """The candidate's journey after ``row``'s outcome: interviewing; rejected (the interview
    closed) or, after the last round, selected (closed too); else the next round is reached."""
    details = {"round": row.pk, "round_name": row.name}
    _move_quietly(row.candidate_id, "start", roles={lifecycle.SYSTEM}, details=details)
    interview = Interview.objects.select_for_update().get(pk=row.interview_id)
    if row.outcome == Round.Outcome.REJECTED:
        _move_quietly(row.candidate_id, "reject", by=by, roles=roles, details=details)
        if interview.status == Interview.Status.OPEN:
            _close(interview, by=by)
    elif not _later_rounds(row).exists():
        _move_quietly(row.candidate_id, "select", by=by, roles=roles, details=details)
        if interview.status == Interview.Status.OPEN:
            _close(interview, by=by)
    else:
        _reach(interview)


def _move_quietly(
    candidate_id: int,
    move: str,
    *,
    roles: Collection[str],
    by: User | None = None,
    details: Mapping[str, Any],
) -> bool:
    """A move the round's fact implies; a candidate already past it (withdrawn meanwhile,
    started already) keeps their status and the round's write stands."""
    try:
        candidates.candidate_move(
            candidate=candidate_id, move=move, by=by, roles=roles, details=details
        )
    except candidates.CandidateRefused:
        return False
    return True


# --- panel rounds: a live session ------------------------------------------------------------


def round_start_session(*, round_: Round, by: User) -> Round:
    """A panel round's live session, prefilled from the round: its candidate, its topics (each
    at the topic's default minutes) and the round's instructions as the intro; the assistants
    are made members (invited) at once. ``by`` (the round's interviewer) leads it."""
    from sessions_live import services as live

    with transaction.atomic():
        row = _lock_round(round_)
        if row.kind != RoundKind.PANEL:
            raise InterviewRefused("not_panel", _("Only a panel round runs as a live session."))
        if row.interviewer_id != by.pk:
            raise InterviewRefused(
                "not_your_round", _("The round's interviewer leads its session.")
            )
        if row.session_id is not None:
            raise InterviewRefused("session_exists", _("This round's live session exists already."))
        if row.status not in (Round.Status.PLANNED, Round.Status.SCHEDULED):
            raise InterviewRefused(
                "round_closed",
                _("This round is %(status)s.") % {"status": row.get_status_display()},
            )
        topics = list(row.topics.order_by("name"))
        if not topics:
            raise InterviewRefused("no_topics", _("Give the round its topics first."), "topics")
        session = live.session_create(
            lead=by,
            candidate=row.candidate,
            topics=[live.TopicChoice(topic=t, seconds=t.default_minutes * 60) for t in topics],
            shuffle=False,
            intro_text=row.instructions,
            closing_text="",
        )
        for assistant in row.assistants.all():
            live.session_join(session=session, user=assistant)
        row.session = session
        row.status = Round.Status.RUNNING
        row.save(update_fields=["session", "status", "updated_at"])
    return row


def round_session_results(*, session_id: int) -> Round | None:
    """A panel round's session is finished and every feedback is in: its scores become the
    round's aspects (one per topic: points received against the asked questions' maximum,
    an aspect of the plan with the topic's name keeps its expected points), its feedback the
    round's, and the round is done. Idempotent; ``None`` when the session is no round's."""
    from sessions_live.models import AskedQuestion, FeedbackRecord

    with transaction.atomic():
        found = Round.objects.filter(session_id=session_id).values_list("pk", flat=True).first()
        if found is None:
            return None
        row = _lock_round(found)
        if row.status == Round.Status.DONE:
            return row
        totals: dict[str, list[int]] = {}
        for name, score, maximum, skipped in AskedQuestion.objects.filter(
            session_id=session_id
        ).values_list("topic__name", "score", "max_points", "skipped"):
            points = totals.setdefault(name, [0, 0])
            if not skipped:
                points[0] += score or 0
                points[1] += maximum
        aspects = {a.name.casefold(): a for a in row.aspects.all()}
        order = row.aspects.aggregate(top=Max("order"))["top"] or 0
        for name, (points, maximum) in sorted(totals.items()):
            aspect = aspects.get(name.casefold())
            if aspect is None:
                order += 1
                aspect = RoundAspect(
                    round=row, order=order, name=name, expected_points=max(1, maximum)
                )
            aspect.points = min(points, aspect.expected_points) if aspect.pk else points
            aspect.save()
        summaries = [
            f"{display}: {summary}"
            for display, summary in (
                (record.member.display_name, record.summary)
                for record in FeedbackRecord.objects.filter(session_id=session_id).select_related(
                    "member"
                )
            )
        ]
        row.feedback = "\n\n".join(summaries)
        rated = [a for a in row.aspects.all() if a.points is not None]
        row.points_received = sum(a.points or 0 for a in rated)
        row.points_expected = sum(a.expected_points for a in rated)
        row.status = Round.Status.DONE
        row.rated_at = timezone.now()
        row.save()
        _unhold(row)
        _reach(row.interview)  # the session's decision is the manager's; the next round is due
        candidates.candidate_record(
            candidate=row.candidate_id,
            kind="round_session",
            by=None,
            details={
                "round": row.pk,
                "round_name": row.name,
                "session": row.session.code if row.session else "",
                "points": sum(p for p, _m in totals.values()),
                "expected": sum(m for _p, m in totals.values()),
            },
        )
        events.send_after_commit(events.round_rated, round_id=row.pk)
    return row


# --- one-way rounds: a video interview -------------------------------------------------------


def round_invite(*, round_: Round, by: User) -> Round:
    """Ask for a one-way round's invitation by hand (a recruiter): when the automatic one could
    not go (the video interview was inactive, its deadline had passed) or to send it before the
    interview reaches the round. Checks what the invitation needs now and tells
    ``round_reached``; the video interview invites the candidate once (a round invited already
    keeps its invitation: resend it on the video interview's page). Refused:
    ``not_one_way``, ``round_closed``, ``video_interview_not_active``,
    ``video_interview_deadline_passed``, ``candidate_no_email``."""
    with transaction.atomic():
        row = _lock_round(round_)
        if row.kind != RoundKind.ONE_WAY:
            raise InterviewRefused(
                "not_one_way", _("Only a one-way round invites into a video interview.")
            )
        if not row.is_open or row.interview.status != Interview.Status.OPEN:
            raise InterviewRefused(
                "round_closed",
                _("This round is %(status)s.") % {"status": row.get_status_display()},
            )
        assert row.video_interview is not None  # the database's check: a one-way round has one
        _check_invitable(row.video_interview, row.candidate)
        _announce_reached(row, inviter_id=by.pk)
    return row


def round_review(*, round_id: int) -> Round | None:
    """A one-way round decided by its video interview's review (on ``recommendation_given``):
    once every reviewer named on the video interview who still interviews has recommended on
    the round's invitation — or a manager has (managers review every interview and decide; with
    no reviewer named a manager's is the one awaited) — the round is done with the
    recommendations' verdict (``one_way.verdict``: the lower median; selected when that is yes
    or strong yes, i.e. more than half recommend) and their summaries as its feedback, and the
    candidate moves as after a one-to-one round (the system relaying the reviewers). A round
    decided already, cancelled or of a closed interview is left as it is (a later change of a
    recommendation is a line of the history only). Returns the round (``None``: no such)."""
    from access import video as video_access

    with transaction.atomic():
        found = Round.objects.filter(pk=round_id).values_list("pk", flat=True).first()
        if found is None:
            return None
        row = _lock_round(found)
        if (
            row.kind != RoundKind.ONE_WAY
            or not row.is_open
            or row.interview.status != Interview.Status.OPEN
            or row.video_interview is None
        ):
            return row
        invitation = getattr(row, "video_invitation", None)
        if invitation is None:
            return row
        given = list(invitation.recommendations.select_related("reviewer").order_by("at", "id"))
        awaited = set(
            video_access.told_of_ready_answers(row.video_interview).values_list("pk", flat=True)
        )
        if not one_way.complete(
            awaited=awaited,
            recommended={r.reviewer_id for r in given},
            by_manager=any(video_access.reviews_every_video_interview(r.reviewer) for r in given),
        ):
            return row
        recommendation, outcome = one_way.verdict([r.choice for r in given])
        last = given[-1].reviewer
        row.recommendation, row.outcome = recommendation, outcome
        row.feedback = "\n\n".join(
            f"{r.reviewer.display_name}: {r.summary}" for r in given if r.summary
        )
        row.rated_by, row.rated_at = last, timezone.now()
        row.status = Round.Status.DONE
        row.save()
        candidates.candidate_record(
            candidate=row.candidate_id,
            kind="round_rated",
            by=last,
            details={
                "round": row.pk,
                "round_name": row.name,
                "outcome": outcome,
                "recommendation": recommendation,
                "video_invitation": invitation.pk,
                "recommendations": len(given),
            },
        )
        _follow_outcome(row, by=last, roles={lifecycle.SYSTEM})
        events.send_after_commit(events.round_rated, round_id=row.pk)
    return row
