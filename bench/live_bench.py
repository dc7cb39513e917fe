"""make bench: the live session under load, on one and two daphne processes, side by side with
a bare websockets baseline driven by the same generator in the same run.

Run: python bench/live_bench.py [--small]   (writes bench/results/latest.json, then
docs/benchmarks.md and docs/img/ via bench/report.py). See docs/benchmarks.md for what is
measured and how.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import harness, report  # noqa: E402
from bench.stack import ROOT, Proc, Stack, cpu_plan, versions  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RAMP_STEPS = [25, 50, 100, 150, 200, 250, 300, 350, 400, 500, 650, 800, 1000, 1300, 1700, 2200,
              3000, 4000, 5500, 7500]
# The baseline passes the low steps with a wide margin: it starts higher to save time.
# Up to where the generator (one core) runs out: a baseline that passes every step would make
# the project's ratios to it upper bounds.
BASELINE_STEPS = [300, 800, 1300, 1700, 2200, 3000, 4000, 5500, 7500, 9500, 12000]
BUSY_RATE = 0.1  # commands per second per session on the busy day
IDLE_CPU_SECONDS = 10.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def addresses(servers: list[Proc]) -> list[list[Any]]:
    return [["127.0.0.1", s.port] for s in servers]


def baseline_sessions(sessions: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    return [{**s, "code": f"{tag}{n:05d}"} for n, s in enumerate(sessions)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run with small numbers")
    parser.add_argument("--sessions", default="10,50,200")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--ramp-sessions", type=int, default=40)
    parser.add_argument("--idle-sockets", type=int, default=2000)
    parser.add_argument("--busy-sessions", type=int, default=1000,
                        help="the busy day: sessions × 5 at a command per 10 s; 0 skips it")
    parser.add_argument("--busy-seconds", type=float, default=40.0)
    parser.add_argument("--block-minutes", type=float, default=0.05)
    parser.add_argument("--step-seconds", type=float, default=4.0)
    parser.add_argument("--pin", choices=("auto", "none"), default="auto")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--profile-two", action="store_true", help="also profile two processes")
    args = parser.parse_args()
    if args.small:
        args.sessions, args.users, args.ramp_sessions, args.idle_sockets = "3,6", 30, 10, 200
        args.busy_sessions, args.busy_seconds = 20, 15.0
    counts = [int(n) for n in args.sessions.split(",")]
    started = time.time()
    plan = cpu_plan(args.pin)
    results: dict[str, Any] = {
        "generated_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine_reference_s": machine_reference(),
        "small": args.small,
        "cpu_count": __import__("os").cpu_count(),
        "cpu_plan": plan,
        "versions": versions(),
        "config": {
            "sessions": counts, "members": 5, "users": args.users,
            "rate_per_session": 1.0, "block_seconds": round(args.block_minutes * 60),
            "ramp_sessions": args.ramp_sessions, "ramp_steps": RAMP_STEPS,
            "step_seconds": args.step_seconds, "idle_sockets": args.idle_sockets,
            "busy_sessions": args.busy_sessions, "busy_seconds": args.busy_seconds,
            "busy_rate_per_session": BUSY_RATE,
            "live_db_threads": "2 (the default)", "db_pool": "on (the default), 16 a process",
        },  # fmt: skip
    }
    arbiter = RESULTS / "arbiter.json"
    if arbiter.exists():
        results["arbiter"] = json.loads(arbiter.read_text())
    tmp = Path(tempfile.mkdtemp(prefix="roundtable-bench-"))
    stack = Stack(tmp, plan)
    try:
        log(f"stack in {tmp}; CPU plan: {plan['policy']}")
        stack.start_redis()
        stack.create_database()
        stack.prepare(args.users)
        a = stack.start_server(name="daphne-a")
        b = stack.start_server(name="daphne-b")
        names = [f"bench{n:03d}" for n in range(1, args.users + 1)]
        plans = [(count, args.block_minutes) for count in counts] + [(args.ramp_sessions, 30)]
        if args.busy_sessions:
            plans.append((args.busy_sessions, 30))
        logged_in, created, made = asyncio.run(
            harness.logins_and_sessions(stack, [a, b], names, plans)
        )
        busy_pool = made.pop() if args.busy_sessions else []
        pools = dict(zip(counts, made[:-1], strict=True))
        ramp_pool = made[-1]
        results["setup"] = {"users_logged_in": len(names), "login_seconds": round(logged_in, 1),
                            "sessions_created": sum(len(p) for p in made) + len(busy_pool),
                            "create_seconds": round(created, 1)}  # fmt: skip
        log(f"setup: {results['setup']}")
        baseline = stack.start_baseline()

        # 0. the floor: one session, 4 commands/s, on an otherwise idle process
        floor = harness.run_generator(stack, "floor", {
            "mode": "toggle", "servers": addresses([a]), "sessions": ramp_pool[:1],
            "rate": 4.0, "duration": 8, "settle": 0.5,
        }, timeout=60)  # fmt: skip
        results["floor"] = {"latency": floor["latency"], "reply_latency": floor["reply_latency"],
                            "commands": floor["commands_acked"]}  # fmt: skip
        log(f"floor: {results['floor']}")

        # 1. steady scenarios: S sessions x 5 members at 1 command/s per session
        steady: list[dict[str, Any]] = []
        block = round(args.block_minutes * 60)
        for count in counts:
            log(f"steady: {count} sessions x 5 on two daphne processes")
            project = harness.run_measured(stack, f"steady-{count}", {
                "mode": "script", "servers": addresses([a, b]), "sessions": pools[count],
                "rate": 1.0, "duration": 7 + 5 * block + 6 + block + 8,
                "start_spread": block, "settle": 1.0, "drain": 2.0,
            }, timeout=240, pids=[a.pid, b.pid])  # fmt: skip
            log(f"  p99 {project['latency']['p99_ms']} ms, {project['commands_per_s']} cmd/s, "
                f"lost {project['lost_states']}, hand-over p99 "
                f"{project['handover']['lateness_all_sockets']['p99_ms']} ms")  # fmt: skip
            project["wait_idle_after_s"] = wait_idle([a, b])
            size = project["state_bytes_mean"]
            bare = harness.run_measured(stack, f"steady-{count}-baseline", {
                "mode": "toggle", "servers": addresses([baseline]),
                "sessions": baseline_sessions(pools[count], f"B{count}-"),
                "url_query": f"?bytes={size}", "rate": 1.0, "duration": 6,
                "start_spread": 1.0, "settle": 1.0,
            }, timeout=120, pids=[baseline.pid])  # fmt: skip
            log(f"  baseline p99 {bare['latency']['p99_ms']} ms")
            steady.append({"sessions": count, "servers": 2, "project": project,
                           "baseline": bare})  # fmt: skip
        results["steady"] = steady

        # 1b. a busy day: many sessions open (5 sockets each, spread over both processes),
        # each changed once per 10 s on average: lobby claims, as in the ramp
        if busy_pool:
            results["busy"] = busy_day(stack, [a, b], baseline, busy_pool, args.busy_seconds)
            wait_idle([a, b])

        # 2. ramps: raise the command rate until p99 passes 100 ms
        ramp_spec = {"mode": "toggle", "sessions": ramp_pool, "steps": RAMP_STEPS,
                     "step_seconds": args.step_seconds, "gap_seconds": 1.0,
                     "p99_limit_ms": 100, "settle": 1.5}  # fmt: skip
        ramps: dict[str, Any] = {}
        for label, servers in (("one_daphne", [a]), ("two_daphne", [a, b])):
            log(f"ramp: {label}")
            ramps[label] = harness.run_generator(
                stack, f"ramp-{label}", {**ramp_spec, "servers": addresses(servers)}, timeout=300
            )
            wait_idle([a, b])
        size = steady[0]["project"]["state_bytes_mean"] if steady else 2000
        lobby_size = _lobby_state_bytes(stack, ramp_pool, a)
        log(f"ramp: baseline ({lobby_size} B states, as the lobby's)")
        ramps["baseline"] = harness.run_generator(stack, "ramp-baseline", {
            **ramp_spec, "servers": addresses([baseline]), "steps": BASELINE_STEPS,
            "sessions": baseline_sessions(ramp_pool, "R-"), "url_query": f"?bytes={lobby_size}",
        }, timeout=300)  # fmt: skip
        ramps["state_bytes"] = lobby_size
        ramps["steady_state_bytes"] = size
        results["ramp"] = ramps

        # 3. where one process spends its time at its limit (py-spy)
        results["profile"] = profile_processes(stack, [a], ramp_pool, ramps["one_daphne"],
                                               "one-daphne")  # fmt: skip
        wait_idle([a, b])
        if args.profile_two:  # off by default: it keeps the run under 10 minutes
            results["profile_two"] = profile_processes(
                stack, [a, b], ramp_pool, ramps["two_daphne"], "two-daphne"
            )
            wait_idle([a, b])

        # 4. what was tried: at the rate one process could not sustain, the same load on a
        # fresh default process and on ones without the pool threads or the connection pool
        results["tried"] = tried_configs(stack, ramp_pool, ramps["one_daphne"])

        # 5. idle sockets: memory and CPU
        idle_pool = [s for count in counts for s in pools[count]]
        results["idle"] = idle_figures(stack, idle_pool, args.idle_sockets, baseline)
    finally:
        stack.stop()
    results["run_seconds"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {args.out} ({results['run_seconds']} s)")
    if not args.no_docs:
        report.write_bench(results)
    return 0


def busy_day(stack: Stack, servers: list[Proc], baseline: Proc, pool: list[dict[str, Any]],
             seconds: float) -> dict[str, Any]:  # fmt: skip
    """The busy day on the two processes and on the baseline (with frames of the same size)."""
    log(f"busy day: {len(pool)} sessions x 5 at {BUSY_RATE} command/s each, two daphne")
    spec = {"mode": "toggle", "rate": BUSY_RATE, "duration": seconds,
            "start_spread": 1 / BUSY_RATE, "settle": 2.0, "drain": 2.0,
            "connect_concurrency": 50, "open_timeout": 120}  # fmt: skip
    timeout = 300 + seconds
    pids = [p.pid for p in servers]
    project = harness.run_measured(
        stack, "busy", {**spec, "servers": addresses(servers), "sessions": pool}, timeout, pids
    )
    log(f"  p99 {project['latency']['p99_ms']} ms, {project['commands_per_s']} cmd/s, "
        f"connect {project['connect']}")  # fmt: skip
    bare = harness.run_measured(stack, "busy-baseline", {
        **spec, "servers": addresses([baseline]), "sessions": baseline_sessions(pool, "D-"),
        "url_query": f"?bytes={project['state_bytes_mean']}",
    }, timeout, [baseline.pid])  # fmt: skip
    log(f"  baseline p99 {bare['latency']['p99_ms']} ms")
    return {"sessions": len(pool), "servers": len(servers), "project": project,
            "baseline": bare}  # fmt: skip


def machine_reference() -> float:
    """Seconds for a fixed pure-Python loop (best of 3): how fast this machine ran Python in
    this run, so runs on machines of different speed (or one machine slowed by its host) can
    be compared. About 0.5 s on an unloaded modern core with CPython 3.11."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        total = 0
        for n in range(10_000_000):
            total += n
        best = min(best, time.perf_counter() - began)
    return round(best, 2)


