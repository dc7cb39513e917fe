"""This process's side of the live sessions: the pushes of each session arrive here once.

A **room** holds the sockets of one session in this process and the one subscription of the
process to the session's channel on the live bus (``sessions_live.bus``: Redis pub/sub of its
own, or the process's own without Redis). A push is parsed once, the views are encoded once per
distinct view (``fanout.Frames``) and the same text is written to every socket of a member.
Likewise one subscription per user with sockets here carries sign-outs (``user.revoked``) to
that user's sockets; those come through the channel layer, where every kind of socket of a
login (the cabinet's, the notices') hears them too. A socket therefore needs no channel of its own.

The hub owns the process's clocks too (``timers.SessionTimers``: deadlines and convergence;
``timers.Heartbeat``: presence), the rate buckets and the clean-up tasks, with an explicit
``start`` (the first socket) and ``stop``. There is one hub per event loop (``hub()``).

What the room keeps is what every socket of it shows: the newest state and the newest
presence reading that reached the process, by version and by stamp (older ones are dropped,
an equal version is pushed again). A socket is shown nothing before its first snapshot
(``welcome``), and while it waits for the reply to its own command the frames for it are held
and sent after the reply, in order (its ack comes before the state of that version).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from channels.layers import BaseChannelLayer, get_channel_layer

import arbiter
from sessions_live import bus as live_bus
from sessions_live import clock as live_clock
from sessions_live import presence, selectors, services
from sessions_live.broadcast import group_name, user_group_name
from sessions_live.db import db
from sessions_live.fanout import Frames
from sessions_live.ratelimit import SharedBuckets
from sessions_live.timers import Heartbeat, SessionTimers

logger = logging.getLogger(__name__)

# The in-memory layer forgets a group member after a day (group_expiry): user subscriptions
# re-join their groups this often. (The pub/sub layer keeps them; joining again costs nothing.)
REJOIN_SECONDS = 3600.0
# How long a state push that overtook the one before it waits for it (Room.session_state).
GAP_WAIT_SECONDS = 0.1


class Member(Protocol):
    """What the hub needs of a socket (the consumer)."""

    user_id: int

    async def deliver(self, frame: str) -> None: ...

    async def user_revoked(self, event: dict[str, Any]) -> None: ...

    async def fail(self) -> None: ...


async def _handle_each(
    receive: Callable[[], Awaitable[dict[str, Any]]],
    handle: Callable[[dict[str, Any]], Awaitable[None]],
    group: str,
) -> None:
    """Hand every message ``receive`` gives to ``handle``, one at a time, in order (one that
    fails is logged and the next one handled)."""
    while True:
        message = await receive()
        try:
            await handle(message)
        except Exception:
            logger.exception("a %s message of %s failed", message.get("type"), group)


class Subscription:
    """One channel of this process in one group, with a task that hands each message to
    ``handle``. ``opened`` is the task that subscribes; ``close`` leaves the group."""

    def __init__(
        self,
        layer: BaseChannelLayer,
        group: str,
        handle: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.layer = layer
        self.group = group
        self.handle = handle
        self.channel: str | None = None
        self.joined = False
        self._listener: asyncio.Task[None] | None = None
        self.opened = asyncio.get_running_loop().create_task(self._open())

    async def _open(self) -> None:
        self.channel = await self.layer.new_channel()
        # Listen before joining: cancelling the listener is what unsubscribes the channel
        # (channels-redis's pub/sub layer), so the channel is never left behind.
        self._listener = asyncio.get_running_loop().create_task(self._listen(self.channel))
        await self.join()

    async def join(self) -> None:
        if self.channel is not None:
            await self.layer.group_add(self.group, self.channel)
            self.joined = True

    async def _listen(self, channel: str) -> None:
        await _handle_each(lambda: self.layer.receive(channel), self.handle, self.group)

    async def close(self) -> None:
        # A subscribing still under way is let finish (cut short, it could leave the group
        # holding a channel nobody reads), then undone.
        await asyncio.wait([self.opened])
        try:
            if self.channel is not None:
                self.joined = False
                await self.layer.group_discard(self.group, self.channel)
        except Exception:  # Redis away: the layer forgets the channel with its process
            logger.warning("could not leave the group %s", self.group)
        finally:
            if self._listener is not None:
                # (Never from the listener itself: handlers that may close hand over to a task.)
                self._listener.cancel()


class BusSubscription:
    """One room's subscription to its session on the live bus: the messages queue in the order
    they arrive and one task hands each to ``handle``. ``opened`` is the task that subscribes
    (done once the bus confirmed it); ``close`` unsubscribes."""

    def __init__(
        self,
        listener: live_bus.Listener,
        group: str,
        handle: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        self.listener = listener
        self.group = group
        self.handle = handle
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._deliver = self.queue.put_nowait  # one object: the bus knows it by identity
        loop = asyncio.get_running_loop()
        self._reader = loop.create_task(self._read())
        self.opened = loop.create_task(listener.subscribe(group, self._deliver))

    async def _read(self) -> None:
        await _handle_each(self.queue.get, self.handle, self.group)

    async def close(self) -> None:
        await asyncio.wait([self.opened])
        try:
            await self.listener.unsubscribe(self.group, self._deliver)
        finally:
            self._reader.cancel()


class Room:
    """The sockets of one session in this process (see the module's docstring)."""

    def __init__(self, hub: LiveHub, session_id: int) -> None:
        self.hub = hub
        self.session_id = session_id
        # socket -> whether it was shown its first snapshot (only those get pushes)
        self.sockets: dict[Member, bool] = {}
        self.state: arbiter.SessionState | None = None
        self.online: list[int] = []
        self.stamp = 0.0
        self.frames: Frames | None = None
        # One fan-out at a time, so a socket's frames stay in order; a socket sends the frames
        # held for it during its command under it too.
        self.lock = asyncio.Lock()
        # Woken whenever the room's state moves on (a push waiting for a gap rechecks).
        self.moved = asyncio.Condition(self.lock)
        self.subscription = BusSubscription(hub.listener, group_name(session_id), self.dispatch)

    async def dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "session.state":
            if self._gap_before(message["version"]):
                # Not in the listener's task: the missing version arrives through it.
                self.hub.spawn(self._state_later(message))
                return
            await self.session_state(message)
        elif kind == "session.presence":
            await self.session_presence(message)
        else:
            logger.debug("ignoring a %s message", kind)

    async def _state_later(self, message: dict[str, Any]) -> None:
        try:
            await self.session_state(message)
        except Exception:
            logger.exception("a state push of session %s failed", self.session_id)

    def _gap_before(self, version: int) -> bool:
        return self.state is not None and version > self.state.version + 1

    async def session_state(self, event: dict[str, Any]) -> None:
        """A state push (or the stored state convergence found missed here).

        Two processes may publish consecutive versions of a session in the opposite order
        (each publishes right after its own commit), so a push may overtake the one before
        it. A push that finds versions missing waits up to ``hub.gap_wait`` seconds for them,
        so the pages see every version in order; after that it is shown anyway (a version
        whose push was lost is not waited for longer, and the newest state is what counts)."""
        version = event["version"]
        selectors.note_received(self.session_id, version)
        async with self.lock:
            if self._gap_before(version):
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.hub.gap_wait):
                        await self.moved.wait_for(lambda: not self._gap_before(version))
            if self.state is not None and version < self.state.version:
                return  # an older push overtaken by a newer one
            self._set_state(selectors.parsed_state(self.session_id, version, event["state"]))
            await self._push()

    async def session_presence(self, event: dict[str, Any]) -> None:
        async with self.lock:
            if event["stamp"] <= self.stamp:
                return  # an older reading overtaken by a newer one, or the one shown
            self.online, self.stamp = event["online"], event["stamp"]
            await self._push()

    async def welcome(self, socket: Member, attached: services.Attached) -> None:
        """Show a socket that just attached its first snapshot: the newer of what it read and
        what the room holds (others are brought up to what it read, if that is newer)."""
        async with self.lock:
            if socket not in self.sockets:
                return  # gone meanwhile
            state = selectors.parsed_state(
                self.session_id, attached.state["version"], attached.state
            )
            changed = False
            if self.state is None or state.version > self.state.version:
                self._set_state(state)
                changed = True
            if attached.stamp > self.stamp:
                self.online, self.stamp = attached.online, attached.stamp
                changed = True
            if changed:
                await self._push()
            self.sockets[socket] = True
            await self._push([socket])

    def _set_state(self, state: arbiter.SessionState) -> None:
        """Under the lock."""
        if self.frames is None or self.frames.state is not state:
            self.frames = Frames(state)
        self.state = state
        self.hub.timers.schedule(self.session_id, arbiter.next_deadline(state))
        self.moved.notify_all()

    async def _push(self, to: list[Member] | None = None) -> None:
        """Under the lock: the current view to ``to`` (default: every socket shown one)."""
        if self.frames is None:
            return
        sockets = [s for s, shown in self.sockets.items() if shown] if to is None else to
        if not sockets:
            return
        frames = self.frames.frames(
            dict.fromkeys(s.user_id for s in sockets), self.hub.clock(), self.online
        )
        for socket in sockets:
            try:
                await socket.deliver(frames[socket.user_id])
            except Exception:
                logger.exception("a push to a socket of session %s failed", self.session_id)
                self.hub.spawn(socket.fail())


