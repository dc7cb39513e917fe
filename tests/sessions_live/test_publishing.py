"""How pushes leave a process: on the live bus (sessions_live/bus.py), in order, from the
committing thread and without the serving loop, and never at the cost of a saved command (a
Redis outage delays pushes, not sockets or acks; a state that fell in it is sent again once
Redis is back); presence readings that arrive late are ignored; the pool's calls leave no
connection behind."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.db import connections

from sessions_live import broadcast
from sessions_live import bus as live_bus
from sessions_live import db as live_db
from sessions_live.broadcast import group_name
from sessions_live.models import LiveSession
from tests.e2e.servers import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def version_of(session: LiveSession) -> int:
    return await database_sync_to_async(lambda: LiveSession.objects.get(pk=session.pk).version)()


class PrivateRedis:
    """A redis-server of this test's own on a free port, so it can be stopped and started."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is installed with the machine's Redis"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if probe.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(settings, tmp_path: Path) -> Iterator[PrivateRedis]:  # noqa: ANN001
    redis = PrivateRedis(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url  # the live bus of this Redis (sessions_live.bus.current)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis.url], "prefix": "private"},
        }
    }
    channel_layers.backends.clear()  # the next get_channel_layer() builds it from settings
    yield redis
    redis.stop()
    channel_layers.backends.clear()


async def _claim(socket, command_id: str, topic_id: int, claimed: bool) -> dict:  # noqa: ANN001
    await socket.send(
        {"type": "claim.set", "id": command_id, "topic_id": topic_id, "claimed": claimed}
    )
    return await socket.next_of("ack", where=lambda m: m["id"] == command_id, timeout=5)


async def _lead_and_ann(connect, session, lead, ann):  # noqa: ANN001, ANN202
    """Both members' sockets, each past its first state, and the first topic's id."""
    _, _, lead_socket = await connect(lead, session)
    _, _, ann_socket = await connect(ann, session)
    topic = (await lead_socket.state())["topics"][0]["id"]
    await ann_socket.state()
    return lead_socket, ann_socket, topic


async def test_while_redis_is_down_commands_are_saved_and_acknowledged_and_sockets_stay(
    private_redis,
    panel_session,
    lead,
    ann,
    connect,  # noqa: ANN001
) -> None:
    lead_socket, ann_socket, topic = await _lead_and_ann(connect, panel_session, lead, ann)

    private_redis.stop()
    before = await version_of(panel_session)
    ack = await _claim(ann_socket, "during-outage", topic, True)
    assert ack["version"] == before + 1
    assert await version_of(panel_session) == before + 1  # saved although nothing was pushed
    await ann_socket.send({"type": "ping", "id": "still-there"})
    assert await ann_socket.next_of("pong", where=lambda m: m["id"] == "still-there")

    private_redis.start()

    # The subscription comes back by itself: keep changing the session (ann) until a push
    # reaches the other member (the lead). A receive that times out ends a test socket, so the
    # lead waits once, long enough for the layer's reconnect.
    async def keep_changing() -> None:
        for n in range(20):
            await _claim(ann_socket, f"after-{n}", topic, n % 2 == 0)
            await asyncio.sleep(0.5)

    changing = asyncio.create_task(keep_changing())
    try:
        seen = await lead_socket.state(where=lambda s: s["version"] > before + 1, timeout=10)
    finally:
        changing.cancel()
    assert seen["version"] <= await version_of(panel_session)


async def test_a_change_made_while_redis_was_down_reaches_the_pages_once_it_is_back(
    private_redis,
    panel_session,
    lead,
    ann,
    connect,  # noqa: ANN001
) -> None:
    """The last change of a session fell in the outage (nothing changes after it): the pages
    still get it, without another command, once Redis and the subscriptions are back."""
    lead_socket, ann_socket, topic = await _lead_and_ann(connect, panel_session, lead, ann)

    private_redis.stop()
    ack = await _claim(ann_socket, "last-change", topic, True)
    private_redis.start()

    seen = await lead_socket.state(where=lambda s: s["version"] >= ack["version"], timeout=15)
    assert seen["version"] == ack["version"] == await version_of(panel_session)
    mine = next(t for t in seen["topics"] if t["id"] == topic)
    assert ann.pk in mine["claimants"]