def _lobby_state_bytes(stack: Stack, pool: list[dict[str, Any]], server: Proc) -> int:
    """The size of a lobby state frame, measured on one socket (for the baseline's frames)."""
    sample = harness.run_generator(stack, "lobby-size", {
        "mode": "toggle", "servers": addresses([server]), "sessions": pool[:1], "rate": 1.0,
        "duration": 2, "settle": 0.5,
    }, timeout=60)  # fmt: skip
    return int(sample["state_bytes_mean"])


def profile_processes(stack: Stack, servers: list[Proc], pool: list[dict[str, Any]],
                      ramp: dict[str, Any], label: str) -> dict[str, Any]:  # fmt: skip
    """Load the processes at the first rate they could not sustain (toggle workload, sockets
    round-robin) and sample each with py-spy; the CPU of the machine is measured alongside."""
    if harness.py_spy_available() is None:
        return {"skipped": "py-spy is not installed"}
    rate = ramp["steps"][-1]["offered_per_s"]  # where the ramp ended: missed twice
    seconds, hz = 7, 67
    outs = {s.name: stack.tmp / f"profile-{label}-{s.name}.txt" for s in servers}
    log(f"profile: py-spy on {label} at {rate:.0f} commands/s")
    recorders: list[Any] = []
    watches: list[dict[str, float]] = []

    def start() -> None:  # once the sockets are open: the profile sees commands only
        for server in servers:
            recorders.append(harness.py_spy_record(server.pid, seconds, outs[server.name], hz))
        pids = {s.name: s.pid for s in servers}
        if stack.redis is not None:
            pids["redis"] = stack.redis.pid
        watch = harness.CpuWatch(pids)
        threading.Thread(target=lambda: (time.sleep(seconds), watches.append(watch.stop())),
                         daemon=True).start()  # fmt: skip

    spec = {"mode": "toggle", "servers": addresses(servers), "sessions": pool,
            "rate": rate / len(pool), "duration": seconds + 1.5, "settle": 0.5, "drain": 1.0}
    loaded = harness.run_generator(stack, f"profile-{label}", spec, timeout=120,
                                   on_connected=start)  # fmt: skip
    deadline = time.monotonic() + 30
    while not watches and time.monotonic() < deadline:
        time.sleep(0.1)
    processes = {}
    for recorder, server in zip(recorders, servers, strict=True):
        _out, err = recorder.communicate(timeout=60)
        out = outs[server.name]
        if recorder.returncode != 0 or not out.exists():
            return {"skipped": f"py-spy failed: {err.decode()[-500:]}"}
        summary = harness.summarise_profile(out, seconds, hz)
        RESULTS.mkdir(parents=True, exist_ok=True)
        keep = RESULTS / f"profile-{label}-{server.name}.txt"
        keep.write_text(out.read_text())
        summary["raw"] = str(keep.relative_to(ROOT))
        processes[server.name] = summary
    return {
        "offered_per_s": rate,
        "achieved_per_s": loaded["commands_per_s"],
        "latency": loaded["latency"],
        "reply_latency": loaded["reply_latency"],
        "seconds": seconds,
        "rate_hz": hz,
        "cpu": watches[0] if watches else {},
        "processes": processes,
    }


