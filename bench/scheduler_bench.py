"""The scheduler's matching at volume: scheduling.matching.solve beside greedy first fit.

Seeded random instances shaped like a hiring team's two weeks: interviewers in five zones
with working hours 09:00–17:00 local on weekdays (80 one-hour starts), each free for a given
number of them (some hours already booked, counted against the caps of 3 a day and 10 a
week); candidates with a handful of starts (one or two days, two to four hours each) and one
round each, whose pool is 5–20 interviewers of the candidate's team (pools listed by id, as
a first-fit scheduler reads them).

For each instance: solve's seconds (median of 3), peak memory (tracemalloc over one more
solve, and the process's ru_maxrss: every instance runs in a fresh process), the booked
count beside the maximum verified independently (networkx's maximum flow on the capacity
network, exact with the caps; networkx's Hopcroft–Karp on the request ↔ (interviewer,
start) graph without caps, an upper bound that equals it when the caps do not bind), the
load per interviewer (busiest, spread, the busiest third's share), and greedy first fit on
the same instance. Writes ``bench/results/scheduler.json`` and the "Scheduler" section of
docs/benchmarks.md.

    python bench/scheduler_bench.py [--only small|large|panels] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.doc_sections import replace_section  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Scheduler"

# name: (candidates, interviewers, free one-hour slots each, target seconds, panel share)
INSTANCES: dict[str, tuple[int, int, int, float | None, float]] = {
    "small": (500, 50, 40, 1.0, 0.0),
    "large": (2000, 200, 80, 15.0, 0.0),
    # Not a target of the issue: a fifth of the rounds are panels of 2–3, so the time-boxed
    # CP-SAT solve runs (panel_seconds=5) and reports its bound.
    "panels": (500, 50, 40, None, 0.2),
    # Not a target either: more candidates than the caps can take, so the caps bind.
    "tight": (2000, 100, 40, None, 0.0),
}
PER_DAY, PER_WEEK = 3, 10
TEAM = 25  # interviewers per team; a round's pool comes from the candidate's team
OFFSETS = (0, 1, 2, 3, -5)  # the zones, as hours east of UTC
MONDAY = int(datetime(2026, 12, 7, tzinfo=UTC).timestamp()) // 3600  # hours since the epoch
WORK_DAYS = [d for d in range(14) if d % 7 < 5]
WORK_HOURS = range(9, 17)  # local starts 09:00 … 16:00


def instance(candidates: int, interviewers: int, slots: int, panels: float, seed: int) -> Any:
    from scheduling.matching import Interviewer, Request

    rng = random.Random(seed)
    people = []
    for person in range(1, interviewers + 1):
        offset = rng.choice(OFFSETS)
        local = [(d, h) for d in WORK_DAYS for h in WORK_HOURS]
        # Some hours of the fortnight are already booked: they count against the caps.
        booked = rng.sample(local, rng.choice((0, 0, 1, 2, 3)))
        rest = [x for x in local if x not in booked]
        free_local = rng.sample(rest, min(slots, len(rest)))
        booked_day: dict[int, int] = {}
        booked_week: dict[int, int] = {}
        for d, _ in booked:
            booked_day[d] = booked_day.get(d, 0) + 1
            booked_week[d // 7] = booked_week.get(d // 7, 0) + 1
        free = {MONDAY + d * 24 + h - offset: (d, d // 7) for d, h in free_local}
        people.append(Interviewer(person, free, PER_DAY, PER_WEEK, booked_day, booked_week))
    teams = [
        list(range(t + 1, min(t + TEAM, interviewers) + 1)) for t in range(0, interviewers, TEAM)
    ]
    requests = []
    for n in range(1, candidates + 1):
        offset = rng.choice(OFFSETS)
        starts: set[int] = set()
        for day in rng.sample(WORK_DAYS, rng.choice((1, 2))):
            first = rng.randint(9, 14)
            for h in range(first, min(first + rng.randint(2, 4), 17)):
                starts.add(MONDAY + day * 24 + h - offset)
        team = teams[n % len(teams)]
        pool = tuple(sorted(rng.sample(team, min(rng.randint(5, 20), len(team)))))
        panel = tuple(sorted(rng.sample(pool, rng.choice((2, 3))))) if rng.random() < panels else ()
        requests.append(Request(n, n, frozenset(starts), pool, panel))
    return requests, people


def verified_maximum(requests: Any, people: Any) -> dict[str, Any]:
    """The most bookings possible, by networkx alone: max flow with the caps, Hopcroft–Karp
    without them."""
    import networkx as nx
    from networkx.algorithms import bipartite

    by_id = {p.id: p for p in people}
    graph = nx.Graph()
    network = nx.DiGraph()
    for request in requests:
        for person in request.pool:
            iv = by_id[person]
            for start in request.starts:
                if start not in iv.free:
                    continue
                day, week = iv.free[start]
                graph.add_edge(("r", request.id), ("s", person, start))
                network.add_edge("source", ("r", request.id), capacity=1)
                network.add_edge(("r", request.id), ("s", person, start), capacity=1)
                network.add_edge(("s", person, start), ("d", person, day), capacity=1)
                left_day = max(iv.per_day - iv.booked_day.get(day, 0), 0)
                network.add_edge(("d", person, day), ("w", person, week), capacity=left_day)
                left_week = max(iv.per_week - iv.booked_week.get(week, 0), 0)
                network.add_edge(("w", person, week), "sink", capacity=left_week)
    top = [n for n in graph if n[0] == "r"]
    started = time.perf_counter()
    matching = bipartite.hopcroft_karp_matching(graph, top_nodes=top)
    hk_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with_caps = nx.maximum_flow_value(network, "source", "sink") if network else 0
    flow_seconds = time.perf_counter() - started
    return {
        "with_caps": int(with_caps),
        "without_caps": len(matching) // 2,
        "max_flow_seconds": round(flow_seconds, 2),
        "hopcroft_karp_seconds": round(hk_seconds, 2),
    }


def loads(plan: Any, people: Any) -> dict[str, Any]:
    """Interviews per interviewer in this run (every interviewer, idle ones as 0)."""
    count = {p.id: 0 for p in people}
    week = {}
    for booking in plan.bookings:
        for person in booking.interviewers:
            count[person] += 1
    by_id = {p.id: p for p in people}
    for booking in plan.bookings:
        for person in booking.interviewers:
            key = (person, by_id[person].free[booking.start][1])
            week[key] = week.get(key, by_id[person].booked_week.get(key[1], 0)) + 1
    values = sorted(count.values(), reverse=True)
    third = values[: max(len(values) // 3, 1)]
    total = sum(values)
    return {
        "busiest": values[0] if values else 0,
        "least": values[-1] if values else 0,
        "spread": (values[0] - values[-1]) if values else 0,
        "stdev": round(statistics.pstdev(values), 2) if values else 0.0,
        "busiest_week_with_booked": max(week.values(), default=0),
        "busiest_third_share": round(sum(third) / total, 3) if total else 0.0,
    }


def one(name: str, repeats: int) -> dict[str, Any]:
    from scheduling import matching

    candidates, interviewers, slots, target, panels = INSTANCES[name]
    requests, people = instance(candidates, interviewers, slots, panels, seed=15)
    seconds = []
    plan = None
    for _ in range(repeats):
        started = time.perf_counter()
        plan = matching.solve(requests, people)
        seconds.append(time.perf_counter() - started)
    assert plan is not None
    tracemalloc.start()
    matching.solve(requests, people)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    started = time.perf_counter()
    first_fit = matching.greedy(requests, people)
    greedy_seconds = time.perf_counter() - started
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts = breakdown(requests, people) if not panels else None
    maximum = verified_maximum(requests, people) if not panels else None
    median = statistics.median(seconds)
    booked = len(plan.bookings)
    reasons: dict[str, int] = {}
    for miss in plan.unmatched:
        reasons[miss.reason] = reasons.get(miss.reason, 0) + 1
    at_max = maximum is not None and booked == maximum["with_caps"]
    return {
        "name": name,
        "candidates": candidates,
        "interviewers": interviewers,
        "slots_each": slots,
        "panel_share": panels,
        "options": int(plan.stats.get("options", 0)),
        "method": "cp_sat" if plan.stats.get("cp_sat_groups") else "min_cost_flow",
        "cp_sat_groups": int(plan.stats.get("cp_sat_groups", 0)),
        "cost_proved": bool(
            plan.stats.get("cp_sat_cost_optimal", 1.0) >= plan.stats.get("cp_sat_groups", 0)
        ),
        "target_seconds": target,
        "seconds_median": round(median, 3),
        "seconds_all": [round(s, 3) for s in seconds],
        "seconds_parts": parts,
        "tracemalloc_peak_mib": round(peak / 2**20, 1),
        "ru_maxrss_mib": round(rss_kib / 1024, 1),
        "booked": booked,
        "optimal": plan.optimal,
        "gap": plan.gap,
        "unmatched": reasons,
        "maximum": maximum,
        "at_maximum": at_max if maximum else None,
        "met": (at_max and median <= target) if target is not None else None,
        "load": loads(plan, people),
        "greedy": {
            "booked": len(first_fit.bookings),
            "seconds": round(greedy_seconds, 3),
            "load": loads(first_fit, people),
        },
    }


def breakdown(requests: Any, people: Any) -> dict[str, float]:
    """Where a one-to-one solve's time goes: the choices, the flow, the why of each booking."""
    from scheduling import matching

    started = time.perf_counter()
    problem = matching._Problem(requests, people)
    groups = problem.components()
    built = time.perf_counter()
    chosen, _ = matching._solve_flow(problem, [r for g in groups for r in g])
    solved = time.perf_counter()
    matching._plan(problem, chosen, optimal=True, gap=0, stats={})
    explained = time.perf_counter()
    return {
        "choices": round(built - started, 3),
        "flow": round(solved - built, 3),
        "why": round(explained - solved, 3),
    }


