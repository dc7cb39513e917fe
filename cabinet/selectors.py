"""Reads for the cabinet: the lists, one session's review, one candidate's review (their rated
rounds, when no session is decided on), and the weekly statistics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

import arbiter
from accounts.models import User
from cabinet.models import Decision, DecisionAudit, RejectionReason
from candidates import lifecycle
from candidates.models import Candidate
from interviews.models import Round
from interviews.selectors import rating_sheets, rounds_with_parts
from notify.models import Outbox
from sessions_live.models import AskedQuestion, LiveSession
from sessions_live.selectors import results_for_page

# Two interviewers who gave the same topic shares of its points this far apart (0..1) get a
# flag: one of them saw something the other did not, and the manager should look.
DIVERGENCE_SHARE = 0.4


def _current_decisions() -> Any:
    return Decision.objects.filter(reopened_at__isnull=True)


def _decided_without_session() -> Any:
    """Candidates with a current decision made on them with no session."""
    return _current_decisions().filter(candidate=OuterRef("candidate_id"), session__isnull=True)


def sessions_awaiting() -> list[LiveSession]:
    """Every feedback is in (the arbiter said so) and no current decision exists, on the
    session nor on its candidate as their rounds left them (the candidate's decision covers
    the session: it moved the candidate already)."""
    return list(
        LiveSession.objects.filter(ready_for_decision=True)
        .exclude(pk__in=_current_decisions().values("session_id"))
        .exclude(Exists(_decided_without_session()))
        .select_related("candidate", "lead")
        .order_by("ready_at", "id")
    )


# Rounds still to be held: a candidate with one has not finished their rounds.
OPEN_ROUNDS = (Round.Status.PLANNED, Round.Status.SCHEDULED, Round.Status.RUNNING)


def _ready_filter() -> Q:
    """Candidates the rounds leave to a manager: selected (the last round's interviewer said
    so), or interviewing with every round of theirs held and rated (a panel round last, or a
    decision reopened), none still to come."""
    rounds = Round.objects.filter(candidate=OuterRef("pk"))
    return Q(status=lifecycle.SELECTED) | (
        Q(status=lifecycle.INTERVIEWING)
        & Exists(rounds.filter(status=Round.Status.DONE))
        & ~Exists(rounds.filter(status__in=OPEN_ROUNDS))
    )


def _awaiting_candidates() -> QuerySet[Candidate]:
    """Ready (``_ready_filter``) and no current decision on them of any kind (a session's
    decision moves its candidate too), and not only interviewing with a session of theirs in
    the sessions' list (that session's decision is the one waiting: no second row for it)."""
    current = _current_decisions().filter(candidate=OuterRef("pk"))
    session_waits = LiveSession.objects.filter(
        candidate=OuterRef("pk"), ready_for_decision=True
    ).exclude(pk__in=_current_decisions().filter(session__isnull=False).values("session_id"))
    return (
        Candidate.objects.filter(_ready_filter())
        .exclude(Exists(current))
        .exclude(Q(status=lifecycle.INTERVIEWING) & Exists(session_waits))
    )


def candidate_ready_for_decision(*, candidate: Candidate) -> bool:
    """The rule ``decision_make`` asks for a decision without a session: the list's
    (``_ready_filter``), on the candidate's row as it is now."""
    return Candidate.objects.filter(_ready_filter(), pk=candidate.pk).exists()


def _rated_rounds() -> QuerySet[Round]:
    """Held and rated rounds with what a rating sheet shows, oldest interview first."""
    return rounds_with_parts(Round.objects.filter(status=Round.Status.DONE)).order_by(
        "interview__created_at", "interview_id", "order", "id"
    )


def rated_rounds(*, candidate: Candidate) -> list[Round]:
    """The candidate's held and rated rounds (one-to-one and panel), each interview in turn."""
    return list(_rated_rounds().filter(candidate=candidate))


@dataclass(frozen=True)
class CandidateAwaiting:
    """One row of the list: the candidate, since when they wait (their last rating), and the
    rating sheets of their rounds that the reader may see."""

    candidate: Candidate
    ready_at: datetime | None
    sheets: list[dict[str, Any]]

    @property
    def positions(self) -> list[str]:
        return list(dict.fromkeys(sheet["round"].position.title for sheet in self.sheets))


