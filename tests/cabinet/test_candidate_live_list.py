"""The cabinet's list updates live for candidates too: the last one-to-one round rated puts
them on it, a decision takes them off, each announced on the cabinet's socket."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cabinet import services
from config.asgi import application
from tests.cabinet.helpers import in_rounds, rate
from tests.sessions_live.conftest import cookie_for


@pytest.mark.django_db(transaction=True)
async def test_the_list_is_told_when_the_rounds_select_a_candidate_and_when_they_are_decided(
    recruiter, ann, manager, platform
) -> None:  # noqa: ANN001
    candidate, (screening, final) = await database_sync_to_async(in_rounds)(recruiter, ann)
    await database_sync_to_async(rate)(screening, ann, [4, 3])
    client = Client()
    await database_sync_to_async(client.force_login)(manager)
    page = await database_sync_to_async(client.get)("/cabinet/?fragment=lists")
    assert f'data-candidate="{candidate.pk}"' not in page.content.decode()

    headers = [
        (b"origin", b"http://127.0.0.1:8000"),
        (b"cookie", await database_sync_to_async(cookie_for)(manager)),
    ]
    socket = WebsocketCommunicator(application, "/ws/cabinet/", headers=headers)
    try:
        connected, _ = await socket.connect(timeout=5)
        assert connected
        await database_sync_to_async(rate)(final, ann, [8])
        # The round rated and the move to selected: each says which candidate changed.
        pushed = [json.loads(await socket.receive_from(timeout=5)) for _n in range(2)]
        assert pushed == [{"type": "changed", "candidate": candidate.pk}] * 2
        page = await database_sync_to_async(client.get)("/cabinet/?fragment=lists")
        assert f'class="awaiting" data-candidate="{candidate.pk}"' in page.content.decode()

        await database_sync_to_async(services.decision_make)(
            candidate=candidate, manager=manager, outcome="hire", team=platform
        )
        pushed = json.loads(await socket.receive_from(timeout=5))
        assert pushed == {"type": "changed", "candidate": candidate.pk}
    finally:
        await socket.disconnect()
    page = await database_sync_to_async(client.get)("/cabinet/?fragment=lists")
    lists = page.content.decode()
    assert f'class="awaiting" data-candidate="{candidate.pk}"' not in lists
    assert f'class="decided" data-candidate="{candidate.pk}"' in lists
