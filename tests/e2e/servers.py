"""Real daphne processes for end-to-end tests, started exactly as production starts them.

Two stacks:
* ``embedded``: one daphne, SQLite and the in-memory channel layer (the `make run` default);
* ``postgres``: N daphne processes sharing a fresh PostgreSQL database and the machine's Redis.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
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


# Every stack starts from a database that is migrated and seeded, and a collected static
# folder. Making those costs ~15 s of CPU a stack (migrate, compress the static files, seed),
# and a run starts about ten stacks on two cores, so each is made once and copied: PostgreSQL
# copies a template database (`CREATE DATABASE … TEMPLATE`), SQLite a file (its backup API),
# and the static folder is shared (read only). They are named by a hash of everything that
# decides their content (the code, migrations, seed, static files and pinned requirements),
# so a change anywhere makes new ones, and a later run with the same code reuses them. A lock
# file serialises the making and the copying across pytest-xdist workers and runs.
TEMPLATES_DIR = Path(tempfile.gettempdir()) / "roundtable-e2e-templates"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_NOT_CONTENT = {".git", ".venv", "node_modules", "var", "tests", "docs", "bench", "deploy", ".ci"}
_KEEP_UNUSED = 6 * 3600  # a template nobody made for this long is dropped (other code's)


@functools.cache
def content_key() -> str:
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _NOT_CONTENT and not d.startswith((".", "__"))
        )
        for filename in sorted(filenames):
            if filename.endswith((".pyc", ".mo", ".log", ".sqlite3")):
                continue
            path = Path(dirpath) / filename
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _prune_files() -> None:
    """Drop the template files and static folders of other code, unused for hours (each use
    touches them)."""
    for path in TEMPLATES_DIR.glob("*-*"):
        if content_key() in path.name or path.suffix == ".lock":
            continue
        try:
            if time.time() - path.stat().st_mtime > _KEEP_UNUSED:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        except OSError:
            continue  # another run pruned it first


@contextmanager
def _locked(name: str) -> Iterator[None]:
    TEMPLATES_DIR.mkdir(parents=True, exist_ok=True)
    _prune_files()
    with (TEMPLATES_DIR / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _shared_static(env: dict[str, str]) -> Path:
    """The collected static folder for this code, collected once."""
    folder = TEMPLATES_DIR / f"static-{content_key()}"
    with _locked(folder.name):
        if not folder.is_dir():
            building = TEMPLATES_DIR / f"building-{uuid.uuid4().hex[:8]}"
            Stack({**env, "ROUNDTABLE_VAR_DIR": str(building)}, building).manage(
                "collectstatic", "--noinput", "-v", "0"
            )
            (building / "static").rename(folder)
            shutil.rmtree(building, ignore_errors=True)
        folder.touch()
    return folder


def _var_with_static(stack: Stack) -> None:
    var = Path(stack.env["ROUNDTABLE_VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    (var / "static").symlink_to(_shared_static(stack.env), target_is_directory=True)


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def manage_shell(
    env: dict[str, str], script: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """``manage.py shell -c script`` in a child process with ``env`` (its output captured)."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def migrated_sqlite(target: Path) -> None:
    """Copy to ``target`` a SQLite database as ``manage.py migrate`` makes it from nothing
    (no demo data), from its template: made once for this code, by ``migrate`` on a fresh
    file. The migrations read no setting but the user model, so one file serves every mode."""
    template = TEMPLATES_DIR / f"migrated-{content_key()}.sqlite3"
    with _locked(template.name):
        if not template.exists():
            building = TEMPLATES_DIR / f"building-{uuid.uuid4().hex[:8]}"
            Stack(_base_env(building), building).manage("migrate", "--noinput", "-v", "0")
            _sqlite_copy(building / "var" / "roundtable.sqlite3", template.with_suffix(".part"))
            template.with_suffix(".part").rename(template)  # whole, or not there at all
            shutil.rmtree(building, ignore_errors=True)
        template.touch()
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(template, target)


def embedded_var(env: dict[str, str]) -> None:
    """Fill ``env``'s ROUNDTABLE_VAR_DIR as `make run` leaves it (migrated, collected, demo
    data), from the templates."""
    template = TEMPLATES_DIR / f"embedded-{content_key()}.sqlite3"
    stack = Stack(env, Path(env["ROUNDTABLE_VAR_DIR"]))
    with _locked(template.name):
        if not template.exists():
            building = TEMPLATES_DIR / f"building-{uuid.uuid4().hex[:8]}"
            maker = Stack({**env, "ROUNDTABLE_VAR_DIR": str(building)}, building)
            migrated_sqlite(building / "roundtable.sqlite3")  # what `migrate` makes
            maker.manage("seed_demo")
            _sqlite_copy(building / "roundtable.sqlite3", template.with_suffix(".part"))
            template.with_suffix(".part").rename(template)  # whole, or not there at all
            shutil.rmtree(building, ignore_errors=True)
        template.touch()
        _var_with_static(stack)
        _sqlite_copy(template, Path(env["ROUNDTABLE_VAR_DIR"]) / "roundtable.sqlite3")


@contextmanager
def embedded_stack(tmp: Path) -> Iterator[Stack]:
    stack = Stack(_base_env(tmp), tmp)
    embedded_var(stack.env)
    try:
        yield stack
    finally:
        stack.stop()


def _postgres_env(tmp: Path, name: str) -> dict[str, str]:
    env = _base_env(tmp)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=os.environ.get("E2E_REDIS_URL", "redis://127.0.0.1:6379/0"),
        CHANNEL_PREFIX=f"e2e{uuid.uuid4().hex[:8]}",
    )
    return env


def _postgres_template(connection: psycopg.Connection, tmp: Path) -> str:
    """The migrated and seeded template for this code (made if missing; call under its lock).
    A template is marked ready by its comment, so one cut off half-made is made again."""
    name = f"roundtable_tmpl_{content_key()}"
    now = int(time.time())
    marks = dict(
        connection.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname LIKE 'roundtable\\_tmpl\\_%'"
        ).fetchall()
    )
    for other, mark in marks.items():  # templates of other code, unused for hours
        made = int(mark.split()[-1]) if mark and mark.startswith("ready ") else 0
        if other != name and now - made > _KEEP_UNUSED:
            connection.execute(f'DROP DATABASE IF EXISTS "{other}" WITH (FORCE)')
    if not (marks.get(name) or "").startswith("ready "):
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
        maker = Stack(_postgres_env(tmp / "template", name), tmp / "template")
        maker.manage("migrate", "--noinput", "-v", "0")
        maker.manage("seed_demo")
    connection.execute(f"COMMENT ON DATABASE \"{name}\" IS 'ready {now}'")
    return name


@contextmanager
def postgres_stack(tmp: Path) -> Iterator[Stack]:
    """A fresh database on the machine's PostgreSQL (a copy of the migrated and seeded
    template) and a private prefix on its Redis."""
    name = f"roundtable_e2e_{uuid.uuid4().hex[:8]}"
    stack = Stack(_postgres_env(tmp, name), tmp)
    with _locked("postgres"), psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        template = _postgres_template(connection, tmp)
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        _var_with_static(stack)
    try:
        yield stack
    finally:
        stack.stop()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
