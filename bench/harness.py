"""What bench/live_bench.py and bench/faults.py share: users logged in through the real login
page, sessions created and joined through the real pages, the generator run as its own
(pinned) process, and measurements of a server process (RSS, CPU, py-spy)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.stack import BIN, PASSWORD, ROOT, Proc, Stack, pinned

TOPIC_COUNT = 5  # the demo bank has five topics: one per member of a five-member panel


@dataclass
class User:
    username: str
    id: int
    cookie: str
    client: httpx.AsyncClient


async def login_all(stack: Stack, servers: list[Proc], usernames: list[str],
                    concurrency: int = 8) -> list[User]:  # fmt: skip
    """Log every user in through /login/ (CSRF, password, session cookie), spread over servers."""
    ids = dict(stack.sql("SELECT username, id FROM accounts_user"))  # type: ignore[arg-type]
    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, username: str) -> User:
        server = servers[index % len(servers)]
        client = httpx.AsyncClient(base_url=server.url, timeout=60)
        async with gate:
            page = await client.get("/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if token is None:
                raise RuntimeError(f"no CSRF token on the login page: {page.status_code}")
            response = await client.post(
                "/login/",
                data={"username": username, "password": PASSWORD,
                      "csrfmiddlewaretoken": token.group(1)},
                headers={"Referer": f"{server.url}/login/"},
            )  # fmt: skip
        if response.status_code != 302 or not client.cookies.get("sessionid"):
            raise RuntimeError(f"login of {username} failed: {response.status_code}")
        return User(username, int(ids[username]), client.cookies["sessionid"], client)

    return list(await asyncio.gather(*(one(i, u) for i, u in enumerate(usernames))))


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    return await client.post(
        path,
        data={**data, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
        headers={"Referer": f"{client.base_url}{path}"},
    )


def topic_ids(stack: Stack) -> list[tuple[int, str]]:
    rows = stack.sql("SELECT id, name FROM questionbank_topic ORDER BY name")
    return [(int(r[0]), str(r[1])) for r in rows]  # type: ignore[call-overload]


async def create_sessions(stack: Stack, users: list[User], count: int, minutes: float,
                          offset: int = 0, members: int = 5, concurrency: int = 8
                          ) -> list[dict[str, Any]]:  # fmt: skip
    """``count`` sessions through the new-session form; ``members - 1`` others join each through
    the join page. Panels rotate over the users, so a user sits on several panels."""
    every = topic_ids(stack)
    topics = every[:TOPIC_COUNT]
    gate = asyncio.Semaphore(concurrency)
    panels = len(users) // members

    async def one(number: int) -> dict[str, Any]:
        base = ((number + offset) % panels) * members
        panel = users[base : base + members]
        lead = panel[0]
        data = {"full_name": f"Bench Candidate {number}", "email": "candidate@example.com",
                "shuffle": "0", "intro_text": "Hello.", "closing_text": "Thank you."}  # fmt: skip
        # The form has an order and minutes for every topic of the bank (the browser sends
        # them all); the first five are ticked.
        for position, (topic_id, _name) in enumerate(every, 1):
            if position <= TOPIC_COUNT:
                data[f"topic_{topic_id}_on"] = "on"
            data[f"topic_{topic_id}_position"] = str(position)
            data[f"topic_{topic_id}_minutes"] = str(minutes)
        async with gate:
            response = await _post(lead.client, "/sessions/new/", data)
        found = re.fullmatch(r"/s/([A-Z0-9-]+)/", response.headers.get("location", ""))
        if response.status_code != 302 or found is None:
            raise RuntimeError(f"creating a session failed: {response.status_code} "
                               f"{response.text[:500]}")  # fmt: skip
        code = found.group(1)

        async def join(user: User) -> None:
            async with gate:
                reply = await _post(user.client, f"/s/{code}/join/", {})
            if reply.status_code != 302 or reply.headers["location"] != f"/s/{code}/":
                raise RuntimeError(f"joining {code} failed: {reply.status_code}")

        await asyncio.gather(*(join(user) for user in panel[1:]))
        return {
            "code": code,
            "lead": lead.id,
            "members": [{"user": u.id, "cookie": u.cookie} for u in panel],
            "topics": [t for t, _n in topics],
        }

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def logins_and_sessions(stack: Stack, servers: list[Proc], usernames: list[str],
                              plans: list[tuple[int, float]]
                              ) -> tuple[float, float, list[list[dict[str, Any]]]]:  # fmt: skip
    """Log everyone in, then create one pool of sessions per (count, block minutes) plan, all
    in one event loop (the HTTP clients belong to it). Returns the two durations and pools."""
    began = time.time()
    users = await login_all(stack, servers, usernames)
    logged_in = time.time() - began
    began = time.time()
    pools = []
    offset = 0
    try:
        for count, minutes in plans:
            pools.append(await create_sessions(stack, users, count, minutes, offset=offset))
            offset += count
    finally:
        for user in users:
            await user.client.aclose()
    return logged_in, time.time() - began, pools


def run_generator(stack: Stack, name: str, spec: dict[str, Any], timeout: float,
                  on_connected: Callable[[], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """The generator as its own process, pinned to its CPU where the plan allows. Its progress
    lines are passed through; ``on_connected`` runs once every socket is open."""
    spec_path = stack.tmp / f"{name}.spec.json"
    out_path = stack.tmp / f"{name}.out.json"
    spec = {"hard_timeout": timeout, **spec}
    spec_path.write_text(json.dumps(spec))
    cmd = pinned([sys.executable, str(ROOT / "bench" / "loadgen.py"), str(spec_path),
                  str(out_path)], stack.cpus["generator"])  # fmt: skip
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + timeout + 30
    for line in process.stderr:
        sys.stderr.write(line)
        if line.startswith("connected") and on_connected is not None:
            on_connected()
        if time.monotonic() > deadline:
            break
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        raise RuntimeError(f"generator {name} overran its time limit") from None
    if process.returncode != 0:
        raise RuntimeError(f"generator {name} failed ({process.returncode})")
    return json.loads(out_path.read_text())  # type: ignore[no-any-return]


class IdleGenerator:
    """The generator in idle mode: opens the sockets, says READY, closes them when told."""

    def __init__(self, stack: Stack, name: str, spec: dict[str, Any]) -> None:
        self.spec_path = stack.tmp / f"{name}.spec.json"
        self.out_path = stack.tmp / f"{name}.out.json"
        self.spec_path.write_text(json.dumps({"mode": "idle", "hard_timeout": 400, **spec}))
        cmd = pinned([sys.executable, str(ROOT / "bench" / "loadgen.py"), str(self.spec_path),
                      str(self.out_path)], stack.cpus["generator"])  # fmt: skip
        self.process = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)  # fmt: skip

    def wait_ready(self, timeout: float) -> int:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("idle generator exited early")
            if line.startswith("READY"):
                return int(line.split()[1])
        raise RuntimeError("idle generator did not get ready")

    def mark(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("mark\n")
        self.process.stdin.flush()
        self.process.stdout.readline()  # MARKED

    def finish(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write("close\n")
        self.process.stdin.flush()
        self.process.wait(timeout=120)
        return json.loads(self.out_path.read_text())  # type: ignore[no-any-return]


def rss_kib(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss // 1024)


def cpu_percent(pid: int, seconds: float) -> float:
    """Share of one core used by the process over ``seconds`` (user + system)."""
    process = psutil.Process(pid)
    before = process.cpu_times()
    began = time.monotonic()
    time.sleep(seconds)
    after = process.cpu_times()
    used = (after.user - before.user) + (after.system - before.system)
    return round(100 * used / (time.monotonic() - began), 2)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far."""
    total = 0.0
    for pid in pids:
        times = psutil.Process(pid).cpu_times()
        total += times.user + times.system
    return total