def doc_section(result: dict[str, Any] | None) -> list[str]:
    """The "Scheduler" section of docs/benchmarks.md, from scheduler.json."""
    out = [f"{HEADING} (make bench, make bench-scheduler)", ""]
    if not result:
        return [*out, "Not run yet.", ""]
    out += [
        f"Run {result['when']}: `scheduling.matching.solve` (OR-Tools min-cost max-flow for "
        "one-to-one rounds, CP-SAT when there are panels) on seeded random instances of two "
        "working weeks (09:00–17:00 local in five zones), caps of "
        f"{result['caps']['per_day']} a day and {result['caps']['per_week']} a week counting "
        "hours already booked, candidates with 3–8 free hours on one or two days and one "
        "round each, pools of 5–20 interviewers of the candidate's team. Seconds are the "
        "median of three solves in-process (building the problem, solving, the why of every "
        "booking); memory is tracemalloc's peak over one solve and the process's ru_maxrss "
        "(each instance in a fresh process). The maximum is verified by networkx alone: "
        "`maximum_flow_value` on the capacity network (exact with the caps) and "
        "Hopcroft–Karp on the request ↔ (interviewer, start) graph without caps (an upper "
        "bound). Greedy is first fit on the same instance: requests in order, earliest start, "
        "first free interviewer of the pool. The first two rows are the issue's targets (80 "
        "slots each is every working hour less those already booked); the panel and the tight "
        "rows (more candidates than the caps can take) are there to show the time box and the "
        "caps binding.",
        "",
        "| instance | options | solve (median) | target | tracemalloc peak | ru_maxrss | "
        "booked | maximum (caps / no caps) | verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["instances"]:
        size = f"{row['candidates']:,} × {row['interviewers']} × {row['slots_each']}"
        if row["panel_share"]:
            size += f", {row['panel_share']:.0%} panels"
        maximum = row["maximum"]
        if maximum:
            most = f"{maximum['with_caps']:,} / {maximum['without_caps']:,}"
        else:
            most = f"solver: {'optimal' if row['optimal'] else 'gap ' + str(row['gap'])}"
        target = f"≤ {row['target_seconds']:g} s" if row["target_seconds"] else "–"
        verdict = {True: "**met**", False: "**not met**", None: "n/a"}[row["met"]]
        out.append(
            f"| {size} | {row['options']:,} | {row['seconds_median']} s | {target} | "
            f"{row['tracemalloc_peak_mib']} MiB | {row['ru_maxrss_mib']} MiB | "
            f"{row['booked']:,} | {most} | {verdict} |"
        )
    out += [
        "",
        "Load per interviewer over the fortnight (this run's interviews; busiest week counts "
        "the hours booked before):",
        "",
        "| instance | scheduler | booked | busiest | least | stdev | busiest week | "
        "busiest third's share | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["instances"]:
        size = f"{row['candidates']:,} × {row['interviewers']} × {row['slots_each']}"
        if row["panel_share"]:
            size += ", panels"
        for label, booked, load, seconds in (
            ("solve", row["booked"], row["load"], row["seconds_median"]),
            ("greedy first fit", row["greedy"]["booked"], row["greedy"]["load"],
             row["greedy"]["seconds"]),
        ):  # fmt: skip
            out.append(
                f"| {size} | {label} | {booked:,} | {load['busiest']} | {load['least']} | "
                f"{load['stdev']} | {load['busiest_week_with_booked']} | "
                f"{load['busiest_third_share']:.0%} | {seconds} s |"
            )
    notes = result.get("notes") or []
    if notes:
        out += ["", *notes]
    return [*out, ""]


def write_doc(result: dict[str, Any]) -> None:
    replace_section(HEADING, doc_section(result), DOC)


def notes_for(rows: list[dict[str, Any]]) -> list[str]:
    notes = []
    for row in rows:
        parts = row.get("seconds_parts")
        if parts:
            notes.append(
                f"* {row['name']}: one solve's time is {parts['choices']} s working out each "
                f"round's choices, {parts['flow']} s building and solving the flow, "
                f"{parts['why']} s the why of every booking and the reasons for the rest."
            )
        if row["method"] == "cp_sat":
            count = "proved the most possible" if row["optimal"] else f"within {row['gap']}"
            cost = "proved least" if row["cost_proved"] else "the best found in the box"
            notes.append(
                f"* {row['name']}: CP-SAT over {row['cp_sat_groups']} independent groups (one "
                f"per team), time-boxed at 5 s in all; the count is {count}, the load cost "
                f"{cost}; no networkx figure, as panels are not a matching."
            )
        if row["met"] is False:
            why = f"{row['seconds_median']} s is over {row['target_seconds']:g} s"
            if not row["at_maximum"]:
                why = "the booked count is below the verified maximum"
            notes.append(f"* {row['name']}: not met — {why}.")
        maximum = row["maximum"]
        if maximum and maximum["with_caps"] != maximum["without_caps"]:
            notes.append(
                f"* {row['name']}: the caps bind ({maximum['without_caps']:,} could be matched "
                f"without them, {maximum['with_caps']:,} with them), so the maximum is the "
                "max-flow figure; networkx took "
                f"{maximum['max_flow_seconds']} s for it, Hopcroft–Karp "
                f"{maximum['hopcroft_karp_seconds']} s."
            )
        elif maximum:
            notes.append(
                f"* {row['name']}: the caps do not bind the count (max flow with them = "
                f"Hopcroft–Karp without them = {maximum['with_caps']:,})."
            )
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(INSTANCES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(one(args.inner, args.repeats)))
        return 0
    rows = []
    for name in [args.only] if args.only else list(INSTANCES):
        done = subprocess.run(
            [sys.executable, __file__, "--inner", name, "--repeats", str(args.repeats)],
            cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        row = json.loads(done.stdout)
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "caps": {"per_day": PER_DAY, "per_week": PER_WEEK},
        "python": sys.version.split()[0],
        "instances": rows,
        "notes": notes_for(rows),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scheduler.json").write_text(json.dumps(result, indent=2) + "\n")
    write_doc(result)
    return 0 if all(row["met"] is not False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