async def test_each_socket_sees_versions_in_order_under_concurrent_commands(
    panel_session,
    lead,
    ann,
    bob,
    connect,  # noqa: ANN001
) -> None:
    sockets = []
    for user in (lead, ann, bob):
        _, _, socket = await connect(user, panel_session)
        sockets.append(socket)
    topics = [t["id"] for t in (await sockets[0].state())["topics"]]
    for socket in sockets[1:]:
        await socket.state()

    async def toggle(socket, tag: str) -> None:  # noqa: ANN001
        for n in range(12):
            await socket.send(
                {"type": "claim.set", "id": f"{tag}{n}", "topic_id": topics[n % len(topics)],
                 "claimed": n % 4 < 2}
            )  # fmt: skip

    await asyncio.gather(*(toggle(s, f"s{i}-") for i, s in enumerate(sockets)))
    seen: list[list[int]] = [[] for _ in sockets]
    for socket, versions in zip(sockets, seen, strict=True):
        replies = 0  # once every command is answered, nothing more is applied
        while replies < 12:
            message = await socket.receive(timeout=5)
            if message["type"] == "state":
                versions.append(message["state"]["version"])
            replies += message["type"] in ("ack", "error")
    final = await version_of(panel_session)
    for socket, versions in zip(sockets, seen, strict=True):
        while not versions or versions[-1] < final:
            message = await socket.receive(timeout=5)
            if message["type"] == "state":
                versions.append(message["state"]["version"])
        assert versions == sorted(versions), versions
        assert versions[-1] == final


async def test_a_presence_reading_older_than_the_last_one_is_ignored(
    panel_session,
    ann,
    connect,  # noqa: ANN001
) -> None:
    _, _, socket = await connect(ann, panel_session)
    state = await socket.state()
    assert ann.pk in {m["id"] for m in state["members"] if m["online"]}
    await asyncio.to_thread(broadcast.presence_changed, panel_session.pk, [], 1.0)
    assert await socket.communicator.receive_nothing(timeout=0.5)
    await asyncio.to_thread(broadcast.presence_changed, panel_session.pk, [], time.time() + 60)
    newer = await socket.state()
    assert not [m for m in newer["members"] if m["online"]]


async def test_a_database_call_on_the_pool_leaves_no_connection_open() -> None:
    """Under pytest connections are not kept (CONN_MAX_AGE 0): each call closes its own, so the
    test database can be dropped; in production the same housekeeping keeps them."""

    def count() -> int:
        return LiveSession.objects.count()

    assert await live_db.db(count)() == 0

    def still_open() -> bool:
        return connections["default"].connection is not None

    futures = [live_db._POOL.submit(still_open) for _ in range(8)]
    assert not any(f.result(timeout=5) for f in futures)


class Listener:
    """A subscriber of one session's channel on an event loop of its own (another process's,
    in effect), as a room subscribes; ``done`` is set once ``count`` state pushes arrived."""

    def __init__(self, group: str, count: int) -> None:
        self.group, self.count = group, count
        self.ready, self.done = threading.Event(), threading.Event()
        self.messages: list[dict[str, Any]] = []
        self.thread = threading.Thread(target=lambda: asyncio.run(self._listen()), daemon=True)
        self.thread.start()
        assert self.ready.wait(timeout=10), "the listener could not subscribe"

    async def _listen(self) -> None:
        arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await live_bus.current().listener().subscribe(self.group, arrived.put_nowait)
        self.ready.set()
        while len(self.messages) < self.count:
            try:
                message = await asyncio.wait_for(arrived.get(), timeout=30)
            except TimeoutError:
                return
            if message["type"] == "session.state":
                self.messages.append(message)
        self.done.set()

    @property
    def versions(self) -> list[int]:
        return [message["version"] for message in self.messages]


