"""The benchmark's own copy of the production topology, started natively on this machine.

* PostgreSQL: a fresh database on the machine's server (127.0.0.1:5432), dropped at the end;
  optionally reached through ``bench/pgproxy.py`` so a fault run can cut it off.
* Redis: a private ``redis-server`` on a free loopback port (the machine's Redis on 6379 is
  never touched), so it can be restarted in a fault run.
* daphne processes started exactly as production starts them, optionally pinned (taskset).

Nothing here is imported by the app; it only runs ``manage.py`` and ``daphne``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "roundtable-demo"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_plan(pin: str = "auto") -> dict[str, str | None]:
    """Which CPUs the generator and the servers get (taskset lists), or None = unpinned.

    With 3+ CPUs the generator gets the last CPU to itself and the servers the rest. With 2 the
    generator is pinned to the last CPU but the servers stay unpinned: pinning them to the
    one remaining CPU would make a second daphne process pointless by construction."""
    count = os.cpu_count() or 1
    if pin == "none" or count < 2 or shutil.which("taskset") is None:
        return {"generator": None, "servers": None, "policy": "unpinned"}
    last = count - 1
    if count >= 3:
        return {
            "generator": str(last),
            "servers": f"0-{last - 1}",
            "policy": f"generator on CPU {last} alone, servers on CPUs 0-{last - 1}",
        }
    return {
        "generator": str(last),
        "servers": None,
        "policy": f"generator pinned to CPU {last}; servers unpinned (only {count} CPUs)",
    }


def pinned(cmd: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *cmd] if cpus else cmd


@dataclass
class Proc:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the whole process group: no clean-up at all."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _wait_http(url: str, proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not become healthy:\n{proc.log.read_text()[-3000:]}")


def _wait_port(port: int, proc: Proc, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited:\n{proc.log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{proc.name} is not listening on {port}")


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Stack:
    tmp: Path
    cpus: dict[str, str | None]
    db_name: str = ""
    redis: Proc | None = None
    redis_port: int = 0
    pgproxy: Proc | None = None
    servers: list[Proc] = field(default_factory=list)
    others: list[Proc] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    # --- services -----------------------------------------------------------------------

    def start_redis(self, port: int | None = None) -> Proc:
        self.redis_port = port or self.redis_port or free_port()
        data = self.tmp / "redis"
        data.mkdir(exist_ok=True)
        log = self.tmp / "redis.log"
        cmd = [
            "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(data),
            "--logfile", str(log),
        ]  # fmt: skip
        process = subprocess.Popen(
            pinned(cmd, self.cpus["servers"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.redis = Proc("redis", self.redis_port, process, log)
        deadline = time.monotonic() + 10
        while not redis_ping(self.redis_port):
            if time.monotonic() > deadline or not self.redis.alive():
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        return self.redis

    def create_database(self, via_proxy: bool = False) -> None:
        self.db_name = f"roundtable_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.db_name}"')
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS"))
        }
        self.env.update(
            ROUNDTABLE_VAR_DIR=str(self.tmp / "var"),
            DATABASE_URL=self.direct_db_url,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CHANNEL_PREFIX=f"bench{uuid.uuid4().hex[:6]}",
        )
        if via_proxy:
            self.start_pgproxy()

    @property
    def direct_db_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:5432/{self.db_name}"

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:5432/{self.db_name}"

    def start_pgproxy(self) -> Proc:
        port = free_port()
        log = self.tmp / "pgproxy.log"
        process = subprocess.Popen(
            pinned(
                [sys.executable, str(ROOT / "bench" / "pgproxy.py"), "--listen", str(port),
                 "--target", "127.0.0.1:5432"],
                self.cpus["servers"],
            ),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.pgproxy = Proc("pgproxy", port, process, log)
        _wait_port(port, self.pgproxy)
        self.env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{port}/{self.db_name}"
        return self.pgproxy

    def sql(self, query: str, *params: object) -> list[tuple[object, ...]]:
        with psycopg.connect(self.dsn, autocommit=True) as connection:
            return connection.execute(query, params).fetchall()  # type: ignore[arg-type]

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def prepare(self, users: int) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage("seed_demo")
        self.manage(
            "shell", "-c", (ROOT / "bench" / "seed_users.py").read_text(),
            env={"BENCH_USERS": str(users), "BENCH_PASSWORD": PASSWORD},
        )  # fmt: skip

    def start_server(self, port: int | None = None, extra_env: dict[str, str] | None = None,
                     name: str = "") -> Proc:  # fmt: skip
        port = port or free_port()
        name = name or f"daphne{len(self.servers) + 1}"
        log = self.tmp / f"{name}-{port}.log"
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port),
               "config.asgi:application"]  # fmt: skip
        process = subprocess.Popen(
            pinned(cmd, self.cpus["servers"]),
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Proc(name, port, process, log)
        self.servers.append(server)
        _wait_http(f"{server.url}/healthz", server)
        return server

    def start_baseline(self, name: str = "baseline") -> Proc:
        port = free_port()
        log = self.tmp / f"{name}-{port}.log"
        process = subprocess.Popen(
            pinned([sys.executable, str(ROOT / "bench" / "baseline_server.py"), "--port",
                    str(port)], self.cpus["servers"]),
            cwd=ROOT,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        proc = Proc(name, port, process, log)
        self.others.append(proc)
        _wait_port(port, proc)
        return proc

    def stop(self) -> None:
        for proc in [*self.servers, *self.others]:
            proc.stop()
        for proc in (self.pgproxy, self.redis):
            if proc is not None:
                proc.stop()
        if self.db_name:
            try:
                with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            except psycopg.Error as error:
                print(f"could not drop {self.db_name}: {error}", file=sys.stderr)


def versions() -> dict[str, str]:
    """Versions of everything measured, for the results file."""
    import platform
    from importlib.metadata import version

    found = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": str(os.cpu_count()),
    }
    for package in ("Django", "channels", "channels-redis", "daphne", "Twisted", "websockets",
                    "psycopg", "redis", "asgiref"):  # fmt: skip
        try:
            found[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is just not reported
            pass
    try:
        found["cpu_model"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    for label, cmd in (("redis_server", ["redis-server", "--version"]),):
        try:
            found[label] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            pass
    try:
        with psycopg.connect(PG_ADMIN) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            found["postgresql"] = str(row[0]) if row else "?"
    except psycopg.Error:
        pass
    return found
