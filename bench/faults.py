"""make faults: the live session under load while a process dies, Redis restarts and the
database goes away for 5 s; then the database is checked against what the clients were told.

Run: python bench/faults.py [--small]   (writes bench/results/faults.json and the faults part of
docs/benchmarks.md). The topology is bench/stack.py's: two daphne processes, a private
redis-server, a fresh database on the machine's PostgreSQL reached through bench/pgproxy.py
(the proxy is what "stops" PostgreSQL: the machine's server keeps serving everyone else).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness, report  # noqa: E402
from bench.loadgen import pct  # noqa: E402
from bench.stack import ROOT, Proc, Stack, cpu_plan, redis_ping, versions  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RECONNECT_BOUND = 3.0  # seconds: every client back on the current state


def log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", flush=True)


def addresses(servers: list[Proc]) -> list[list[Any]]:
    return [["127.0.0.1", s.port] for s in servers]


def healthz(server: Proc) -> int:
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def run_with_fault(stack: Stack, name: str, spec: dict[str, Any], at: float,
                   fault: Any) -> tuple[dict[str, Any], dict[str, float]]:  # fmt: skip
    """Run the generator; ``at`` seconds after its sockets are open, call ``fault(marks)`` in a
    thread (it records its instants in ``marks``)."""
    marks: dict[str, float] = {}
    threads: list[threading.Thread] = []

    def later() -> None:
        time.sleep(at)
        fault(marks)

    def start() -> None:
        marks["connected"] = time.time()
        thread = threading.Thread(target=later, daemon=True)
        thread.start()
        threads.append(thread)

    out = harness.run_generator(stack, name, spec, timeout=300, on_connected=start)
    for thread in threads:
        thread.join(timeout=60)
    return out, marks


# --- what the clients saw --------------------------------------------------------------------


def session_tops(raw: dict[str, Any]) -> dict[int, list[tuple[float, int]]]:
    """Per session, every (arrival, version) any socket received, in time order."""
    seen: dict[int, list[tuple[float, int]]] = {}
    for conn in raw["conns"]:
        seen.setdefault(conn["session"], []).extend(
            zip(conn["arrivals"], conn["versions"], strict=True)
        )
    for values in seen.values():
        values.sort()
    return seen


def newest_before(seen: list[tuple[float, int]], when: float) -> int:
    best = 0
    for arrival, version in seen:
        if arrival >= when:
            break
        best = max(best, version)
    return best


def reconnects(raw: dict[str, Any], since: float, until: float | None = None,
               server: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Sockets closed by the server side in [since, until] (only those then on ``server``,
    if given): when each closed, and when (and with which version) its first state arrived on
    the new socket."""
    found = []
    for conn in raw["conns"]:
        events = conn["events"]
        if server is not None:
            opened = [e for e in events if e[1] == "open" and e[0] < since]
            if not opened or opened[-1][2] != server:
                continue
        closed = next((e for e in events if e[1] == "close" and e[0] >= since
                       and (until is None or e[0] <= until)), None)  # fmt: skip
        if closed is None:
            if server is not None:  # on the victim but never saw it close: a failure
                found.append({"session": conn["session"], "user": conn["user"],
                              "closed_at": None, "close_code": None, "back_at": None,
                              "version": None})  # fmt: skip
            continue
        back = next((e for e in events if e[1] == "first_state" and e[0] > closed[0]), None)
        found.append({"session": conn["session"], "user": conn["user"], "closed_at": closed[0],
                      "close_code": closed[2], "back_at": back[0] if back else None,
                      "version": back[2] if back else None})  # fmt: skip
    return found


def convergence(stack: Stack, raw: dict[str, Any]) -> dict[str, Any]:
    """Did every socket end on the version the database holds?"""
    codes = sorted({c["code"] for c in raw["conns"]})
    stored = dict(stack.sql("SELECT code, version FROM sessions_live_livesession "
                            "WHERE code = ANY(%s)", codes))  # type: ignore[arg-type]  # fmt: skip
    behind = [
        {"code": c["code"], "user": c["user"], "last": c["versions"][-1] if c["versions"] else None,
         "stored": stored.get(c["code"])}  # fmt: skip
        for c in raw["conns"]
        if not c["versions"] or c["versions"][-1] != stored.get(c["code"])
    ]
    return {"sockets": len(raw["conns"]), "on_stored_version": len(raw["conns"]) - len(behind),
            "behind": behind[:10]}  # fmt: skip


