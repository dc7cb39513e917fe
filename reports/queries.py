"""The pipeline's numbers, for the statistics page ``/reports/`` and its downloads.

Each table is one or two aggregate queries (GROUP BY with conditional counts; the stage times
a window over the candidates' history), so the page costs the same number of queries for ten
candidates as for ten thousand, on PostgreSQL and on SQLite alike. Python only shapes the
grouped rows into tables. The page, the .xlsx and the CSV all read one ``Report`` built by
``build_report``: the same numbers, rounded once, here.

Definitions (the page states them too):

* the **period** runs from the first day's midnight to the midnight after the last day, in
  the viewer's time zone;
* **funnel**: "Created" counts the candidates created in the period; a later stage counts
  the candidates a status move in the period (``CandidateEvent``, kind = the move) took to
  that stage or further along the funnel (scheduled → interviewing → selected → hired):
  "Interviewed" is reaching interviewing, a hire straight from the interview counts as
  selected too. A candidate on several positions counts for each; the total once;
* **by status / by source**: where the candidates stand now, whatever the period;
* **interviewers**: the rounds whose time (``starts_at``; for a round rated without a time,
  when it was rated) falls in the period, by their interviewer; the points are those received
  over those expected on the aspects rated in the done rounds;
* **stage times**: each stay in a status that ended in the period: from the history event
  that entered the status to the move that left it, in days; median and mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from candidates import lifecycle
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from interviews.models import Round, RoundAspect

# The funnel's stages, in order; "interviewed" is reaching ``interviewing``.
FUNNEL = (
    lifecycle.CREATED,
    lifecycle.SCHEDULED,
    lifecycle.INTERVIEWING,
    lifecycle.SELECTED,
    lifecycle.HIRED,
)
_RANK = {stage: rank for rank, stage in enumerate(FUNNEL)}
# Statuses whose stays the stage-time table always lists (the final ones when reopened).
OPEN_STATUSES = (
    lifecycle.CREATED,
    lifecycle.SCHEDULED,
    lifecycle.INTERVIEWING,
    lifecycle.SELECTED,
)
# The history's kind of a candidate's first event, entering ``created``.
CREATED_EVENT = "created"
OPEN_ROUND = (Round.Status.PLANNED, Round.Status.SCHEDULED, Round.Status.RUNNING)


def moves_reaching(stage: str) -> list[str]:
    """The moves (history kinds) that take a candidate to ``stage`` or further along the
    funnel, read from the lifecycle's table."""
    return sorted(
        name
        for name, move in lifecycle.MOVES.items()
        if move.target in _RANK and _RANK[move.target] >= _RANK[stage]
    )


FUNNEL_MOVES = moves_reaching(lifecycle.SCHEDULED)

Number = int | float | None


@dataclass(frozen=True)
class Filters:
    """What the report covers. ``start``–``end`` are whole days (both included) in ``zone``,
    the viewer's time zone."""

    start: date
    end: date
    zone: tzinfo
    position: Position | None = None
    vendor: Vendor | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware moments: [first midnight, midnight after the last day)."""
        begin = timezone.make_aware(datetime.combine(self.start, time.min), self.zone)
        finish = timezone.make_aware(
            datetime.combine(self.end + timedelta(days=1), time.min), self.zone
        )
        return begin, finish

    def query(self) -> dict[str, str]:
        """The filters as the page's and the downloads' query string."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.position is not None:
            params["position"] = str(self.position.pk)
        if self.vendor is not None:
            params["vendor"] = str(self.vendor.pk)
        return params


@dataclass(frozen=True)
class Row:
    label: str
    values: list[Number]
    # What the row is about, for links and tests: a position's or vendor's id, a status, ...
    key: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[Row]
    total: Row | None
    note: str

    def row(self, key: str) -> Row | None:
        if self.total is not None and key == self.total.key:
            return self.total
        return next((row for row in self.rows if row.key == key), None)

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total is not None else [])]


