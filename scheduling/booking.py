"""The scheduler's run: read the problem, solve it, book what it found, tell the recruiters what
it could not place. Hourly by beat (``scheduling.tasks.run_scheduler``), or now by a recruiter
(the page, the API), or as a preview that books nothing.

One run at a time, under a lock held for the whole run:

* PostgreSQL: ``pg_advisory_xact_lock`` on the scheduler's key, taken first in the run's
  transaction and let go when it commits or rolls back;
* SQLite: the run's write transaction itself — Roundtable opens SQLite transactions
  ``IMMEDIATE`` (settings), and the run writes its ``Run`` row first, so the database's one
  write lock is the run's from its first statement to its commit.

The database's holds (``interviews.Hold``: an exclusion constraint, SQLite's triggers) already
make a double booking impossible; the lock is there for everything else. Without it, two runs
would read the same free time and solve the same problem: the second's bookings would be
refused one by one (rolled back, counted as ``skipped``) where, had it waited, it would have
seen the first's bookings and placed those candidates elsewhere; both would create the same
candidate's interview (one refused by the one-open-interview rule), and both would tell the
recruiters about the same no-matches. The constraint, for its part, still guards what the
lock does not cover: a recruiter assigning a round by hand while a run books.

Each booking is its own savepoint through ``interviews.services`` — ``interview_create`` when
the candidate has no interview yet, then ``round_assign`` — so the lifecycle moves the
candidate to *scheduled* and ``interviews.notices`` e-mails the interviewers and the candidate
their ``.ics`` through the outbox. One the database or the services refuse (someone took the
time, closed the interview, cancelled the round meanwhile) is rolled back alone, stored as
``refused`` and counted; the run goes on. Each booked round is announced after commit as
``scheduling.events.interview_scheduled``.

No match: every recruiter gets a notice (``notify.services.notice_send``: stored, and pushed
to their open pages) naming the candidate, the round and the reason — but the same candidate,
round and reason only once per ``SCHEDULER_RENOTIFY_HOURS`` (a changed reason is news at
once); beyond ``NOTICE_LIMIT`` new ones in a run, one more notice counts the rest and links
to the run's page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, ngettext_lazy

from access.scheduling import recruiters
from candidates.models import Candidate, Position
from interviews import services as interviews
from interviews.models import Round
from notify import services as notify
from scheduling import events, matching
from scheduling import problem as problems
from scheduling.models import Booking, NoMatch, Run

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock's key: the scheduler's own (any fixed number no other lock uses).
LOCK_KEY = 150_015
NOTICE_LIMIT = 10

REASONS = {
    matching.NO_OVERLAP: gettext_lazy(
        "None of their free time overlaps an interviewer's in the days ahead."
    ),
    matching.AT_CAP: gettext_lazy(
        "Every interviewer free at the same time is at their limit for that day or week."
    ),
    matching.NO_INTERVIEWER: gettext_lazy(
        "The round has no interviewer: give it a default interviewer or a pool."
    ),
    matching.TAKEN: gettext_lazy("The times that overlapped went to other candidates."),
}


class _Gone(Exception):
    """The round is no longer the run's to book (someone else moved it meanwhile)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def scheduler_run(*, by: Any = None, preview: bool = False, now: datetime | None = None) -> Run:
    """One run (``preview``: solve and store what it would book, book nothing, tell nobody).
    ``by``: the recruiter who asked (None: the hourly beat). ``now`` for tests."""
    now = now or timezone.now()
    trigger = Run.Trigger.BEAT if by is None else Run.Trigger.MANUAL
    try:
        with transaction.atomic():
            # The first write: on SQLite the write lock is the run's from here on.
            run = Run.objects.create(trigger=trigger, preview=preview, by=by, started_at=now)
            _lock()
            _run(run, by=by, now=now)
    except Exception as error:
        logger.exception("the scheduler's run failed")
        Run.objects.create(
            trigger=trigger,
            preview=preview,
            by=by,
            started_at=now,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    return run


def _run(run: Run, *, by: Any, now: datetime) -> None:
    began = time.perf_counter()
    problem = problems.build(now=now)
    built = time.perf_counter()
    plan = matching.solve(
        problem.requests, problem.interviewers, panel_seconds=settings.SCHEDULER_PANEL_SECONDS
    )
    solved = time.perf_counter()
    run.window_start, run.window_end = problem.start, problem.end
    run.optimal, run.gap = plan.optimal, plan.gap
    bookings = [_book(run, problem, found, by=by) for found in plan.bookings]
    Booking.objects.bulk_create(bookings)
    no_matches = [_no_match(run, problem, missed) for missed in plan.unmatched]
    if not run.preview:
        _tell_recruiters(run, no_matches, now=now)
    NoMatch.objects.bulk_create(no_matches)
    run.booked = sum(b.outcome == Booking.Outcome.BOOKED for b in bookings)
    run.skipped = sum(b.outcome == Booking.Outcome.REFUSED for b in bookings)
    run.unmatched = len(no_matches)
    run.stats = {
        **problem.stats(),
        **{k: v for k, v in plan.stats.items() if isinstance(v, int | float)},
        "build_seconds": round(built - began, 4),
        "solve_seconds": round(solved - built, 4),
        "book_seconds": round(time.perf_counter() - solved, 4),
    }
    run.finished_at = timezone.now()
    run.save()


def _iso(start: Any) -> Any:
    return problems.moment_of(start).isoformat() if isinstance(start, int) else start


def _why(found: matching.Booking) -> dict[str, Any]:
    why = found.why.to_dict()
    for key in ("earliest_possible", "cap_start"):
        why[key] = _iso(why.get(key))
    return why


def _people(target: problems.Target, chosen: Sequence[int]) -> tuple[int, list[int]]:
    """(the lead, the assistants) of a booking."""
    if target.panel and target.lead is not None:
        return target.lead, [p for p in chosen if p != target.lead]
    return chosen[0], []


def _book(run: Run, problem: problems.Problem, found: matching.Booking, *, by: Any) -> Booking:
    target = problem.targets[found.request]
    lead, assistants = _people(target, found.interviewers)
    row = Booking(
        run=run,
        round_id=target.round_id,
        candidate_id=target.candidate_id,
        plan_round_id=target.plan_round_id,
        round_name=target.name,
        round_order=target.order,
        interviewer_id=lead,
        people=[lead, *assistants],
        starts_at=problems.moment_of(found.start),
        why=_why(found),
        outcome=Booking.Outcome.PREVIEW if run.preview else Booking.Outcome.BOOKED,
    )
    if run.preview:
        return row
    try:
        with transaction.atomic():
            booked = _assign(target, problem, lead, assistants, row.starts_at, by=by)
    except (interviews.InterviewRefused, IntegrityError, _Gone) as refused:
        code = getattr(refused, "code", "conflict")
        logger.info("scheduler: round %s not booked (%s)", target.round_id, code)
        row.outcome = Booking.Outcome.REFUSED
        row.why = {**row.why, "refused": code}
        return row
    row.round_id = booked.pk
    events.send_after_commit(
        events.interview_scheduled,
        round_id=booked.pk,
        candidate_id=target.candidate_id,
        run_id=run.pk,
        starts_at=row.starts_at,
    )
    return row


def _assign(
    target: problems.Target,
    problem: problems.Problem,
    lead: int,
    assistants: list[int],
    starts_at: datetime,
    *,
    by: Any,
) -> Round:
    # Still as the problem found it? (Locked, so nobody changes it from here to the commit.)
    status = (
        Candidate.objects.select_for_update()
        .filter(pk=target.candidate_id)
        .values_list("status", flat=True)
        .first()
    )
    if status != Candidate.Status.CREATED:
        raise _Gone("not_eligible")
    if target.round_id is None:
        interview = interviews.interview_create(
            candidate=Candidate.objects.get(pk=target.candidate_id),
            position=Position.objects.get(pk=target.position_id),
            by=by,
        )
        round_ = interview.rounds.get(order=target.order)
    else:
        round_ = Round.objects.select_for_update().get(pk=target.round_id)
        if round_.status != Round.Status.PLANNED or round_.starts_at is not None:
            raise _Gone("round_taken")
    return interviews.round_assign(
        round_=round_,
        by=by,
        interviewer=problem.people[lead],
        assistants=[problem.people[p] for p in assistants],
        starts_at=starts_at,
    )


def _no_match(run: Run, problem: problems.Problem, missed: matching.Unmatched) -> NoMatch:
    target = problem.targets[missed.request]
    asked = (target.lead, *target.assistants) if target.panel else target.pool
    return NoMatch(
        run=run,
        round_id=target.round_id,
        plan_round_id=target.plan_round_id,
        round_name=target.name,
        round_order=target.order,
        candidate_id=target.candidate_id,
        reason=missed.reason,
        detail={
            "overlaps": missed.overlaps,
            "candidate_free_hours": problem.candidate_hours.get(target.candidate_id, 0),
            "interviewers": [p for p in asked if p is not None],
            "interviewers_known": [p for p in asked if p in problem.people],
            "panel": target.panel,
            "position": target.position_title,
        },
    )


def _key(row: NoMatch) -> tuple[int, int, str]:
    return row.candidate_id, row.round_order, row.round_name


def _tell_recruiters(run: Run, rows: list[NoMatch], *, now: datetime) -> None:
    """Mark and send the no-matches that are news: not told with the same reason lately."""
    if not rows:
        return
    since = now - timedelta(hours=settings.SCHEDULER_RENOTIFY_HOURS)
    told: dict[tuple[int, int, str], str] = {}
    for candidate_id, order, name, reason in (
        NoMatch.objects.filter(
            candidate_id__in={r.candidate_id for r in rows}, notified_at__gt=since
        )
        .order_by("notified_at", "pk")
        .values_list("candidate_id", "round_order", "round_name", "reason")
    ):
        told[(candidate_id, order, name)] = reason  # the latest told wins
    news = [row for row in rows if told.get(_key(row)) != row.reason]
    if not news:
        return
    names = dict(
        Candidate.objects.filter(pk__in={r.candidate_id for r in news}).values_list(
            "pk", "full_name"
        )
    )
    for row in news:
        row.notified_at = now
    for person in recruiters():
        for row in news[:NOTICE_LIMIT]:
            notify.notice_send(
                user=person,
                kind="no_match",
                title=format_lazy(
                    gettext_lazy("No interview slot for {candidate}: round {number} “{name}”"),
                    candidate=names.get(row.candidate_id, "?"),
                    number=row.round_order + 1,
                    name=row.round_name,
                ),
                body=format_lazy(
                    "{reason} ({position})",
                    reason=REASONS.get(row.reason, row.reason),
                    position=row.detail.get("position", ""),
                ),
                link=reverse("candidate_detail", args=[row.candidate_id]),
            )
        rest = len(news) - NOTICE_LIMIT
        if rest > 0:
            notify.notice_send(
                user=person,
                kind="no_match",
                title=format_lazy(
                    ngettext_lazy(
                        "{count} more round could not be scheduled",
                        "{count} more rounds could not be scheduled",
                        rest,
                    ),
                    count=rest,
                ),
                body=gettext_lazy("The scheduler's run lists each with its reason."),
                link=reverse("scheduler_run_detail", args=[run.pk]),
            )