def records_check(stack: Stack, raw: dict[str, Any]) -> dict[str, Any]:
    """Nothing a client was told is saved may be missing, and nothing may be half written.

    * every acknowledged command id is remembered in the stored state (the arbiter keeps the
      last 256 applied ids; a session here applies far fewer);
    * every acknowledged score / skip has its AskedQuestion row, every acknowledged feedback
      its FeedbackRecord row, every acknowledged claim is in the stored claims (or was consumed
      by the start);
    * the rows agree with the state: as many AskedQuestion rows as asked questions in the
      state, as many FeedbackRecord rows as feedback entries, the version column = the state's.
    """
    codes = sorted({c["code"] for c in raw["conns"]})
    rows = stack.sql(
        "SELECT id, code, version, state FROM sessions_live_livesession WHERE code = ANY(%s)",
        codes,
    )
    by_index = {c["session"]: c["code"] for c in raw["conns"]}
    sessions = {str(code): (int(pk), int(version), state)  # type: ignore[call-overload]
                for pk, code, version, state in rows}  # fmt: skip
    asked = Counter()
    asked_scores: dict[str, Counter[tuple[int, int | None, bool]]] = {}
    for session_id, owner, score, skipped in stack.sql(
        "SELECT session_id, owner_id, score, skipped FROM sessions_live_askedquestion "
        "WHERE session_id = ANY(%s)", [v[0] for v in sessions.values()]
    ):  # fmt: skip
        asked[session_id] += 1
        asked_scores.setdefault(str(session_id), Counter())[(owner, score, skipped)] += 1
    feedback = {(int(s), int(m)) for s, m in stack.sql(  # type: ignore[call-overload]
        "SELECT session_id, member_id FROM sessions_live_feedbackrecord "
        "WHERE session_id = ANY(%s)", [v[0] for v in sessions.values()])}  # fmt: skip
    missing_ids = 0
    missing_scores = 0
    missing_feedback = 0
    acked = Counter()
    expected_scores: dict[str, Counter[tuple[int, int | None, bool]]] = {}
    for record in raw["commands"]:
        if record.get("reply") != "ack" or "t_sched" not in record:
            continue
        code = by_index[record["session"]]
        pk, _version, state = sessions[code]
        acked[record["type"]] += 1
        remembered = {(actor, cid) for actor, cid in state["recent"]}
        if (record["user"], record["id"]) not in remembered:
            missing_ids += 1
        if record["type"] == "feedback.submit" and (pk, record["user"]) not in feedback:
            missing_feedback += 1
    # scores: compare what the state says was asked with the rows, owner by owner
    half_written = []
    for code, (pk, version, state) in sessions.items():
        in_state: Counter[tuple[int, int | None, bool]] = Counter()
        for block in state["blocks"]:
            for question in block["questions"][: block["position"]]:
                in_state[(block["owner"], question["score"], question["skipped"])] += 1
        expected_scores[str(pk)] = in_state
        if in_state != asked_scores.get(str(pk), Counter()):
            missing_scores += 1
            half_written.append({"code": code, "problem": "AskedQuestion rows != asked in state"})
        in_feedback = {(pk, f["member"]) for f in state["feedback"]}
        if in_feedback != {f for f in feedback if f[0] == pk}:
            half_written.append({"code": code, "problem": "FeedbackRecord rows != state"})
        if state["version"] != version:
            half_written.append({"code": code, "problem": "version column != state version"})
    # acknowledged score commands vs rows: at least as many rows as acknowledged scores
    scored_acked = Counter()
    for record in raw["commands"]:
        if record.get("reply") == "ack" and not record.get("duplicate") and record["type"] in (
            "question.next", "question.skip"
        ):  # fmt: skip
            scored_acked[by_index[record["session"]]] += 1
    short = sum(
        1 for code, n in scored_acked.items() if asked[sessions[code][0]] < n
    )
    # commands that got no reply (or only "unavailable") but were applied all the same
    applied_silently = 0
    applied_despite_error = 0
    for record in raw["commands"]:
        if "t_sched" not in record or record.get("reply") == "ack":
            continue
        _pk, _v, state = sessions[by_index[record["session"]]]
        if [record["user"], record["id"]] in state["recent"]:
            if record.get("reply") == "error":
                applied_despite_error += 1
            else:
                applied_silently += 1
    return {
        "applied_without_reply": applied_silently,
        "applied_despite_error_frame": applied_despite_error,
        "acked_commands": dict(acked),
        "acked_ids_missing_from_state": missing_ids,
        "acked_feedback_missing_rows": missing_feedback,
        "sessions_with_fewer_score_rows_than_acks": short,
        "sessions_rows_disagree_with_state": len(half_written),
        "half_written": half_written[:10],
        "score_rows": sum(asked.values()),
        "feedback_rows": len(feedback),
        "lost": missing_ids + missing_feedback + short,
    }