@dataclass(frozen=True)
class Report:
    filters: Filters
    tables: list[Table] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    def funnel_chart(self) -> dict[str, Any]:
        """The funnel's total row for the chart (``reports/static/reports/funnel.js``)."""
        funnel = self.table("funnel")
        assert funnel.total is not None
        return {
            "labels": funnel.columns,
            "series": [{"name": funnel.total.label, "values": funnel.total.values}],
        }


# --- the labels ---------------------------------------------------------------------------


def stage_labels() -> list[str]:
    return [
        pgettext("funnel stage", "Created"),
        pgettext("funnel stage", "Scheduled"),
        pgettext("funnel stage", "Interviewed"),
        pgettext("funnel stage", "Selected"),
        pgettext("funnel stage", "Hired"),
    ]


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Candidate.Status.choices}


def _no_position() -> str:
    return _("No position")


def _all_candidates() -> str:
    return _("All candidates")


# --- the filters as queries ---------------------------------------------------------------


def _in(prefix: str, bounds: tuple[datetime, datetime]) -> Q:
    return Q(**{f"{prefix}__gte": bounds[0], f"{prefix}__lt": bounds[1]})


def _through() -> Any:
    return Candidate.positions.through


def _candidates(filters: Filters) -> QuerySet[Candidate]:
    """The candidates the filters cover (on the position, from the vendor)."""
    rows = Candidate.objects.all()
    if filters.vendor is not None:
        rows = rows.filter(vendor=filters.vendor)
    if filters.position is not None:
        rows = rows.filter(
            Exists(_through().objects.filter(candidate=OuterRef("pk"), position=filters.position))
        )
    return rows


def _placements(filters: Filters) -> QuerySet[Any]:
    """(candidate, position) pairs the filters cover: the per-position rows' source."""
    rows = _through().objects.all()
    if filters.vendor is not None:
        rows = rows.filter(candidate__vendor=filters.vendor)
    if filters.position is not None:
        rows = rows.filter(position=filters.position)
    return rows


def _unplaced() -> Q:
    return ~Q(Exists(_through().objects.filter(candidate=OuterRef("pk"))))


# --- the funnel ---------------------------------------------------------------------------


def _funnel_counts(candidate: str, prefix: str, bounds: tuple[datetime, datetime]) -> dict:
    """Conditional counts of distinct candidates per stage over rows joined to the period's
    moves (``moves``); ``prefix`` leads from the row to the candidate."""
    counts = {
        lifecycle.CREATED: Count(
            candidate, distinct=True, filter=_in(f"{prefix}created_at", bounds)
        )
    }
    for stage in FUNNEL[1:]:
        counts[stage] = Count(
            candidate, distinct=True, filter=Q(moves__kind__in=moves_reaching(stage))
        )
    return counts


def _with_moves(rows: QuerySet[Any], prefix: str, bounds: tuple[datetime, datetime]) -> Any:
    """``rows`` joined (LEFT, in the join's condition) to their candidate's funnel moves in
    the period, keeping those created or moved in it."""
    events = f"{prefix}events"
    return rows.annotate(
        moves=FilteredRelation(
            events,
            condition=Q(**{f"{events}__kind__in": FUNNEL_MOVES}) & _in(f"{events}__at", bounds),
        )
    ).filter(_in(f"{prefix}created_at", bounds) | Q(moves__isnull=False))


