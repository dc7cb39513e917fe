"""What each step of one live command costs: ``sessions_live.services.session_command`` as the
socket consumer calls it (``await db(services.session_command)(…)`` from the event loop),
step by step, against PostgreSQL on 127.0.0.1 and the machine's Redis.

Run: python bench/command_steps.py [--commands 2000] [--json bench/results/command_steps.json]

It creates a database of its own on the machine's PostgreSQL (dropped at the end; admin DSN
from BENCH_PG_ADMIN), migrates it, and publishes to the machine's Redis (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/0) under a channel prefix of its own, with a subscription to each
session's channel on the live bus as a page's process would have. Settings are the defaults
plus DATABASE_URL and REDIS_URL, as bench/stack.py starts daphne: the connection pool, the
live bus on Redis, two database threads.

Each step is timed by wrapping the function that does it, one command at a time:

* hop: the event loop hands the call to a database thread and gets the result back, with
  Django's connection housekeeping around it (the pooled connection goes back after each call);
* connect: a connection from the pool as the transaction begins (psycopg_pool checks it with an
  empty query before handing it out); with the threads' kept connections (the default) only a
  thread's first call has one;
* lock: ``repository.lock``, BEGIN and ``SELECT … FOR UPDATE`` of the row, the row built;
* parse: ``SessionState.from_json`` of the locked state;
* apply: ``arbiter.advance`` + ``arbiter.apply``;
* encode: the new state's JSON and its texts (``services._encode``: the row's, measured for the
  size cap, and the push's);
* record: the rows reports need (``services._record``; a score is one ``AskedQuestion`` row);
* update: ``repository.update``, the row's ``UPDATE``;
* commit: ``COMMIT``;
* publish: ``broadcast.state_changed`` after the commit (this process's parsed state kept too);
* ack: the consumer's ack frame encoded (the socket write itself is daphne's);
* other: the rest of ``session_command`` (the transaction's bookkeeping, the service's glue).

Each is given as its median and 90th percentile of wall time and the mean CPU time of the
thread that ran it (``time.thread_time``: what the machine's other load does not inflate as
much); the process's CPU per command covers the event loop's part and the receiving too.

Two workloads: ``toggle`` (members set and clear claims in the lobby: every command a real
change of constant size, the live bench's workload) and ``script`` (the block's owner scores
the current question, or ends the block after the last: the rows reports need are written).

``--publish N`` also times N pushes of one state published from a database thread, as a
command's commit publishes them, received in order by a subscriber on the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MEMBERS = 5
TOPICS = 5
QUESTIONS = 8  # per topic, in the script workload
STEPS = ("hop", "connect", "lock", "parse", "apply", "encode", "record", "update", "commit",
         "publish", "ack", "other")  # fmt: skip


class Timings:
    """Seconds per step of the command being measured (one command at a time)."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.done: list[dict[str, float]] = []
        self.done_cpu: list[dict[str, float]] = []
        self.on = False

    def wrap(self, step: str, func: Callable[..., Any]) -> Callable[..., Any]:
        clock, cpu = time.perf_counter, time.thread_time

        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return func(*args, **kwargs)
            start, start_cpu = clock(), cpu()
            try:
                return func(*args, **kwargs)
            finally:
                self.current[step] += clock() - start
                self.cpu[step] += cpu() - start_cpu

        return timed

    def finish(self) -> None:
        self.done.append(dict(self.current))
        self.done_cpu.append(dict(self.cpu))
        self.current = defaultdict(float)
        self.cpu = defaultdict(float)


@contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    if not hasattr(target, name):  # an older tree without this step: not timed
        yield
        return
    original = target.__dict__[name] if isinstance(target, type) else getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, original)


def instrument(timings: Timings) -> list[Any]:
    """Wrap the functions of each step; returns the context managers (entered by the caller)."""
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.postgresql.base import DatabaseWrapper

    import arbiter
    from sessions_live import broadcast, repository, selectors, services

    state_cls = arbiter.SessionState
    from_json = state_cls.__dict__["from_json"].__func__
    return [
        patched(DatabaseWrapper, "get_new_connection",
                timings.wrap("connect", DatabaseWrapper.get_new_connection)),
        patched(repository, "lock", timings.wrap("lock", repository.lock)),
        patched(state_cls, "from_json", classmethod(timings.wrap("parse", from_json))),
        patched(arbiter, "advance", timings.wrap("apply", arbiter.advance)),
        patched(arbiter, "apply", timings.wrap("apply", arbiter.apply)),
        *(
            [patched(services, "_encode", timings.wrap("encode", services._encode))]
            if hasattr(services, "_encode")
            else [  # an older tree: the row's text only (the push's is in publish)
                patched(state_cls, "to_json", timings.wrap("encode", state_cls.to_json)),
                patched(repository, "json_text", timings.wrap("encode", repository.json_text)),
            ]
        ),
        patched(services, "_record", timings.wrap("record", services._record)),
        patched(repository, "update", timings.wrap("update", repository.update)),
        patched(BaseDatabaseWrapper, "commit", timings.wrap("commit", BaseDatabaseWrapper.commit)),
        patched(broadcast, "state_changed", timings.wrap("publish", broadcast.state_changed)),
        patched(selectors, "remember_state", timings.wrap("publish", selectors.remember_state)),
    ]  # fmt: skip


