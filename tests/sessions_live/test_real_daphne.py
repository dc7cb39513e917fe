"""Issue 12 against a real daphne (PostgreSQL, Redis): the origin's
port counts, deep nesting does not kill a socket, sign-out closes it with 4410, a 6th socket
of one member is closed with 4429."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.servers import Server, Stack, postgres_stack
from tests.e2e.test_multiprocess import _post, ready_session

pytestmark = pytest.mark.processes


@pytest.fixture(scope="module")
def daphne(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Server]]:
    with postgres_stack(tmp_path_factory.mktemp("abuse")) as stack:
        yield stack, stack.start_server()


@pytest.fixture(scope="module")
def session(daphne: tuple[Stack, Server]) -> tuple[str, dict[str, Any]]:
    stack, server = daphne
    return ready_session(stack, [server], [("Python", 1), ("Django", 1)])


async def open_ws(
    server: Server, code: str, sessionid: str, origin: str | None = None
) -> ClientConnection:
    return await connect(
        f"ws://127.0.0.1:{server.port}/ws/sessions/{code}/",
        additional_headers={"Cookie": f"sessionid={sessionid}"},
        origin=origin or server.url,  # type: ignore[arg-type]
        open_timeout=10,
    )


async def reply(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] == kind:
            return message


async def closed_code(ws: ClientConnection) -> int | None:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    except ConnectionClosed:
        pass
    assert ws.close_code is not None
    return ws.close_code


async def test_the_origins_port_and_scheme_count(daphne, session) -> None:  # noqa: ANN001
    _, server = daphne
    code, clients = session
    sessionid = clients["ivan"].cookies["sessionid"]
    for origin in (f"http://127.0.0.1:{server.port + 1}", f"https://127.0.0.1:{server.port}"):
        with pytest.raises(InvalidStatus) as refused:
            await open_ws(server, code, sessionid, origin)
        assert refused.value.response.status_code == 403
    ws = await open_ws(server, code, sessionid)
    assert (await reply(ws, "state"))["state"]["phase"] == "lobby"
    await ws.close()


async def test_deep_nesting_is_an_error_frame_on_a_real_socket(daphne, session) -> None:  # noqa: ANN001
    _, server = daphne
    code, clients = session
    ws = await open_ws(server, code, clients["olga"].cookies["sessionid"])
    await reply(ws, "state")
    await ws.send("[" * 60_000)
    assert (await reply(ws, "error"))["code"] == "bad_frame"
    await ws.send(json.dumps({"type": "ping", "id": "p"}))
    assert (await reply(ws, "pong"))["id"] == "p"
    await ws.close()


async def test_a_sixth_socket_is_closed_with_4429(daphne, session) -> None:  # noqa: ANN001
    _, server = daphne
    code, clients = session
    sessionid = clients["lena"].cookies["sessionid"]
    sockets = [await open_ws(server, code, sessionid) for _ in range(5)]
    for ws in sockets:
        await reply(ws, "state")
    sixth = await open_ws(server, code, sessionid)
    why = await reply(sixth, "error")
    assert why["code"] == "too_many_sockets" and "5" in why["message"]
    assert await closed_code(sixth) == 4429
    for ws in sockets:
        await ws.close()


async def test_signing_out_closes_the_socket_with_4410(daphne, session) -> None:  # noqa: ANN001
    _, server = daphne
    code, clients = session
    ivan = clients["ivan"]
    ws = await open_ws(server, code, ivan.cookies["sessionid"])
    await reply(ws, "state")
    response = await asyncio.to_thread(_post, ivan, "/logout/", {})
    assert response.status_code in (200, 302)
    assert await closed_code(ws) == 4410