def funnel_table(filters: Filters) -> Table:
    bounds = filters.bounds
    per_position = (
        _with_moves(_placements(filters), "candidate__", bounds)
        .values("position_id", "position__title")
        .annotate(**_funnel_counts("candidate_id", "candidate__", bounds))
        .order_by()
    )
    totals = _funnel_counts("pk", "", bounds)
    if filters.position is None:
        for stage, count in list(totals.items()):
            totals[f"none_{stage}"] = Count("pk", distinct=True, filter=count.filter & _unplaced())
    total = _with_moves(_candidates(filters), "", bounds).aggregate(**totals)
    rows = [
        Row(r["position__title"], [r[stage] for stage in FUNNEL], str(r["position_id"]))
        for r in sorted(per_position, key=lambda r: (r["position__title"], r["position_id"]))
    ]
    if filters.position is not None and not rows:
        rows = [Row(filters.position.title, [0] * len(FUNNEL), str(filters.position.pk))]
    if filters.position is None and any(total[f"none_{stage}"] for stage in FUNNEL):
        rows.append(Row(_no_position(), [total[f"none_{stage}"] for stage in FUNNEL], "none"))
    return Table(
        key="funnel",
        title=_("Funnel"),
        label_header=pgettext("report", "Position"),
        columns=stage_labels(),
        rows=rows,
        total=Row(_all_candidates(), [total[stage] for stage in FUNNEL], "total"),
        note=_(
            "“Created”: candidates created in the period. A later stage: candidates whom a "
            "status move in the period took to that stage or further along (scheduled → "
            "interviewing → selected → hired); “Interviewed” is reaching interviewing, and a "
            "hire straight from the interview counts as selected too. A candidate on several "
            "positions counts for each; the total counts each candidate once."
        ),
    )


# --- where the candidates stand now ---------------------------------------------------------


