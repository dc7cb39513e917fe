"""One PostgreSQL + Redis stack (a fresh database, migrated and seeded once) with two daphne
processes, shared by the live-page browser tests and the convergence test: setting a stack up
costs more than most of those tests take. Each test makes its own session on it. And the
browser every browser test module drives."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.servers import Server, Stack, postgres_stack
from tests.e2e.test_browser_flow import CHROMIUM, CHROMIUM_ARGS
from tests.notify.peers import SmtpPeer, Worker, start_worker


@pytest.fixture(scope="session")
def e2e_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with postgres_stack(tmp_path_factory.mktemp("e2e-shared")) as stack:
        yield stack


@pytest.fixture(scope="session")
def e2e_servers(e2e_stack: Stack) -> tuple[Server, Server]:
    """(A, B): two processes sharing the database and the channel layer."""
    return e2e_stack.start_server(), e2e_stack.start_server()


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Debian's chromium, one per test module; a module's ``CHROMIUM_EXTRA_ARGS`` are added
    (the recording tests' fake camera and microphone)."""
    extra = list(getattr(request.module, "CHROMIUM_EXTRA_ARGS", []))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def smtp(request: pytest.FixtureRequest) -> Iterator[SmtpPeer]:
    """A real SMTP server on loopback for one module; it refuses the module's
    ``SMTP_REFUSES`` addresses (550)."""
    peer = SmtpPeer()
    peer.refuse.update(getattr(request.module, "SMTP_REFUSES", ()))
    peer.start()
    yield peer
    peer.stop()


@pytest.fixture(scope="module")
def mail_env(request: pytest.FixtureRequest, smtp: SmtpPeer) -> dict[str, str]:
    """A module's own queues and mail server: what its daphne queues (mail on NOTIFY_QUEUE,
    answers' processing on VIDEO_QUEUE), its worker runs and sends to its SMTP server (nothing
    another module's worker takes)."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_browser_")
    tag = uuid.uuid4().hex[:6]
    return {
        "NOTIFY_QUEUE": f"e2e-{name}-{tag}",
        "VIDEO_QUEUE": f"e2e-{name}-video-{tag}",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_TIMEOUT": "5",
    }


@pytest.fixture(scope="module")
def worker(
    e2e_stack: Stack, mail_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """A real Celery worker on the module's two queues (its mail and its answers'
    processing), with the stack's database and storage."""
    running = start_worker(
        {**e2e_stack.env, **mail_env},
        tmp_path_factory.mktemp("worker"),
        queue=f"{mail_env['NOTIFY_QUEUE']},{mail_env['VIDEO_QUEUE']}",
        beat=False,
    )
    yield running
    running.stop()