def replies_between(raw: dict[str, Any], since: float, until: float) -> dict[str, int]:
    found: Counter[str] = Counter()
    for record in raw["commands"]:
        if "t_sched" not in record or not since <= record["t_sent"] < until:
            continue
        reply = record.get("reply", "no reply")
        found[reply if reply != "error" else f"error:{record.get('code')}"] += 1
    return dict(found)


def first_ack_after(raw: dict[str, Any], when: float) -> float | None:
    times = [r["t_reply"] for r in raw["commands"]
             if r.get("reply") == "ack" and r.get("t_sent", 0) >= when]  # fmt: skip
    return min(times) - when if times else None


def first_new_state_after(raw: dict[str, Any], when: float, marks_version: dict[int, int]
                          ) -> float | None:  # fmt: skip
    """Seconds from ``when`` to the first push of a version newer than the session had then."""
    best = None
    for conn in raw["conns"]:
        floor = marks_version.get(conn["session"], 0)
        for arrival, version in zip(conn["arrivals"], conn["versions"], strict=True):
            if arrival >= when and version > floor:
                best = arrival if best is None else min(best, arrival)
                break
    return None if best is None else best - when


def handovers_late(out: dict[str, Any]) -> dict[str, Any]:
    return out.get("handover", {})


# --- the three faults ------------------------------------------------------------------------


def fault_kill(stack: Stack, servers: list[Proc], pool: list[dict[str, Any]],
               spec: dict[str, Any], at: float) -> dict[str, Any]:  # fmt: skip
    survivor, victim = servers

    def kill(marks: dict[str, float]) -> None:
        marks["killed_at"] = time.time()
        victim.kill()
        log(f"kill -9 {victim.name} (pid {victim.pid})")

    out, marks = run_with_fault(stack, "fault-kill", {**spec, "sessions": pool}, at, kill)
    raw = out.pop("raw")
    killed = marks["killed_at"]
    seen = session_tops(raw)
    back = reconnects(raw, killed - 0.01, server=1)  # the victim is the second server
    times: list[float] = []
    stale = 0
    never = 0
    for item in back:
        if item["back_at"] is None:
            never += 1
            continue
        times.append(item["back_at"] - killed)
        # current = at least as new as anything any socket of the session had before it
        if item["version"] < newest_before(seen[item["session"]], item["back_at"]):
            stale += 1
    worst = max(times) if times else None
    records = records_check(stack, raw)
    converged = convergence(stack, raw)
    met = (
        bool(back) and never == 0 and stale == 0 and worst is not None
        and worst <= RECONNECT_BOUND and records["lost"] == 0
        and converged["on_stored_version"] == converged["sockets"]
    )  # fmt: skip
    return {
        "what": "kill -9 of one of two daphne processes under load",
        "sockets": out["sockets"], "sessions": out["sessions"],
        "sockets_on_victim": len(back), "reconnected": len(back) - never,
        "reconnect_to_current_state_s": {
            "p50": _r(pct(times, 50)), "p99": _r(pct(times, 99)), "max": _r(worst),
        },
        "first_state_not_current": stale,
        "records": records,
        "convergence": converged,
        "replies_after_kill": replies_between(raw, killed, killed + 5),
        "initial_connect": out["connect"],
        "handover": handovers_late(out),
        "latency": out["latency"],
        "met": met,
    }  # fmt: skip


