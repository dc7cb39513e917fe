"""Hostile input over the live-session socket (issue 12): every refusal is an error frame or a
documented close, nothing is saved, and nobody is left shown online."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from sessions_live import services
from sessions_live.models import Connection, LiveSession
from tests.sessions_live.conftest import Socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = b"http://127.0.0.1:8000"


async def version_of(session: LiveSession) -> int:
    return await database_sync_to_async(lambda: LiveSession.objects.get(pk=session.pk).version)()


async def connections_of(session: LiveSession, user) -> int:  # noqa: ANN001
    return await database_sync_to_async(
        lambda: Connection.objects.filter(session_id=session.pk, user_id=user.pk).count()
    )()


def online(state: dict[str, Any]) -> set[int]:
    return {m["id"] for m in state["members"] if m["online"]}


def logged_in(user) -> tuple[Client, bytes]:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return client, f"{settings.SESSION_COOKIE_NAME}={value}".encode()


@pytest.fixture
async def open_socket() -> AsyncIterator[Callable[..., Any]]:
    """A socket with the given cookie and headers; teardown tolerates an app that died."""
    opened: list[WebsocketCommunicator] = []

    async def _open(session: LiveSession, cookie: bytes | None, headers=()):  # noqa: ANN001, ANN202
        all_headers = [(b"origin", ORIGIN), *headers]
        if cookie is not None:
            all_headers.append((b"cookie", cookie))
        communicator = WebsocketCommunicator(
            application, f"/ws/sessions/{session.code}/", headers=all_headers
        )
        opened.append(communicator)
        connected, code = await communicator.connect(timeout=5)
        return connected, code, Socket(communicator)

    yield _open
    for communicator in opened:
        try:
            await communicator.disconnect()
        except BaseException:  # noqa: S110 - the app may have died on purpose
            pass


async def cookie(user) -> bytes:  # noqa: ANN001
    return (await database_sync_to_async(logged_in)(user))[1]


async def assert_still_open(socket: Socket, tag: str = "alive") -> None:
    await socket.send({"type": "ping", "id": tag})
    assert (await socket.next_of("pong", where=lambda m: m["id"] == tag))["id"] == tag


# --- 1. deep nesting, and presence on every way out -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 60_000,
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        json.dumps({"type": "claim.set", "id": "d"})[:-1]
        + ',"x":'
        + "[" * 30_000
        + "]" * 30_000
        + "}",
    ],
    ids=["lists", "objects", "inside-a-command"],
)
async def test_deeply_nested_json_under_64_kib_is_refused_and_the_socket_stays(
    panel_session, ann, open_socket, text
) -> None:  # noqa: ANN001
    assert len(text.encode()) < 64 * 1024
    _, _, socket = await open_socket(panel_session, await cookie(ann))
    before = await socket.state()
    await socket.send(text)
    error = await socket.next_of("error")
    assert error["code"] == "bad_frame"
    assert error["message"]
    await assert_still_open(socket)
    assert await version_of(panel_session) == before["version"]
    assert await connections_of(panel_session, ann) == 1


async def test_a_socket_that_dies_of_an_exception_leaves_nobody_online(
    panel_session, ann, bob, open_socket, monkeypatch
) -> None:  # noqa: ANN001
    _, _, bob_socket = await open_socket(panel_session, await cookie(bob))
    await bob_socket.state()
    _, _, ann_socket = await open_socket(panel_session, await cookie(ann))
    topic = (await ann_socket.state())["topics"][0]["id"]
    await bob_socket.state(where=lambda s: ann.pk in online(s))
    assert await connections_of(panel_session, ann) == 1

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("a bug in a service")

    monkeypatch.setattr(services, "session_command", boom)
    await ann_socket.send({"type": "claim.set", "id": "c", "topic_id": topic, "claimed": True})
    with pytest.raises(RuntimeError, match="a bug in a service"):
        await ann_socket.communicator.receive_output(timeout=3)
    assert await connections_of(panel_session, ann) == 0
    state = await bob_socket.state(where=lambda s: ann.pk not in online(s))
    assert online(state) == {bob.pk}


async def test_a_server_close_leaves_nobody_online(panel_session, ann, bob, open_socket) -> None:  # noqa: ANN001
    _, _, bob_socket = await open_socket(panel_session, await cookie(bob))
    await bob_socket.state()
    client, ann_cookie = await database_sync_to_async(logged_in)(ann)
    _, _, ann_socket = await open_socket(panel_session, ann_cookie)
    await ann_socket.state()
    await bob_socket.state(where=lambda s: ann.pk in online(s))
    await database_sync_to_async(client.post)("/logout/")
    closed = await ann_socket.communicator.receive_output(timeout=3)
    while closed["type"] != "websocket.close":
        closed = await ann_socket.communicator.receive_output(timeout=3)
    # Closed by the server, no disconnect from the browser yet: already gone from presence.
    assert await connections_of(panel_session, ann) == 0
    await bob_socket.state(where=lambda s: ann.pk not in online(s))


# --- 3. per-member limits -------------------------------------------------------------------


async def test_a_sixth_socket_of_one_member_is_closed_with_4429(
    panel_session, ann, open_socket
) -> None:  # noqa: ANN001
    ann_cookie = await cookie(ann)
    sockets = []
    for _ in range(5):
        _, _, socket = await open_socket(panel_session, ann_cookie)
        await socket.state()
        sockets.append(socket)
    connected, _, sixth = await open_socket(panel_session, ann_cookie)
    assert connected  # accepted first, so the code reaches the browser
    why = await sixth.next_of("error")
    assert why["code"] == "too_many_sockets" and "5" in why["message"]
    closed = await sixth.communicator.receive_output(timeout=3)
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4429
    assert "5" in closed["reason"]
    assert await connections_of(panel_session, ann) == 5
    for n, socket in enumerate(sockets):
        await assert_still_open(socket, f"p{n}")
    # A tab closed frees its place.
    await sockets[0].communicator.disconnect()
    _, _, again = await open_socket(panel_session, ann_cookie)
    assert (await again.state())["me"] == ann.pk


async def test_a_members_sockets_share_one_rate_bucket(panel_session, ann, open_socket) -> None:  # noqa: ANN001
    ann_cookie = await cookie(ann)
    sockets = []
    for _ in range(5):
        _, _, socket = await open_socket(panel_session, ann_cookie)
        await socket.state()
        sockets.append(socket)
    # 5 x 30 pings at once: 30 fits one socket's burst of 40, but not the member's.
    for n in range(30):
        for index, socket in enumerate(sockets):
            await socket.send({"type": "ping", "id": f"s{index}-{n}"})
    pongs = limited = 0
    for socket in sockets:
        while not await socket.communicator.receive_nothing(timeout=0.3):
            kind = (await socket.receive())["type"]
            pongs += kind == "pong"
            limited += kind == "error"
    assert pongs <= settings.WS_RATE_BURST + 2 * settings.WS_RATE_PER_SECOND
    assert limited >= 1
    # Refused frames never close a socket. (The quiet 0.3 s that ended each read above gave
    # the shared bucket back a few frames at 20/s, enough for this ping.)
    await assert_still_open(sockets[0])


async def test_a_command_that_would_grow_the_state_past_its_cap_is_refused(
    panel_session, ann, open_socket, settings
) -> None:  # noqa: ANN001
    _, _, socket = await open_socket(panel_session, await cookie(ann))
    before = await socket.state()
    stored = await database_sync_to_async(
        lambda: LiveSession.objects.get(pk=panel_session.pk).state
    )()
    size = len(json.dumps(stored, separators=(",", ":")))
    settings.LIVE_STATE_MAX_BYTES = size + 40  # room for a claim, not for a long command id
    topic = before["topics"][0]["id"]
    await socket.send({"type": "claim.set", "id": "x" * 64, "topic_id": topic, "claimed": True})
    error = await socket.next_of("error")
    assert error["code"] == "state_too_large"
    assert error["id"] == "x" * 64
    assert await version_of(panel_session) == before["version"]
    await socket.send({"type": "claim.set", "id": "c", "topic_id": topic, "claimed": True})
    assert (await socket.next_of("ack"))["version"] == before["version"] + 1


async def test_the_default_cap_is_256_kib() -> None:
    assert services.state_max_bytes() == 256 * 1024


# --- 4. sockets do not outlive the login -----------------------------------------------------


async def closed_with(socket: Socket) -> dict[str, Any]:
    while True:
        message = await socket.communicator.receive_output(timeout=3)
        if message["type"] == "websocket.close":
            return message


async def assert_dead(socket: Socket, session: LiveSession, version: int) -> None:
    """A command after the close does nothing: no reply, nothing saved."""
    topic = (await database_sync_to_async(lambda: LiveSession.objects.get(pk=session.pk).state)())[
        "topics"
    ][0]["id"]
    await socket.send({"type": "claim.set", "id": "late", "topic_id": topic, "claimed": True})
    assert await socket.communicator.receive_nothing(timeout=0.5)
    assert await version_of(session) == version


async def test_signing_out_closes_that_browsers_sockets_with_4410(
    panel_session, ann, open_socket
) -> None:  # noqa: ANN001
    client, ann_cookie = await database_sync_to_async(logged_in)(ann)
    _, _, socket = await open_socket(panel_session, ann_cookie)
    _, _, elsewhere = await open_socket(panel_session, await cookie(ann))  # another browser
    version = (await socket.state())["version"]
    await elsewhere.state()
    response = await database_sync_to_async(client.post)("/logout/")
    assert response.status_code in (200, 302)
    assert (await closed_with(socket))["code"] == 4410
    await assert_dead(socket, panel_session, version)
    await assert_still_open(elsewhere)
    # The same cookie no longer opens a socket.
    _, _, retry = await open_socket(panel_session, ann_cookie)
    assert (await closed_with(retry))["code"] == 4401


async def test_deactivating_a_user_closes_all_their_sockets_with_4410(
    panel_session, ann, bob, open_socket
) -> None:  # noqa: ANN001
    _, _, first = await open_socket(panel_session, await cookie(ann))
    _, _, second = await open_socket(panel_session, await cookie(ann))
    _, _, bob_socket = await open_socket(panel_session, await cookie(bob))
    version = (await first.state())["version"]
    await second.state()
    await bob_socket.state()

    def deactivate() -> None:
        ann.is_active = False
        ann.save()

    await database_sync_to_async(deactivate)()
    assert (await closed_with(first))["code"] == 4410
    assert (await closed_with(second))["code"] == 4410
    await assert_dead(first, panel_session, version)
    await assert_still_open(bob_socket)
    assert await connections_of(panel_session, ann) == 0


async def test_a_password_change_closes_the_users_sockets_with_4410(
    panel_session, ann, open_socket
) -> None:  # noqa: ANN001
    _, _, socket = await open_socket(panel_session, await cookie(ann))
    version = (await socket.state())["version"]

    def change_password() -> None:
        ann.set_password("a-new-long-passphrase")
        ann.save()

    await database_sync_to_async(change_password)()
    assert (await closed_with(socket))["code"] == 4410
    await assert_dead(socket, panel_session, version)


async def test_deleting_a_user_closes_their_sockets_with_4410(
    panel_session, bob, open_socket
) -> None:  # noqa: ANN001
    _, _, socket = await open_socket(panel_session, await cookie(bob))
    await socket.state()
    await database_sync_to_async(bob.delete)()
    assert (await closed_with(socket))["code"] == 4410


async def test_saving_a_user_otherwise_leaves_their_sockets_open(
    panel_session, ann, open_socket
) -> None:  # noqa: ANN001
    _, _, socket = await open_socket(panel_session, await cookie(ann))
    await socket.state()

    def rename() -> None:
        ann.first_name = "Anna"
        ann.save()

    await database_sync_to_async(rename)()
    await assert_still_open(socket)


# --- 5. the origin: scheme, host and port ------------------------------------------------------


async def handshake(session: LiveSession, user, headers, scheme: str = "ws") -> bool:  # noqa: ANN001
    """Whether the socket opens; the scope is what daphne builds (scheme, Host, client)."""
    communicator = WebsocketCommunicator(
        application,
        f"/ws/sessions/{session.code}/",
        headers=[*headers, (b"cookie", await cookie(user))],
    )
    communicator.scope["scheme"] = scheme
    communicator.scope["client"] = ("198.51.100.7", 50000)
    connected, _ = await communicator.connect(timeout=5)
    if connected:
        await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        (b"http://127.0.0.1:9999", b"127.0.0.1:8000", "ws"),  # same host, another port
        (b"http://localhost:9999", b"localhost:8000", "ws"),
        (b"https://127.0.0.1:8000", b"127.0.0.1:8000", "ws"),  # same host and port, https
        (b"http://127.0.0.1:8443", b"127.0.0.1:8443", "wss"),  # page on http, socket on wss
        (b"http://127.0.0.1", b"127.0.0.1:8000", "ws"),
        (b"http://evil.example.com:8000", b"evil.example.com:8000", "ws"),  # not ALLOWED_HOSTS
        (b"null", b"127.0.0.1:8000", "ws"),
    ],
)
async def test_an_origin_of_another_scheme_or_port_is_refused(
    panel_session, ann, origin, host, scheme
) -> None:  # noqa: ANN001
    assert not await handshake(panel_session, ann, [(b"origin", origin), (b"host", host)], scheme)


async def test_no_origin_is_refused(panel_session, ann) -> None:  # noqa: ANN001
    assert not await handshake(panel_session, ann, [(b"host", b"127.0.0.1:8000")])


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        (b"http://localhost:8123", b"localhost:8123", "ws"),
        (b"http://127.0.0.1", b"127.0.0.1", "ws"),
        (b"https://127.0.0.1:8443", b"127.0.0.1:8443", "wss"),
        (b"https://localhost", b"localhost:443", "wss"),
        (b"http://127.0.0.1:8000", b"10.0.0.5:8000", "ws"),  # SITE_URL itself
    ],
)
async def test_the_right_origin_is_accepted(panel_session, ann, origin, host, scheme) -> None:  # noqa: ANN001
    assert await handshake(panel_session, ann, [(b"origin", origin), (b"host", host)], scheme)


async def test_csrf_trusted_origins_are_accepted_with_their_port(
    panel_session, ann, settings
) -> None:  # noqa: ANN001
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.example.org", "https://live.example.net:8443"]
    headers = [(b"host", b"internal:8000")]
    assert await handshake(panel_session, ann, [(b"origin", b"https://app.example.org"), *headers])
    assert await handshake(
        panel_session, ann, [(b"origin", b"https://live.example.net:8443"), *headers]
    )
    assert not await handshake(
        panel_session, ann, [(b"origin", b"https://live.example.net"), *headers]
    )
    assert not await handshake(
        panel_session, ann, [(b"origin", b"http://app.example.org"), *headers]
    )


async def test_forwarded_proto_counts_only_from_a_trusted_proxy(
    panel_session, ann, settings
) -> None:  # noqa: ANN001
    headers = [
        (b"origin", b"https://localhost"),
        (b"host", b"localhost"),
        (b"x-forwarded-proto", b"https"),
    ]
    assert not await handshake(panel_session, ann, headers)  # 198.51.100.7 is nobody's proxy
    settings.TRUSTED_PROXIES = ["198.51.100.0/24"]
    assert await handshake(panel_session, ann, headers)


# --- 6c. refusal messages are translated here, from the arbiter's message ids -------------------


async def test_refusals_are_translated_from_the_arbiters_message_ids(
    panel_session, ann, open_socket, monkeypatch
) -> None:  # noqa: ANN001
    from django.utils import translation

    from sessions_live import refusals

    catalogue = {
        "That question is no longer the current one; nothing was recorded.": "Вопрос устарел.",
        "The field %(field)s is required.": "Поле %(field)s обязательно.",
    }
    seen_languages = []

    def fake_gettext(message: str) -> str:
        seen_languages.append(translation.get_language())
        return catalogue.get(message, message)

    monkeypatch.setattr(refusals, "gettext", fake_gettext)
    _, _, socket = await open_socket(
        panel_session, await cookie(ann), headers=[(b"accept-language", b"ru-RU,ru;q=0.9,en;q=0.5")]
    )
    await socket.state()
    await socket.send({"type": "question.next", "id": "q", "score": 1, "question": "t1q1"})
    stale = await socket.next_of("error")
    assert (stale["code"], stale["message"]) == ("stale", "Вопрос устарел.")
    await socket.send({"type": "claim.set", "id": "c", "claimed": True})
    missing = await socket.next_of("error")
    assert missing["message"] == "Поле 'topic_id' обязательно."
    assert set(seen_languages) == {"ru"}


@pytest.mark.django_db(transaction=False)
async def test_the_language_of_a_socket() -> None:
    from sessions_live.refusals import language_of, message

    assert language_of({"headers": [(b"accept-language", b"ru")]}) == "ru"
    assert language_of({"headers": [(b"accept-language", b"de, en;q=0.5")]}) == "en"
    assert language_of({"cookies": {settings.LANGUAGE_COOKIE_NAME: "ru"}, "headers": []}) == "ru"
    assert language_of({"headers": []}) == settings.LANGUAGE_CODE
    assert message("Only %(n)s.", (("n", 5),)) == "Only 5."
    assert message("Broken %(x)s.", (("n", 5),), "fallback") == "fallback"
