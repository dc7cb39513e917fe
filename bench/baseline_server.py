"""The bare baseline: a minimal websockets server with the live session's message shapes.

Same URL (``/ws/sessions/<CODE>/``), same frames: every command is answered with an ``ack``
carrying a per-session version, and a ``state`` of the same size as the project's (``?bytes=N``
in the URL) is pushed to every socket of the session. No persistence, no authentication, no
channel layer, one process: what a push costs with nothing else around it.

Run: python bench/baseline_server.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from collections import defaultdict
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

GROUPS: defaultdict[str, set[ServerConnection]] = defaultdict(set)
VERSIONS: defaultdict[str, int] = defaultdict(lambda: 1)
DEFAULT_BYTES = 2000


def state_message(version: int, size: int) -> str:
    head = {"type": "state", "protocol": 1, "state": {"version": version,
            "server_time": time.time(), "phase": "lobby", "pad": ""}}  # fmt: skip
    bare = len(json.dumps(head, separators=(",", ":")))
    head["state"]["pad"] = "x" * max(0, size - bare)
    return json.dumps(head, separators=(",", ":"))


async def handler(ws: ServerConnection) -> None:
    url = urlsplit(ws.request.path if ws.request else "/")
    parts = [p for p in url.path.split("/") if p]
    if len(parts) != 3 or parts[:2] != ["ws", "sessions"]:
        await ws.close(4404)
        return
    code = parts[2]
    size = int(parse_qs(url.query).get("bytes", [DEFAULT_BYTES])[0])
    group = GROUPS[code]
    group.add(ws)
    try:
        await ws.send(state_message(VERSIONS[code], size))  # the current state on connect
        async for raw in ws:
            try:
                frame = json.loads(raw)
            except ValueError:
                await ws.send(json.dumps({"type": "error", "id": None, "code": "bad_json"}))
                continue
            command_id = frame.get("id")
            if frame.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong", "id": command_id,
                                          "server_time": time.time()}))  # fmt: skip
                continue
            VERSIONS[code] += 1
            version = VERSIONS[code]
            await ws.send(json.dumps({"type": "ack", "id": command_id, "version": version,
                                      "duplicate": False}))  # fmt: skip
            message = state_message(version, size)
            for member in list(group):
                try:
                    await member.send(message)
                except ConnectionClosed:
                    pass
    except ConnectionClosed:
        pass
    finally:
        group.discard(ws)
        if not group:
            GROUPS.pop(code, None)


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(handler, "127.0.0.1", port, max_size=64 * 1024, compression=None):
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