def fault_redis(stack: Stack, pool: list[dict[str, Any]], spec: dict[str, Any],
                at: float, outage: float) -> dict[str, Any]:  # fmt: skip
    port = stack.redis_port

    def restart(marks: dict[str, float]) -> None:
        assert stack.redis is not None
        marks["down_at"] = time.time()
        stack.redis.stop()
        log(f"redis stopped; restarting in {outage:.0f} s")
        time.sleep(outage)
        stack.start_redis(port)
        marks["up_at"] = time.time()
        log("redis is back")

    out, marks = run_with_fault(stack, "fault-redis", {**spec, "sessions": pool}, at, restart)
    raw = out.pop("raw")
    down, up = marks["down_at"], marks["up_at"]
    seen = session_tops(raw)
    before = {s: newest_before(v, up) for s, v in seen.items()}
    closed = reconnects(raw, down - 0.01, up + 10)
    converged = convergence(stack, raw)
    records = records_check(stack, raw)
    resumed = first_new_state_after(raw, up, before)
    met = (
        resumed is not None and converged["on_stored_version"] == converged["sockets"]
        and records["lost"] == 0
    )  # fmt: skip
    return {
        "what": "Redis stopped and restarted under load",
        "outage_s": round(up - down, 2),
        "sockets": out["sockets"], "sessions": out["sessions"],
        "replies_during_outage": replies_between(raw, down, up),
        "replies_after_outage_5s": replies_between(raw, up, up + 5),
        "sockets_closed_by_server": len(closed),
        "close_codes": dict(Counter(str(c["close_code"]) for c in closed)),
        "pushes_resume_after_s": _r(resumed),
        "first_ack_after_restart_s": _r(first_ack_after(raw, up)),
        "convergence": converged,
        "records": records,
        "handover": handovers_late(out),
        "latency": out["latency"],
        "met": met,
    }  # fmt: skip


