"""The pipeline's pages at volume: the candidate list, the calendar's month and the statistics
page with 10,000 candidates and 50,000 rounds on PostgreSQL.

A fresh database on the machine's PostgreSQL is migrated and seeded with bulk inserts (20
positions with five-round plans, 50 interviewers, 10,000 candidates each with an interview of
five rounds spread over six months, two aspects per round, their status moves in the history).
Each page is then asked ``--requests`` times in-process through Django's test client as a
signed-in recruiter (and the calendar also as an interviewer): the server time of a request is
the whole of Django's handling — middleware, queries, template — without the network.
Writes ``bench/results/pipeline.json``; ``bench/report.py`` puts it in docs/benchmarks.md.

    python bench/pipeline_bench.py [--candidates 10000] [--rounds-per 5] [--requests 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 200.0
# The reference "now" of the seeded data: rounds run three months either side of it.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MOVE_TO = {"scheduled": "schedule", "interviewing": "start", "selected": "select", "hired": "hire",
           "rejected": "reject", "withdrawn": "withdraw"}  # fmt: skip


def outer(args: argparse.Namespace) -> int:
    import psycopg

    name = f"roundtable_pipeline_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DATABASE_URL"))}
    var = ROOT / "var" / "bench-pipeline"
    var.mkdir(parents=True, exist_ok=True)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        ROUNDTABLE_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    try:
        return subprocess.call(
            [sys.executable, __file__, "--inner", *sys.argv[1:]], env=env, cwd=ROOT
        )
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(candidates: int, rounds_per: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from accounts.roles import ensure_roles
    from candidates.models import Candidate, CandidateEvent, Position, Vendor
    from interviews.models import Interview, PlanRound, Round, RoundAspect

    started = time.perf_counter()
    rng = random.Random(7)
    ensure_roles()
    User = get_user_model()
    from django.contrib.auth.models import Group

    recruiter = User.objects.create_user("rita", password="x", first_name="Rita")
    recruiter.groups.add(Group.objects.get(name="recruiter"), Group.objects.get(name="manager"))
    interviewer_group = Group.objects.get(name="interviewer")
    people = User.objects.bulk_create(
        User(username=f"iv{n}", first_name="Interviewer", last_name=str(n)) for n in range(50)
    )
    interviewer_group.user_set.add(*people)
    positions = Position.objects.bulk_create(
        Position(title=f"Position {n}", team=f"Team {n % 5}", openings=3) for n in range(20)
    )
    vendors = Vendor.objects.bulk_create(Vendor(name=f"Agency {n}") for n in range(10))
    PlanRound.objects.bulk_create(
        PlanRound(position=p, order=o, name=f"Round {o + 1}",
                  kind="panel" if o == 2 else "one_to_one", default_interviewer=people[o])
        for p in positions for o in range(rounds_per)
    )  # fmt: skip
    statuses = [
        "created",
        "scheduled",
        "interviewing",
        "selected",
        "rejected",
        "hired",
        "withdrawn",
    ]
    weights = [20, 15, 25, 10, 20, 5, 5]
    rows = []
    for n in range(candidates):
        vendor = rng.choice(vendors) if n % 3 == 0 else None
        rows.append(
            Candidate(
                full_name=f"Кандидат {n} Candidate",
                email=f"c{n}@example.com",
                status=rng.choices(statuses, weights)[0],
                source="vendor" if vendor else rng.choice(["referral", "direct"]),
                vendor=vendor,
                tags="python,go" if n % 2 else "java",
            )
        )
    made = Candidate.objects.bulk_create(rows, batch_size=2000)
    # created_at: spread over the last six months (auto_now_add wrote "now").
    Through = Candidate.positions.through
    Through.objects.bulk_create(
        (Through(candidate_id=c.pk, position_id=positions[i % 20].pk) for i, c in enumerate(made)),
        batch_size=5000,
    )
    interviews = Interview.objects.bulk_create(
        (Interview(candidate=c, position=positions[i % 20]) for i, c in enumerate(made)),
        batch_size=2000,
    )
    rounds = []
    for i, interview in enumerate(interviews):
        base = NOW + timedelta(days=rng.randint(-90, 90), hours=rng.randint(0, 8))
        for o in range(rounds_per):
            starts = base + timedelta(days=2 * o)
            done = starts < NOW
            rounds.append(
                Round(
                    interview=interview,
                    candidate_id=interview.candidate_id,
                    position_id=interview.position_id,
                    order=o,
                    name=f"Round {o + 1}",
                    kind="panel" if o == 2 else "one_to_one",
                    interviewer=people[(i + o) % 50],
                    starts_at=starts,
                    status="done" if done else "scheduled",
                    rated_at=starts + timedelta(hours=2) if done else None,
                    outcome="selected" if done else "",
                )
            )
    made_rounds = Round.objects.bulk_create(rounds, batch_size=5000)
    RoundAspect.objects.bulk_create(
        (RoundAspect(round=r, order=k, name=f"Aspect {k}", expected_points=5,
                     points=rng.randint(1, 5) if r.status == "done" else None)
         for r in made_rounds for k in range(2)),
        batch_size=10000,
    )  # fmt: skip
    events = []
    path = ["created", "scheduled", "interviewing", "selected", "hired"]
    for c in made:
        events.append(CandidateEvent(candidate=c, kind="created", details={}))
        if c.status in path:
            for a, b in zip(path, path[1 : path.index(c.status) + 1], strict=False):
                events.append(
                    CandidateEvent(candidate=c, kind=MOVE_TO[b], details={"from": a, "to": b})
                )
        else:
            events.append(
                CandidateEvent(
                    candidate=c, kind=MOVE_TO[c.status], details={"from": "created", "to": c.status}
                )
            )
    CandidateEvent.objects.bulk_create(events, batch_size=10000)
    from django.db import connection

    with connection.cursor() as cursor:
        # Spread creation and history over the last six months, as a real drive would.
        cursor.execute(
            "UPDATE candidates_candidate SET created_at = %s - (id %% 170) * interval '1 day'",
            [NOW],
        )
        cursor.execute(
            "UPDATE candidates_candidateevent e "
            "SET at = c.created_at + (e.id % 7) * interval '1 day' "
            "FROM candidates_candidate c WHERE c.id = e.candidate_id"
        )
        # A rated round keeps its aspects' sums (interviews.services writes both).
        cursor.execute(
            "UPDATE interviews_round r SET points_received = s.p, points_expected = s.e "
            "FROM (SELECT round_id, SUM(points) p, SUM(expected_points) e "
            "FROM interviews_roundaspect WHERE points IS NOT NULL GROUP BY round_id) s "
            "WHERE s.round_id = r.id"
        )
        cursor.execute("ANALYZE")
    return {
        "candidates": Candidate.objects.count(),
        "rounds": Round.objects.count(),
        "aspects": RoundAspect.objects.count(),
        "events": CandidateEvent.objects.count(),
        "seconds": round(time.perf_counter() - started, 1),
        "recruiter": recruiter.pk,
        "interviewer": people[0].pk,
    }


def measure(client: Any, url: str, requests: int) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)
    if first.status_code != 200:
        return {"url": url, "status": first.status_code, "available": False}
    times = []
    for _n in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    return {
        "url": url,
        "available": True,
        "requests": requests,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(times[-1], 1),
        "queries": len(captured),
        "bytes": len(first.content),
        "met": p95 < TARGET_P95_MS,
    }


def inner(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings

    # Pages name their static files; the bench does not collect them (no manifest needed).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", "--noinput", verbosity=0)
    seeded = seed(args.candidates, args.rounds_per)
    print(f"seeded {seeded}", file=sys.stderr)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    User = get_user_model()
    recruiter = Client()
    recruiter.force_login(User.objects.get(pk=seeded["recruiter"]))
    interviewer = Client()
    interviewer.force_login(User.objects.get(pk=seeded["interviewer"]))
    month = NOW.strftime("%Y-%m")
    pages = [
        ("candidate list", recruiter, "/candidates/"),
        ("candidate list, filtered", recruiter, "/candidates/?status=interviewing&q=python"),
        ("calendar month (recruiter: every round)", recruiter, f"/calendar/?month={month}"),
        ("calendar month (an interviewer)", interviewer, f"/calendar/?month={month}"),
        ("statistics", recruiter, "/reports/"),
    ]
    if args.only:
        pages = [page for page in pages if args.only in page[2]]
    measured = []
    for label, client, url in pages:
        row = measure(client, url, args.requests)
        row["page"] = label
        measured.append(row)
        print(json.dumps(row), file=sys.stderr)
    tables = report_tables(User.objects.get(pk=seeded["recruiter"]), args.requests)
    print(json.dumps(tables), file=sys.stderr)
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "target_p95_ms": TARGET_P95_MS,
        "data": seeded,
        "pages": measured,
        "report_tables_p50_ms": tables,
        "database": "postgresql",
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(out, indent=2))
    sys.path.insert(0, str(ROOT / "bench"))
    import report

    report.write_docs()
    return 0


def report_tables(user: Any, requests: int) -> dict[str, float]:
    """The statistics page's tables one by one (the default period, every position and
    vendor): where its time goes."""
    from django.utils import timezone, translation

    from reports.forms import ReportFilterForm
    from reports.queries import TABLES, build_report

    timings = {}
    with translation.override("en"), timezone.override(user.time_zone or "UTC"):
        filters = ReportFilterForm().filters()
        assert filters is not None
        for name in TABLES:
            seconds = []
            for _ in range(max(5, requests // 4)):
                began = time.perf_counter()
                build_report(filters, [name])
                seconds.append(time.perf_counter() - began)
            timings[name] = round(statistics.median(seconds) * 1000, 1)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inner", action="store_true")
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--rounds-per", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--only", default="", help="only the pages whose URL holds this")
    args = parser.parse_args()
    if args.inner:
        sys.path.insert(0, str(ROOT))
        return inner(args)
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
