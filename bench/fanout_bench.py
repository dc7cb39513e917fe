"""Micro-benchmark of one session's fan-out in one process: CPU per push, before and after.

Run: python bench/fanout_bench.py [--pushes N] [--rounds R] [--json out.json]

A session in the blocks phase (a question asked, one block running) gets N state pushes and
N presence-only pushes in the process (the live bus without Redis; before issue 17, channels'
in-memory layer), with 5 sockets (5 members), 50
sockets (50 members) and 50 sockets (10 members with 5 tabs each). Each socket is a fake
that keeps what it is sent (the consumer's ``self.send(text_data=...)``), so what is measured
is the process's side of the fan-out, from the publish to the last socket's frame.

- **before**: the per-socket way the consumer had until issue 17, reimplemented here: every
  socket is a channel in the session's group, awaited with the browser's frames by channels'
  own ``await_many_dispatch`` as channels ran each consumer; each push is delivered to each
  socket, which builds its member's view (``arbiter.member_view``, the parse shared per
  version as before) and JSON-encodes its own frame.
- **after**: ``sessions_live.hub`` as it runs: one subscription per session on the live bus
  (``sessions_live.bus.LocalBus``), views encoded
  once per distinct view (``sessions_live.fanout``), the member's frame handed to each socket.

CPU is the process's (``time.process_time``) per push, the median of R rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from channels.consumer import get_handler_name  # noqa: E402
from channels.layers import InMemoryChannelLayer  # noqa: E402
from channels.utils import await_many_dispatch  # noqa: E402

import arbiter  # noqa: E402
from sessions_live import selectors  # noqa: E402
from sessions_live.broadcast import group_name  # noqa: E402
from sessions_live.bus import LocalBus  # noqa: E402
from sessions_live.hub import LiveHub  # noqa: E402

NOW = 1_700_000_000.0
SESSION = 4242
SHAPES = [(5, 1), (50, 1), (10, 5)]  # (members, sockets per member)


# --- the session ------------------------------------------------------------------------------


def states(members: int, pushes: int) -> list[arbiter.SessionState]:
    """``pushes`` + 1 successive states of a session in the blocks phase: the first block's
    owner scores a question every tenth push; the lead extends, pauses and resumes."""
    ids = list(range(1, members + 1))
    lead = ids[0]
    topics = [
        arbiter.TopicSpec(id=100 + i, name=f"Topic {i}", seconds=3600)
        for i in range(min(members, 5))
    ]
    state = arbiter.new_session(
        lead=lead, lead_name="Lead", topics=topics, shuffle=False, seed=1, intro_text="Hello"
    )
    steps: list[arbiter.Command] = [
        arbiter.JoinSession(id=f"join:{m}", actor=m, name=f"Member {m}") for m in ids[1:]
    ]
    steps += [
        arbiter.SetClaim(id=f"claim:{m}", actor=m, topic_id=topic.id, claimed=True)
        for m, topic in zip(ids[1:] + ids[:1], topics, strict=False)
    ]
    # The running block's topic has enough questions for every tenth push to score one.
    bank = {
        topic.id: [
            arbiter.QuestionSpec(
                id=topic.id * 100 + q,
                text=f"Question {q} " * 8,
                answer="Answer " * 20,
                max_points=5,
            )
            for q in range(6 if n else 25)
        ]
        for n, topic in enumerate(topics)
    }
    steps += [
        arbiter.StartSession(id="start", actor=lead, bank=bank),
        arbiter.BeginBlocks(id="begin", actor=lead),
    ]
    for command in steps:
        state = _ok(state, command)
    owner = state.current_block.owner  # type: ignore[union-attr]
    pause = [
        lambda i: arbiter.ExtendBlock(id=i, actor=lead, seconds=60),
        lambda i: arbiter.PauseSession(id=i, actor=lead),
        lambda i: arbiter.ResumeSession(id=i, actor=lead),
    ]
    cycle = [lambda i: arbiter.NextQuestion(id=i, actor=owner, score=4, note="ok " * 10)]
    cycle += pause * 3  # ten pushes: 20 of the 25 questions over 200 pushes
    out = [state]
    for n in range(pushes):
        out.append(_ok(out[-1], cycle[n % len(cycle)](f"c{n}")))
    return out


def _ok(state: arbiter.SessionState, command: arbiter.Command) -> arbiter.SessionState:
    outcome = arbiter.apply(state, command, NOW)
    assert isinstance(outcome, arbiter.Applied), outcome
    return outcome.state


def push_text(state: arbiter.SessionState) -> str:
    """What a state push carries (as broadcast.state_changed sends it)."""
    payload = state.to_json()
    return json.dumps({k: v for k, v in payload.items() if k != "recent"}, separators=(",", ":"))


# --- sockets ----------------------------------------------------------------------------------


class Arrivals:
    """Counts frames; wakes the pusher once every socket has its frame of this push."""

    def __init__(self, sockets: int) -> None:
        self.sockets = sockets
        self.count = 0
        self.bytes = 0
        self.done = asyncio.Event()

    def got(self, frame: str) -> None:
        self.count += 1
        self.bytes += len(frame)
        if self.count == self.sockets:
            self.done.set()

    async def wait(self) -> None:
        await self.done.wait()
        self.done.clear()
        self.count = 0


class FakeSocket:
    """What the hub needs of a consumer; ``deliver`` stands for ``self.send(text_data=...)``."""

    def __init__(self, user_id: int, arrivals: Arrivals) -> None:
        self.user_id = user_id
        self.arrivals = arrivals

    async def deliver(self, frame: str) -> None:
        self.arrivals.got(frame)

    async def user_revoked(self, event: dict[str, Any]) -> None:  # pragma: no cover
        pass

    async def fail(self) -> None:  # pragma: no cover
        pass


class OldSocket:
    """The consumer before issue 17, as far as a push goes: a channel of its own in the
    session's group, its own state and presence, its own view and its own encoding."""

    def __init__(self, layer: InMemoryChannelLayer, user_id: int, arrivals: Arrivals) -> None:
        self.layer = layer
        self.user_id = user_id
        self.arrivals = arrivals
        self.state: arbiter.SessionState | None = None
        self.online: list[int] = []
        self.online_stamp = 0.0

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(group_name(SESSION), self.channel)
        # As channels ran each consumer: the browser's frames and the channel's messages
        # awaited together, each message dispatched to its handler.
        browser = asyncio.Event()
        sources = [browser.wait, functools.partial(self.layer.receive, self.channel)]
        self.task = asyncio.get_running_loop().create_task(
            await_many_dispatch(sources, self.dispatch)
        )

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is not None:
            await handler(message)

    async def session_state(self, event: dict[str, Any]) -> None:
        version = event["version"]
        selectors.note_received(SESSION, version)
        if self.state is not None and version < self.state.version:
            return
        self.state = selectors.parsed_state(SESSION, version, event["state"])
        await self._push_view()

    async def session_presence(self, event: dict[str, Any]) -> None:
        if event["stamp"] <= self.online_stamp:
            return
        self.online, self.online_stamp = event["online"], event["stamp"]
        await self._push_view()

    async def _push_view(self) -> None:
        assert self.state is not None
        view = arbiter.member_view(self.state, self.user_id, time.time(), self.online)
        text = json.dumps({"type": "state", "protocol": 1, "state": view}, separators=(",", ":"))
        arbiter.next_deadline(self.state)  # the timer's reschedule, a dict look-up after it
        self.arrivals.got(text)


