"""The load generator: real sockets, the real protocol, an open-loop schedule.

Run by bench/live_bench.py and bench/faults.py as its own process (pinned with taskset where
possible): ``python bench/loadgen.py spec.json out.json``. The spec names the servers (a list
the generator balances over, like nginx would), the sessions with their members' session
cookies, the mode and the schedule. The generator stops by itself: every mode has a fixed
number of sessions and steps and a hard time limit (``hard_timeout``).

Modes:
* ``script``: each session is driven through its life at ``rate`` commands/s: every member
  claims a topic, the lead starts and begins the blocks, the owner of the running block scores,
  skips and adds questions while the block timers hand over, then feedback and finish.
* ``toggle``: members take turns setting and clearing their claim (every command is a real
  change of constant size); at ``rate`` per session, or in ``steps`` of a total rate (a ramp
  that stops at the first step whose p99 passes ``p99_limit_ms``). Used for the baseline too.
* ``idle``: open ``idle_sockets`` sockets, print READY, hold them until stdin says so.

Open loop: commands go out at their scheduled times (a Poisson process per session, so the
mean rate is fixed and the gaps are random) whatever the server does, and latency is
measured from the scheduled time (a server that makes the generator late is charged for it).
Latency of a command = when the last socket of that session received a state with a version at
least the one in the command's ack, minus the scheduled send time.
"""

from __future__ import annotations

import asyncio
import bisect
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

