"""The pipeline's numbers, for the statistics page ``/reports/`` and its downloads.

Each table is one SQL statement (GROUP BY, CASE, UNION ALL for the total row; the stage
times a LAG window over the candidates' history), so the page costs the same number of
queries for ten candidates as for ten thousand, on PostgreSQL and on SQLite alike; Python
only shapes the grouped rows (a few per position, vendor, interviewer or status) into tables.
The statements are written by hand where the ORM would count distinct rows of a join (the
funnel per candidate once, then per position) or cannot aggregate over a window. The page,
the .xlsx and the CSV all read one ``Report`` built by ``build_report``: the same numbers,
rounded once, here.

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

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from candidates import lifecycle
from candidates.models import Candidate, CandidateEvent, Position, Vendor
from interviews.models import Round

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
#
# The funnel, the status table, the interviewers and the stage times are one SQL statement
# each, in the SQL both PostgreSQL and SQLite speak (CTEs, CASE, window functions, UNION ALL):
# a row per group, never a row per candidate back to Python. Only values travel as
# parameters; the names are the models' tables, quoted by the connection.


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _through() -> Any:
    return Candidate.positions.through


def _scope(filters: Filters, alias: str) -> tuple[str, list[Any]]:
    """SQL conditions (each led by AND) keeping the candidates ``alias`` the filters cover:
    on the position, from the vendor."""
    sql, params = "", []
    if filters.vendor is not None:
        sql += f" AND {alias}.vendor_id = %s"
        params.append(filters.vendor.pk)
    if filters.position is not None:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {_table(_through())} tp"
            f" WHERE tp.candidate_id = {alias}.id AND tp.position_id = %s)"
        )
        params.append(filters.position.pk)
    return sql, params


def _on_position(filters: Filters) -> tuple[str, list[Any]]:
    """The condition joining a candidate to the positions the tables group them by: the
    filtered one, else each of theirs."""
    if filters.position is None:
        return "", []
    return " AND t.position_id = %s", [filters.position.pk]


def _sql_bounds(filters: Filters) -> tuple[Any, Any]:
    """The period's moments as the database compares them (SQLite: UTC text, as Django
    stores them; a raw query gets no conversion of its own)."""
    start, end = filters.bounds
    adapt = connection.ops.adapt_datetimefield_value
    return adapt(start), adapt(end)


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# The total row of a statement's UNION ALL: no position has this id.
_TOTAL = -1


# --- the funnel ---------------------------------------------------------------------------


def _funnel_rows(filters: Filters) -> list[tuple[Any, ...]]:
    """(position id or None or _TOTAL, title, created, scheduled, interviewed, selected, hired).

    ``reached``: per candidate moved in the period, the furthest funnel stage a move took
    them to; ``active``: one row per candidate created or moved in the period (in scope);
    then summed per position (a LEFT JOIN: no position is the NULL group) and in all."""
    start, end = _sql_bounds(filters)
    ranks = [(name, _RANK[lifecycle.MOVES[name].target]) for name in FUNNEL_MOVES]
    rank_case = "CASE e.kind " + " ".join("WHEN %s THEN %s" for _move in ranks) + " END"
    rank_params: list[Any] = [value for pair in ranks for value in pair]
    marks = ", ".join(["%s"] * len(FUNNEL_MOVES))
    sums = ", ".join(
        f"SUM(CASE WHEN a.stage >= {_RANK[stage]:d} THEN 1 ELSE 0 END)" for stage in FUNNEL[1:]
    )
    scope, scope_params = _scope(filters, "c")
    on_position, position_params = _on_position(filters)
    sql = f"""
        WITH reached AS (
            SELECT e.candidate_id AS candidate_id, MAX({rank_case}) AS stage
            FROM {_table(CandidateEvent)} e
            WHERE e.kind IN ({marks}) AND e.at >= %s AND e.at < %s
            GROUP BY e.candidate_id
        ),
        active AS (
            SELECT c.id AS id,
                CASE WHEN c.created_at >= %s AND c.created_at < %s THEN 1 ELSE 0 END AS created,
                COALESCE(r.stage, 0) AS stage
            FROM {_table(Candidate)} c LEFT JOIN reached r ON r.candidate_id = c.id
            WHERE (c.created_at >= %s AND c.created_at < %s OR r.candidate_id IS NOT NULL)
                {scope}
        )
        SELECT t.position_id, p.title, SUM(a.created), {sums}
        FROM active a
        LEFT JOIN {_table(_through())} t ON t.candidate_id = a.id{on_position}
        LEFT JOIN {_table(Position)} p ON p.id = t.position_id
        GROUP BY t.position_id, p.title
        UNION ALL
        SELECT {_TOTAL:d}, NULL, SUM(a.created), {sums} FROM active a
    """
    params = [
        *rank_params,
        *FUNNEL_MOVES,
        start,
        end,
        start,
        end,
        start,
        end,
        *scope_params,
        *position_params,
    ]
    return _fetch(sql, params)


def _numbers(values: tuple[Any, ...]) -> list[Number]:
    return [int(value or 0) for value in values]


def funnel_table(filters: Filters) -> Table:
    found = _funnel_rows(filters)
    total = next((_numbers(r[2:]) for r in found if r[0] == _TOTAL), [0] * len(FUNNEL))
    placed = sorted((r for r in found if r[0] not in (_TOTAL, None)), key=lambda r: (r[1], r[0]))
    rows = [Row(r[1], _numbers(r[2:]), str(r[0])) for r in placed]
    if filters.position is not None and not rows:
        rows = [Row(filters.position.title, [0] * len(FUNNEL), str(filters.position.pk))]
    unplaced = next((_numbers(r[2:]) for r in found if r[0] is None), None)
    if unplaced is not None and any(unplaced):
        rows.append(Row(_no_position(), unplaced, "none"))
    return Table(
        key="funnel",
        title=_("Funnel"),
        label_header=pgettext("report", "Position"),
        columns=stage_labels(),
        rows=rows,
        total=Row(_all_candidates(), total, "total"),
        note=_(
            "“Created”: candidates created in the period. A later stage: candidates whom a "
            "status move in the period took to that stage or further along (scheduled → "
            "interviewing → selected → hired); “Interviewed” is reaching interviewing, and a "
            "hire straight from the interview counts as selected too. A candidate on several "
            "positions counts for each; the total counts each candidate once."
        ),
    )


# --- where the candidates stand now ---------------------------------------------------------


def _status_rows(filters: Filters) -> list[tuple[Any, ...]]:
    """(position id or None or _TOTAL, title, status, count): per position (NULL: none) and
    status, then per status in all."""
    scope, scope_params = _scope(filters, "c")
    on_position, position_params = _on_position(filters)
    sql = f"""
        SELECT t.position_id, p.title, c.status, COUNT(*)
        FROM {_table(Candidate)} c
        LEFT JOIN {_table(_through())} t ON t.candidate_id = c.id{on_position}
        LEFT JOIN {_table(Position)} p ON p.id = t.position_id
        WHERE 1 = 1{scope}
        GROUP BY t.position_id, p.title, c.status
        UNION ALL
        SELECT {_TOTAL:d}, NULL, c.status, COUNT(*)
        FROM {_table(Candidate)} c
        WHERE 1 = 1{scope}
        GROUP BY c.status
    """
    return _fetch(sql, [*position_params, *scope_params, *scope_params])


def _by_status(counts: dict[str, int]) -> list[Number]:
    numbers = [counts.get(status, 0) for status in lifecycle.STATUSES]
    return [*numbers, sum(numbers)]


def _status_columns() -> list[str]:
    labels = _status_labels()
    return [*(labels[s].capitalize() for s in lifecycle.STATUSES), pgettext("report", "Total")]


def status_table(filters: Filters) -> Table:
    groups: dict[Any, tuple[str, dict[str, int]]] = {}
    for position_id, title, status, count in _status_rows(filters):
        groups.setdefault(position_id, (title or "", {}))[1][status] = int(count)
    placed = sorted(
        ((pk, group) for pk, group in groups.items() if pk not in (_TOTAL, None)),
        key=lambda item: (item[1][0], item[0]),
    )
    rows = [Row(title, _by_status(counts), str(pk)) for pk, (title, counts) in placed]
    if filters.position is not None and not rows:
        rows = [Row(filters.position.title, _by_status({}), str(filters.position.pk))]
    if None in groups:
        rows.append(Row(_no_position(), _by_status(groups[None][1]), "none"))
    return Table(
        key="status",
        title=_("By status"),
        label_header=pgettext("report", "Position"),
        columns=_status_columns(),
        rows=rows,
        total=Row(_all_candidates(), _by_status(groups.get(_TOTAL, ("", {}))[1]), "total"),
        note=_(
            "Where the candidates stand now, whatever the period. A candidate on several "
            "positions counts for each; the total counts each candidate once."
        ),
    )


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


def vendor_table(filters: Filters) -> Table:
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

    rows = [
        Row(name, _by_status(counts), f"vendor:{pk}")
        for pk, (name, counts) in sorted(vendors.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]
    sources = dict(Candidate.Source.choices)
    for source in (Candidate.Source.REFERRAL, Candidate.Source.DIRECT, Candidate.Source.VENDOR):
        if source in others:
            rows.append(Row(str(sources[source]).capitalize(), _by_status(others[source]), source))
    everything: dict[str, int] = {}
    for row_counts in [counts for _name, counts in vendors.values()] + list(others.values()):
        for status, n in row_counts.items():
            everything[status] = everything.get(status, 0) + n
    return Table(
        key="vendor",
        title=_("By vendor"),
        label_header=pgettext("report", "Source"),
        columns=_status_columns(),
        rows=rows,
        total=Row(_all_candidates(), _by_status(everything), "total"),
        note=_(
            "Where the candidates stand now, by where they came from: each vendor, a "
            "referral, or directly. The period does not apply."
        ),
    )


# --- rounds per interviewer ---------------------------------------------------------------


def _percent(points: Any, expected: Any) -> float | None:
    if not expected:
        return None
    return round(100 * int(points or 0) / int(expected), 1)


def _interviewer_rows(filters: Filters) -> list[tuple[Any, ...]]:
    """(interviewer id, first name, last name, username, status, rounds, points received,
    points expected) over the rounds whose time is in the period: one scan of the rounds, a
    row per interviewer and round status (grouped by integer ids and the status: cheap hashes,
    no CASE per round), the kept points of each round summed alongside (only the done rows'
    sums are used), the names joined to the grouped rows."""
    start, end = _sql_bounds(filters)
    held = (
        "r.interviewer_id IS NOT NULL AND (r.starts_at >= %s AND r.starts_at < %s"
        " OR r.starts_at IS NULL AND r.rated_at >= %s AND r.rated_at < %s)"
    )
    params: list[Any] = [start, end, start, end]
    if filters.position is not None:
        held += " AND r.position_id = %s"
        params.append(filters.position.pk)
    if filters.vendor is not None:
        held += (
            f" AND EXISTS (SELECT 1 FROM {_table(Candidate)} c"
            " WHERE c.id = r.candidate_id AND c.vendor_id = %s)"
        )
        params.append(filters.vendor.pk)
    sql = f"""
        SELECT g.interviewer_id, u.first_name, u.last_name, u.username, g.status, g.rounds,
            g.got, g.expected
        FROM (
            SELECT r.interviewer_id AS interviewer_id, r.status AS status,
                COUNT(*) AS rounds, SUM(r.points_received) AS got,
                SUM(r.points_expected) AS expected
            FROM {_table(Round)} r
            WHERE {held}
            GROUP BY r.interviewer_id, r.status
        ) g
        JOIN {_table(get_user_model())} u ON u.id = g.interviewer_id
    """
    return _fetch(sql, params)


def interviewer_table(filters: Filters) -> Table:
    people: dict[int, dict[str, Any]] = {}
    for pk, first, last, username, status, rounds, got, expected in _interviewer_rows(filters):
        person = people.setdefault(
            pk, {"name": " ".join(p for p in (first, last) if p) or username, "statuses": {}}
        )
        person["statuses"][status] = int(rounds)
        if status == Round.Status.DONE:
            person["points"] = (int(got or 0), int(expected or 0))
    rows = []
    all_points = all_expected = 0
    for pk, person in people.items():
        counts = person["statuses"]
        got, expected = person.get("points", (0, 0))
        values: list[Number] = [
            sum(counts.values()),
            sum(counts.get(status, 0) for status in OPEN_ROUND),
            counts.get(Round.Status.DONE, 0),
            counts.get(Round.Status.CANCELLED, 0),
            _percent(got, expected),
        ]
        rows.append(Row(person["name"], values, str(pk)))
        all_points += got
        all_expected += expected
    rows.sort(key=lambda row: (row.label.casefold(), row.key))
    sums = [sum(int(row.values[i] or 0) for row in rows) for i in range(4)]
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
        # A float, not EXTRACT's numeric: averaging thousands of numerics is slow.
        return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 86400"
    return f"(julianday({later}) - julianday({earlier}))"


def _summary() -> str:
    """SQL: per status, the number of stays, their mean and their median (``measured``).
    PostgreSQL has the median as an aggregate; elsewhere it is the mean of the one or two
    middle places of the stays ranked by length (the same value)."""
    if connection.vendor == "postgresql":
        return """SELECT status, COUNT(*), AVG(days),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
            FROM measured
            GROUP BY status"""
    return """, ranked AS (
                SELECT status, days,
                    ROW_NUMBER() OVER (PARTITION BY status ORDER BY days) AS place,
                    COUNT(*) OVER (PARTITION BY status) AS n
                FROM measured
            )
            SELECT status, MAX(n), AVG(days),
                AVG(CASE WHEN place IN ((n + 1) / 2, (n + 2) / 2) THEN days END)
            FROM ranked
            GROUP BY status"""


def _stays(filters: Filters) -> dict[str, tuple[int, float | None, float | None]]:
    """status → (stays, median days, mean days) of the stays that ended in the period: one
    query, a window (LAG) over each candidate's status events, the median from ranks."""
    start, end = _sql_bounds(filters)
    events = _table(CandidateEvent)
    kinds = [CREATED_EVENT, *lifecycle.MOVES]
    marks = ", ".join(["%s"] * len(kinds))
    moves = list(lifecycle.MOVES)
    move_marks = ", ".join(["%s"] * len(moves))
    case, case_params = _entered_case()
    scope, scope_params = _scope(filters, "c")
    if scope:
        scope = f"AND e.candidate_id IN (SELECT c.id FROM {_table(Candidate)} c WHERE 1 = 1{scope})"
    sql = f"""
        WITH status_events AS (
            SELECT e.candidate_id AS candidate_id, e.at AS at, e.id AS id, {case} AS entered
            FROM {events} e
            WHERE e.kind IN ({marks})
              AND e.candidate_id IN (
                  SELECT m.candidate_id FROM {events} m
                  WHERE m.kind IN ({move_marks}) AND m.at >= %s AND m.at < %s
              )
              {scope}
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
        )
        {_summary()}
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
