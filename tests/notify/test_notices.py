"""Notices reach the person's open pages over the personal socket (/ws/me/), through the real
Redis channel layer and the real ASGI application: after commit only, to nobody else, and the
socket shrugs off whatever a page sends it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from config.asgi import application
from notify import push, services
from notify.models import Notice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def login(user) -> tuple[Client, bytes]:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return client, f"{name}={client.cookies[name].value}".encode()


class Me:
    """One open page's personal socket."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def nothing(self, timeout: float = 0.5) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)


@pytest.fixture
async def open_me() -> AsyncIterator[Callable[..., Any]]:
    opened: list[WebsocketCommunicator] = []

    async def _open(user=None, *, cookie: bytes | None = None, origin=ORIGIN):  # noqa: ANN001, ANN202
        headers = [origin]
        if user is not None and cookie is None:
            cookie = (await database_sync_to_async(login)(user))[1]
        if cookie is not None:
            headers.append((b"cookie", cookie))
        communicator = WebsocketCommunicator(application, "/ws/me/", headers=headers)
        opened.append(communicator)
        connected, code = await communicator.connect(timeout=5)
        return connected, code, Me(communicator)

    yield _open
    for communicator in opened:
        await communicator.disconnect()


async def hello(open_me, user) -> Me:  # noqa: ANN001
    connected, _code, me = await open_me(user)
    assert connected
    frame = await me.receive()
    assert frame["type"] == "hello"
    return me


def send(user, title: str = "Round 1 is yours", **fields: Any) -> Notice:  # noqa: ANN001
    with transaction.atomic():
        return services.notice_send(user=user, kind="round_assigned", title=title, **fields)


async def test_a_notice_arrives_on_the_open_page_only_once_its_transaction_commits(
    open_me,  # noqa: ANN001
) -> None:
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    me = await hello(open_me, ivan)
    in_transaction, commit = threading.Event(), threading.Event()
    made: list[Notice] = []

    def cause() -> None:
        with transaction.atomic():
            made.append(
                services.notice_send(
                    user=ivan,
                    kind="round_assigned",
                    title="Round 1: Carla Candidate",
                    body="Tomorrow at 10:00",
                    link="/rounds/7/",
                )
            )
            in_transaction.set()
            assert commit.wait(10)

    worker = asyncio.get_running_loop().run_in_executor(None, cause)
    assert await asyncio.get_running_loop().run_in_executor(None, in_transaction.wait, 10)
    assert await me.nothing(0.7)  # written, not committed: nothing pushed yet
    commit.set()
    await worker
    frame = await me.receive()
    notice = made[0]
    assert frame == {
        "type": "notice",
        "notice": {
            "id": notice.pk,
            "kind": "round_assigned",
            "title": "Round 1: Carla Candidate",
            "body": "Tomorrow at 10:00",
            "link": "/rounds/7/",
            "created_at": notice.created_at.isoformat(),
        },
    }