def fault_postgres(stack: Stack, servers: list[Proc], pool: list[dict[str, Any]],
                   spec: dict[str, Any], at: float, outage: float) -> dict[str, Any]:  # fmt: skip
    assert stack.pgproxy is not None
    proxy = stack.pgproxy
    health: dict[str, Any] = {}

    def cut(marks: dict[str, float]) -> None:
        marks["cut_at"] = time.time()
        os.kill(proxy.pid, signal.SIGUSR1)
        log(f"PostgreSQL cut off (proxy) for {outage:.0f} s")
        time.sleep(1.0)
        health["during"] = [healthz(s) for s in servers]
        time.sleep(max(0.0, marks["cut_at"] + outage - time.time()))
        os.kill(proxy.pid, signal.SIGUSR2)
        marks["restored_at"] = time.time()
        log("PostgreSQL reachable again")
        deadline = time.time() + 30
        while time.time() < deadline:
            if all(healthz(s) == 200 for s in servers):
                health["healthy_after_s"] = round(time.time() - marks["restored_at"], 2)
                break
            time.sleep(0.1)

    out, marks = run_with_fault(stack, "fault-postgres", {**spec, "sessions": pool}, at, cut)
    raw = out.pop("raw")
    cut_at, back = marks["cut_at"], marks["restored_at"]
    during = replies_between(raw, cut_at, back)
    in_window = [r for r in raw["commands"] if "t_sched" in r and cut_at <= r["t_sent"] < back]
    unanswered = sum(1 for r in in_window if "reply" not in r)
    answered_late = [r["t_reply"] - r["t_sent"] for r in in_window if "t_reply" in r]
    records = records_check(stack, raw)
    converged = convergence(stack, raw)
    recovered = first_ack_after(raw, back)
    closed = reconnects(raw, cut_at - 0.01, back + 10)
    met = (
        unanswered == 0 and during.get("ack", 0) == 0
        and records["applied_despite_error_frame"] == 0
        and sum(v for k, v in during.items() if k == "error:unavailable") == len(in_window)
        and records["lost"] == 0 and records["sessions_rows_disagree_with_state"] == 0
        and recovered is not None and converged["on_stored_version"] == converged["sockets"]
    )  # fmt: skip
    return {
        "what": "PostgreSQL unreachable for 5 s under load (TCP proxy cut: refused + reset)",
        "outage_s": round(back - cut_at, 2),
        "sockets": out["sockets"], "sessions": out["sessions"],
        "replies_during_outage": during,
        "commands_during_outage": len(in_window),
        "unanswered_during_outage": unanswered,
        "error_reply_time_p99_s": _r(pct(answered_late, 99)),
        "healthz_during": health.get("during"),
        "healthz_200_again_after_s": health.get("healthy_after_s"),
        "first_ack_after_restore_s": _r(recovered),
        "sockets_closed": len(closed),
        "records": records,
        "convergence": converged,
        "handover": handovers_late(out),
        "latency": out["latency"],
        "met": met,
    }  # fmt: skip


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--sessions", type=int, default=30, help="sessions per fault run")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--block-minutes", type=float, default=0.1)
    parser.add_argument("--pin", choices=("auto", "none"), default="auto")
    parser.add_argument("--out", type=Path, default=RESULTS / "faults.json")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    if args.small:
        args.sessions, args.users = 6, 15
    started = time.time()
    plan = cpu_plan(args.pin)
    block = round(args.block_minutes * 60)
    results: dict[str, Any] = {
        "generated_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "small": args.small,
        "cpu_count": os.cpu_count(),
        "cpu_plan": plan,
        "versions": versions(),
        "config": {"sessions_per_fault": args.sessions, "members": 5, "rate_per_session": 1.0,
                   "block_seconds": block, "postgres": "fresh database on the machine's "
                   "PostgreSQL, reached through bench/pgproxy.py (the proxy is cut, PostgreSQL "
                   "is not stopped)", "redis": "private redis-server on a free port"},
    }  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="roundtable-faults-"))
    stack = Stack(tmp, plan)
    try:
        stack.start_redis()
        stack.create_database(via_proxy=True)
        stack.prepare(args.users)
        a = stack.start_server(name="daphne-a")
        b = stack.start_server(name="daphne-b")
        names = [f"bench{n:03d}" for n in range(1, args.users + 1)]
        _l, _c, pools = asyncio.run(harness.logins_and_sessions(
            stack, [a, b], names, [(args.sessions, args.block_minutes)] * 3))  # fmt: skip
        log(f"{3 * args.sessions} sessions ready; CPU plan: {plan['policy']}")
        spec = {"mode": "script", "rate": 1.0, "duration": 7 + 5 * block + 6 + 2 * block,
                "start_spread": 2.0, "settle": 1.5, "reconnect": True, "raw": True,
                "drain": 3.0}  # fmt: skip
        at = 1.5 + 7 + 1.5 * block  # mid-way through the second block
        servers = [a, b]
        results["kill"] = fault_kill(stack, servers, pools[0], {**spec,
                                     "servers": addresses(servers)}, at)  # fmt: skip
        log(f"kill: met={results['kill']['met']}")
        b2 = stack.start_server(name="daphne-b2")
        servers = [a, b2]
        results["redis"] = fault_redis(stack, pools[1], {**spec, "servers": addresses(servers)},
                                       at, outage=2.0)  # fmt: skip
        log(f"redis: met={results['redis']['met']}")
        if not redis_ping(stack.redis_port):
            stack.start_redis(stack.redis_port)
        results["postgres"] = fault_postgres(stack, servers, pools[2],
                                             {**spec, "servers": addresses(servers)}, at,
                                             outage=5.0)  # fmt: skip
        log(f"postgres: met={results['postgres']['met']}")
        results["server_logs"] = {
            s.name: _log_summary(s.log) for s in stack.servers
        }
    finally:
        stack.stop()
    results["run_seconds"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {args.out} ({results['run_seconds']} s)")
    if not args.no_docs:
        report.write_faults(results)
    return 0


def _log_summary(path: Path) -> dict[str, Any]:
    """Which exceptions a server logged (by type), to explain a fault's outcome."""
    kinds: Counter[str] = Counter()
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {}
    for line in text.splitlines():
        if line and not line[0].isdigit() and not line.startswith((" ", "\t", "Traceback")) and (
            "Error" in line or
            "Exception" in line
        ):
            head = line.split(":", 1)[0].strip()
            if len(head) < 80:
                kinds[head] += 1
    return dict(kinds.most_common(8))


if __name__ == "__main__":
    raise SystemExit(main())