# Each variant turns off one of the choices the server makes by default, on a fresh process
# at the same load: what that choice is worth, measured, not assumed.
# (LIVE_DB_THREADS=1 was tried by hand as well: within the noise of 2 at this load, so it is
# left out to keep the run under 10 minutes.)
TRIED = (  # the defaults again without the profiler, then one choice changed at a time
    ("default", {}),
    ("four_db_threads", {"LIVE_DB_THREADS": "4"}),  # the default until 2026-12-02
    ("no_pool", {"DB_POOL": "0", "LIVE_DB_KEEP_CONNECTIONS": "0"}),  # a new connection per call
    # each call takes a checked connection from the pool and gives it back (before 2026-12-06)
    ("pool_hand_outs", {"LIVE_DB_KEEP_CONNECTIONS": "0"}),
    ("no_eager_writes", {"LIVE_EAGER_WRITES": "0"}),  # Twisted's own buffered writes
    ("default_gc", {"GC_TUNING": "0"}),  # CPython's collector as it comes (before 2026-12-06)
)


def tried_configs(stack: Stack, pool: list[dict[str, Any]],
                  ramp: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    rate = ramp["steps"][-1]["offered_per_s"]  # where the ramp ended: missed twice
    runs: dict[str, Any] = {"offered_per_s": rate}
    for label, env in TRIED:
        log(f"tried: {rate:.0f} commands/s on a fresh daphne, {label}")
        server = stack.start_server(name=f"daphne-{label}", extra_env=env)
        out = harness.run_generator(stack, f"tried-{label}", {
            "mode": "toggle", "servers": addresses([server]), "sessions": pool,
            "rate": rate / len(pool), "duration": 6, "settle": 0.5, "drain": 1.0,
        }, timeout=120)  # fmt: skip
        wait_idle([server])
        server.stop()
        runs[label] = {"env": env, "latency": out["latency"],
                       "reply_latency": out["reply_latency"],
                       "commands_per_s": out["commands_per_s"],
                       "machine_cpu_percent": out["machine_cpu_percent"]}  # fmt: skip
    return runs


def wait_idle(servers: list[Proc], timeout: float = 90) -> float:
    """Wait until every process answers /healthz quickly again (its database thread has worked
    off what an overloaded scenario left queued), so one scenario does not spill into the next."""
    import urllib.request

    began = time.monotonic()
    quick = 0
    while time.monotonic() - began < timeout and quick < 3:
        slow = False
        for server in servers:
            t = time.monotonic()
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=30):
                    pass
            except OSError:
                pass
            slow = slow or time.monotonic() - t > 0.05
        quick = 0 if slow else quick + 1
        time.sleep(0.2)
    return round(time.monotonic() - began, 1)


