"""The live bus's wire format and its Redis subscriber (sessions_live/bus.py; docs/protocol.md,
"Between processes"), against the machine's Redis."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import redis

from sessions_live import bus as live_bus


def test_a_state_push_travels_as_a_head_line_and_the_state_text_untouched() -> None:
    text = '{"version":4,"phase":"lobby","note":"line\\nbreak \\"quoted\\""}'
    wire = live_bus.encode({"type": "session.state", "version": 4, "state": text})
    head, body = wire.split(b"\n", 1)
    assert json.loads(head) == {"type": "session.state", "version": 4}
    assert body.decode() == text  # not wrapped, not escaped again
    assert live_bus.decode(wire) == {"type": "session.state", "version": 4, "state": text}


def test_a_presence_push_is_its_head_line_alone() -> None:
    message = {"type": "session.presence", "online": [3, 5], "stamp": 1767225600.25}
    wire = live_bus.encode(message)
    assert wire.endswith(b"\n") and wire.count(b"\n") == 1
    assert live_bus.decode(wire) == message


@pytest.mark.parametrize(
    "data", [b"", b"no newline", b"[1,2]\n", b'{"version":3}\n{}', b"{not json\n", b'"text"\n']
)
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        live_bus.decode(data)


@pytest.fixture
def redis_bus(settings) -> live_bus.RedisBus:  # noqa: ANN001
    return live_bus.RedisBus(settings.REDIS_URL, f"bus-test-{uuid.uuid4().hex[:8]}")


@pytest.mark.asyncio
async def test_a_subscriber_drops_a_malformed_message_and_keeps_receiving(
    redis_bus: live_bus.RedisBus,
) -> None:
    arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    listener = redis_bus.listener()
    await listener.subscribe("session.7", arrived.put_nowait)
    try:
        raw = redis.Redis.from_url(redis_bus.url)
        assert raw.publish(redis_bus.channel("session.7"), b"\xff garbage") == 1
        await asyncio.to_thread(
            redis_bus.publish, "session.7", {"type": "session.presence", "online": [], "stamp": 2}
        )
        got = await asyncio.wait_for(arrived.get(), 5)
        assert got == {"type": "session.presence", "online": [], "stamp": 2}
        assert arrived.empty()
        raw.close()
    finally:
        await listener.close()


@pytest.mark.asyncio
async def test_a_subscription_is_in_place_when_subscribe_returns_and_gone_after(
    redis_bus: live_bus.RedisBus,
) -> None:
    """Redis confirmed the subscription before ``subscribe`` returned: a publish right after
    it reaches the subscriber, and after ``unsubscribe`` nothing does."""
    arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    listener = redis_bus.listener()
    raw = redis.Redis.from_url(redis_bus.url)
    channel = redis_bus.channel("session.8")
    try:
        for round_ in range(20):
            deliver = arrived.put_nowait
            await listener.subscribe("session.8", deliver)
            assert raw.publish(channel, live_bus.encode({"type": "x", "n": round_})) == 1
            assert (await asyncio.wait_for(arrived.get(), 5))["n"] == round_
            await listener.unsubscribe("session.8", deliver)
        for _ in range(100):  # the last UNSUBSCRIBE reaches Redis
            if raw.pubsub_numsub(channel)[0][1] == 0:
                break
            await asyncio.sleep(0.01)
        assert raw.pubsub_numsub(channel)[0][1] == 0
    finally:
        raw.close()
        await listener.close()


def test_publishing_to_a_redis_that_is_away_says_so_and_raises_nothing() -> None:
    from tests.e2e.servers import free_port

    bus = live_bus.RedisBus(f"redis://127.0.0.1:{free_port()}/0", "nobody")
    assert bus.publish("session.1", {"type": "session.presence", "online": [], "stamp": 1}) is False


def test_the_in_process_bus_forgets_a_loop_that_closed_without_unsubscribing() -> None:
    bus = live_bus.LocalBus()
    got: list[dict[str, Any]] = []

    async def subscribe() -> None:
        await bus.subscribe("session.9", got.append)

    asyncio.run(subscribe())  # that loop is closed now
    assert bus.publish("session.9", {"type": "session.presence", "online": [], "stamp": 1})
    assert got == [] and "session.9" not in bus._subscribed