class UserSockets:
    """The sockets of one user in this process and the subscription to the user's group."""

    def __init__(self, hub: LiveHub, user_id: int) -> None:
        self.hub = hub
        self.sockets: dict[Member, None] = {}
        self.subscription = Subscription(hub.layer, user_group_name(user_id), self.dispatch)

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") != "user.revoked":
            return  # the user's group carries messages for other kinds of sockets: not ours
        # Each close in a task of its own: the last socket's leaves this very subscription,
        # which must not cancel its own listener halfway through.
        for socket in list(self.sockets):
            self.hub.spawn(_revoke(socket, message))


async def _revoke(socket: Member, message: dict[str, Any]) -> None:
    try:
        await socket.user_revoked(message)
    except Exception:
        logger.exception("closing a revoked socket failed")


async def _advance(session_id: int) -> float | None:
    return await db(services.session_advance)(session_id=session_id)  # type: ignore[no-any-return]


async def _presence_heal() -> None:
    await db(services.presence_heal)()


class LiveHub:
    """This process's rooms, user subscriptions, clocks, rate buckets and clean-ups."""

    def __init__(
        self,
        layer: BaseChannelLayer | None = None,
        *,
        bus: live_bus.Bus | None = None,
        clock: Callable[[], float] = live_clock.now,
        monotonic: Callable[[], float] = time.monotonic,
        advance: Callable[[int], Awaitable[float | None]] = _advance,
        beat: Callable[[], Awaitable[None]] = _presence_heal,
        gap_wait: float = GAP_WAIT_SECONDS,
    ) -> None:
        self._layer = layer
        self._bus = bus
        self._listener: live_bus.Listener | None = None
        self.gap_wait = gap_wait
        # The server clock of the views (server_time, remaining) and the deadlines: the one
        # the services read (a test freezes and moves it).
        self.clock = clock
        self.monotonic = monotonic  # the rate buckets' clock
        self.rooms: dict[int, Room] = {}
        self.users: dict[int, UserSockets] = {}
        self.buckets = SharedBuckets()
        self.timers = SessionTimers(advance, clock=clock)
        self.heartbeat = Heartbeat(beat, presence.HEARTBEAT_SECONDS)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._rejoin: asyncio.Task[None] | None = None
        self.running = False

    @property
    def layer(self) -> BaseChannelLayer:
        layer = self._layer or get_channel_layer()
        if layer is None:  # pragma: no cover - settings always configure a layer
            raise RuntimeError("the live sessions need a channel layer")
        return layer

    @property
    def listener(self) -> live_bus.Listener:
        """This loop's subscriptions to the live bus (the settings' bus unless one was given)."""
        if self._listener is None:
            self._listener = (self._bus or live_bus.current()).listener()
        return self._listener

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start the clocks: deadlines, convergence, heartbeat (idempotent)."""
        if self.running:
            return
        self.running = True
        self.timers.start()
        self.heartbeat.start()
        self._rejoin = self.spawn(self._rejoin_forever())

    async def stop(self) -> None:
        """Stop the clocks and leave every group (the sockets themselves are not closed)."""
        self.running = False
        self.timers.stop()
        await self.heartbeat.stop()
        if self._rejoin is not None:
            self._rejoin.cancel()
        rooms, self.rooms = list(self.rooms.values()), {}
        users, self.users = list(self.users.values()), {}
        for holder in [*rooms, *users]:
            await holder.subscription.close()
        for task in list(self._tasks):
            task.cancel()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coroutine`` as a task held until it is done (a task nobody holds may vanish)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _rejoin_forever(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            for users in self.users.values():
                try:
                    if users.subscription.joined:
                        await users.subscription.join()
                except Exception:
                    logger.warning("could not rejoin %s", users.subscription.group)

    # --- sockets -----------------------------------------------------------------------

    async def join(self, socket: Member, session_id: int) -> Room:
        """Register a socket of ``session_id``; returns once its room and its user's
        subscription are in their groups (raises if the layer could not subscribe)."""
        self.start()
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(self, session_id)
            self.timers.watch(session_id, room)
        room.sockets[socket] = False
        users = self.users.get(socket.user_id)
        if users is None:
            users = self.users[socket.user_id] = UserSockets(self, socket.user_id)
        users.sockets[socket] = None
        # Shielded: a joiner that is cancelled must not cancel the subscribing of the others.
        await asyncio.shield(room.subscription.opened)
        await asyncio.shield(users.subscription.opened)
        return room

    async def leave(self, socket: Member, session_id: int) -> None:
        """Forget a socket; the last of a room or of a user leaves the group."""
        closing = []
        room = self.rooms.get(session_id)
        if room is not None and room.sockets.pop(socket, None) is not None and not room.sockets:
            del self.rooms[session_id]
            self.timers.unwatch(session_id, room)
            closing.append(room.subscription)
        users = self.users.get(socket.user_id)
        if users is not None and socket in users.sockets:
            del users.sockets[socket]
            if not users.sockets:
                del self.users[socket.user_id]
                closing.append(users.subscription)
        for subscription in closing:
            await subscription.close()


_HUBS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LiveHub] = weakref.WeakKeyDictionary()


def hub() -> LiveHub:
    """The hub of the running event loop (created at first use)."""
    loop = asyncio.get_running_loop()
    live = _HUBS.get(loop)
    if live is None:
        live = _HUBS[loop] = LiveHub()
    return live
