"""config/eager_writes.py: daphne's TCP writes go out at once when nothing is queued, and a
write the kernel cannot take whole still arrives complete and in order."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("twisted_writer.py")
BIG = bytes(range(256)) * (16 * 1024)


def _exchange(*args: str) -> tuple[dict[str, object], bytes]:
    process = subprocess.Popen(
        [sys.executable, str(WRITER), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            # Nothing is read until the server has written everything: 4 MiB is more than
            # the kernel takes at once, so Twisted has to queue the rest.
            seen = json.loads(process.stdout.readline())
            received = bytearray()
            while chunk := client.recv(65536):
                received += chunk
        return seen, bytes(received)
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_small_write_on_an_idle_connection_is_sent_at_once() -> None:
    seen, _ = _exchange("install")
    assert seen["buffered_after_small"] == 0
    assert seen["watching_after_small"] is False


@pytest.mark.parametrize("mode", ["install", "twisted"])
def test_everything_arrives_in_order_when_the_kernel_takes_only_part(mode: str) -> None:
    seen, received = _exchange(*(["install"] if mode == "install" else []))
    assert seen["buffered_after_big"] > 0  # the big write really was split
    assert received == b"first;" + BIG + b";last"


def test_without_the_patch_twisted_buffers_even_a_small_write() -> None:
    """The control: what the patch changes (if Twisted ever sends at once itself, the patch
    can go)."""
    seen, _ = _exchange()
    assert seen["buffered_after_small"] > 0
    assert seen["watching_after_small"] is True
