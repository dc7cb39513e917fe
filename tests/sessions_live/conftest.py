"""Fixtures for live-session tests: a session led by Lena with Ann and Bob on the panel."""

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
from sessions_live import clock as live_clock
from sessions_live import services
from sessions_live.models import LiveSession
from tests.factories import QuestionFactory, TopicFactory


def make_session(lead, members, *, seconds=(600, 600), questions=2):  # noqa: ANN001, ANN201
    topics = []
    for index, length in enumerate(seconds):
        topic = TopicFactory(name=f"Topic {index + 1}")
        for n in range(questions):
            QuestionFactory(topic=topic, text=f"{topic.name} question {n + 1}?", max_points=5)
        topics.append(services.TopicChoice(topic=topic, seconds=length))
    session = services.session_create(
        lead=lead,
        candidate_fields={"full_name": "Carla Candidate", "email": "carla@example.com"},
        resume=None,
        topics=topics,
        shuffle=False,
        intro_text="Welcome",
        closing_text="Thanks",
    )
    for member in members:
        services.session_join(session=session, user=member)
    session.refresh_from_db()
    return session


@pytest.fixture
def panel_session(lead, ann, bob):  # noqa: ANN001, ANN201
    return make_session(lead, [ann, bob])


def cookie_for(user) -> bytes:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


class Socket:
    """A communicator with helpers that read the next message of a kind."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator

    async def send(self, frame: dict[str, Any] | str) -> None:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        await self.communicator.send_to(text_data=text)

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def next_of(
        self, kind: str, timeout: float = 3, where: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind and (where is None or where(message)):
                return message

    async def state(
        self, where: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 3
    ) -> dict[str, Any]:
        message = await self.next_of(
            "state", timeout, (lambda m: where(m["state"])) if where else None
        )
        return message["state"]


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Any]]:
    opened: list[WebsocketCommunicator] = []

    async def _connect(user, session: LiveSession, origin: bytes = b"http://127.0.0.1:8000"):  # noqa: ANN001, ANN202
        headers = [(b"origin", origin)]
        if user is not None:
            headers.append((b"cookie", await database_sync_to_async(cookie_for)(user)))
        communicator = WebsocketCommunicator(
            application, f"/ws/sessions/{session.code}/", headers=headers
        )
        opened.append(communicator)
        connected, code = await communicator.connect(timeout=5)
        return connected, code, Socket(communicator)

    yield _connect
    for communicator in opened:
        await communicator.disconnect()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> live_clock.FrozenClock:
    """The services' clock, frozen: a test moves it (``clock.move(2.1)``) instead of sleeping."""
    frozen = live_clock.FrozenClock()
    monkeypatch.setattr(live_clock, "CLOCK", frozen)
    return frozen
