"""The process's hub (sessions_live/hub.py) over the in-process live bus and channels'
in-memory layer, with fake sockets:
a push arrives once per process per session, is encoded once per member and written to every
socket of that member; presence-only pushes build no view again; a socket's frames wait for
its reply; the clocks start and stop with the hub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from channels.layers import InMemoryChannelLayer

import arbiter
from sessions_live import services
from sessions_live.broadcast import group_name, user_group_name
from sessions_live.bus import LocalBus
from sessions_live.hub import LiveHub
from tests.arbiter.builders import ANN, BOB, LEAD, NAMES, PYTHON, SQL, T0

SESSION = 31337


class FakeSocket:
    def __init__(self, user_id: int, session_key: str | None = None) -> None:
        self.user_id = user_id
        self.session_key = session_key
        self.frames: list[str] = []
        self.revoked: list[dict[str, Any]] = []
        self.held: list[str] | None = None
        self.got = asyncio.Event()

    async def deliver(self, frame: str) -> None:
        if self.held is not None:
            self.held.append(frame)
            return
        self.frames.append(frame)
        self.got.set()

    async def user_revoked(self, event: dict[str, Any]) -> None:
        self.revoked.append(event)
        self.got.set()

    async def fail(self) -> None:  # pragma: no cover - nothing fails here
        raise AssertionError("no push fails in these tests")

    async def next_frame(self) -> dict[str, Any]:
        while not self.frames:
            self.got.clear()
            await self.got.wait()
        return json.loads(self.frames.pop(0))  # type: ignore[no-any-return]


def lobby() -> arbiter.SessionState:
    state = arbiter.new_session(
        lead=LEAD, lead_name=NAMES[LEAD], topics=(PYTHON, SQL), shuffle=False, seed=1
    )
    for member in (ANN, BOB):
        outcome = arbiter.apply(
            state, arbiter.JoinSession(id=f"j{member}", actor=member, name=NAMES[member]), T0
        )
        assert isinstance(outcome, arbiter.Applied)
        state = outcome.state
    return state


class Wire:
    """The process's two ways in: the live bus (a session's pushes) and the channel layer
    (sign-outs), as the hub subscribes to them."""

    def __init__(self) -> None:
        self.layer = InMemoryChannelLayer()
        self.bus = LocalBus()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if group.startswith("session."):
            self.bus.publish(group, message)
        else:
            await self.layer.group_send(group, message)

    def subscribers(self, group: str) -> int:
        """How many subscriptions of this process the group has (on the bus or the layer)."""
        if group.startswith("session."):
            return len(self.bus._subscribed.get(group, []))
        return len(self.layer.groups.get(group, {}))


def push_of(state: arbiter.SessionState) -> dict[str, Any]:
    return {"type": "session.state", "version": state.version, "state": state.to_json()}


async def nothing() -> None:
    return None


async def no_advance(_session_id: int) -> float | None:
    return None


def new_hub(wire: Wire, **kwargs: Any) -> LiveHub:
    return LiveHub(
        wire.layer, bus=wire.bus, clock=lambda: T0 + 1, advance=no_advance, beat=nothing, **kwargs
    )


async def joined(live: LiveHub, state: arbiter.SessionState, *users: int) -> list[FakeSocket]:
    """Sockets of ``users`` in the room, each shown the snapshot ``state``."""
    sockets = []
    for user in users:
        socket = FakeSocket(user)
        room = await live.join(socket, SESSION)
        attached = services.Attached(state=state.to_json(), online=[LEAD], stamp=1.0)
        await room.welcome(socket, attached)
        assert (await socket.next_frame())["state"]["version"] == state.version
        sockets.append(socket)
    return sockets


def test_a_session_is_one_subscription_per_process_and_one_encoding_per_member() -> None:
    async def run() -> None:
        wire = Wire()
        live = new_hub(wire)
        state = lobby()
        sockets = await joined(live, state, LEAD, ANN, ANN, BOB)
        # One channel of this process in the session's group, however many sockets.
        assert wire.subscribers(group_name(SESSION)) == 1
        assert wire.subscribers(user_group_name(ANN)) == 1
        claimed = arbiter.apply(
            state, arbiter.SetClaim(id="c", actor=ANN, topic_id=PYTHON.id, claimed=True), T0
        )
        assert isinstance(claimed, arbiter.Applied)
        await wire.group_send(group_name(SESSION), push_of(claimed.state))
        views = [await s.next_frame() for s in sockets]
        assert [v["state"]["me"] for v in views] == [LEAD, ANN, ANN, BOB]
        assert {v["state"]["version"] for v in views} == {claimed.state.version}
        # Ann's two tabs were handed the very same text.
        ann_tabs = [s for s in sockets if s.user_id == ANN]
        assert ann_tabs[0].frames == ann_tabs[1].frames == []
        room = live.rooms[SESSION]
        assert room.frames is not None and room.frames.views_built == 2  # the lead; the rest
        # The last socket out leaves the groups.
        for socket in sockets:
            await live.leave(socket, SESSION)
        assert wire.subscribers(group_name(SESSION)) == 0
        assert wire.subscribers(user_group_name(ANN)) == 0
        assert live.rooms == {} and live.users == {}
        await live.stop()

    asyncio.run(run())


def test_the_same_text_object_goes_to_every_tab_of_a_member() -> None:
    async def run() -> None:
        wire = Wire()
        live = new_hub(wire)
        state = lobby()
        tabs = await joined(live, state, ANN, ANN, ANN)
        for tab in tabs:
            tab.frames.clear()
        await wire.group_send(
            group_name(SESSION), {"type": "session.presence", "online": [ANN], "stamp": 2.0}
        )
        while not all(tab.frames for tab in tabs):
            await asyncio.sleep(0)
        assert tabs[0].frames[0] is tabs[1].frames[0] is tabs[2].frames[0]
        await live.stop()

    asyncio.run(run())


def test_a_presence_push_encodes_no_view_again_and_an_older_one_is_dropped() -> None:
    async def run() -> None:
        wire = Wire()
        live = new_hub(wire)
        state = lobby()
        lead, ann, bob = await joined(live, state, LEAD, ANN, BOB)
        room = live.rooms[SESSION]
        assert room.frames is not None
        templates = dict(room.frames._templates)
        built = room.frames.views_built
        await wire.group_send(
            group_name(SESSION),
            {"type": "session.presence", "online": [LEAD, ANN, BOB], "stamp": 5.0},
        )
        seen = await bob.next_frame()
        assert [m["online"] for m in seen["state"]["members"]] == [True, True, True]
        assert room.frames._templates == templates  # the same templates, filled again
        assert room.frames.views_built == built + 1  # one view for the parts that move
        # An older reading changes nothing and sends nothing.
        await wire.group_send(
            group_name(SESSION), {"type": "session.presence", "online": [], "stamp": 4.0}
        )
        await wire.group_send(
            group_name(SESSION), {"type": "session.presence", "online": [BOB], "stamp": 6.0}
        )
        last = await bob.next_frame()
        assert [m["online"] for m in last["state"]["members"]] == [False, False, True]
        assert bob.frames == []
        await live.stop()

    asyncio.run(run())


def test_frames_held_for_a_socket_keep_their_order_and_an_older_state_is_dropped() -> None:
    async def run() -> None:
        wire = Wire()
        live = new_hub(wire)
        state = lobby()
        [ann] = await joined(live, state, ANN)
        chain = [state]
        for n, claimed in enumerate([True, False, True]):
            command = arbiter.SetClaim(id=f"c{n}", actor=ANN, topic_id=SQL.id, claimed=claimed)
            outcome = arbiter.apply(chain[-1], command, T0)
            assert isinstance(outcome, arbiter.Applied)
            chain.append(outcome.state)
        ann.held = []  # a command of Ann's is out
        for newer in chain[1:3]:
            await wire.group_send(group_name(SESSION), push_of(newer))
        await wire.group_send(group_name(SESSION), push_of(chain[1]))  # overtaken: dropped
        while len(ann.held) < 2:
            await asyncio.sleep(0)
        assert ann.frames == []
        room = live.rooms[SESSION]
        async with room.lock:  # the consumer's release
            held, ann.held = ann.held, None
            for frame in held:
                await ann.deliver(frame)
        await wire.group_send(group_name(SESSION), push_of(chain[3]))
        versions = [(await ann.next_frame())["state"]["version"] for _ in range(3)]
        assert versions == [s.version for s in chain[1:]]
        await live.stop()

    asyncio.run(run())


def test_a_sign_out_reaches_the_sockets_of_that_user_only() -> None:
    async def run() -> None:
        wire = Wire()
        live = new_hub(wire)
        state = lobby()
        ann, bob = await joined(live, state, ANN, BOB)
        event = {"type": "user.revoked", "session_key": "k", "reason": "signed out"}
        await wire.group_send(user_group_name(ANN), event)
        while not ann.revoked:
            ann.got.clear()
            await ann.got.wait()
        assert ann.revoked == [event] and bob.revoked == []
        await live.stop()

    asyncio.run(run())


def test_convergence_delivers_a_missed_stored_state_to_the_room() -> None:
    async def run() -> None:
        wire = Wire()
        newer = arbiter.apply(
            lobby(), arbiter.SetClaim(id="c", actor=BOB, topic_id=SQL.id, claimed=True), T0
        )
        assert isinstance(newer, arbiter.Applied)

        async def versions(ids: list[int]) -> dict[int, int]:
            return {SESSION: newer.state.version}

        async def states(ids: list[int]) -> dict[int, tuple[int, dict[str, Any]]]:
            return {SESSION: (newer.state.version, newer.state.to_json())}

        live = new_hub(wire)
        live.timers._versions, live.timers._states = versions, states
        lead, bob = await joined(live, lobby(), LEAD, BOB)
        from sessions_live import timers

        grace, timers.CONVERGE_GRACE_SECONDS = timers.CONVERGE_GRACE_SECONDS, 0
        try:
            assert await live.timers.converge() == [SESSION]
        finally:
            timers.CONVERGE_GRACE_SECONDS = grace
        for socket in (lead, bob):
            assert (await socket.next_frame())["state"]["version"] == newer.state.version
        assert await live.timers.converge() == []  # up to date now: nothing is read
        await live.stop()

    asyncio.run(run())


def test_the_clocks_start_with_the_first_socket_and_stop_with_the_hub() -> None:
    async def run() -> None:
        beats = asyncio.Event()

        async def beat() -> None:
            beats.set()

        live = LiveHub(InMemoryChannelLayer(), bus=LocalBus(), advance=no_advance, beat=beat)
        assert not live.running and not live.heartbeat.running
        await joined(live, lobby(), ANN)
        await beats.wait()  # the first beat comes at once
        assert live.running and live.heartbeat.running
        assert live.timers._converger is not None
        await live.stop()
        assert not live.heartbeat.running and live.timers._converger is None
        assert live.rooms == {}

    asyncio.run(run())


def test_a_wake_up_is_set_again_by_a_moved_clock() -> None:
    async def run() -> None:
        now = [T0]
        fired = asyncio.Event()

        async def advance(session_id: int) -> float | None:
            fired.set()
            return None

        live = LiveHub(
            InMemoryChannelLayer(),
            bus=LocalBus(),
            clock=lambda: now[0],
            advance=advance,
            beat=nothing,
        )
        await joined(live, lobby(), ANN)
        live.timers.schedule(SESSION, T0 + 3600)  # an hour away by the clock
        now[0] += 3600
        live.timers.clock_moved()
        await asyncio.wait_for(fired.wait(), timeout=5)  # fires at once, not in an hour
        await live.stop()

    asyncio.run(run())


def _versions(state: arbiter.SessionState, count: int) -> list[arbiter.SessionState]:
    """``count`` states after ``state``, one version apart (Ann's claim set and cleared)."""
    states = []
    for n in range(count):
        outcome = arbiter.apply(
            state,
            arbiter.SetClaim(id=f"v{n}", actor=ANN, topic_id=PYTHON.id, claimed=n % 2 == 0),
            T0,
        )
        assert isinstance(outcome, arbiter.Applied)
        state = outcome.state
        states.append(state)
    return states


async def _bob_and_three_versions(
    gap_wait: float,
) -> tuple[Callable[[arbiter.SessionState], Awaitable[None]], FakeSocket, list[Any]]:
    """A hub waiting ``gap_wait`` for a missing version, Bob's socket in the lobby, a way to
    push a state, and the lobby's next three versions."""
    wire = Wire()
    live = new_hub(wire, gap_wait=gap_wait)
    state = lobby()
    (socket,) = await joined(live, state, BOB)

    async def send(pushed: arbiter.SessionState) -> None:
        await wire.group_send(group_name(SESSION), push_of(pushed))

    return send, socket, _versions(state, 3)


async def _shown_version(socket: FakeSocket) -> int:
    return int((await asyncio.wait_for(socket.next_frame(), 5))["state"]["version"])


def test_a_push_that_overtook_the_one_before_it_waits_for_it() -> None:
    """Two processes may publish consecutive versions in the opposite order: the pages still
    see every version, in order."""

    async def run() -> None:
        send, socket, (v1, v2, v3) = await _bob_and_three_versions(gap_wait=5.0)
        for pushed in (v3, v2, v1):  # the newest first
            await send(pushed)
        shown = [await _shown_version(socket)]
        while shown[-1] < v3.version:
            shown.append(await _shown_version(socket))
        assert shown == [v1.version, v2.version, v3.version]

    asyncio.run(run())


def test_a_version_that_never_comes_is_not_waited_for_long() -> None:
    """Its push was lost: the newer one is shown after the wait, and nothing older after."""

    async def run() -> None:
        send, socket, (v1, v2, v3) = await _bob_and_three_versions(gap_wait=0.05)
        await send(v2)  # v1 is not published yet
        assert await _shown_version(socket) == v2.version
        await send(v1)  # too late: dropped
        await send(v3)  # handed over after it
        assert await _shown_version(socket) == v3.version
        assert socket.frames == []

    asyncio.run(run())