FATAL = {4401, 4403, 4404}


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        import psutil

        t = psutil.cpu_times()
        return float(t.user + t.nice + t.system + t.irq + t.softirq + t.steal)
    except ImportError:  # pragma: no cover - psutil is pinned in requirements-dev.txt
        return 0.0


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def summary_ms(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": _ms(pct(values, 50)),
        "p95_ms": _ms(pct(values, 95)),
        "p99_ms": _ms(pct(values, 99)),
        "max_ms": _ms(max(values) if values else None),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# --- one socket ----------------------------------------------------------------------------


@dataclass
class Conn:
    gen: Generator
    session: Session
    user: int
    cookie: str
    tab: int
    server: int
    ws: ClientConnection | None = None
    versions: list[int] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    frames: int = 0
    state_bytes: int = 0
    out_of_order: int = 0
    top: int = 0
    events: list[list[Any]] = field(default_factory=list)
    last_block: tuple[str, int | None, float | None] = ("", None, None)
    first_state: asyncio.Event = field(default_factory=asyncio.Event)
    closed_for_good: bool = False
    attempt: int = 0

    def url(self, server: int) -> tuple[str, str]:
        host, port = self.gen.servers[server]
        return (
            f"ws://{host}:{port}/ws/sessions/{self.session.code}/{self.gen.url_query}",
            f"http://{host}:{port}",
        )

    async def open(self) -> bool:
        """Connect, trying each server in turn from this socket's own (a balancer's retry)."""
        count = len(self.gen.servers)
        for shift in range(count):
            server = (self.server + shift) % count
            url, origin = self.url(server)
            try:
                self.ws = await connect(
                    url,
                    additional_headers={"Cookie": f"sessionid={self.cookie}"},
                    origin=origin,  # type: ignore[arg-type]
                    open_timeout=self.gen.open_timeout,
                    ping_interval=None,  # browsers send no pings: an idle page is silent
                    max_size=2**22,
                    compression=self.gen.compression,
                )
            except (TimeoutError, OSError, InvalidStatus, ConnectionClosed) as error:
                self.events.append([time.time(), "refused", server, type(error).__name__])
                continue
            self.server = server
            self.attempt = 0
            self.events.append([time.time(), "open", server])
            return True
        return False

    async def run(self) -> None:
        """Read frames; with ``reconnect``, reopen after a close as the page does."""
        while not self.gen.stopping:
            if self.ws is None and not await self.open():
                if not self.gen.reconnect:
                    return
                await self._backoff()
                continue
            assert self.ws is not None
            ws = self.ws
            code: int | None = None
            try:
                async for raw in ws:
                    self.on_frame(raw, time.time())
            except ConnectionClosed:
                pass
            code = ws.close_code
            self.ws = None
            if not self.gen.stopping:  # the generator's own closes at the end are not events
                self.events.append([time.time(), "close", code])
            if self.gen.stopping or not self.gen.reconnect or code in FATAL:
                self.closed_for_good = True
                return
            self.session.on_close(self)
            await self._backoff()

    async def _backoff(self) -> None:
        delay = min(10.0, 0.5 * 2**self.attempt) * (0.75 + random.random() * 0.5)
        self.attempt += 1
        await asyncio.sleep(delay)

    def on_frame(self, raw: str | bytes, now: float) -> None:
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "state":
            state = message["state"]
            version = state["version"]
            self.frames += 1
            self.state_bytes += len(raw)
            if not self.first_state.is_set():
                self.first_state.set()
            if self.events and self.events[-1][1] == "open":
                self.events.append([now, "first_state", version])
            if version < self.top:
                self.out_of_order += 1
            elif version > self.top or not self.versions:
                self.top = version
                self.versions.append(version)
                self.arrivals.append(now)
                self.track_blocks(state, now)
                self.session.on_state(self, state)
        elif kind in ("ack", "error"):
            self.gen.on_reply(message, now)

    def track_blocks(self, state: dict[str, Any], now: float) -> None:
        """Deadline hand-overs: the running block changed (or the closing began)."""
        phase = state.get("phase", "")
        current = state.get("current")
        index = current["index"] if current else None
        deadline = current["deadline"] if current else None
        last_phase, last_index, last_deadline = self.last_block
        if last_phase == "blocks" and last_deadline is not None and (
            phase != "blocks" or index != last_index
        ):
            key = (self.session.index, last_index)
            self.gen.handovers.setdefault(key, []).append(now - last_deadline)
        self.last_block = (phase, index, deadline)

    async def send(self, frame: dict[str, Any]) -> bool:
        ws = self.ws
        if ws is None:
            return False
        try:
            await ws.send(json.dumps(frame, separators=(",", ":")))
        except ConnectionClosed:
            return False
        return True


# --- one session ---------------------------------------------------------------------------


@dataclass
class Session:
    gen: Generator
    index: int
    code: str
    lead: int
    members: list[int]
    topics: list[int]
    conns: list[Conn] = field(default_factory=list)
    views: dict[int, dict[str, Any]] = field(default_factory=dict)
    latest: dict[str, Any] | None = None
    counter: int = 0
    sent: set[Any] = field(default_factory=set)
    claimed: dict[tuple[int, int], bool] = field(default_factory=dict)
    done: bool = False

    def sender(self, user: int) -> Conn:
        for conn in self.conns:
            if conn.user == user and conn.ws is not None:
                return conn
        return next(conn for conn in self.conns if conn.user == user)

    def on_state(self, conn: Conn, state: dict[str, Any]) -> None:
        known = self.views.get(conn.user)
        if known is None or state["version"] >= known["version"]:
            self.views[conn.user] = state
        if self.latest is None or state["version"] >= self.latest["version"]:
            self.latest = state

    def on_close(self, conn: Conn) -> None:
        pass

    # the command each mode sends next (None: nothing to do right now)

    def next_toggle(self) -> tuple[int, dict[str, Any]]:
        """Members take turns (or, with ``senders: 1``, the lead alone goes round the topics)
        setting and clearing a claim: every command is a real change of constant size."""
        slot = self.counter % len(self.members)
        self.counter += 1
        user = self.members[0 if self.gen.spec.get("senders") == 1 else slot]
        topic = self.topics[slot % len(self.topics)]
        key = (user, topic)
        if key not in self.claimed:
            view = self.views.get(user) or self.latest or {}
            claimants = next((t["claimants"] for t in view.get("topics", []) if t["id"] == topic),
                             [])  # fmt: skip
            self.claimed[key] = user in claimants
        self.claimed[key] = not self.claimed[key]
        return user, {"type": "claim.set", "topic_id": topic, "claimed": self.claimed[key]}

    def next_script(self) -> tuple[int, dict[str, Any]] | None:
        view = self.latest
        if view is None:
            return None
        phase = view["phase"]
        if phase == "lobby":
            for slot, user in enumerate(self.members):
                if ("claim", user) not in self.sent:
                    self.sent.add(("claim", user))
                    topic = self.topics[slot % len(self.topics)]
                    return user, {"type": "claim.set", "topic_id": topic, "claimed": True}
            if view["ready"] and "start" not in self.sent:
                self.sent.add("start")
                return self.lead, {"type": "session.start"}
            return None
        if phase == "intro":
            if "begin" not in self.sent:
                self.sent.add("begin")
                return self.lead, {"type": "blocks.begin"}
            return None
        if phase == "blocks":
            current = view["current"]
            owner = current["owner"]
            own = self.views.get(owner, view)
            if own["version"] < view["version"]:
                own = view
            question = (own.get("current") or {}).get("question")
            self.counter += 1
            key = ("scored", current["index"], question["key"]) if question else None
            if question and key not in self.sent:
                self.sent.add(key)
                if self.counter % 5 == 0:
                    return owner, {"type": "question.skip", "question": question["key"]}
                score = random.randint(0, question["max_points"])
                return owner, {"type": "question.next", "question": question["key"], "score": score,
                               "note": f"bench note {self.counter}"}  # fmt: skip
            return owner, {"type": "question.add", "block": current["index"],
                           "text": f"Live question {self.counter}?",
                           "answer": "A short reference answer."}  # fmt: skip
        # closing or finished: every block owner's feedback, then the lead finishes
        for user in self.members:
            own = self.views.get(user)
            if own and own["feedback_open"] and ("feedback", user) not in self.sent:
                self.sent.add(("feedback", user))
                items = {q["key"]: "Clear and correct." for q in own["my_questions"][:3]}
                return user, {"type": "feedback.submit", "summary": f"Bench feedback by {user}.",
                              "items": items}  # fmt: skip
        if phase == "closing" and "finish" not in self.sent:
            self.sent.add("finish")
            return self.lead, {"type": "session.finish"}
        if phase == "finished" and not any(
            (self.views.get(u) or {}).get("feedback_open") for u in self.members
        ):
            self.done = True
        return None


# --- the generator -------------------------------------------------------------------------


class Generator:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.mode = spec["mode"]
        self.servers = [tuple(s) for s in spec["servers"]]
        self.url_query = spec.get("url_query", "")
        self.reconnect = bool(spec.get("reconnect", False))
        self.compression = spec.get("compression")  # None: what daphne negotiates anyway
        self.open_timeout = float(spec.get("open_timeout", 30))
        self.stopping = False
        self.commands: dict[str, dict[str, Any]] = {}
        self.handovers: dict[tuple[int, int | None], list[float]] = {}
        self.sessions: list[Session] = []
        self.conns: list[Conn] = []
        tabs = int(spec.get("tabs", 1))
        limit = spec.get("max_sockets")
        slot = 0
        for index, item in enumerate(spec["sessions"]):
            members = [m["user"] for m in item["members"]]
            session = Session(self, index, item["code"], item["lead"], members, item["topics"])
            self.sessions.append(session)
            for tab in range(tabs):
                for member in item["members"]:
                    if limit is not None and len(self.conns) >= limit:
                        break
                    conn = Conn(self, session, member["user"], member["cookie"], tab,
                                slot % len(self.servers))  # fmt: skip
                    slot += 1
                    session.conns.append(conn)
                    self.conns.append(conn)
        self.sessions = [s for s in self.sessions if s.conns]
        self.tasks: list[asyncio.Task[None]] = []

    # --- connecting

    async def connect_all(self) -> dict[str, Any]:
        began = time.time()
        gate = asyncio.Semaphore(int(self.spec.get("connect_concurrency", 50)))
        opened = 0

        async def one(conn: Conn) -> None:
            nonlocal opened
            async with gate:
                if await conn.open():
                    opened += 1
                    self.tasks.append(asyncio.create_task(conn.run()))
                    try:
                        await asyncio.wait_for(conn.first_state.wait(), self.open_timeout)
                    except TimeoutError:
                        pass

        await asyncio.gather(*(one(conn) for conn in self.conns))
        return {"sockets": len(self.conns), "opened": opened,
                "connect_seconds": round(time.time() - began, 2)}  # fmt: skip

    async def close_all(self) -> None:
        self.stopping = True
        await asyncio.gather(
            *(c.ws.close() for c in self.conns if c.ws is not None), return_exceptions=True
        )
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    # --- commands

    def on_reply(self, message: dict[str, Any], now: float) -> None:
        record = self.commands.get(message.get("id") or "")
        if record is None or "reply" in record:
            if message.get("type") == "error" and not message.get("id"):
                self.commands.setdefault("_anonymous", {"errors": []})["errors"].append(
                    message.get("code")
                )  # e.g. rate_limited
            return
        record["reply"] = message["type"]
        record["t_reply"] = now
        if message["type"] == "ack":
            record["version"] = message["version"]
            record["duplicate"] = message.get("duplicate", False)
        else:
            record["code"] = message.get("code")

    async def fire(self, session: Session, scheduled: float, step: int = 0) -> None:
        choice = session.next_toggle() if self.mode == "toggle" else session.next_script()
        if choice is None:
            return
        user, frame = choice
        command_id = uuid.uuid4().hex
        frame = {**frame, "id": command_id}
        conn = session.sender(user)
        record = {"id": command_id, "session": session.index, "user": user,
                  "type": frame["type"], "t_sched": scheduled, "t_sent": time.time(),
                  "step": step, "frame": frame}  # fmt: skip
        self.commands[command_id] = record
        if not await conn.send(frame):
            record["reply"] = "offline"

    async def drive(self, session: Session, start: float, rate: float, until: float,
                    step: int = 0) -> None:  # fmt: skip
        """One session's open-loop schedule from ``start``: Poisson arrivals at ``rate`` per
        second (exponential gaps), fixed in advance whatever the server does. Random gaps
        also keep commands from lining up with the block deadlines."""
        scheduled = start
        while not session.done and not self.stopping:
            if scheduled >= until:
                return
            delay = scheduled - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.fire(session, scheduled, step)
            scheduled += random.expovariate(rate)

    # --- analysis

    def latency(self, record: dict[str, Any], cache: dict[int, tuple[list[int], list[float]]]
                ) -> float | None:  # fmt: skip
        """Seconds from the scheduled send to the last socket of the session having a state at
        least as new as the ack's version; None if some open socket never got it."""
        version = record["version"]
        worst = record["t_sched"]
        for conn in self.sessions_by_index[record["session"]].conns:
            versions, arrivals = cache.setdefault(id(conn), (conn.versions, conn.arrivals))
            at = bisect.bisect_left(versions, version)
            if at >= len(versions):
                if conn.closed_for_good or conn.ws is None:
                    continue  # a socket that is gone cannot receive it
                return None
            worst = max(worst, arrivals[at])
        return worst - record["t_sched"]

    def analyse(self, records: list[dict[str, Any]], window: float) -> dict[str, Any]:
        cache: dict[int, tuple[list[int], list[float]]] = {}
        latencies: list[float] = []
        undelivered = 0
        replies: dict[str, int] = {}
        lag: list[float] = []
        acks: list[float] = []
        for record in records:
            lag.append(record["t_sent"] - record["t_sched"])
            if "t_reply" in record:
                acks.append(record["t_reply"] - record["t_sched"])
            reply = record.get("reply", "none")
            key = reply if reply != "error" else f"error:{record.get('code')}"
            replies[key] = replies.get(key, 0) + 1
            if reply == "ack" and not record.get("duplicate"):
                value = self.latency(record, cache)
                if value is None:
                    undelivered += 1
                else:
                    latencies.append(value)
        acked = sum(1 for r in records if r.get("reply") == "ack")
        if self.spec.get("timeline"):  # for looking into a tail: every command, in send order
            with open(self.spec["timeline"], "a") as out:
                for record in records:
                    value = self.latency(record, cache) if record.get("reply") == "ack" else None
                    out.write(json.dumps([
                        round(record["t_sched"], 4), record.get("reply"),
                        _ms(record["t_reply"] - record["t_sched"]) if "t_reply" in record else None,
                        _ms(value) if value is not None else None, record["session"],
                    ]) + "\n")  # fmt: skip
        return {
            "commands_sent": len(records),
            "commands_acked": acked,
            "replies": replies,
            "latency": summary_ms(latencies),
            "reply_latency": summary_ms(acks),  # to the sender's ack/error only
            "undelivered": undelivered,
            "commands_per_s": round(acked / window, 1) if window > 0 else None,
            "sent_per_s": round(len(records) / window, 1) if window > 0 else None,
            "generator_lag_p99_ms": _ms(pct(lag, 99)),
        }

    def delivery(self, since: float, until: float) -> dict[str, Any]:
        """State frames (new versions) that arrived in [since, until)."""
        count = 0
        for conn in self.conns:
            lo = bisect.bisect_left(conn.arrivals, since)
            hi = bisect.bisect_left(conn.arrivals, until)
            count += hi - lo
        return {"deliveries": count,
                "deliveries_per_s": round(count / (until - since), 1) if until > since else None}

    def losses(self) -> dict[str, Any]:
        """Versions a socket should have seen but did not, and versions seen out of order."""
        final: dict[int, int] = {}
        for record in self.commands.values():
            if record.get("reply") == "ack":
                s = record["session"]
                final[s] = max(final.get(s, 0), record["version"])
        for conn in self.conns:
            if conn.versions:
                s = conn.session.index
                final[s] = max(final.get(s, 0), conn.versions[-1])
        lost = 0
        behind = 0
        missing_tail = 0
        for conn in self.conns:
            if not conn.versions:
                continue
            # a gap: a version this socket never got although it got a later one
            seen = set(conn.versions)
            lost += sum(1 for v in range(conn.versions[0], conn.versions[-1]) if v not in seen)
            if conn.versions[-1] < final[conn.session.index]:
                behind += 1  # still waiting for the newest state when the run ended
                missing_tail += final[conn.session.index] - conn.versions[-1]
        return {
            "lost_states": lost,
            "states_not_yet_delivered_at_end": missing_tail,
            "out_of_order_states": sum(c.out_of_order for c in self.conns),
            "sockets_behind_at_end": behind,
            "final_versions": {self.sessions[i].code: v for i, v in final.items()}
            if self.spec.get("raw") else None,
        }

    def handover_summary(self) -> dict[str, Any]:
        # per hand-over: the last socket of the session to see it (how late for everyone)
        worst = [max(values) for values in self.handovers.values()]
        each = [v for values in self.handovers.values() for v in values]
        return {
            "handovers": len(worst),
            "lateness_all_sockets": summary_ms(worst),
            "lateness_min_ms": _ms(min(each) if each else None),
        }

    @property
    def sessions_by_index(self) -> dict[int, Session]:
        if not hasattr(self, "_by_index"):
            self._by_index = {s.index: s for s in self.sessions}
        return self._by_index

    def raw(self) -> dict[str, Any]:
        return {
            "conns": [
                {"session": c.session.index, "code": c.session.code, "user": c.user,
                 "tab": c.tab, "versions": c.versions, "arrivals": c.arrivals,
                 "events": c.events}  # fmt: skip
                for c in self.conns
            ],
            "commands": list(self.commands.values()),
        }

    # --- the modes

    async def run_steady(self) -> dict[str, Any]:
        rate = float(self.spec["rate"])
        spread = float(self.spec.get("start_spread", 1.0))
        duration = float(self.spec["duration"])
        await asyncio.sleep(float(self.spec.get("settle", 1.0)))
        cpu0, busy0, began = time.process_time(), machine_busy(), time.time()
        until = began + duration
        await asyncio.gather(*(
            self.drive(s, began + random.random() * spread, rate, until) for s in self.sessions
        ))  # fmt: skip
        last_send = max((r["t_sched"] for r in self.commands.values() if "t_sched" in r),
                        default=began)  # fmt: skip
        await self.quiesce(float(self.spec.get("drain", 3.0)))
        ended = time.time()
        records = [r for r in self.commands.values() if "t_sched" in r]
        window = max(1e-9, last_send - began)
        result = {
            "sessions": len(self.sessions),
            "sockets": len(self.conns),
            "rate_per_session": rate,
            "active_seconds": round(window, 2),
            "sessions_finished": sum(1 for s in self.sessions if s.done),
            **self.analyse(records, window),
            **self.delivery(began, last_send + 1e-3),
            **self.losses(),
            "handover": self.handover_summary(),
            "generator_cpu_percent": round(100 * (time.process_time() - cpu0) / (ended - began), 1),
            "machine_cpu_percent": round(100 * (machine_busy() - busy0) / (ended - began)),
            "state_bytes_mean": round(
                sum(c.state_bytes for c in self.conns) / max(1, sum(c.frames for c in self.conns))
            ),
            "anonymous_errors": self.commands.get("_anonymous", {}).get("errors", [])[:20],
        }
        if self.spec.get("raw"):
            result["raw"] = self.raw()
        return result

    async def quiesce(self, drain: float) -> None:
        """Wait until every command has a reply and nothing new arrived for a moment."""
        deadline = time.time() + drain * 4
        quiet_since = time.time()
        last = -1
        while time.time() < deadline:
            total = sum(len(c.versions) for c in self.conns)
            waiting = any("reply" not in r for r in self.commands.values() if "t_sched" in r)
            if total != last or waiting:
                last, quiet_since = total, time.time()
            elif time.time() - quiet_since >= min(drain, 1.0):
                return
            await asyncio.sleep(0.1)

    async def run_ramp(self) -> dict[str, Any]:
        steps = [float(r) for r in self.spec["steps"]]
        step_seconds = float(self.spec.get("step_seconds", 5))
        gap = float(self.spec.get("gap_seconds", 1.5))
        limit = float(self.spec.get("p99_limit_ms", 100))
        await asyncio.sleep(float(self.spec.get("settle", 1.0)))
        results = []
        sustained = None
        retried: set[int] = set()
        number = -1
        while number + 1 < len(steps):
            number += 1
            total = steps[number]
            per_session = total / len(self.sessions)
            cpu0, busy0, began = time.process_time(), machine_busy(), time.time()
            until = began + step_seconds
            await asyncio.gather(*(
                self.drive(s, began + random.random() / per_session, per_session, until, number)
                for s in self.sessions
            ))  # fmt: skip
            await asyncio.sleep(gap)
            # wait a little longer for replies still out (bounded)
            waited = time.time() + 3 * gap
            while time.time() < waited and any(
                "reply" not in r for r in self.commands.values() if r.get("step") == number
                and "t_sched" in r
            ):
                await asyncio.sleep(0.1)
            ended = time.time()
            records = [r for r in self.commands.values() if r.get("step") == number and
                       "t_sched" in r]  # fmt: skip
            figures = self.analyse(records, step_seconds)
            figures.update(self.delivery(began, until))
            figures["offered_per_s"] = total
            figures["machine_cpu_percent"] = round(100 * (machine_busy() - busy0) / (ended - began))
            figures["generator_cpu_percent"] = round(
                100 * (time.process_time() - cpu0) / (ended - began), 1
            )
            p99 = figures["latency"]["p99_ms"]
            ok = (
                p99 is not None
                and p99 <= limit
                and figures["undelivered"] == 0
                and figures["commands_acked"] >= 0.95 * figures["commands_sent"]
                and figures["commands_sent"] >= 0.75 * total * step_seconds  # generator kept up
            )
            figures["passed"] = ok
            results.append(figures)
            print(f"  step {total:7.0f}/s: acked {figures['commands_per_s']}/s, p99 {p99} ms, "
                  f"gen cpu {figures['generator_cpu_percent']}%, machine "
                  f"{figures['machine_cpu_percent']}% -> {'ok' if ok else 'over'}",
                  file=sys.stderr, flush=True)  # fmt: skip
            if not ok and number not in retried:
                # one noisy step does not end the ramp: once the backlog has drained (bounded),
                # the same rate is offered once more, and only a second miss ends it
                retried.update((number, number + 1))
                figures["retried"] = True
                steps.insert(number + 1, total)
                drained = time.time() + 10
                while time.time() < drained and any(
                    "reply" not in r for r in self.commands.values() if "t_sched" in r
                ):
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.0)
                continue
            if not ok:
                break
            sustained = figures
        return {
            "sessions": len(self.sessions),
            "sockets": len(self.conns),
            "steps": results,
            "sustained_commands_per_s": sustained["commands_per_s"] if sustained else 0,
            "sustained_deliveries_per_s": sustained["deliveries_per_s"] if sustained else 0,
            "sustained_p99_ms": sustained["latency"]["p99_ms"] if sustained else None,
            "limit_reached": len(results) < len(steps) or not results[-1]["passed"],
            **self.losses(),
        }

    async def run_idle(self) -> dict[str, Any]:
        """Hold the sockets. stdin: "mark" starts counting frames, "close" ends."""
        print(f"READY {sum(1 for c in self.conns if c.ws is not None)}", flush=True)
        loop = asyncio.get_running_loop()
        hold = time.time() + float(self.spec.get("idle_hold", 120))
        marked = None
        while time.time() < hold:
            try:
                line = await asyncio.wait_for(
                    loop.run_in_executor(None, sys.stdin.readline), hold - time.time()
                )
            except TimeoutError:
                break
            if line.strip() == "mark":
                marked = sum(c.frames for c in self.conns)
                print("MARKED", flush=True)
            else:
                break
        frames = sum(c.frames for c in self.conns)
        return {"sockets": len(self.conns), "state_frames": frames,
                "frames_since_mark": None if marked is None else frames - marked}

    async def main(self) -> dict[str, Any]:
        opened = await self.connect_all()
        print(f"connected {opened}", file=sys.stderr, flush=True)
        try:
            if self.mode == "idle":
                result = await self.run_idle()
            elif self.spec.get("steps"):
                result = await self.run_ramp()
            else:
                result = await self.run_steady()
        finally:
            await self.close_all()
        return {"mode": self.mode, "connect": opened, **result}


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    generator = Generator(spec)
    return await asyncio.wait_for(generator.main(), float(spec.get("hard_timeout", 300)))


if __name__ == "__main__":
    spec_path, out_path = sys.argv[1], sys.argv[2]
    with open(spec_path) as handle:
        spec = json.load(handle)
    result = asyncio.run(_main(spec))
    with open(out_path, "w") as handle:
        json.dump(result, handle, separators=(",", ":"))