def candidates_awaiting(*, user: User) -> list[CandidateAwaiting]:
    """Candidates waiting for a decision with no session to decide on (their rounds selected
    them, or ended rated), longest waiting first; a fixed number of queries."""
    rows = (
        _awaiting_candidates()
        .annotate(ready_at=Max("rounds__rated_at", filter=Q(rounds__status=Round.Status.DONE)))
        .prefetch_related(Prefetch("rounds", queryset=_rated_rounds(), to_attr="rated"))
        .order_by("ready_at", "id")
    )
    return [
        CandidateAwaiting(
            candidate=row, ready_at=row.ready_at, sheets=rating_sheets(row.rated, user)
        )
        for row in rows
    ]


def decisions_recent(*, limit: int = 50) -> list[Decision]:
    return list(
        _current_decisions()
        .select_related("candidate", "session", "team", "decided_by")
        .prefetch_related("reasons", Prefetch("outbox", queryset=Outbox.objects.order_by("id")))
        .order_by("-decided_at", "-id")[:limit]
    )


def _subject(decisions: Any, *, candidate: Candidate | None, session: LiveSession | None) -> Any:
    """The decisions on ``session``, or on ``candidate`` without a session."""
    if session is not None:
        return decisions.filter(session=session)
    return decisions.filter(candidate=candidate, session__isnull=True)


def current_decision(
    *, session: LiveSession | None = None, candidate: Candidate | None = None
) -> Decision | None:
    """The current decision on ``session``, or on ``candidate`` without a session."""
    return (
        _subject(_current_decisions(), candidate=candidate, session=session)
        .select_related("team", "decided_by")
        .prefetch_related("reasons")
        .first()
    )


def withdrawn_decisions(
    *, session: LiveSession | None = None, candidate: Candidate | None = None
) -> QuerySet[Decision]:
    return (
        _subject(
            Decision.objects.filter(reopened_at__isnull=False), candidate=candidate, session=session
        )
        .select_related("team", "decided_by", "reopened_by")
        .prefetch_related("reasons")
        .order_by("-decided_at", "-id")
    )


def _decisions_with_outbox(decisions: Any) -> list[Decision]:
    return list(
        decisions.select_related("team", "decided_by", "reopened_by")
        .prefetch_related("reasons", Prefetch("outbox", queryset=Outbox.objects.order_by("id")))
        .order_by("-decided_at", "-id")
    )


def candidate_review(*, candidate: Candidate, user: User) -> dict[str, Any]:
    """Everything the candidate's decision page shows: the rated rounds' sheets (those the
    reader may see), the decisions without a session and their audit trail."""
    decisions = _decisions_with_outbox(
        Decision.objects.filter(candidate=candidate, session__isnull=True)
    )
    return {
        "sheets": rating_sheets(rated_rounds(candidate=candidate), user),
        "decision": next((d for d in decisions if d.is_current), None),
        "decisions": decisions,
        "audit": list(
            DecisionAudit.objects.filter(candidate=candidate, session__isnull=True)
            .select_related("by")
            .order_by("at", "id")
        ),
    }


@dataclass(frozen=True)
class TopicLine:
    topic_id: int
    topic: str
    owner_name: str
    score: int
    max_points: int
    scored: int
    skipped: int

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_points) if self.max_points else 0


def topic_lines(results: dict[str, Any]) -> list[TopicLine]:
    """Per-topic totals from the arbiter's results (one block per topic)."""
    return [
        TopicLine(
            topic_id=block["topic_id"],
            topic=block["topic"],
            owner_name=block["owner_name"],
            score=block["totals"]["score"],
            max_points=block["totals"]["max_points"],
            scored=block["totals"]["scored"],
            skipped=block["totals"]["skipped"],
        )
        for block in results["blocks"]
    ]


