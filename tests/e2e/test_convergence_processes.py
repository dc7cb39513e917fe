"""Defect 9 with real processes: a push that never left the process that committed it.

Two daphne processes share PostgreSQL and Redis. Process A reaches Redis only through a TCP
proxy this test owns; process B reaches it directly. The lead's socket is on A, the
interviewers' on B. The proxy is cut (A can no longer publish), the lead sends a command on A,
which is saved and acknowledged, and then A is killed with ``kill -9``: the push A was holding
for Redis dies with it. The sockets on B must still reach the new stored version within a few
seconds, through B's own stored-version check (every 2 s, plus 0.3 s of grace), with no
deadline, reload or other command in between.

The measured figure is printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.e2e.servers import Server, Stack
from tests.e2e.test_multiprocess import member, owner, ready_session, sql, topic_ids, user_ids

pytestmark = pytest.mark.processes

# timers.CONVERGE_SECONDS (2) + CONVERGE_GRACE_SECONDS (0.3) + a query and the push: ~2.5 s at
# worst on an idle machine. The bound leaves room for a loaded CI machine, and still fails
# long before the block's deadline (a minute away) could deliver anything.
CONVERGE_BOUND = 8.0


class RedisProxy:
    """A TCP proxy to Redis on its own event loop thread; ``cut()`` drops every connection
    and stops listening, so the process behind it finds Redis unreachable (refused)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.forwarded = 0  # bytes that crossed, either way
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self.thread.start()
        self.server = self._call(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]

    def _call(self, coroutine):  # noqa: ANN001, ANN202 - a coroutine run on the proxy's loop
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                self.forwarded += len(data)
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.transport.abort()
            self.writers.discard(writer)

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()  # a reset, as when the network between them goes
        self.writers.clear()

    def cut(self) -> None:
        self._call(self._cut())

    def close(self) -> None:
        if self.server is not None and self.server.is_serving():
            self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def stack(e2e_stack: Stack) -> Stack:
    return e2e_stack


@pytest.fixture
def proxied(stack: Stack) -> Iterator[tuple[Server, Server, RedisProxy]]:
    """(A behind the proxy, B on Redis directly, the proxy): two processes of their own, A
    killed by the test, on the database the other end-to-end tests share."""
    redis = urlparse(stack.env["REDIS_URL"])
    proxy = RedisProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    proxy.start()
    through_proxy = redis._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()
    started: list[Server] = []
    try:
        started.append(stack.start_server(env={"REDIS_URL": through_proxy}))
        started.append(stack.start_server())
        yield started[0], started[1], proxy
    finally:
        proxy.close()
        for server in started:
            server.stop()


async def test_a_push_lost_with_its_process_reaches_the_other_process(stack, proxied) -> None:
    a, b, proxy = proxied
    code, clients = ready_session(stack, [a, b], [("Python", 1), ("Django", 1)])
    ids, topics = user_ids(stack), topic_ids(stack)
    session_id = sql(stack, "SELECT id FROM sessions_live_livesession WHERE code = %s", code)[0][0]
    lena = member(clients, "lena", code, "lena@A")
    ivan = member(clients, "ivan", code, "ivan@B")
    olga = member(clients, "olga", code, "olga@B")
    await lena.connect(a)
    await ivan.connect(b)
    await olga.connect(b)
    try:
        await ivan.do("claim.set", topic_id=topics["Python"], claimed=True)
        await olga.do("claim.set", topic_id=topics["Django"], claimed=True)
        await lena.do("session.start")
        forwarded = proxy.forwarded
        begun = await lena.do("blocks.begin")
        for socket in (ivan, olga):
            await socket.wait_state(lambda s: s["version"] >= begun, 5)
        assert proxy.forwarded > forwarded, "A's pushes did not go through the proxy"
        block = ivan.state["current"]
        assert owner(ivan.state) == ids["ivan"] and block["deadline"] - time.time() > 30

        # A loses Redis. The lead's command on A is saved and acknowledged all the same.
        proxy.cut()
        reply = await lena.send("block.extend", block=block["index"], seconds=120)
        acked_at = time.time()
        assert reply["type"] == "ack", reply
        extended = int(reply["version"])
        assert extended == begun + 1
        stored = sql(
            stack, "SELECT version FROM sessions_live_livesession WHERE id = %s", session_id
        )
        assert stored == [(extended,)]
        # B has not heard of it: its only way was A's publish.
        assert ivan.state["version"] == olga.state["version"] == begun

        # A dies with the push it held for Redis.
        a.kill()
        await lena.wait_closed(5)

        # B's sockets reach the stored version on their own, long before any deadline.
        taken = []
        for socket in (ivan, olga):
            arrival, state = await socket.wait_state(
                lambda s: s["version"] >= extended, CONVERGE_BOUND + 2
            )
            taken.append(arrival - acked_at)
            assert state["version"] == extended
            assert state["current"]["deadline"] == block["deadline"] + 120
            assert state["current"]["index"] == block["index"]
        worst = max(taken)
        print(
            f"\n[convergence] kill -9 after a cut from Redis: B shows the stored version "
            f"{worst:.3f} s after the ack (ivan {taken[0]:.3f} s, olga {taken[1]:.3f} s)"
        )
        assert worst <= CONVERGE_BOUND, taken
        # Nothing newer came by: the version the check delivered is the one A stored.
        assert {s["version"] for _at, s in ivan.states if s["version"] > begun} == {extended}

        # And B serves on: a command there is applied on top of the converged state.
        key = ivan.state["current"]["question"]["key"]
        after = await ivan.do("question.next", question=key, score=3)
        assert after == extended + 1
        await olga.wait_state(lambda s: s["version"] >= after, 5)
    finally:
        for socket in (lena, ivan, olga):
            await socket.close()
