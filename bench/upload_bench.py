"""Recorded answers uploading at once, each through a dropped connection, to a real daphne on
PostgreSQL and a private Redis (bench/stack.py's parts).

For each of ``--uploads`` candidates (default 20): an interview accepted, a take begun, and a
recording of ``--megabytes`` (default 8; WebM's first bytes, then noise that compresses to
nothing) sent by the tus protocol in PATCHes of ``VIDEO_CHUNK_BYTES`` (512 KiB), all at once,
each from its own thread. Every upload has one drop: part-way through one chunk's body its
socket is closed, as when a phone loses the network. The client then asks ``HEAD`` how much
the server has and goes on from there, as tus-js-client does. Each take is then kept and the
stored file compared byte for byte with what was recorded.

Measured: that nothing was lost (every kept file equals its recording), the bytes sent twice
(at most the chunk in flight at each drop), the uploads' wall time and throughput, and the
daphne process's resident memory above its idle level while the uploads ran (sampled every
20 ms from /proc), per concurrent upload — the target is at most twice the chunk size.
Writes ``bench/results/upload.json`` and the "Video uploads" section of docs/benchmarks.md.

    python bench/upload_bench.py [--uploads 20] [--megabytes 8]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.doc_sections import replace_section  # noqa: E402
from bench.stack import Stack, cpu_plan, versions  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Video uploads"
CHUNK = 512 * 1024
WEBM_HEAD = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
)

SETUP = """
import json
from datetime import timedelta
from django.test import Client
from django.utils import timezone
from accounts.models import User
from video_interviews import recording, rules, services
from video_interviews.models import Invitation
rita = User.objects.get(username="rita")
n = {n}
emails = [f"upload{{i}}@example.com" for i in range(n)]
interview = services.interview_create(
    by=rita, title="Uploads", deadline=timezone.now() + timedelta(days=2),
    questions=[rules.QuestionSpec(text="Talk", thinking_seconds=0, answer_seconds=600, retakes=0)],
    emails=emails, language="en",
)
rows = []
for email in emails:
    user = services.candidate_signup(email=email, password="a-long-bench-passphrase")
    invitation = Invitation.objects.get(interview=interview, email=email)
    services.invitation_accept(candidate=user, code=invitation.code)
    take = recording.take_start(candidate=user, invitation=invitation, order=0)
    client = Client()
    client.force_login(user)
    rows.append({{"invitation": invitation.pk, "take": str(take.pk),
                 "session": client.cookies["sessionid"].value}})