async def test_a_rolled_back_cause_leaves_no_notice_and_pushes_nothing(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    me = await hello(open_me, ivan)

    def cause() -> None:
        with transaction.atomic():
            services.notice_send(user=ivan, kind="round_assigned", title="Round 1")
            raise RuntimeError("the assignment failed")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(cause)()
    assert await me.nothing(1.0)
    assert await database_sync_to_async(Notice.objects.count)() == 0


async def test_another_persons_page_gets_nothing(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    olga = await database_sync_to_async(UserFactory)(username="olga")
    ivans = await hello(open_me, ivan)
    olgas = await hello(open_me, olga)
    await database_sync_to_async(send)(ivan)
    assert (await ivans.receive())["type"] == "notice"
    assert await olgas.nothing(1.0)


async def test_every_open_page_of_the_person_gets_the_notice(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    pages = [await hello(open_me, ivan) for _ in range(2)]
    notice = await database_sync_to_async(send)(ivan)
    for page in pages:
        assert (await page.receive())["notice"]["id"] == notice.pk


async def test_not_signed_in_is_closed_with_4401(open_me) -> None:  # noqa: ANN001
    connected, _code, me = await open_me(None)
    assert connected  # accepted, so that the close code reaches the browser
    assert await me.communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_a_foreign_origin_is_refused_at_the_handshake(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    connected, _code, _me = await open_me(ivan, origin=(b"origin", b"http://localhost:9999"))
    assert not connected


async def test_hello_counts_the_unread_notices(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    olga = await database_sync_to_async(UserFactory)(username="olga")

    def some() -> None:
        for n in range(3):
            send(ivan, f"Round {n}")
        send(olga, "Olga's")
        services.notice_mark_read(
            user=ivan, notice_ids=[Notice.objects.filter(recipient=ivan).first().pk]
        )

    await database_sync_to_async(some)()
    connected, _code, me = await open_me(ivan)
    assert connected
    assert await me.receive() == {"type": "hello", "unread": 2}
    assert await me.nothing()


async def test_read_frames_mark_the_persons_notices_and_every_page_learns_the_count(
    open_me,  # noqa: ANN001
) -> None:
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    olga = await database_sync_to_async(UserFactory)(username="olga")

    def some() -> tuple[list[int], int]:
        mine = [send(ivan, f"Round {n}").pk for n in range(3)]
        return mine, send(olga, "Olga's").pk

    mine, olgas = await database_sync_to_async(some)()
    me = await hello(open_me, ivan)
    other_tab = await hello(open_me, ivan)

    # Someone else's id is passed over: it stays unread, and only ivan's first is marked.
    await me.send({"type": "read", "ids": [mine[0], olgas]})
    # The reply, and the push every page of ivan's gets (this one too).
    assert [await me.receive(), await me.receive()] == [{"type": "unread", "unread": 2}] * 2
    assert await other_tab.receive() == {"type": "unread", "unread": 2}

    def read_at() -> dict[int, bool]:
        return {n.pk: n.read_at is not None for n in Notice.objects.all()}

    assert await database_sync_to_async(read_at)() == {
        mine[0]: True,
        mine[1]: False,
        mine[2]: False,
        olgas: False,
    }
    await me.send({"type": "read", "all": True})
    assert [await me.receive(), await me.receive()] == [{"type": "unread", "unread": 0}] * 2
    assert await other_tab.receive() == {"type": "unread", "unread": 0}
    assert await database_sync_to_async(read_at)() == {
        mine[0]: True,
        mine[1]: True,
        mine[2]: True,
        olgas: False,
    }
    # Nothing left to mark: a reply, and no push to the other tab.
    await me.send({"type": "read", "all": True})
    assert await me.receive() == {"type": "unread", "unread": 0}
    assert await me.nothing() and await other_tab.nothing()


HOSTILE: list[tuple[Any, str]] = [
    ("not json", "bad_frame"),
    ("[1, 2]", "bad_frame"),
    ('"read"', "bad_frame"),
    ("{}", "unknown_type"),
    ('{"type": "delete"}', "unknown_type"),
    ('{"type": "read"}', "bad_frame"),
    ('{"type": "read", "ids": []}', "bad_frame"),
    ('{"type": "read", "ids": "1"}', "bad_frame"),
    ('{"type": "read", "ids": [true]}', "bad_frame"),
    ('{"type": "read", "ids": [1.5]}', "bad_frame"),
    ('{"type": "read", "ids": [-1]}', "bad_frame"),
    ('{"type": "read", "ids": [99999999999999999999999]}', "bad_frame"),
    ('{"type": "read", "ids": [1], "all": true}', "bad_frame"),
    ('{"type": "read", "all": false}', "bad_frame"),
    ('{"type": "read", "all": "yes"}', "bad_frame"),
    (json.dumps({"type": "read", "ids": list(range(1, 102))}), "bad_frame"),
    ('{"type": "ping", "x": 1}', "bad_frame"),
    ("[" * 5000 + "]" * 5000, "too_large"),
    ("[" * 2000 + "]" * 2000, "bad_frame"),
    (json.dumps({"type": "read", "all": True, "pad": "x" * 5000}), "too_large"),
    ('{"type": "read", "ids": [1], "\\ud800": 1}', "bad_frame"),
]


async def test_each_hostile_frame_gets_an_error_and_the_socket_stays(open_me, settings) -> None:  # noqa: ANN001
    settings.WS_RATE_BURST = 100  # the rate limit has a test of its own
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    notice = await database_sync_to_async(send)(ivan)
    me = await hello(open_me, ivan)
    for frame, code in HOSTILE:
        await me.send(frame)
        error = await me.receive()
        assert error["type"] == "error" and error["code"] == code, (frame[:80], error)
        assert error["message"], frame[:80]
        await me.send({"type": "ping"})
        assert await me.receive() == {"type": "pong"}, frame[:80]
    # None of it marked anything read.
    assert (await database_sync_to_async(Notice.objects.get)(pk=notice.pk)).read_at is None


async def test_binary_frames_are_refused_too(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    me = await hello(open_me, ivan)
    await me.communicator.send_to(bytes_data=b'{"type":"read","all":true}')
    assert (await me.receive())["code"] == "bad_frame"
    await me.send({"type": "ping"})
    assert await me.receive() == {"type": "pong"}


async def test_errors_speak_the_persons_language(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan", language="ru")
    me = await hello(open_me, ivan)
    await me.send("not json")
    assert (await me.receive())["message"] == "Фрейм не является корректным JSON."


async def test_a_flood_of_frames_is_limited_and_the_socket_stays(open_me, settings) -> None:  # noqa: ANN001
    settings.WS_RATE_PER_SECOND, settings.WS_RATE_BURST = 1, 3
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    me = await hello(open_me, ivan)
    for _ in range(10):
        await me.send({"type": "ping"})
    replies = []
    while not await me.nothing(0.3):
        replies.append(await me.receive())
    assert replies[:3] == [{"type": "pong"}] * 3
    assert [r.get("code") for r in replies[3:]] == ["rate_limited"]
    await asyncio.sleep(1.1)
    await me.send({"type": "ping"})
    assert await me.receive() == {"type": "pong"}


async def test_signing_out_closes_the_personal_socket_with_4410(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    client, cookie = await database_sync_to_async(login)(ivan)
    _other_client, other_cookie = await database_sync_to_async(login)(ivan)
    connected, _code, me = await open_me(ivan, cookie=cookie)
    assert connected and (await me.receive())["type"] == "hello"
    _c, _code, elsewhere = await open_me(ivan, cookie=other_cookie)
    assert (await elsewhere.receive())["type"] == "hello"
    await database_sync_to_async(client.post)("/logout/")
    assert await me.communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": 4410,
    }
    # Another browser's login still holds: its page keeps its socket and its notices.
    notice = await database_sync_to_async(send)(ivan)
    assert (await elsewhere.receive())["notice"]["id"] == notice.pk


@pytest.mark.parametrize("change", ["password", "deactivate"])
async def test_a_password_change_or_deactivation_closes_every_page(open_me, change) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan")
    pages = [await hello(open_me, ivan) for _ in range(2)]

    def apply() -> None:
        if change == "password":
            ivan.set_password("another-long-password")
        else:
            ivan.is_active = False
        ivan.save()

    await database_sync_to_async(apply)()
    for page in pages:
        assert await page.communicator.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": 4410,
        }


def test_the_revoke_group_is_the_one_the_site_closes_sockets_through() -> None:
    from sessions_live.broadcast import user_group_name

    assert push.revoke_group(42) == user_group_name(42)


async def test_the_title_is_written_in_the_recipients_language(open_me) -> None:  # noqa: ANN001
    ivan = await database_sync_to_async(UserFactory)(username="ivan", language="ru")
    olga = await database_sync_to_async(UserFactory)(username="olga")  # no language: the site's
    me = await hello(open_me, ivan)

    def both() -> None:
        title = format_lazy("{}: {}", gettext_lazy("Notices"), "Carla")
        for user in (ivan, olga):
            send(user, title, body=gettext_lazy("No notices yet."))

    await database_sync_to_async(both)()
    frame = await me.receive()
    assert (frame["notice"]["title"], frame["notice"]["body"]) == (
        "Уведомления: Carla",
        "Уведомлений пока нет.",
    )
    olgas = await database_sync_to_async(Notice.objects.get)(recipient=olga)
    assert (olgas.title, olgas.body) == ("Notices: Carla", "No notices yet.")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "Round Assigned"},
        {"kind": ""},
        {"title": "   "},
        {"link": "https://evil.example/"},
        {"link": "//evil.example/"},
        {"link": "/\\evil.example/"},
        {"link": "rounds/1/"},
        {"link": "/rounds/1/\r\nX: y"},
        {"link": "/" + "x" * 600},
    ],
)
def test_bad_arguments_write_nothing(fields: dict[str, str]) -> None:
    ivan = UserFactory(username="ivan")
    arguments = {"kind": "round_assigned", "title": "Round 1", **fields}
    with pytest.raises(ValueError), transaction.atomic():
        services.notice_send(user=ivan, **arguments)
    assert not Notice.objects.exists()


def test_a_channel_layer_that_is_down_keeps_the_notice_and_says_so(
    settings,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A Redis that is not there (a port nobody listens on); channels drops its cached layer
    # when the setting changes, and again when the fixture puts it back.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"], "prefix": "down"},
        }
    }
    ivan = UserFactory(username="ivan")
    with caplog.at_level("WARNING", logger="notify.push"):
        notice = send(ivan)  # the commit does not fail
    assert Notice.objects.get().pk == notice.pk
    assert any("could not push to notices." in r.getMessage() for r in caplog.records)