def status_table(filters: Filters) -> Table:
    statuses = list(lifecycle.STATUSES)
    per_position = (
        _placements(filters)
        .values("position_id", "position__title", "candidate__status")
        .annotate(n=Count("candidate_id"))
        .order_by()
    )
    by_position: dict[int, tuple[str, dict[str, int]]] = {}
    for r in per_position:
        title, counts = by_position.setdefault(r["position_id"], (r["position__title"], {}))
        counts[r["candidate__status"]] = r["n"]
    totals = (
        _candidates(filters)
        .values("status")
        .annotate(n=Count("pk"), unplaced=Count("pk", filter=_unplaced()))
    )
    total: dict[str, int] = {}
    unplaced: dict[str, int] = {}
    for r in totals.order_by():
        total[r["status"]] = r["n"]
        unplaced[r["status"]] = r["unplaced"]

    def values(counts: dict[str, int]) -> list[Number]:
        numbers = [counts.get(status, 0) for status in statuses]
        return [*numbers, sum(numbers)]

    rows = [
        Row(title, values(counts), str(pk))
        for pk, (title, counts) in sorted(by_position.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    if filters.position is not None and not rows:
        rows = [Row(filters.position.title, values({}), str(filters.position.pk))]
    if filters.position is None and any(unplaced.values()):
        rows.append(Row(_no_position(), values(unplaced), "none"))
    labels = _status_labels()
    return Table(
        key="status",
        title=_("By status"),
        label_header=pgettext("report", "Position"),
        columns=[*(labels[s].capitalize() for s in statuses), pgettext("report", "Total")],
        rows=rows,
        total=Row(_all_candidates(), values(total), "total"),
        note=_(
            "Where the candidates stand now, whatever the period. A candidate on several "
            "positions counts for each; the total counts each candidate once."
        ),
    )


def vendor_table(filters: Filters) -> Table:
    statuses = list(lifecycle.STATUSES)
    grouped = (
        _candidates(filters)
        .values("source", "vendor_id", "vendor__name", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    vendors: dict[int, tuple[str, dict[str, int]]] = {}
    others: dict[str, dict[str, int]] = {}
    for r in grouped:
        if r["source"] == Candidate.Source.VENDOR and r["vendor_id"] is not None:
            counts = vendors.setdefault(r["vendor_id"], (r["vendor__name"], {}))[1]
        else:
            counts = others.setdefault(r["source"], {})
        counts[r["status"]] = counts.get(r["status"], 0) + r["n"]

    def values(counts: dict[str, int]) -> list[Number]:
        numbers = [counts.get(status, 0) for status in statuses]
        return [*numbers, sum(numbers)]

    rows = [
        Row(name, values(counts), f"vendor:{pk}")
        for pk, (name, counts) in sorted(vendors.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    sources = dict(Candidate.Source.choices)
    for source in (Candidate.Source.REFERRAL, Candidate.Source.DIRECT, Candidate.Source.VENDOR):
        if source in others:
            rows.append(Row(str(sources[source]).capitalize(), values(others[source]), source))
    everything: dict[str, int] = {}
    for row_counts in [counts for _name, counts in vendors.values()] + list(others.values()):
        for status, n in row_counts.items():
            everything[status] = everything.get(status, 0) + n
    labels = _status_labels()
    return Table(
        key="vendor",
        title=_("By vendor"),
        label_header=pgettext("report", "Source"),
        columns=[*(labels[s].capitalize() for s in statuses), pgettext("report", "Total")],
        rows=rows,
        total=Row(_all_candidates(), values(everything), "total"),
        note=_(
            "Where the candidates stand now, by where they came from: each vendor, a "
            "referral, or directly. The period does not apply."
        ),
    )


# --- rounds per interviewer ---------------------------------------------------------------


def _rounds(filters: Filters) -> QuerySet[Round]:
    start, end = filters.bounds
    rows = (
        Round.objects.filter(interviewer__isnull=False)
        .alias(moment=Coalesce("starts_at", "rated_at"))
        .filter(moment__gte=start, moment__lt=end)
    )
    if filters.position is not None:
        rows = rows.filter(position=filters.position)
    if filters.vendor is not None:
        rows = rows.filter(candidate__vendor=filters.vendor)
    return rows


def _percent(points: int | None, expected: int | None) -> float | None:
    if not expected:
        return None
    return round(100 * (points or 0) / expected, 1)


def interviewer_table(filters: Filters) -> Table:
    rounds = _rounds(filters)
    grouped = (
        rounds.values(
            "interviewer_id",
            "interviewer__first_name",
            "interviewer__last_name",
            "interviewer__username",
        )
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_ROUND)),
            done=Count("pk", filter=Q(status=Round.Status.DONE)),
            cancelled=Count("pk", filter=Q(status=Round.Status.CANCELLED)),
        )
        .order_by()
    )
    points = {
        r["round__interviewer_id"]: (r["points"], r["expected"])
        for r in RoundAspect.objects.filter(
            round__in=rounds.filter(status=Round.Status.DONE).values("pk"),
            points__isnull=False,
        )
        .values("round__interviewer_id")
        .annotate(points=Sum("points"), expected=Sum("expected_points"))
        .order_by()
    }
    rows = []
    for r in grouped:
        name = " ".join(
            part for part in (r["interviewer__first_name"], r["interviewer__last_name"]) if part
        )
        got, expected = points.get(r["interviewer_id"], (None, None))
        rows.append(
            Row(
                name or r["interviewer__username"],
                [r["total"], r["open"], r["done"], r["cancelled"], _percent(got, expected)],
                str(r["interviewer_id"]),
            )
        )
    rows.sort(key=lambda row: (row.label.casefold(), row.key))
    sums = [sum(int(row.values[i] or 0) for row in rows) for i in range(4)]
    all_points = sum(p or 0 for p, _x in points.values())
    all_expected = sum(x or 0 for _p, x in points.values())
    return Table(
        key="interviewers",
        title=pgettext("report", "Interviewers"),
        label_header=pgettext("report", "Interviewer"),
        columns=[
            pgettext("report", "Rounds"),
            _("Still to hold"),
            pgettext("rounds", "Done"),
            pgettext("rounds", "Cancelled"),
            _("Points, percent of expected"),
        ],
        rows=rows,
        total=Row(_("All interviewers"), [*sums, _percent(all_points, all_expected)], "total"),
        note=_(
            "Rounds whose time falls in the period (a round rated without a time: when it was "
            "rated), by their interviewer. Points: received over expected on the rated "
            "aspects of the done rounds."
        ),
    )


# --- time in each stage ---------------------------------------------------------------------


def _entered_case() -> tuple[str, list[str]]:
    """SQL: the status a history row enters (``created``, or its move's target)."""
    whens = " ".join("WHEN %s THEN %s" for _move in lifecycle.MOVES)
    params: list[str] = []
    for name, move in lifecycle.MOVES.items():
        params += [name, move.target]
    return f"CASE e.kind WHEN %s THEN %s {whens} END", [CREATED_EVENT, lifecycle.CREATED, *params]


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0"
    return f"(julianday({later}) - julianday({earlier}))"


def _stays(filters: Filters) -> dict[str, tuple[int, float | None, float | None]]:
    """status → (stays, median days, mean days) of the stays that ended in the period: one
    query, a window (LAG) over each candidate's status events, the median from ranks."""
    start, end = filters.bounds
    events = connection.ops.quote_name(CandidateEvent._meta.db_table)
    kinds = [CREATED_EVENT, *lifecycle.MOVES]
    marks = ", ".join(["%s"] * len(kinds))
    moves = list(lifecycle.MOVES)
    move_marks = ", ".join(["%s"] * len(moves))
    case, case_params = _entered_case()
    scope, scope_params = _candidates(filters).values("pk").query.sql_with_params()
    sql = f"""
        WITH status_events AS (
            SELECT e.candidate_id AS candidate_id, e.at AS at, e.id AS id, {case} AS entered
            FROM {events} e
            WHERE e.kind IN ({marks})
              AND e.candidate_id IN (
                  SELECT m.candidate_id FROM {events} m
                  WHERE m.kind IN ({move_marks}) AND m.at >= %s AND m.at < %s
              )
              AND e.candidate_id IN ({scope})
        ),
        stays AS (
            SELECT
                LAG(entered) OVER (PARTITION BY candidate_id ORDER BY at, id) AS status,
                LAG(at) OVER (PARTITION BY candidate_id ORDER BY at, id) AS entered_at,
                at AS left_at
            FROM status_events
        ),
        measured AS (
            SELECT status, {_days_between("left_at", "entered_at")} AS days
            FROM stays
            WHERE status IS NOT NULL AND left_at >= %s AND left_at < %s
        ),
        ranked AS (
            SELECT status, days,
                ROW_NUMBER() OVER (PARTITION BY status ORDER BY days) AS place,
                COUNT(*) OVER (PARTITION BY status) AS n
            FROM measured
        )
        SELECT status, MAX(n), AVG(days),
            AVG(CASE WHEN place IN ((n + 1) / 2, (n + 2) / 2) THEN days END)
        FROM ranked
        GROUP BY status
    """
    params = [*case_params, *kinds, *moves, start, end, *scope_params, start, end]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {status: (int(n), _days(median), _days(mean)) for status, n, mean, median in found}


def _days(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), 1)


def stage_table(filters: Filters) -> Table:
    stays = _stays(filters)
    labels = _status_labels()
    shown = [s for s in lifecycle.STATUSES if s in OPEN_STATUSES or s in stays]
    return Table(
        key="stages",
        title=_("Stage times"),
        label_header=pgettext("report", "Stage"),
        columns=[_("Stays ended in the period"), _("Median, days"), _("Mean, days")],
        rows=[Row(labels[s].capitalize(), list(stays.get(s, (0, None, None))), s) for s in shown],
        total=None,
        note=_(
            "Each stay in a status that ended in the period: from the move (or the creation) "
            "that entered the status to the move that left it, in days. Stays still going on "
            "are not counted."
        ),
    )


TABLES = {
    "funnel": funnel_table,
    "status": status_table,
    "vendor": vendor_table,
    "interviewers": interviewer_table,
    "stages": stage_table,
}


def build_report(filters: Filters, tables: Iterable[str] = tuple(TABLES)) -> Report:
    """The report's tables (all of them, or those named, in the order given)."""
    return Report(filters=filters, tables=[TABLES[key](filters) for key in tables])