# --- the data --------------------------------------------------------------------------------


def make_sessions(count: int, questions: int) -> list[dict[str, Any]]:
    """``count`` sessions of MEMBERS members and TOPICS topics, member i claiming topic i."""
    import arbiter
    from accounts.models import User
    from questionbank.models import Question, Topic
    from sessions_live import services

    tag = uuid.uuid4().hex[:6]
    users = [User.objects.create_user(username=f"steps-{tag}-{n}", first_name=f"Member {n}")
             for n in range(MEMBERS)]  # fmt: skip
    topics = []
    for t in range(TOPICS):
        topic = Topic.objects.create(name=f"Steps {tag} topic {t}")
        Question.objects.bulk_create(
            Question(topic=topic, text=f"Question {q} of topic {t}? " * 4,
                     reference_answer="A reference answer. " * 10, max_points=5)
            for q in range(questions)
        )  # fmt: skip
        topics.append(services.TopicChoice(topic=topic, seconds=3600))
    sessions = []
    for n in range(count):
        session = services.session_create(
            lead=users[0],
            candidate_fields={"full_name": f"Candidate {n}", "email": "candidate@example.com"},
            topics=topics,
            shuffle=False,
            intro_text="Hello.",
            closing_text="Thank you.",
        )
        for user in users[1:]:
            services.session_join(session=session, user=user)
        state = arbiter.SessionState.from_json(type(session).objects.get(pk=session.pk).state)
        sessions.append({"id": session.pk, "users": [u.pk for u in users],
                         "topics": [t.id for t in state.topics], "claimed": {}})  # fmt: skip
    return sessions