print("ROWS" + json.dumps(rows))
"""

KEPT = """
import hashlib, json
from video_interviews.models import Answer
out = {{}}
for answer in Answer.objects.filter(invitation_id__in={ids}):
    digest = hashlib.sha256()
    with answer.original.open("rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            digest.update(piece)
    out[answer.invitation_id] = [answer.size, digest.hexdigest()]
print("KEPT" + json.dumps(out))
"""


def recording_bytes(size: int, seed: int) -> bytes:
    body = hashlib.shake_256(str(seed).encode()).digest(size - len(WEBM_HEAD))
    return WEBM_HEAD + body


class Uploader(threading.Thread):
    """One candidate's browser: PATCHes of a chunk, one cut part-way, then HEAD and on."""

    def __init__(self, port: int, row: dict[str, Any], data: bytes, drop_at: int) -> None:
        super().__init__(daemon=True)
        self.port, self.row, self.data, self.drop_at = port, row, data, drop_at
        self.sent = 0
        self.dropped = False
        self.error: str | None = None
        self.seconds = 0.0
        self.url = f"/candidate/uploads/{row['take']}"
        token = "b" * 32
        self.headers = {
            "Cookie": f"sessionid={row['session']}; csrftoken={token}",
            "X-CSRFToken": token,
            "Tus-Resumable": "1.0.0",
        }

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def head(self) -> int:
        connection = self.connection()
        connection.request("HEAD", self.url, headers=self.headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200, response.status
        return int(response.getheader("Upload-Offset"))

    def patch(self, offset: int, body: bytes, last: bool) -> int:
        headers = {
            **self.headers,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
            "Content-Length": str(len(body)),
        }
        if last:
            headers["Upload-Length"] = str(len(self.data))
        connection = self.connection()
        connection.request("PATCH", self.url, body=body, headers=headers)
        self.sent += len(body)
        response = connection.getresponse()
        text = response.read()
        connection.close()
        assert response.status == 204, (response.status, text[:200])
        return int(response.getheader("Upload-Offset"))

    def drop(self, offset: int, body: bytes) -> None:
        """Send the headers and half the body, then the network is gone."""
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        lines = [
            f"PATCH {self.url} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            *(f"{k}: {v}" for k, v in self.headers.items()),
            "Content-Type: application/offset+octet-stream",
            f"Upload-Offset: {offset}",
            f"Content-Length: {len(body)}",
        ]
        raw.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        half = body[: len(body) // 2]
        raw.sendall(half)
        self.sent += len(half)
        time.sleep(0.2)
        raw.close()

    def run(self) -> None:
        began = time.perf_counter()
        try:
            offset, dropped = 0, False
            while offset < len(self.data):
                body = self.data[offset : offset + CHUNK]
                if not dropped and offset >= self.drop_at:
                    dropped = self.dropped = True
                    self.drop(offset, body)
                    offset = self.head()  # where the server is: the cut chunk is not there
                    continue
                offset = self.patch(offset, body, last=offset + len(body) >= len(self.data))
        except Exception as error:  # noqa: BLE001 - reported in the results
            self.error = repr(error)
        self.seconds = time.perf_counter() - began

    def keep(self) -> None:
        connection = self.connection()
        connection.request(
            "POST",
            f"/candidate/interviews/{self.row['invitation']}/takes/{self.row['take']}/keep/",
            body=b"{}",
            headers={**self.headers, "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        text = response.read()
        assert response.status == 200, (response.status, text[:300])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def run(uploads: int, megabytes: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    stack = Stack(tmp, cpu_plan("none"))
    try:
        stack.start_redis()
        stack.create_database()
        stack.manage("migrate", "--noinput", "-v", "0")
        stack.manage("seed_demo")
        out = stack.manage("shell", "-c", SETUP.format(n=uploads))
        rows = json.loads(out.split("ROWS", 1)[1])
        server = stack.start_server(extra_env={"VIDEO_CHUNK_BYTES": str(CHUNK)})
        size = megabytes * 1024 * 1024
        datas = [recording_bytes(size, n) for n in range(uploads)]
        threads = [
            Uploader(server.port, row, data, drop_at=min(CHUNK * (1 + n % 5), size - CHUNK))
            for n, (row, data) in enumerate(zip(rows, datas, strict=True))
        ]
        time.sleep(1.0)
        idle = rss_bytes(server.pid)
        peak = idle
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            peak = max(peak, rss_bytes(server.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - began
        errors = [t.error for t in threads if t.error]
        for thread in threads:
            if not thread.error:
                thread.keep()
        ids = [row["invitation"] for row in rows]
        kept = json.loads(
            stack.manage("shell", "-c", KEPT.format(ids=ids)).split("KEPT", 1)[1]
        )
        whole = sum(
            1
            for row, data in zip(rows, datas, strict=True)
            if kept.get(str(row["invitation"])) == [len(data), hashlib.sha256(data).hexdigest()]
        )
        twice = [t.sent - len(t.data) for t in threads]
        assert all(t.dropped for t in threads), "every upload is cut once"
        return {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "uploads": uploads,
            "megabytes_each": megabytes,
            "chunk_bytes": CHUNK,
            "errors": errors,
            "kept_whole": whole,
            "resent_bytes_max": max(twice),
            "resent_bytes_total": sum(twice),
            "wall_seconds": round(wall, 2),
            "megabytes_per_second": round(uploads * megabytes / wall, 1),
            "rss_idle_mb": round(idle / 2**20, 1),
            "rss_peak_mb": round(peak / 2**20, 1),
            "rss_per_upload_kb": round((peak - idle) / uploads / 1024, 1),
            "target_per_upload_kb": 2 * CHUNK // 1024,
            "cpus": os.cpu_count(),
            "versions": versions(),
        }
    finally:
        stack.stop()


def doc_section(result: dict[str, Any]) -> list[str]:
    ok = "yes" if result["rss_per_upload_kb"] <= result["target_per_upload_kb"] else "**no**"
    lost = result["uploads"] - result["kept_whole"]
    return [
        HEADING,
        "",
        f"`bench/upload_bench.py` ({result['when']}): {result['uploads']} recordings of "
        f"{result['megabytes_each']} MB each uploaded at once by tus to one daphne, in chunks "
        f"of {result['chunk_bytes'] // 1024} KiB, each cut once part-way through a chunk and "
        "resumed after `HEAD`; then kept and compared byte for byte.",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| recordings kept whole | {result['kept_whole']} of {result['uploads']} "
        f"(lost: {lost}; errors: {len(result['errors'])}) |",
        f"| bytes sent twice, most for one upload | {result['resent_bytes_max']:,} "
        f"(the half chunk cut off) |",
        f"| wall time | {result['wall_seconds']} s ({result['megabytes_per_second']} MB/s) |",
        f"| daphne's memory, idle → peak | {result['rss_idle_mb']} → "
        f"{result['rss_peak_mb']} MB |",
        f"| memory per concurrent upload | {result['rss_per_upload_kb']} KiB (target ≤ "
        f"{result['target_per_upload_kb']} KiB, twice the chunk: {ok}) |",
        "",
        "A chunk's body is read by daphne in pieces and spooled by Django to a temporary file "
        "past 256 KiB (`FILE_UPLOAD_MAX_MEMORY_SIZE`); the view copies it to the take's part "
        "file 64 KiB at a time. A cut request never reaches the view, so nothing of it is "
        "stored and the client sends that chunk again from the server's offset.",
        "",
    ]


def write_doc(result: dict[str, Any]) -> None:
    replace_section(HEADING, doc_section(result), DOC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=8)
    args = parser.parse_args()
    result = run(args.uploads, args.megabytes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "upload.json").write_text(json.dumps(result, indent=2) + "\n")
    write_doc(result)
    print(json.dumps({k: v for k, v in result.items() if k != "versions"}, indent=2))
    if result["kept_whole"] != result["uploads"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
