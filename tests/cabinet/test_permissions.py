"""Only managers reach the cabinet: every page and action, and its socket."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from cabinet import services
from cabinet.models import Decision
from config.asgi import application
from notify.models import Outbox
from tests.cabinet.helpers import ready_session
from tests.sessions_live.conftest import cookie_for


@pytest.fixture
def decided(lead, ann, bob, manager, platform):  # noqa: ANN001, ANN201
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    decision = services.decision_make(
        session=session, manager=manager, outcome="hire", team=platform
    )
    Outbox.objects.filter(decision=decision).update(status="failed", last_error="boom")
    return session


def _urls(session, outbox_id):  # noqa: ANN001, ANN202
    code = session.code
    return [
        ("get", "/cabinet/"),
        ("get", "/cabinet/?fragment=lists"),
        ("get", f"/cabinet/s/{code}/"),
        ("get", "/cabinet/stats/"),
        ("get", "/cabinet/stats.csv"),
        ("get", "/cabinet/stats.xlsx"),
        ("post", f"/cabinet/s/{code}/decide/"),
        ("post", f"/cabinet/s/{code}/reopen/"),
        ("post", f"/cabinet/notifications/{outbox_id}/retry/"),
    ]


@pytest.mark.parametrize("who", ["ann", "editor", "outsider"])
def test_non_managers_get_403_on_every_cabinet_page_and_action(
    request, who, decided, platform
) -> None:  # noqa: ANN001
    client = Client()
    client.force_login(request.getfixturevalue(who))
    outbox_id = Outbox.objects.get().pk
    for method, url in _urls(decided, outbox_id):
        data = {"outcome": "hire", "team": platform.pk} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (who, url, response.status_code)
    # ... and nothing changed: the decision stands, the failed row stays failed.
    assert Decision.objects.get().reopened_at is None
    assert Outbox.objects.get().status == "failed"


def test_anonymous_people_are_sent_to_log_in_and_see_nothing(decided) -> None:  # noqa: ANN001
    client = Client()
    for method, url in _urls(decided, Outbox.objects.get().pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    assert Outbox.objects.get().status == "failed"


def test_a_manager_opens_every_page(client: Client, manager, decided) -> None:  # noqa: ANN001
    client.force_login(manager)
    for method, url in _urls(decided, Outbox.objects.get().pk):
        if method == "get":
            assert client.get(url).status_code == 200, url


async def _connect(user):  # noqa: ANN001, ANN202
    headers = [(b"origin", b"http://127.0.0.1:8000")]
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(cookie_for)(user)))
    communicator = WebsocketCommunicator(application, "/ws/cabinet/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return connected, communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("who", "code"), [("ann", 4403), ("editor", 4403), (None, 4401)])
async def test_the_cabinet_socket_refuses_non_managers(request, who, code) -> None:  # noqa: ANN001
    user = await database_sync_to_async(request.getfixturevalue)(who) if who else None
    connected, communicator = await _connect(user)
    try:
        assert connected
        closed = await communicator.receive_output(timeout=3)
        assert closed == {"type": "websocket.close", "code": code}
    finally:
        await communicator.disconnect()