def toggle_commands(sessions: list[dict[str, Any]], n: int) -> Iterator[tuple[int, Any]]:
    import arbiter

    for i in range(n):
        session = sessions[i % len(sessions)]
        member = (i // len(sessions)) % MEMBERS
        user, topic = session["users"][member], session["topics"][member]
        claimed = not session["claimed"].get(member, False)
        session["claimed"][member] = claimed
        command = arbiter.SetClaim(id=uuid.uuid4().hex, actor=user, topic_id=topic,
                                   claimed=claimed)  # fmt: skip
        yield session["id"], command


def start_blocks(sessions: list[dict[str, Any]]) -> None:
    import arbiter
    from sessions_live import services

    for session in sessions:
        users = session["users"]
        for user, topic in zip(users, session["topics"], strict=True):
            claim = arbiter.SetClaim(id=f"own-{topic}", actor=user, topic_id=topic, claimed=True)
            services.session_command(session_id=session["id"], command=claim)
        for command in (arbiter.StartSession(id="start", actor=users[0]),
                        arbiter.BeginBlocks(id="begin", actor=users[0])):  # fmt: skip
            outcome = services.session_command(session_id=session["id"], command=command)
            assert isinstance(outcome, arbiter.Applied), outcome


def script_command(session: dict[str, Any]) -> Any:
    """The owner scores the current question, or ends the block after its last (None: over)."""
    import arbiter
    from sessions_live.models import LiveSession

    state = arbiter.SessionState.from_json(LiveSession.objects.get(pk=session["id"]).state)
    block = state.current_block
    if block is None:
        return None
    question = block.current_question
    if question is None:
        return arbiter.YieldBlock(id=uuid.uuid4().hex, actor=block.owner, block=block.index)
    return arbiter.NextQuestion(id=uuid.uuid4().hex, actor=block.owner, score=4,
                                note="Knew it well. " * 3, question=question.key)  # fmt: skip


# --- the runs ----------------------------------------------------------------------------------


async def subscribe(session_ids: list[int]) -> tuple[list[Any], list[int]]:
    """A subscription to every session's channel on the live bus, as a process with a page
    open holds one per session (``hub.BusSubscription``: the bus's reader, then the room's
    queue and task); the versions it receives are kept (to check that every push arrived, in
    order)."""
    from sessions_live.broadcast import group_name
    from sessions_live.bus import current
    from sessions_live.hub import BusSubscription

    received: list[int] = []

    async def handle(message: dict[str, Any]) -> None:
        if message.get("type") == "session.state":
            received.append(message["version"])

    listener = current().listener()
    subscriptions = [BusSubscription(listener, group_name(i), handle) for i in session_ids]
    await asyncio.gather(*(s.opened for s in subscriptions))
    return subscriptions, received


async def run_commands(workload: str, commands: int) -> dict[str, Any]:
    from asgiref.sync import sync_to_async

    import arbiter
    from sessions_live import services
    from sessions_live.db import db

    per_session = TOPICS * (QUESTIONS + 1)
    count = 20 if workload == "toggle" else commands // per_session + 2
    sessions = await sync_to_async(make_sessions)(count, QUESTIONS)
    if workload == "script":
        await sync_to_async(start_blocks)(sessions)
    subscriptions, received = await subscribe([s["id"] for s in sessions])
    timings = Timings()
    inner: list[tuple[float, float]] = []
    clock, thread_cpu = time.perf_counter, time.thread_time

    def timed_command(session_id: int, command: Any) -> Any:
        start, start_cpu = clock(), thread_cpu()
        try:
            return services.session_command(session_id=session_id, command=command)
        finally:
            inner.append((clock() - start, thread_cpu() - start_cpu))

    call = db(timed_command)
    next_script = db(script_command)

    async def one(session_id: int, command: Any) -> None:
        timings.on = True
        start = clock()
        outcome = await call(session_id, command)
        total = clock() - start
        ack_start, ack_cpu = clock(), thread_cpu()
        ack_frame = {"type": "ack", "id": command.id, "version": outcome.state.version,
                     "duplicate": isinstance(outcome, arbiter.Duplicate)}  # fmt: skip
        json.dumps(ack_frame, separators=(",", ":"))
        ack, ack_cpu = clock() - ack_start, thread_cpu() - ack_cpu
        timings.on = False
        assert isinstance(outcome, arbiter.Applied), outcome
        (inner_wall, inner_cpu) = inner[-1]
        for step, in_command, ack_part in ((timings.current, inner_wall, ack),
                                           (timings.cpu, inner_cpu, ack_cpu)):  # fmt: skip
            step["other"] = in_command - sum(step.values())
            step["ack"] = ack_part
            step["total"] = in_command + ack_part
        # The hop's CPU is spread over the loop and the thread: in the process's CPU only.
        timings.current["hop"] = total - inner_wall
        timings.current["total"] += total - inner_wall
        timings.finish()

    managers = instrument(timings)
    for manager in managers:
        manager.__enter__()
    try:
        wall_start = clock()
        if workload == "toggle":
            stream = list(toggle_commands(sessions, commands + 50))
            for session_id, command in stream[:50]:  # warm-up, not counted
                await one(session_id, command)
            timings.done.clear()
            timings.done_cpu.clear()
            while len(received) < 50 and clock() - wall_start < 10:
                await asyncio.sleep(0.01)
            received.clear()
            cpu = time.process_time()
            wall = clock()
            for session_id, command in stream[50:]:
                await one(session_id, command)
        else:
            cpu = time.process_time()
            wall = clock()
            done = 0
            for session in sessions:
                while done < commands:
                    command = await next_script(session)
                    if command is None:
                        break
                    await one(session["id"], command)
                    done += 1
            assert done == commands, f"only {done} commands: more sessions needed"
        wall = clock() - wall
        cpu = time.process_time() - cpu
    finally:
        for manager in reversed(managers):
            manager.__exit__(None, None, None)
    deadline = time.monotonic() + 10
    while len(received) < len(timings.done) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await stop(subscriptions)
    return summarise(workload, timings, wall, cpu, len(received))


async def stop(subscriptions: list[Any]) -> None:
    for subscription in subscriptions:
        await subscription.close()


def summarise(workload: str, timings: Timings, wall: float, cpu: float,
              received: int) -> dict[str, Any]:  # fmt: skip
    done = timings.done
    steps: dict[str, dict[str, float]] = {}
    for step in (*STEPS, "total"):
        values = sorted(d.get(step, 0.0) * 1e6 for d in done)
        # per command, counting 0 for a command without the step (a kept connection: no
        # connect), as the wall figures do
        cpus = ([d.get(step, 0.0) * 1e6 for d in timings.done_cpu]
                if any(step in d for d in timings.done_cpu) else [])  # fmt: skip
        steps[step] = {
            "median_us": round(statistics.median(values), 1),
            "p90_us": round(values[int(len(values) * 0.9)], 1),
            "cpu_mean_us": round(statistics.fmean(cpus), 1) if cpus else None,
        }
    return {
        "workload": workload,
        "commands": len(done),
        "pushes_received": received,
        "steps": steps,
        "wall_ms_per_command": round(wall / len(done) * 1e3, 3),
        "cpu_ms_per_command": round(cpu / len(done) * 1e3, 3),
    }


async def run_publish(count: int) -> dict[str, Any]:
    """``count`` pushes of one session's state from a database thread, one after another (as
    commits publish them), and when the subscriber on the event loop had them all, in order."""
    from asgiref.sync import sync_to_async

    import arbiter
    from sessions_live import broadcast
    from sessions_live.db import db
    from sessions_live.models import LiveSession

    sessions = await sync_to_async(make_sessions)(1, QUESTIONS)
    session_id = sessions[0]["id"]
    state = await sync_to_async(lambda: LiveSession.objects.get(pk=session_id).state)()
    assert arbiter.SessionState.from_json(state)
    subscriptions, received = await subscribe([session_id])
    clock = time.perf_counter

    def publish_all() -> float:
        start = clock()
        for version in range(1, count + 1):
            broadcast.state_changed(session_id, version, state)
        return clock() - start

    await db(publish_all)()  # warm-up
    deadline = time.monotonic() + 30
    while len(received) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    received.clear()
    cpu = time.process_time()
    wall = clock()
    thread_seconds = await db(publish_all)()
    while len(received) < count and time.monotonic() < deadline + 30:
        await asyncio.sleep(0.001)
    wall = clock() - wall
    cpu = time.process_time() - cpu
    await stop(subscriptions)
    return {
        "pushes": count,
        "state_bytes": len(json.dumps(state, separators=(",", ":"))),
        "received": len(received),
        "in_order": received == list(range(1, count + 1)),
        "publisher_us_per_push": round(thread_seconds / count * 1e6, 1),
        "delivered_us_per_push": round(wall / count * 1e6, 1),
        "cpu_us_per_push": round(cpu / count * 1e6, 1),
    }


def profile(commands: int) -> None:
    """cProfile (CPU time) of ``commands`` toggle commands called directly (no hop)."""
    import cProfile
    import pstats

    from sessions_live import services

    stream = list(toggle_commands(make_sessions(20, QUESTIONS), commands + 50))
    for session_id, command in stream[:50]:
        services.session_command(session_id=session_id, command=command)
    profiler = cProfile.Profile(time.thread_time)  # CPU, not the waits
    profiler.enable()
    for session_id, command in stream[50:]:
        services.session_command(session_id=session_id, command=command)
    profiler.disable()
    order = os.environ.get("STEPS_SORT", "tottime")  # or cumulative
    print(f"\nprofile of {commands} toggle commands (CPU, by {order}):")
    pstats.Stats(profiler).sort_stats(order).print_stats(int(os.environ.get("STEPS_TOP", "25")))


def print_steps(result: dict[str, Any]) -> None:
    print(f"\n{result['workload']}: {result['commands']} commands, "
          f"{result['pushes_received']} pushes received; "
          f"wall {result['wall_ms_per_command']} ms and process CPU "
          f"{result['cpu_ms_per_command']} ms per command")  # fmt: skip
    print(f"  {'step':<9} {'median µs':>10} {'p90 µs':>9} {'CPU µs':>8}  (wall; CPU of the thread)")
    for step, figures in result["steps"].items():
        cpu = "-" if figures["cpu_mean_us"] is None else figures["cpu_mean_us"]
        print(f"  {step:<9} {figures['median_us']:>10} {figures['p90_us']:>9} {cpu:>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--workload", choices=("toggle", "script", "both"), default="both")
    parser.add_argument("--publish", type=int, default=2000, help="pushes to time (0: none)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--profile", type=int, default=0, help="also profile this many toggle commands (cProfile)"
    )
    args = parser.parse_args()

    db_name = f"roundtable_steps_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db_name}"')
    tmp = tempfile.TemporaryDirectory(prefix="command-steps-")
    try:
        for key in [k for k in os.environ if k.startswith("PYTEST")]:
            del os.environ[key]
        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
            REDIS_URL=REDIS_URL,
            CHANNEL_PREFIX=f"steps{uuid.uuid4().hex[:6]}",
            ROUNDTABLE_VAR_DIR=tmp.name,
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        results: dict[str, Any] = {"benchmark": "live command steps", "python":
                                   platform.python_version(), "workloads": []}  # fmt: skip
        workloads = ("toggle", "script") if args.workload == "both" else (args.workload,)
        for workload in workloads:
            result = asyncio.run(run_commands(workload, args.commands))
            print_steps(result)
            results["workloads"].append(result)
        if args.profile:
            profile(args.profile)
        if args.publish:
            publish = asyncio.run(run_publish(args.publish))
            print(f"\npublish: {publish}")
            results["publish"] = publish
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2) + "\n")
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
