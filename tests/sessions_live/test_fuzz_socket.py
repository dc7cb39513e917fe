"""A few hundred random frames through a real socket (Redis channel layer, PostgreSQL): every
frame gets an ack, an error or a pong, and the socket stays open (issue 12). The parser
itself is fuzzed with many thousand frames in tests/arbiter/test_fuzz_frames.py."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

import arbiter
from arbiter.registry import COMMANDS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

FRAMES = 300
ODD_TEXT = ["", "\x00", "\ud800", "\udfff", "é", "👩\u200d💻", "\x7f", "a" * 2001, "t1q1", "0"]
ODD_SCALARS: list[Any] = [None, True, False, 0, -1, 1, 5, 10**30, 2**63, 1.5, float("nan"),
                          float("inf"), -float("inf"), *ODD_TEXT]  # fmt: skip


def value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.6:
        return rng.choice(ODD_SCALARS)
    if roll < 0.8:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(ODD_TEXT): value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def frame_text(rng: random.Random, topics: list[int], n: int) -> str:
    roll = rng.random()
    if roll < 0.1:  # not JSON, or too deep, or not text a browser could send
        return rng.choice(["{", "nul\x00", "[" * rng.randint(1, 60_000), "\ud800", "1" * 5000])
    if roll < 0.2:
        return json.dumps(value(rng))
    frame_type = rng.choice([*arbiter.ALL_COMMAND_TYPES, "ping", "member.join", "x"])
    frame: dict[str, Any] = {
        "type": frame_type,
        "id": f"f{n}" if rng.random() < 0.8 else value(rng),
    }
    spec = COMMANDS.frame_type(frame_type)
    for name, rule in (spec.fields if spec is not None else {}).items():
        if rng.random() < 0.8:
            frame[name] = {
                "int": lambda: rng.choice([rng.randint(-2, 8), value(rng)]),
                "index": lambda: rng.choice([0, 1, 10_001, value(rng)]),
                "bool": lambda: rng.choice([True, False, value(rng)]),
                "str": lambda: rng.choice(["note", *ODD_TEXT]),
                "key": lambda: rng.choice(["t1q1", *ODD_TEXT]),
                "items": lambda: rng.choice([{}, {"t1q1": "ok"}, value(rng)]),
            }[rule.kind]()
    if frame_type == "claim.set" and rng.random() < 0.5:
        frame["topic_id"] = rng.choice(topics)
    if rng.random() < 0.1:
        frame[rng.choice(ODD_TEXT)] = value(rng)
    return json.dumps(frame)


async def test_random_frames_each_get_an_answer_and_the_socket_stays(
    panel_session, ann, connect, settings
) -> None:  # noqa: ANN001
    settings.WS_RATE_PER_SECOND = settings.WS_RATE_BURST = 100_000  # not what is tested here
    _, _, socket = await connect(ann, panel_session)
    topics = [topic["id"] for topic in (await socket.state())["topics"]]
    rng = random.Random(12)
    documented = {*arbiter.ALL_CODES, "rate_limited", "unavailable"}
    answers: dict[str, int] = {}
    for n in range(FRAMES):
        await socket.send(frame_text(rng, topics, n))
        reply = await socket.receive()
        while reply["type"] == "state":  # pushes of what an applied command changed
            reply = await socket.receive()
        assert reply["type"] in ("ack", "error", "pong"), reply
        if reply["type"] == "error":
            assert reply["code"] in documented, reply
            assert reply["message"]
        answers[reply.get("code", reply["type"])] = (
            answers.get(reply.get("code", reply["type"]), 0) + 1
        )
    assert sum(answers.values()) == FRAMES
    assert answers.get("ack", 0) > 0 and "bad_frame" in answers and "bad_json" in answers
    await socket.send({"type": "ping", "id": "last"})
    assert (await socket.next_of("pong"))["id"] == "last"
