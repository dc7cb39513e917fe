"""Several real daphne processes behind one PostgreSQL and one Redis, driven over HTTP and
WebSocket only, the way browsers behind a balancer would drive them.

* members on different processes see each other's claims and conflicts;
* a block's deadline hands control over on time without any client command;
* ``kill -9`` of a process mid-block loses nothing: its clients reconnect to the survivor and
  get exactly the survivor's current state, the survivor's timers keep running, and the dead
  process's connections stop counting as online.

Timings measured here are printed (``pytest -s``) and kept in ``FIGURES``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.servers import DEMO_PASSWORD, Server, Stack, postgres_stack

pytestmark = pytest.mark.processes
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here

# A hand-over may arrive at most this late after the deadline carried in the state before it.
LATE_BOUND = 1.5
# presence.py: a process beating every 5 s is dead after 15 s; a live one sweeps every 5 s.
HEAL_BOUND = 30
FIGURES: dict[str, float] = {}

State = dict[str, Any]


# --- the stack ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with postgres_stack(tmp_path_factory.mktemp("multiprocess")) as running:
        yield running


@pytest.fixture(scope="module")
def servers(stack: Stack) -> tuple[Server, Server]:
    """Two processes on two ports, sharing the database and the channel layer."""
    return stack.start_server(), stack.start_server()


def sql(stack: Stack, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


# --- HTTP: logging in, creating and joining a session ---------------------------------------


def login(server: Server, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=20)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text
    response = client.post(
        "/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
        headers={"Referer": f"{server.url}/login/"},
    )
    assert response.status_code == 302, response.text
    assert client.cookies.get("sessionid"), "login set no session cookie"
    return client


def _post(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(
        path,
        data={**data, "csrfmiddlewaretoken": client.cookies["csrftoken"]},
        headers={"Referer": f"{client.base_url}{path}"},
    )


def create_session(stack: Stack, lead: httpx.Client, topics: list[tuple[str, float]]) -> str:
    """As the lead, fill in the new-session form with ``topics`` (name, minutes) in order."""
    all_topics = sql(stack, "SELECT id, name FROM questionbank_topic ORDER BY name")
    chosen = {name: (position, minutes) for position, (name, minutes) in enumerate(topics, 1)}
    assert set(chosen) <= {name for _id, name in all_topics}
    data = {
        "full_name": "Casey Candidate",
        "email": "casey@example.com",
        "shuffle": "0",
        "intro_text": "Hello.",
        "closing_text": "Thank you.",
    }
    for topic_id, name in all_topics:
        position, minutes = chosen.get(name, (90, 1))
        data[f"topic_{topic_id}_position"] = str(position)
        data[f"topic_{topic_id}_minutes"] = str(minutes)
        if name in chosen:
            data[f"topic_{topic_id}_on"] = "on"
    lead.get("/sessions/new/")  # the csrftoken cookie
    response = _post(lead, "/sessions/new/", data)
    assert response.status_code == 302, response.text[:3000]
    found = re.fullmatch(r"/s/([A-Z0-9-]+)/", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def join(client: httpx.Client, code: str) -> None:
    client.get(f"/s/{code}/join/")
    response = _post(client, f"/s/{code}/join/", {})
    assert response.status_code == 302, response.text[:3000]
    assert response.headers["location"] == f"/s/{code}/"


def topic_ids(stack: Stack) -> dict[str, int]:
    return {
        name: topic_id for topic_id, name in sql(stack, "SELECT id, name FROM questionbank_topic")
    }


def user_ids(stack: Stack) -> dict[str, int]:
    return {name: pk for pk, name in sql(stack, "SELECT id, username FROM accounts_user")}


# --- WebSocket: one member's socket ---------------------------------------------------------


class Member:
    """One open live page: a socket to some process, every frame kept with its arrival time."""

    def __init__(self, label: str, sessionid: str, code: str) -> None:
        self.label = label
        self.sessionid = sessionid
        self.code = code
        self.states: list[tuple[float, State]] = []  # (arrival, view), across reconnects
        self.replies: dict[str, dict[str, Any]] = {}
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.closed_at: float | None = None
        self.server: Server | None = None

    async def connect(self, server: Server, timeout: float = 10) -> float:
        """Open a socket to ``server``; return the seconds until its first state arrived."""
        began = time.time()
        mark = self.mark()
        self.server = server
        self.closed_at = None
        self.ws = await connect(
            f"ws://127.0.0.1:{server.port}/ws/sessions/{self.code}/",
            additional_headers={"Cookie": f"sessionid={self.sessionid}"},
            origin=server.url,
            open_timeout=timeout,
        )
        self.reader = asyncio.create_task(self._read(self.ws))
        arrival, _state = await self.wait_state(lambda s: True, timeout, since=mark)
        return arrival - began

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                arrival = time.time()
                message = json.loads(raw)
                if message["type"] == "state":
                    assert message["protocol"] == 1
                    self.states.append((arrival, message["state"]))
                elif message.get("id"):
                    self.replies[message["id"]] = message
        except ConnectionClosed:
            pass
        finally:
            self.closed_at = time.time()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader

    def mark(self) -> int:
        return len(self.states)

    @property
    def state(self) -> State:
        assert self.states, f"{self.label} has no state yet"
        return self.states[-1][1]

    async def send(
        self, type_: str, timeout: float = 10, command_id: str = "", **fields: Any
    ) -> dict[str, Any]:
        """Send one command; return its ack or error."""
        assert self.ws is not None
        command_id = command_id or uuid.uuid4().hex
        self.replies.pop(command_id, None)
        await self.ws.send(json.dumps({"type": type_, "id": command_id, **fields}))
        reply = await _until(lambda: self.replies.get(command_id), timeout, f"{type_} reply")
        return reply

    async def do(self, type_: str, **fields: Any) -> int:
        """Send a command that must be applied; return the version it made."""
        reply = await self.send(type_, **fields)
        assert reply["type"] == "ack", (self.label, type_, reply)
        return int(reply["version"])

    async def wait_state(
        self, predicate: Callable[[State], bool], timeout: float, since: int = 0
    ) -> tuple[float, State]:
        """The first state (from index ``since``) that satisfies ``predicate``, and its arrival."""

        def check() -> tuple[float, State] | None:
            for arrival, state in self.states[since:]:
                if predicate(state):
                    return arrival, state
            return None

        return await _until(check, timeout, f"a state for {self.label}", self)

    async def wait_closed(self, timeout: float) -> float:
        return await _until(lambda: self.closed_at, timeout, f"{self.label} to close")


async def _until(check: Callable[[], Any], timeout: float, what: str, member: Any = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            last = member.states[-1][1] if member is not None and member.states else None
            raise AssertionError(f"timed out waiting for {what}; last state: {last}")
        await asyncio.sleep(0.005)


def online(state: State) -> set[int]:
    return {m["id"] for m in state["members"] if m["online"]}


def owner(state: State) -> int | None:
    return state["current"]["owner"] if state["current"] else None


def comparable(view: State) -> State:
    """A view without the parts that depend on the instant it was built."""
    view = json.loads(json.dumps(view))
    view.pop("server_time")
    if view["current"] is not None:
        view["current"].pop("remaining")
    return view


def shared(view: State) -> State:
    """The parts of a view that are the same for every member."""
    view = comparable(view)
    for key in ("me", "is_lead", "my_questions", "feedback_open", "my_feedback", "can"):
        view.pop(key)
    if view["current"] is not None:
        view["current"].pop("asked")
    return view


def note(name: str, value: float) -> None:
    FIGURES[name] = value
    print(f"\n[multiprocess] {name}: {value:.3f} s")


def ready_session(
    stack: Stack, servers: list[Server], topics: list[tuple[str, float]]
) -> tuple[str, dict[str, httpx.Client]]:
    """A session led by lena with ivan and olga joined (over HTTP, on different processes)."""
    clients = {
        "lena": login(servers[0], "lena"),
        "ivan": login(servers[1 % len(servers)], "ivan"),
        "olga": login(servers[0], "olga"),
    }
    code = create_session(stack, clients["lena"], topics)
    join(clients["ivan"], code)
    join(clients["olga"], code)
    return code, clients


def member(clients: dict[str, httpx.Client], name: str, code: str, label: str = "") -> Member:
    return Member(label or name, clients[name].cookies["sessionid"], code)


# --- 1. claims and conflicts across processes -----------------------------------------------


async def test_members_on_different_processes_see_each_others_claims(stack, servers) -> None:
    a, b = servers
    code, clients = ready_session(stack, [a, b], [("Python", 1), ("Django", 1)])
    ids, topics = user_ids(stack), topic_ids(stack)
    lena = member(clients, "lena", code)
    ivan = member(clients, "ivan", code)
    olga = member(clients, "olga", code)
    await lena.connect(a)
    await ivan.connect(b)
    await olga.connect(a)
    sockets = [lena, ivan, olga]
    try:
        everyone = {ids["lena"], ids["ivan"], ids["olga"]}
        for socket in (lena, ivan, olga):  # presence is shared by the processes too
            await socket.wait_state(lambda s: online(s) == everyone, 5)

        # ivan (process B) claims Python: lena and olga (process A) see it.
        version = await ivan.do("claim.set", topic_id=topics["Python"], claimed=True)
        for socket in (lena, olga, ivan):
            _at, state = await socket.wait_state(lambda s, v=version: s["version"] >= v, 5)
            python = next(t for t in state["topics"] if t["id"] == topics["Python"])
            assert python["claimants"] == [ids["ivan"]] and not python["conflict"]

        # olga (A) claims Python too: ivan (B) sees the conflict, with both names.
        version = await olga.do("claim.set", topic_id=topics["Python"], claimed=True)
        _at, state = await ivan.wait_state(lambda s: s["version"] >= version, 5)
        assert state["version"] == version
        assert state["conflicts"] == [
            {
                "topic_id": topics["Python"],
                "topic": "Python",
                "members": sorted([ids["ivan"], ids["olga"]]),
            }
        ]
        assert not state["ready"]

        # lena (A) claims Django, olga (A) withdraws from Python: B sees a resolved, ready lobby.
        await lena.do("claim.set", topic_id=topics["Django"], claimed=True)
        version = await olga.do("claim.set", topic_id=topics["Python"], claimed=False)
        _at, state = await ivan.wait_state(lambda s: s["version"] >= version, 5)
        assert state["conflicts"] == [] and state["ready"]
        assert [t["claimants"] for t in state["topics"]] == [[ids["ivan"]], [ids["lena"]]]
        _at, on_a = await lena.wait_state(lambda s: s["version"] >= version, 5)
        assert shared(on_a) == shared(state)

        # Rules hold whichever process a command reaches.
        reply = await ivan.send("session.start")
        assert reply["type"] == "error" and reply["code"] == "not_lead"

        # A command retried on another process (after a lost reply) is not applied twice.
        ivan_on_a = member(clients, "ivan", code, "ivan@A")
        await ivan_on_a.connect(a)
        sockets.append(ivan_on_a)
        retried = uuid.uuid4().hex
        first = await ivan.send(
            "claim.set", command_id=retried, topic_id=topics["Django"], claimed=True
        )
        assert first["type"] == "ack" and not first["duplicate"]
        again = await ivan_on_a.send(
            "claim.set", command_id=retried, topic_id=topics["Django"], claimed=True
        )
        assert again == {**first, "duplicate": True}
        _at, state = await lena.wait_state(lambda s: s["version"] >= first["version"], 5)
        assert state["conflicts"][0]["members"] == sorted([ids["ivan"], ids["lena"]])
        assert lena.state["version"] == first["version"]
    finally:
        for socket in sockets:
            await socket.close()


# --- 2. a deadline hands control over, on time, with no client command ----------------------


async def test_deadline_hands_over_on_time_without_any_command(stack, servers) -> None:
    a, b = servers
    code, clients = ready_session(stack, [a, b], [("Python", 0.05), ("Django", 0.05)])
    ids, topics = user_ids(stack), topic_ids(stack)
    lena = member(clients, "lena", code)
    ivan = member(clients, "ivan", code)
    olga = member(clients, "olga", code)
    await lena.connect(a)
    await ivan.connect(b)
    await olga.connect(b)
    try:
        await ivan.do("claim.set", topic_id=topics["Python"], claimed=True)
        await olga.do("claim.set", topic_id=topics["Django"], claimed=True)
        await lena.do("session.start")
        version = await lena.do("blocks.begin")
        _at, first = await lena.wait_state(lambda s: s["version"] >= version, 5)
        assert first["phase"] == "blocks" and owner(first) == ids["ivan"]
        assert first["next"]["owner"] == ids["olga"]
        deadline = first["current"]["deadline"]
        assert first["next"]["starts_at"] == deadline

        # Nobody sends anything now. Every socket, on either process, gets olga's block.
        lateness = []
        for socket in (lena, ivan, olga):
            arrival, state = await socket.wait_state(lambda s: owner(s) == ids["olga"], 3 + 5)
            assert state["control"] == ids["olga"]
            assert state["current"]["started_at"] == deadline  # starts at the deadline exactly
            assert [line["status"] for line in state["blocks"]] == ["done", "current"]
            assert state["current"]["deadline"] == deadline + 3  # 0.05 minutes
            lateness.append(arrival - deadline)
        note("hand-over lateness (worst of 3 sockets, 2 processes)", max(lateness))
        assert max(lateness) <= LATE_BOUND, lateness
        assert min(lateness) >= 0, "the hand-over arrived before its deadline"

        # The last deadline closes the session, again with no command.
        second = deadline + 3
        for socket in (lena, ivan, olga):
            arrival, state = await socket.wait_state(lambda s: s["phase"] == "closing", 3 + 5)
            assert state["control"] == ids["lena"] and state["current"] is None
            lateness.append(arrival - second)
        note("closing lateness (worst of 3 sockets)", max(lateness[3:]))
        assert max(lateness) <= LATE_BOUND, lateness
        # One hand-over, one version each: the two processes did not both apply it.
        handed = [s["version"] for _at, s in lena.states if owner(s) == ids["olga"]]
        closed = [s["version"] for _at, s in lena.states if s["phase"] == "closing"]
        assert handed[0] == first["version"] + 1 and closed[0] == first["version"] + 2
    finally:
        for socket in (lena, ivan, olga):
            await socket.close()


# --- 3. kill -9 of a process mid-block ------------------------------------------------------


async def test_kill_9_mid_block_loses_nothing_and_heals(stack, servers) -> None:
    survivor, _b = servers
    victim = stack.start_server()  # its own process, so the other tests keep theirs
    code, clients = ready_session(stack, [survivor, victim], [("Python", 0.1), ("Django", 0.1)])
    ids, topics = user_ids(stack), topic_ids(stack)
    session_id = sql(stack, "SELECT id FROM sessions_live_livesession WHERE code = %s", code)[0][0]
    # On the survivor: lena and ivan. On the victim: a second page of each, and olga's only one.
    lena = member(clients, "lena", code)
    ivan = member(clients, "ivan", code)
    lena2 = member(clients, "lena", code, "lena@victim")
    ivan2 = member(clients, "ivan", code, "ivan@victim")
    olga = member(clients, "olga", code, "olga@victim")
    for socket, server in ((lena, survivor), (ivan, survivor), (lena2, victim), (ivan2, victim)):
        await socket.connect(server)
    await olga.connect(victim)
    sockets = (lena, ivan, lena2, ivan2, olga)
    try:
        # Claims made through the victim; start and begin through the survivor.
        await ivan2.do("claim.set", topic_id=topics["Python"], claimed=True)
        await olga.do("claim.set", topic_id=topics["Django"], claimed=True)
        await lena.do("session.start")
        await lena.do("blocks.begin")
        # ivan scores two questions through the victim.
        await ivan2.wait_state(lambda s: owner(s) == ids["ivan"] and s["current"]["question"], 5)
        first_key = ivan2.state["current"]["question"]["key"]
        version = await ivan2.do(
            "question.next", question=first_key, score=4, note="solid on generators"
        )
        await ivan2.wait_state(lambda s, v=version: s["version"] >= v, 5)
        second_key = ivan2.state["current"]["question"]["key"]
        version = await ivan2.do(
            "question.next", question=second_key, score=2, note="unsure about the GIL"
        )
        for socket in sockets:
            await socket.wait_state(lambda s, v=version: s["version"] >= v, 5)
        # What the pages on the survivor show just before the kill.
        before = {"ivan": comparable(ivan.state), "lena": comparable(lena.state)}
        assert before["lena"]["version"] == version
        assert before["ivan"]["version"] == version and owner(before["ivan"]) == ids["ivan"]
        assert [(q["score"], q["note"]) for q in before["ivan"]["current"]["asked"]] == [
            (4, "solid on generators"),
            (2, "unsure about the GIL"),
        ]
        deadline = before["ivan"]["current"]["deadline"]
        assert deadline - time.time() > 2, "the block is too short to kill mid-block"

        # kill -9 the victim mid-block.
        after_kill = lena.mark()
        killed_at = time.time()
        victim.kill()
        for socket in (lena2, ivan2, olga):
            await socket.wait_closed(5)

        # Its pages reconnect to the survivor and get exactly the survivor's current state.
        reconnect = []
        for socket, same_user, name in ((ivan2, ivan, "ivan"), (lena2, lena, "lena")):
            mark = socket.mark()
            await socket.connect(survivor)
            arrival, fresh = socket.states[mark]
            reconnect.append(arrival - killed_at)
            assert fresh["version"] == same_user.state["version"] == version
            assert comparable(fresh) == comparable(same_user.state)
            assert comparable(fresh) == before[name]  # nothing recorded through the victim is lost
        note("kill -9 to the exact state on the survivor (worst of 2 pages)", max(reconnect))
        assert time.time() < deadline, "reconnecting took the whole block"

        # Recorded, not just shown: the scores and the claims are in the database.
        rows = sql(
            stack,
            "SELECT block_index, key, owner_id, score, note, skipped FROM "
            "sessions_live_askedquestion WHERE session_id = %s ORDER BY asked_at, id",
            session_id,
        )
        assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [
            (0, ids["ivan"], 4, "solid on generators", False),
            (0, ids["ivan"], 2, "unsure about the GIL", False),
        ]
        assert rows[0][1] == first_key
        (stored,) = sql(
            stack, "SELECT state, version FROM sessions_live_livesession WHERE id = %s", session_id
        )
        assert stored[1] == version
        assert [t["claimants"] for t in stored[0]["topics"]] == [[ids["ivan"]], [ids["olga"]]]

        # The survivor's timer hands over on time (olga, the next owner, is not even connected).
        lateness = []
        for socket in (lena, ivan, lena2, ivan2):
            arrival, state = await socket.wait_state(lambda s: owner(s) == ids["olga"], 6 + 5)
            assert state["current"]["started_at"] == deadline
            lateness.append(arrival - deadline)
        note("hand-over lateness after the kill (worst of 4 sockets)", max(lateness))
        assert max(lateness) <= LATE_BOUND, lateness

        # Presence heals: olga's page died with the victim and counts as offline again.
        assert ids["olga"] in online(lena.states[after_kill - 1][1])
        # The victim's last heartbeat (every 5 s) goes stale after 15 s and the survivor's next
        # sweep (every 5 s) pushes the correction: 10-20 s after the kill, with room for load.
        arrival, _state = await lena.wait_state(
            lambda s: ids["olga"] not in online(s), HEAL_BOUND, since=after_kill
        )
        note("kill -9 to olga shown offline", arrival - killed_at)
        assert online(lena.state) == {ids["lena"], ids["ivan"]}
        leftover = sql(
            stack,
            "SELECT user_id FROM sessions_live_connection WHERE session_id = %s ORDER BY user_id",
            session_id,
        )
        assert sorted(r[0] for r in leftover) == sorted(
            [ids["lena"], ids["lena"], ids["ivan"], ids["ivan"]]
        )

        # olga comes back (to the survivor) and is given the current state, and shown online.
        mark = lena.mark()
        await olga.connect(survivor)
        await lena.wait_state(lambda s: ids["olga"] in online(s), 5, since=mark)
        assert shared(olga.state)["version"] == lena.state["version"]
        assert {k: v for k, v in shared(olga.state).items() if k != "members"} == {
            k: v for k, v in shared(lena.state).items() if k != "members"
        }
    finally:
        for socket in sockets:
            await socket.close()