# --- the runs ---------------------------------------------------------------------------------


async def run_once(
    way: str, members: int, tabs: int, chain: list[arbiter.SessionState]
) -> dict[str, float]:
    layer = InMemoryChannelLayer(capacity=1000)
    sockets = members * tabs
    arrivals = Arrivals(sockets)
    ids = [m.id for m in chain[0].members]
    texts = [push_text(s) for s in chain]
    selectors._PARSED.clear()
    group = group_name(SESSION)
    hub: LiveHub | None = None
    old: list[OldSocket] = []

    async def nothing() -> None:
        return None

    async def no_advance(_id: int) -> float | None:
        return None

    bus = LocalBus()  # the hub's pushes come on the live bus (in-process, as without Redis)

    async def send(message: dict[str, Any]) -> None:
        if way == "after":
            bus.publish(group, message)
        else:
            await layer.group_send(group, message)

    if way == "after":
        hub = LiveHub(layer, bus=bus, advance=no_advance, beat=nothing)
        for member in ids:
            for _ in range(tabs):
                socket = FakeSocket(member, arrivals)
                room = await hub.join(socket, SESSION)
                room.sockets[socket] = True  # shown its first snapshot
    else:
        for member in ids:
            for _ in range(tabs):
                socket = OldSocket(layer, member, arrivals)
                await socket.start()
                old.append(socket)

    # One push first to warm up (parse caches, the first views).
    await send({"type": "session.state", "version": chain[0].version, "state": texts[0]})
    await arrivals.wait()

    started, cpu = time.perf_counter(), time.process_time()
    for state, text in zip(chain[1:], texts[1:], strict=True):
        await send({"type": "session.state", "version": state.version, "state": text})
        await arrivals.wait()
    state_cpu = (time.process_time() - cpu) / (len(chain) - 1)
    state_wall = (time.perf_counter() - started) / (len(chain) - 1)
    frame_bytes = arrivals.bytes / sockets / len(chain)

    cpu = time.process_time()
    for n in range(len(chain) - 1):
        online = ids[: 1 + n % len(ids)]
        await send({"type": "session.presence", "online": online, "stamp": NOW + n + 1})
        await arrivals.wait()
    presence_cpu = (time.process_time() - cpu) / (len(chain) - 1)

    if hub is not None:
        await hub.stop()
    for socket in old:
        socket.task.cancel()
    return {
        "state_cpu_us": state_cpu * 1e6,
        "state_wall_us": state_wall * 1e6,
        "presence_cpu_us": presence_cpu * 1e6,
        "frame_bytes": frame_bytes,
    }