def run_measured(stack: Stack, name: str, spec: dict[str, Any], timeout: float,
                 pids: list[int]) -> dict[str, Any]:  # fmt: skip
    """``run_generator`` plus the CPU the server processes used from the moment every socket
    was open to the end (``server_cpu_seconds``) and per acknowledged command
    (``server_cpu_ms_per_command``: its deliveries, timers and heartbeat included)."""
    marks: list[float] = []
    out = run_generator(stack, name, spec, timeout,
                        on_connected=lambda: marks.append(cpu_seconds(pids)))  # fmt: skip
    if marks:
        used = cpu_seconds(pids) - marks[0]
        acked = out.get("commands_acked") or 0
        out["server_cpu_seconds"] = round(used, 2)
        out["server_cpu_ms_per_command"] = round(1000 * used / acked, 3) if acked else None
    return out


class CpuWatch:
    """CPU used over a window: the whole machine (100 % = one core) and given processes."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.began = time.monotonic()
        self.machine = psutil.cpu_times()
        self.before = {name: p.cpu_times() for name, p in self.procs.items()}

    def stop(self) -> dict[str, float]:
        wall = time.monotonic() - self.began
        now = psutil.cpu_times()
        busy = sum(getattr(now, k) - getattr(self.machine, k)
                   for k in ("user", "nice", "system", "irq", "softirq", "steal"))  # fmt: skip
        figures = {"machine_percent_of_one_core": round(100 * busy / wall, 1),
                   "machine_cores": psutil.cpu_count() or 0}  # fmt: skip
        for name, proc in self.procs.items():
            try:
                after = proc.cpu_times()
            except psutil.Error:
                continue
            used = (after.user - self.before[name].user) + (after.system - self.before[name].system)
            figures[f"{name}_percent_of_one_core"] = round(100 * used / wall, 1)
        return figures


def settle_rss(pid: int, seconds: float = 3.0) -> int:
    """RSS once it has stopped moving (sampled over a few seconds)."""
    last = rss_kib(pid)
    deadline = time.monotonic() + seconds * 4
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_kib(pid)
        if abs(now - last) > 256:
            stable_since = time.monotonic()
        last = now
        if time.monotonic() - stable_since >= seconds:
            break
    return last


# --- py-spy ----------------------------------------------------------------------------------


def py_spy_available() -> str | None:
    found = BIN / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


def py_spy_record(pid: int, seconds: int, out: Path, rate: int = 67) -> subprocess.Popen[bytes]:
    tool = py_spy_available()
    assert tool is not None
    return subprocess.Popen(
        [tool, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", str(rate),
         "--nonblocking", "--threads", "--idle", "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


# Where a database thread's working time goes: waiting on PostgreSQL when the innermost frame
# is psycopg's wait; otherwise by the first bucket whose mark is anywhere on the stack.
WAITING = "waiting on PostgreSQL (round trips, row lock, commit's fsync)"
SYNC_BUCKETS = [
    ("checking and handing out a pooled connection",
     ("getconn (psycopg_pool/pool.py)", "putconn (psycopg_pool/pool.py)",
      "close_old_connections (db/__init__.py)", "connect (base/base.py)")),
    ("arbiter (advance, apply, JSON of the state)", ("(arbiter/",)),
    ("Django ORM and psycopg (building, sending, reading queries)",
     ("execute_sql (sql/compiler.py)", "execute (utils.py)", "__exit__ (transaction.py)",
      "__enter__ (transaction.py)", "commit (base/base.py)", "save (models/base.py)")),
    ("publishing the push on the live bus",
     ("(sessions_live/broadcast.py)", "(sessions_live/bus.py)")),
]  # fmt: skip


POOL_THREADS = 2  # LIVE_DB_THREADS of the servers profiled (the default)


def summarise_profile(path: Path, seconds: float, rate: int, top: int = 12) -> dict[str, Any]:
    """From py-spy raw output (``thread;frame;frame count``, idle samples included): how much
    of the time each thread is occupied, and on what.

    The sync thread is occupied while it runs a work item (``futures/thread.py: run``), even
    when that work item waits on the network: nothing else can use the thread meanwhile. The
    event loop is occupied whenever it is not waiting in ``select``."""
    samples: Counter[str] = Counter()
    occupied: Counter[str] = Counter()
    leaf: dict[str, Counter[str]] = {}
    inclusive: dict[str, Counter[str]] = {}
    buckets: dict[str, Counter[str]] = {}
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = _thread_label(frames[0], frames[1:])
        labels = [_short(frame) for frame in frames[1:]]
        samples[thread] += count
        if thread.startswith(("database", "shared")):
            busy = "run (futures/thread.py)" in labels
        else:
            busy = not labels or not labels[-1].startswith(("select (selectors.py)",
                                                            "poll (selectors.py)"))  # fmt: skip
        if not busy:
            continue
        occupied[thread] += count
        leaf.setdefault(thread, Counter())[labels[-1] if labels else "?"] += count
        for label in dict.fromkeys(labels):
            inclusive.setdefault(thread, Counter())[label] += count
        if thread.startswith(("database", "shared")):
            bucket_of = buckets.setdefault(thread, Counter())  # type: ignore[arg-type]
            if labels and labels[-1].startswith("wait (psycopg/connection.py)"):
                bucket_of[WAITING] += count
                continue
            for bucket, marks in SYNC_BUCKETS:
                if any(mark in label for label in labels for mark in marks):
                    bucket_of[bucket] += count
                    break
            else:
                bucket_of["other"] += count
    figures: dict[str, Any] = {"seconds": seconds, "rate_hz": rate, "threads": {}}
    for name, total in samples.most_common(4):
        busy_n = occupied[name]
        # A pool's samples are the sum over its threads: occupancy is the mean per thread.
        width = int(m.group(1)) if (m := re.search(r"\((\d+) threads\)", name)) else 1
        figures["threads"][name] = {
            "threads": width,
            "occupied_percent": round(100 * busy_n / max(1, total), 1),
            "top_leaf": [[f, round(100 * c / max(1, busy_n), 1)]
                         for f, c in leaf.get(name, Counter()).most_common(top)],
            "top_inclusive": [[f, round(100 * c / max(1, busy_n), 1)]
                              for f, c in inclusive.get(name, Counter()).most_common(top * 3)],
        }  # fmt: skip
        if name in buckets:
            figures["threads"][name]["where"] = {
                bucket: round(100 * c / max(1, busy_n), 1)
                for bucket, c in buckets[name].most_common()
            }
    return figures


def _thread_label(head: str, frames: list[str]) -> str:
    text = " ".join(frames[:4]).lower()
    if "live-db" in head.lower():
        return f"database pool ({POOL_THREADS} threads)"
    if "threadpoolexecutor" in head.lower() or "_worker (concurrent" in text:
        return "shared sync thread (auth, HTTP views)"
    if "mainthread" in head.lower() or "<module> (daphne" in " ".join(frames[:2]):
        return "main thread (event loop)"
    return re.sub(r"\(\d+\)", "", head).strip()


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    match = re.match(r"(.*?) \((.*?):\d+\)", frame)
    if not match:
        return frame
    name, path = match.groups()
    parts = path.split("/")
    where = "/".join(parts[-2:]) if "site-packages" in path or len(parts) > 1 else path
    return f"{name} ({where})"
