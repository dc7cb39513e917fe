"""The cabinet's list updates live: a session whose last feedback arrives is announced."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from tests.cabinet.helpers import command, new_session, run_interview
from tests.sessions_live.conftest import cookie_for


@pytest.mark.django_db(transaction=True)
async def test_the_list_is_told_when_the_last_feedback_makes_a_session_ready(
    lead, ann, bob, manager
) -> None:  # noqa: ANN001
    session = await database_sync_to_async(new_session)(lead, [ann, bob])
    # Everything but Bob's feedback: not ready, not in the list.
    session = await database_sync_to_async(run_interview)(
        session, lead, [(ann, [4]), (bob, [2])], feedback_from=[ann]
    )
    assert not session.ready_for_decision
    client = Client()
    await database_sync_to_async(client.force_login)(manager)
    page = await database_sync_to_async(client.get)("/cabinet/?fragment=lists")
    assert session.code not in page.content.decode()

    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"cookie", await database_sync_to_async(cookie_for)(manager)),
    ]
    socket = WebsocketCommunicator(application, "/ws/cabinet/", headers=headers)
    try:
        connected, _ = await socket.connect(timeout=5)
        assert connected
        await database_sync_to_async(command)(
            session, bob, "feedback.submit", summary="ok", items={}
        )
        pushed = json.loads(await socket.receive_from(timeout=5))
        assert pushed == {"type": "changed", "session": session.pk}
    finally:
        await socket.disconnect()
    # What the page then fetches now lists the session as awaiting a decision.
    page = await database_sync_to_async(client.get)("/cabinet/?fragment=lists")
    assert f'class="awaiting" data-session="{session.code}"' in page.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_cabinet_socket_closes_when_the_manager_signs_out(manager) -> None:  # noqa: ANN001
    client = Client()
    await database_sync_to_async(client.force_login)(manager)
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}".encode()
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)]
    socket = WebsocketCommunicator(application, "/ws/cabinet/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    await database_sync_to_async(client.post)("/logout/")
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": 4410}
    await socket.disconnect()