def parse_cost(chain: list[arbiter.SessionState]) -> float:
    """CPU µs of parsing one push (JSON text to the state), which both ways pay once per
    process per version: the part of a state push that no fan-out changes."""
    texts = [push_text(s) for s in chain]
    cpu = time.process_time()
    for text in texts:
        arbiter.SessionState.from_json(json.loads(text))
    return (time.process_time() - cpu) / len(texts) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    for members, tabs in SHAPES:
        chain = states(members, args.pushes)
        row: dict[str, Any] = {"members": members, "sockets": members * tabs}
        for way in ("before", "after"):
            runs = [asyncio.run(run_once(way, members, tabs, chain)) for _ in range(args.rounds)]
            for name in runs[0]:
                row[f"{way}_{name}"] = statistics.median(r[name] for r in runs)
        row["parse_cpu_us"] = parse_cost(chain)
        row["state_ratio"] = row["before_state_cpu_us"] / row["after_state_cpu_us"]
        row["presence_ratio"] = row["before_presence_cpu_us"] / row["after_presence_cpu_us"]
        results.append(row)
    print(f"fan-out of one session in one process, {args.pushes} pushes, median of {args.rounds}")
    print(f"{'sockets':>16} | {'state push CPU µs':>26} | {'presence push CPU µs':>26} | frame")
    ways = f"{'before':>8} {'after':>8} {'×':>8}"
    print(f"{'':>16} | {ways} | {ways} | bytes")
    for row in results:
        label = f"{row['sockets']} ({row['members']} members)"
        print(
            f"{label:>16} | {row['before_state_cpu_us']:8.0f} {row['after_state_cpu_us']:8.0f}"
            f" {row['state_ratio']:7.1f}× | {row['before_presence_cpu_us']:8.0f}"
            f" {row['after_presence_cpu_us']:8.0f} {row['presence_ratio']:7.1f}× |"
            f" {row['after_frame_bytes']:5.0f}"
        )
    print("a state push includes parsing it once per process, both ways; without it:")
    for row in results:
        before = row["before_state_cpu_us"] - row["parse_cpu_us"]
        after = row["after_state_cpu_us"] - row["parse_cpu_us"]
        row["fanout_ratio"] = before / after if after > 0 else float("inf")
        print(
            f"{row['sockets']:>4} sockets ({row['members']} members): parse"
            f" {row['parse_cpu_us']:.0f} µs; the rest {before:.0f} → {after:.0f} µs"
            f" ({row['fanout_ratio']:.1f}×)"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "pushes": args.pushes,
            "rounds": args.rounds,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "results": results,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
