"""The live-session socket: who may connect, what bad frames get, and that commands apply once."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from sessions_live import broadcast
from sessions_live.hub import hub
from sessions_live.models import LiveSession
from tests.sessions_live.conftest import make_session

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def online(state: dict[str, Any]) -> set[int]:
    return {m["id"] for m in state["members"] if m["online"]}


async def version_of(session: LiveSession) -> int:
    return await database_sync_to_async(lambda: LiveSession.objects.get(pk=session.pk).version)()


async def test_a_member_gets_the_current_state_at_once(panel_session, ann, connect) -> None:  # noqa: ANN001
    connected, _, socket = await connect(ann, panel_session)
    assert connected
    state = await socket.state()
    assert state["phase"] == "lobby"
    assert state["me"] == ann.pk
    assert state["version"] == await version_of(panel_session)
    assert {m["id"] for m in state["members"]} >= {ann.pk}
    assert "claim.set" in state["can"]


async def test_a_non_member_is_refused_with_4403(panel_session, outsider, connect) -> None:  # noqa: ANN001
    _, _, socket = await connect(outsider, panel_session)
    assert await socket.communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4403,
    }


async def test_an_anonymous_visitor_is_refused_with_4401(panel_session, connect) -> None:  # noqa: ANN001
    _, _, socket = await connect(None, panel_session)
    assert await socket.communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_a_foreign_origin_is_refused_at_the_handshake(panel_session, ann, connect) -> None:  # noqa: ANN001
    connected, _, _ = await connect(ann, panel_session, origin=b"http://evil.example.com")
    assert connected is False


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_request"),
        (json.dumps({"type": "teleport", "id": "x1"}), "unknown_type"),
        (
            json.dumps({"type": "claim.set", "id": "x2", "topic_id": "one", "claimed": True}),
            "bad_request",
        ),
        (
            json.dumps(
                {"type": "claim.set", "id": "x3", "topic_id": 1, "claimed": True, "extra": 1}
            ),
            "bad_request",
        ),
        (json.dumps({"type": "session.start", "id": "x4"}), "not_lead"),
        (json.dumps({"type": "question.next", "id": "x5", "score": 1, "question": "0:0"}), "stale"),
        ("x" * (64 * 1024 + 1), "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_change_nothing(
    panel_session, ann, connect, frame, code
) -> None:  # noqa: ANN001
    _, _, socket = await connect(ann, panel_session)
    before = await socket.state()
    await socket.send(frame)
    error = await socket.next_of("error")
    assert error["code"] == code
    assert error["message"]
    assert await version_of(panel_session) == before["version"]
    # The connection stays: a ping still answers.
    await socket.send({"type": "ping", "id": "p1"})
    assert (await socket.next_of("pong"))["id"] == "p1"


async def test_a_repeated_command_id_is_applied_once(panel_session, ann, connect) -> None:  # noqa: ANN001
    _, _, socket = await connect(ann, panel_session)
    before = await socket.state()
    topic_id = before["topics"][0]["id"]
    claim = {"type": "claim.set", "id": "same-id", "topic_id": topic_id, "claimed": True}
    await socket.send(claim)
    first = await socket.next_of("ack")
    assert first["duplicate"] is False
    await socket.send({**claim, "claimed": False})  # same id: must not be applied
    # The state of the first may come before or after the second's ack: keep what comes.
    states = []
    while (message := await socket.receive())["type"] != "ack":
        states += [message["state"]] if message["type"] == "state" else []
    second = message
    assert second == {
        "type": "ack",
        "id": "same-id",
        "version": first["version"],
        "duplicate": True,
    }
    assert await version_of(panel_session) == before["version"] + 1
    state = next((s for s in states if s["version"] == first["version"]), None)
    state = state or await socket.state(where=lambda s: s["version"] == first["version"])
    assert state["topics"][0]["claimants"] == [ann.pk]


async def test_claims_and_conflicts_reach_every_member(panel_session, ann, bob, connect) -> None:  # noqa: ANN001
    _, _, ann_socket = await connect(ann, panel_session)
    _, _, bob_socket = await connect(bob, panel_session)
    topic_id = (await ann_socket.state())["topics"][0]["id"]
    await bob_socket.state()
    await ann_socket.send({"type": "claim.set", "id": "a1", "topic_id": topic_id, "claimed": True})
    await bob_socket.send({"type": "claim.set", "id": "b1", "topic_id": topic_id, "claimed": True})
    seen_by_ann = await ann_socket.state(where=lambda s: bool(s["conflicts"]))
    assert seen_by_ann["conflicts"] == [
        {"topic_id": topic_id, "topic": "Topic 1", "members": sorted([ann.pk, bob.pk])}
    ]
    assert seen_by_ann["ready"] is False


async def test_presence_shows_who_is_connected(panel_session, ann, bob, connect) -> None:  # noqa: ANN001
    _, _, ann_socket = await connect(ann, panel_session)
    await ann_socket.state()
    _, _, bob_socket = await connect(bob, panel_session)
    state = await ann_socket.state(where=lambda s: bob.pk in online(s))
    assert online(state) == {ann.pk, bob.pk}
    await bob_socket.communicator.disconnect()
    state = await ann_socket.state(where=lambda s: bob.pk not in online(s))
    assert online(state) == {ann.pk}


async def test_a_flood_is_rate_limited_and_the_connection_stays(
    panel_session, ann, connect
) -> None:  # noqa: ANN001
    # The rate buckets' clock (read once per frame) stands still for the 80 frames of the
    # flood, then moves on 2 s: the bucket refills and the next ping is answered.
    frames = itertools.count()
    hub().monotonic = lambda: 1000.0 if next(frames) < 80 else 1002.0
    _, _, socket = await connect(ann, panel_session)
    await socket.state()
    for n in range(80):
        await socket.send({"type": "ping", "id": f"f{n}"})
    await socket.send({"type": "ping", "id": "after"})
    kinds = []
    while (message := await socket.receive())["type"] != "pong" or message["id"] != "after":
        kinds.append(message["type"])
    # A burst of 40 answered, the other 40 dropped with one error (one a second at most).
    assert kinds.count("pong") == settings.WS_RATE_BURST
    assert kinds.count("error") == 1


async def test_the_server_hands_control_over_at_the_deadline(
    lead, ann, bob, connect, clock
) -> None:  # noqa: ANN001
    session = await database_sync_to_async(make_session)(lead, [ann, bob], seconds=(60, 60))
    _, _, lead_socket = await connect(lead, session)
    _, _, ann_socket = await connect(ann, session)
    _, _, bob_socket = await connect(bob, session)
    state = await lead_socket.state()
    first, second = (topic["id"] for topic in state["topics"])
    await ann_socket.send({"type": "claim.set", "id": "a", "topic_id": first, "claimed": True})
    await bob_socket.send({"type": "claim.set", "id": "b", "topic_id": second, "claimed": True})
    await lead_socket.state(where=lambda s: s["ready"])
    await lead_socket.send({"type": "session.start", "id": "s"})
    await lead_socket.state(where=lambda s: s["phase"] == "intro")
    await lead_socket.send({"type": "blocks.begin", "id": "g"})
    block = await ann_socket.state(where=lambda s: s["phase"] == "blocks")
    assert block["current"]["owner"] == ann.pk
    assert "question.next" in block["can"]
    assert block["current"]["deadline"] == clock.now() + 60
    # No command: the server's timer alone moves control to Bob, then to the closing. The
    # clock moves past each deadline; the process's wake-up is set again by it and fires.
    clock.move(60.5)
    hub().timers.clock_moved()
    handed = await bob_socket.state(
        where=lambda s: s["current"] and s["current"]["owner"] == bob.pk
    )
    assert "question.next" in handed["can"]
    # The next block starts at the deadline, not at the late wake-up.
    assert handed["current"]["started_at"] == block["current"]["deadline"]
    clock.move(60)
    hub().timers.clock_moved()
    closing = await lead_socket.state(where=lambda s: s["phase"] == "closing")
    assert "session.finish" in closing["can"]


async def test_a_timer_that_finds_nothing_due_does_not_repeat_a_push_that_arrived(
    lead, ann, bob, connect
) -> None:  # noqa: ANN001
    """The second process's timer at a hand-over finds nothing due; the first process's push
    has reached it already, so the pages do not get the same state twice."""
    from sessions_live import services

    session = await database_sync_to_async(make_session)(lead, [ann, bob], seconds=(60, 60))
    _, _, socket = await connect(ann, session)
    before = await socket.state()
    topic = before["topics"][0]["id"]
    await socket.send({"type": "claim.set", "id": "c1", "topic_id": topic, "claimed": True})
    pushed = await socket.state(where=lambda s: s["version"] == before["version"] + 1)
    await database_sync_to_async(services.session_advance)(session_id=session.pk)
    # A marker published after it the same way (a presence reading of nobody): a repeated
    # push of the state would come before it.
    await database_sync_to_async(broadcast.presence_changed)(session.pk, [], time.time() + 60)
    extra = []
    while (message := await socket.receive())["type"] != "state" or online(message["state"]):
        extra.append(message)
    assert [m for m in extra if m["type"] == "state"] == [], extra
    assert message["state"]["version"] == pushed["version"] == before["version"] + 1


async def test_a_timer_that_finds_nothing_due_republishes_a_lost_push(
    lead, ann, bob, connect
) -> None:  # noqa: ANN001
    """A process that advanced a session and died before publishing: the next timer heals it."""
    import arbiter
    from sessions_live import services

    session = await database_sync_to_async(make_session)(lead, [ann, bob], seconds=(1, 60))
    _, _, socket = await connect(ann, session)
    before = await socket.state()

    def advance_silently() -> int:
        row = LiveSession.objects.get(pk=session.pk)
        state = arbiter.SessionState.from_json(row.state)
        claimed = arbiter.apply(
            state,
            arbiter.command_from_frame(
                ann.pk,
                {"type": "claim.set", "id": "q", "topic_id": state.topics[0].id, "claimed": True},
            ),
            time.time(),
        )
        row.state, row.version = claimed.state.to_json(), claimed.state.version
        row.save(update_fields=["state", "version"])  # committed, never published
        return row.version

    version = await database_sync_to_async(advance_silently)()
    assert version == before["version"] + 1
    await database_sync_to_async(services.session_advance)(session_id=session.pk)
    healed = await socket.state(where=lambda s: s["version"] == version)
    assert healed["topics"][0]["claimants"] == [ann.pk]
