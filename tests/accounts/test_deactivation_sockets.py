"""Deactivating a person through the People page or ``/api/users/`` closes their open live
sockets (close code 4410, docs/protocol.md): the services save the row, so
``sessions_live.signals`` hears it."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory
from tests.sessions_live.test_abuse import assert_still_open, closed_with, cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def _recruiter() -> User:
    return UserFactory(username="rita", roles=["recruiter"])


def _deactivate_on_the_page(person: User) -> int:
    client = Client()
    client.force_login(_recruiter())
    return client.post(f"/people/{person.pk}/active/", {"active": "0"}).status_code


def _deactivate_through_the_api(person: User) -> int:
    client = APIClient()
    client.force_login(_recruiter())
    return client.patch(f"/api/users/{person.pk}/", {"is_active": False}, format="json").status_code


@pytest.mark.parametrize("how", [_deactivate_on_the_page, _deactivate_through_the_api])
async def test_deactivating_closes_every_socket_of_the_person(
    panel_session,
    ann,
    bob,
    open_socket,
    how,  # noqa: ANN001
) -> None:
    _, _, first = await open_socket(panel_session, await cookie(ann))
    _, _, second = await open_socket(panel_session, await cookie(ann))
    _, _, bob_socket = await open_socket(panel_session, await cookie(bob))
    await first.state()
    await second.state()
    await bob_socket.state()
    status = await database_sync_to_async(how)(ann)
    assert status in (200, 302)
    assert (await closed_with(first))["code"] == 4410
    assert (await closed_with(second))["code"] == 4410
    await assert_still_open(bob_socket)
    assert not await database_sync_to_async(lambda: User.objects.get(pk=ann.pk).is_active)()
