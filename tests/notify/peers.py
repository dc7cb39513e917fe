"""Real peers on loopback for the notification tests: an SMTP server (aiosmtpd), a stand-in of
the Telegram Bot API whose answers are scripted per call, and Celery worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TOKEN = "123456:TEST-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    """Poll until ``check()`` is truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


# --- SMTP -----------------------------------------------------------------------------------


class _Handler:
    def __init__(self, peer: SmtpPeer) -> None:
        self.peer = peer

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802, E501
        if address in self.peer.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.peer.data_started.set()
        if self.peer.slow_seconds:
            # If the client dies meanwhile, aiosmtpd cancels this coroutine: the message is
            # never acknowledged, so, like a real server that did not commit it, we drop it.
            await asyncio.sleep(self.peer.slow_seconds)
        self.peer.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)
        )
        self.peer.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@dataclass
class SmtpPeer:
    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    slow_seconds: float = 0
    refuse: set[str] = field(default_factory=set)
    data_started: threading.Event = field(default_factory=threading.Event)
    _controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def reset(self) -> None:
        self.messages.clear()
        self.recipients.clear()
        self.slow_seconds = 0
        self.refuse.clear()
        self.data_started.clear()


# --- Telegram Bot API stand-in --------------------------------------------------------------


def tg_ok(chat_id: str, text: str) -> tuple[int, dict[str, Any]]:
    # PTB builds a Message from the result: it needs message_id, date and chat{id,type}.
    return 200, {
        "ok": True,
        "result": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private"},
            "text": text,
        },
    }


TG_429 = (
    429,
    {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    },
)
TG_500 = (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
TG_403 = (
    403,
    {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
)


@dataclass
class TelegramCall:
    path: str
    fields: dict[str, Any]
    at: float
    answer: int


class TelegramPeer:
    """Answers each sendMessage with the next scripted reply, then OK once the script is used
    up; records every call and which were delivered (answered 200)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.calls: list[TelegramCall] = []
        self.delay = 0.0  # seconds to think before answering: a slow Bot API
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                kind = self.headers.get("Content-Type", "")
                fields = json.loads(body) if "json" in kind else _form(body)
                if peer.delay:
                    time.sleep(peer.delay)
                with peer.lock:
                    reply = peer.script.pop(0) if peer.script else None
                if reply is None:
                    reply = tg_ok(str(fields.get("chat_id")), str(fields.get("text", "")))
                status, payload = reply
                with peer.lock:
                    peer.calls.append(TelegramCall(self.path, fields, time.monotonic(), status))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def delivered(self) -> list[TelegramCall]:
        with self.lock:
            return [c for c in self.calls if c.answer == 200 and c.path.endswith("/sendMessage")]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.script.clear()
            self.calls.clear()
            self.delay = 0.0


def _form(body: bytes) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(body.decode()))


# --- Celery worker processes ----------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a real process: without pytest's marker, so settings take the
    non-test path and read everything from the variables given here."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL", "CELERY"))
        and not k.startswith(("EMAIL_URL", "TELEGRAM_", "NOTIFY_"))
    }
    env.update(extra)
    return env


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """kill -9 of the whole process group: no clean-up, no ack, as when a machine dies."""
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

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_worker(env: dict[str, str], tmp: Path, *, queue: str, beat: bool = True) -> Worker:
    """``celery -A config worker`` as production runs it (solo pool), with beat for the
    re-queue job; returns once the worker says it is ready."""
    log = tmp / f"worker-{time.monotonic_ns()}.log"
    command = [
        str(BIN / "celery"), "-A", "config", "worker", "-P", "solo", "--loglevel", "INFO",
        "-Q", queue, "-n", f"notify-test-{time.monotonic_ns()}@%h", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    if beat:
        command += ["-B", "-s", str(tmp / f"beat-{time.monotonic_ns()}")]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = Worker(process, log)
    try:
        wait_for(
            lambda: process.poll() is not None or " ready." in worker.output(),
            timeout=60,
            what="the Celery worker to be ready",
        )
    except AssertionError:
        worker.kill()
        raise AssertionError(worker.output()) from None
    assert process.poll() is None, worker.output()
    return worker