def _commits(session_id: int, versions: range) -> None:
    """What the commits of a session publish, from a database thread (``on_commit``)."""
    for version in versions:
        state = {"schema": 1, "version": version, "recent": [[2, f"c{version}"]]}
        broadcast.state_changed(session_id, version, state)


async def test_pushes_go_out_in_commit_order_without_the_serving_loop() -> None:
    """The serving loop is blocked until another loop has received every push: publishing
    from a database thread does not need it."""
    listener = Listener(group_name(990001), count=200)
    await live_db.db(_commits)(990001, range(1, 201))
    assert listener.done.wait(timeout=20)  # blocks this loop: the pushes go out without it
    assert listener.versions == list(range(1, 201))
    # the ids of recent commands stay behind; the rest of the state travels as JSON text
    assert json.loads(listener.messages[0]["state"]) == {"schema": 1, "version": 1}


async def test_without_redis_pushes_reach_the_serving_loop_in_order(
    settings,  # noqa: ANN001
) -> None:
    """The embedded default (no Redis): the process's own bus hands the database threads'
    pushes to the subscribed loop, in commit order."""
    settings.REDIS_URL = None
    bus = live_bus.current()
    assert isinstance(bus, live_bus.LocalBus)
    arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await bus.listener().subscribe(group_name(990002), arrived.put_nowait)
    await live_db.db(_commits)(990002, range(1, 31))
    received = [(await asyncio.wait_for(arrived.get(), 5))["version"] for _ in range(30)]
    assert received == list(range(1, 31))


async def test_a_state_published_while_redis_was_down_is_sent_again_once_it_is_back(
    private_redis,  # noqa: ANN001
) -> None:
    """No socket, no timer: the publisher itself resends the newest state it could not send,
    until the subscriptions that come back after Redis have it."""
    listener = Listener(group_name(990003), count=1)
    private_redis.stop()
    await live_db.db(_commits)(990003, range(7, 10))  # all three fail; 9 is the newest
    private_redis.start()
    assert listener.done.wait(timeout=20)
    assert listener.versions == [9]


def _redis_clients(redis: PrivateRedis) -> int:
    out = subprocess.run(
        ["redis-cli", "-p", str(redis.port), "info", "clients"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(next(line for line in out.splitlines() if line.startswith("connected_clients:"))
               .split(":")[1])  # fmt: skip


async def test_threads_that_come_and_go_leave_no_redis_connection_behind(
    private_redis: PrivateRedis,
) -> None:
    """Under daphne Django runs each request's view in a thread of the request's own, and a
    view may publish (a join, an edit): 40 requests' threads, each publishing twice, in order,
    add no Redis connection per thread (the bus's client pools them; channels-redis, which
    keeps a connection per event loop for good, is not used from them)."""
    listener = Listener(group_name(990004), count=80)
    before = _redis_clients(private_redis)

    def request_thread(n: int) -> None:
        _commits(990004, range(2 * n + 1, 2 * n + 3))

    for n in range(40):  # one after the other, as the requests of one page would come
        thread = threading.Thread(target=request_thread, args=(n,))
        thread.start()
        await asyncio.to_thread(thread.join)
    assert await asyncio.to_thread(listener.done.wait, 20)
    assert listener.versions == list(range(1, 81))
    # The bus client's pooled connection, not one per request thread.
    assert _redis_clients(private_redis) - before <= 2


async def test_a_push_made_on_the_serving_loop_goes_out_through_the_publisher_thread() -> None:
    """Code on an event loop never waits for Redis: its pushes go out from the process's
    publisher thread, in order."""
    listener = Listener(group_name(990005), count=20)
    for version in range(1, 21):  # on this loop, which never blocks for Redis meanwhile
        broadcast.state_changed(990005, version, {"schema": 1, "version": version})
    assert await asyncio.to_thread(listener.done.wait, 20)
    assert listener.versions == list(range(1, 21))
