"""Run the whole embedded app in one terminal: daphne and a Celery worker with beat.

Production runs each of these as its own process (see docker-compose.yml); the commands are
the same ones this starts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start daphne on HOST:PORT and a Celery worker (with beat) for notifications."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the Celery worker."
        )

    def handle(self, *args: Any, host: str, port: int, no_worker: bool, **options: Any) -> None:
        python = sys.executable
        bin_dir = os.path.dirname(python)
        commands = [
            [
                os.path.join(bin_dir, "daphne"),
                "-b",
                host,
                "-p",
                str(port),
                "--proxy-headers",
                "config.asgi:application",
            ],
        ]
        if not no_worker:
            commands.append(
                [
                    os.path.join(bin_dir, "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-B",
                    "-P",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "-s",
                    str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
                ]
            )
        children = [subprocess.Popen(command) for command in commands]

        def stop(*_: Any) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        url = f"http://{host}:{port}/"
        self.stdout.write(f"\nRoundtable is starting at {url}  (log in at {url}login/)")
        self.stdout.write("Press Ctrl+C to stop.\n")
        self.stdout.flush()
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.returncode for child in children if child.returncode not in (0, -15)]
        if failed:
            sys.exit(1)