def idle_figures(stack: Stack, pool: list[dict[str, Any]], sockets: int,
                 baseline: Proc) -> dict[str, Any]:  # fmt: skip
    """RSS with 0 and N idle sockets on a fresh daphne (and a fresh baseline), and the CPU an
    idle process uses with N sockets open."""
    figures: dict[str, Any] = {}
    fresh = stack.start_server(name="daphne-idle")
    tabs = -(-sockets // (len(pool) * 5))
    for label, proc, query, sessions in (
        ("project", fresh, "", pool),
        ("baseline", None, "?bytes=2000", baseline_sessions(pool, "I-")),
    ):
        if proc is None:
            proc = stack.start_baseline("baseline-idle")
        # one socket first, so lazily imported code is in memory before "0 sockets"
        warm = harness.run_generator(stack, f"idle-warm-{label}", {
            "mode": "toggle", "servers": addresses([proc]), "sessions": sessions[:1],
            "rate": 1.0, "duration": 1, "settle": 0.2, "url_query": query,
        }, timeout=60)  # fmt: skip
        del warm
        time.sleep(1.0)
        rss0 = harness.settle_rss(proc.pid, 2.0)
        log(f"idle {label}: RSS {rss0} KiB with 0 sockets; opening {sockets}")
        began = time.time()
        idle = harness.IdleGenerator(stack, f"idle-{label}", {
            "servers": addresses([proc]), "sessions": sessions, "tabs": tabs,
            "max_sockets": sockets, "url_query": query, "connect_concurrency": 40,
            "open_timeout": 120, "idle_hold": 300,
        })  # fmt: skip
        opened = idle.wait_ready(300)
        connect_seconds = time.time() - began
        time.sleep(2.0)
        rss_n = harness.settle_rss(proc.pid, 3.0)
        idle.mark()  # count the frames that arrive while the CPU is measured
        cpu = harness.cpu_percent(proc.pid, IDLE_CPU_SECONDS)
        out = idle.finish()
        if label == "project":  # after the measured connect, so the profiler skews nothing
            figures["connect_profile"] = _profile_connect(stack, proc, sessions, tabs, sockets)
        figures[label] = {
            "sockets": opened,
            "rss_0_kib": rss0,
            "rss_n_kib": rss_n,
            "kib_per_socket": round((rss_n - rss0) / max(1, opened), 1),
            "cpu_percent_of_core": cpu,
            "cpu_window_seconds": IDLE_CPU_SECONDS,
            "connect_seconds": round(connect_seconds, 1),
            "frames_during_cpu_window": out.get("frames_since_mark"),
        }
        log(f"idle {label}: {figures[label]}")
    return figures


CONNECT_PROFILE_SECONDS = 10


def _profile_connect(stack: Stack, proc: Proc, sessions: list[dict[str, Any]], tabs: int,
                     sockets: int) -> dict[str, Any]:  # fmt: skip
    """A py-spy profile of the first seconds of ``sockets`` sockets connecting again to the
    same process (the measured connect's sockets closed): where a connect's time goes."""
    if harness.py_spy_available() is None:
        return {"skipped": "py-spy is not installed"}
    out = stack.tmp / "profile-connect.txt"
    recorder = harness.py_spy_record(proc.pid, CONNECT_PROFILE_SECONDS, out)
    began = time.time()
    idle = harness.IdleGenerator(stack, "idle-profile", {
        "servers": addresses([proc]), "sessions": sessions, "tabs": tabs,
        "max_sockets": sockets, "connect_concurrency": 40, "open_timeout": 120, "idle_hold": 60,
    })  # fmt: skip
    idle.wait_ready(300)
    connecting = time.time() - began
    idle.finish()
    _out, err = recorder.communicate(timeout=CONNECT_PROFILE_SECONDS + 60)
    if recorder.returncode != 0 or not out.exists():
        return {"skipped": f"py-spy failed: {err.decode()[-300:]}"}
    summary = harness.summarise_profile(out, CONNECT_PROFILE_SECONDS, 67)
    summary["connecting_seconds"] = round(connecting, 1)
    keep = RESULTS / "profile-connect.txt"
    keep.write_text(out.read_text())
    summary["raw"] = str(keep.relative_to(ROOT))
    busy = {name: t["occupied_percent"] for name, t in summary["threads"].items()}
    log(f"connect profile: occupied % {busy}")
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
