"""Real daphne processes for end-to-end tests, started exactly as production starts them.

Two stacks:
* ``embedded``: one daphne, SQLite and the in-memory channel layer (the `make run` default);
* ``postgres``: N daphne processes sharing a fresh PostgreSQL database and the machine's Redis.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "roundtable-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """kill -9: no clean-up at all, as when a machine dies."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Stack:
    env: dict[str, str]
    tmp: Path
    servers: list[Server] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start_server(self, port: int | None = None, env: dict[str, str] | None = None) -> Server:
        """One daphne on ``port``; ``env`` overrides some of the stack's variables for it alone
        (e.g. a ``REDIS_URL`` through a proxy the test can cut)."""
        port = port or free_port()
        log = self.tmp / f"daphne-{port}-{len(self.servers)}.log"
        process = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(port, process, log)
        self.servers.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return server
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"daphne on {port} did not become healthy:\n{log.read_text()}")

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


def _base_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS"))
    }
    env["ROUNDTABLE_VAR_DIR"] = str(tmp / "var")
    return env


@contextmanager
def embedded_stack(tmp: Path) -> Iterator[Stack]:
    stack = Stack(_base_env(tmp), tmp)
    stack.manage("migrate", "--noinput", "-v", "0")
    stack.manage("collectstatic", "--noinput", "-v", "0")
    stack.manage("seed_demo")
    try:
        yield stack
    finally:
        stack.stop()


@contextmanager
def postgres_stack(tmp: Path) -> Iterator[Stack]:
    """A fresh database on the machine's PostgreSQL and a private prefix on its Redis."""
    name = f"roundtable_e2e_{uuid.uuid4().hex[:8]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = _base_env(tmp)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/0"),
        CHANNEL_PREFIX=f"e2e{uuid.uuid4().hex[:8]}",
    )
    stack = Stack(env, tmp)
    try:
        stack.manage("migrate", "--noinput", "-v", "0")
        stack.manage("collectstatic", "--noinput", "-v", "0")
        stack.manage("seed_demo")
        yield stack
    finally:
        stack.stop()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