def topic_divergences(*, session: LiveSession) -> list[dict[str, Any]]:
    """Topics of this session that several interviewers scored for this candidate (in this
    or another of the candidate's sessions) with shares far apart.

    Within one session each topic has exactly one owner, so disagreement shows up across the
    candidate's rounds: a second panel that rates a topic very differently from the first."""
    topic_ids = list(session.topics.values_list("topic_id", flat=True))
    rows = (
        AskedQuestion.objects.filter(
            session__candidate_id=session.candidate_id,
            topic_id__in=topic_ids,
            skipped=False,
            score__isnull=False,
        )
        .values("topic_id", "topic__name", "owner_id", "session_id", "session__code")
        .annotate(points=Sum("score"), max_points=Sum("max_points"))
        .order_by("topic__name", "session_id", "owner_id")
    )
    by_topic: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["max_points"]:
            by_topic[row["topic_id"]].append(row)
    names = {
        user.pk: user.display_name
        for user in User.objects.filter(
            pk__in={r["owner_id"] for rs in by_topic.values() for r in rs}
        )
    }
    flags = []
    for entries in by_topic.values():
        if len({entry["owner_id"] for entry in entries}) < 2:
            continue
        shares = [entry["points"] / entry["max_points"] for entry in entries]
        spread = max(shares) - min(shares)
        if spread >= DIVERGENCE_SHARE:
            flags.append(
                {
                    "topic": entries[0]["topic__name"],
                    "spread": round(100 * spread),
                    "entries": [
                        {
                            "name": names.get(entry["owner_id"], ""),
                            "session": entry["session__code"],
                            "this_session": entry["session_id"] == session.pk,
                            "score": entry["points"],
                            "max_points": entry["max_points"],
                            "percent": round(100 * share),
                        }
                        for entry, share in zip(entries, shares, strict=True)
                    ],
                }
            )
    return flags


def session_review(*, session: LiveSession) -> dict[str, Any]:
    """Everything the session page shows: results, per-topic totals, flags, decisions."""
    state = arbiter.SessionState.from_json(session.state)
    results = results_for_page(session=session, state=state)
    decisions = _decisions_with_outbox(Decision.objects.filter(session=session))
    return {
        "results": results,
        "topics": topic_lines(results),
        "divergences": topic_divergences(session=session),
        "decision": next((d for d in decisions if d.is_current), None),
        "decisions": decisions,
        "audit": list(
            DecisionAudit.objects.filter(session=session).select_related("by").order_by("at", "id")
        ),
    }


# --- statistics ---------------------------------------------------------------------------


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class WeekRow:
    week: str
    monday: date
    sessions: int = 0
    hires: dict[str, int] = field(default_factory=dict)
    rejections: dict[str, int] = field(default_factory=dict)
    rejected: int = 0

    @property
    def hired(self) -> int:
        return sum(self.hires.values())


@dataclass
class WeeklyStats:
    start: date
    end: date
    weeks: list[WeekRow]
    teams: list[str]
    reasons: list[str]

    @property
    def totals(self) -> WeekRow:
        total = WeekRow(week="", monday=self.start)
        for row in self.weeks:
            total.sessions += row.sessions
            total.rejected += row.rejected
            for name, count in row.hires.items():
                total.hires[name] = total.hires.get(name, 0) + count
            for name, count in row.rejections.items():
                total.rejections[name] = total.rejections.get(name, 0) + count
        return total


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def weekly_stats(*, start: date, end: date) -> WeeklyStats:
    """Per ISO week of [start, end] (local dates): sessions held (finished), hires per team
    and rejections per reason by current decisions. A rejection with two reasons counts once
    in ``rejected`` and once under each reason."""
    since, until = _bounds(start, end)
    weeks: dict[str, WeekRow] = {}
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        weeks[iso_week(monday)] = WeekRow(week=iso_week(monday), monday=monday)
        monday += timedelta(days=7)

    def row_for(moment: datetime) -> WeekRow:
        return weeks[iso_week(timezone.localtime(moment).date())]

    for finished_at in LiveSession.objects.filter(
        finished_at__gte=since, finished_at__lt=until
    ).values_list("finished_at", flat=True):
        row_for(finished_at).sessions += 1

    decided = _current_decisions().filter(decided_at__gte=since, decided_at__lt=until)
    teams: set[str] = set()
    for outcome, team, decided_at in decided.values_list("outcome", "team__name", "decided_at"):
        row = row_for(decided_at)
        if outcome == Decision.Outcome.HIRE:
            row.hires[team] = row.hires.get(team, 0) + 1
            teams.add(team)
        else:
            row.rejected += 1
    reasons: set[str] = set()
    links = RejectionReason.decisions.through.objects.filter(
        decision__in=decided.filter(outcome=Decision.Outcome.REJECT)
    ).values_list("rejectionreason__name", "decision__decided_at")
    for reason, decided_at in links:
        row = row_for(decided_at)
        row.rejections[reason] = row.rejections.get(reason, 0) + 1
        reasons.add(reason)
    return WeeklyStats(
        start=start,
        end=end,
        weeks=list(weeks.values()),
        teams=sorted(teams),
        reasons=sorted(reasons),
    )
