"""One PostgreSQL + Redis stack (a fresh database, migrated and seeded once) with two daphne
processes, shared by the live-page browser tests and the convergence test: setting a stack up
costs more than most of those tests take. Each test makes its own session on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.servers import Server, Stack, postgres_stack


@pytest.fixture(scope="session")
def e2e_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with postgres_stack(tmp_path_factory.mktemp("e2e-shared")) as stack:
        yield stack


@pytest.fixture(scope="session")
def e2e_servers(e2e_stack: Stack) -> tuple[Server, Server]:
    """(A, B): two processes sharing the database and the channel layer."""
    return e2e_stack.start_server(), e2e_stack.start_server()
