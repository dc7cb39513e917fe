"""Run the whole embedded app in one terminal: daphne, a Celery worker with beat, and one for
the answers' processing (VIDEO_QUEUE).

Production runs each of these as its own process (see docker-compose.yml); the commands are
the same ones this starts.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# The password seed_demo gives when DEMO_PASSWORD is not set: printed in the README.
PUBLISHED_DEMO_PASSWORD = "roundtable-demo"
ALLOW_FLAG = "ROUNDTABLE_ALLOW_DEMO_PASSWORDS"


def is_loopback(host: str) -> bool:
    """Only this machine can connect to ``host`` (``0.0.0.0``/``::`` mean every interface)."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost: assume it is reachable


def exposure(
    host: str, *, demo_users: list[str], debug: bool, allow_demo: bool
) -> tuple[str | None, list[str]]:
    """Whether to serve on ``host``: (a reason to refuse, or None; warnings to print).

    On loopback anything goes. Reachable from other machines, demo users that still have the
    published password would let anyone on the network in (``admin`` is a superuser): refuse,
    unless ROUNDTABLE_ALLOW_DEMO_PASSWORDS says this is a throwaway demo, then warn.
    """
    if is_loopback(host):
        return None, []
    warnings = [
        f"Serving on {host}: reachable from other machines over plain HTTP. Put a TLS proxy "
        "in front for anything but a trusted network (docs/operations.md, "
        '"Behind a proxy, TLS and secrets").'
    ]
    if debug:
        warnings.append("DEBUG is on: error pages show settings and source to anyone.")
    if demo_users:
        names = ", ".join(demo_users)
        problem = (
            f"the demo users {names} still have the published password "
            f"{PUBLISHED_DEMO_PASSWORD!r}: anyone who can reach {host} can log in as them"
        )
        if not allow_demo:
            return (
                f"Refusing to serve on {host}: {problem}. Change their passwords "
                "(manage.py changepassword <user>, or DEMO_PASSWORD=<yours> on a fresh "
                f"var/), serve on 127.0.0.1, or set {ALLOW_FLAG}=true for a throwaway demo.",
                warnings,
            )
        warnings.append(f"WARNING: {problem} ({ALLOW_FLAG} is set).")
    return None, warnings


def users_with_published_password() -> list[str]:
    """Active demo users (seed_demo's, and admin) whose password is the published one."""
    import importlib

    from django.contrib.auth import get_user_model
    from django.core.management import get_commands

    app = get_commands().get("seed_demo")  # wherever the demo data lives
    seed = importlib.import_module(f"{app}.management.commands.seed_demo") if app else None
    names = [person[0] for person in getattr(seed, "DEMO_PEOPLE", [])] + ["admin"]
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    return [
        user.get_username()
        for user in users.order_by("username")
        if user.check_password(PUBLISHED_DEMO_PASSWORD)
    ]


def daphne_command(host: str, port: int) -> list[str]:
    """daphne as serve starts it: the peer is the client (no --proxy-headers; forwarded
    headers are believed only from TRUSTED_PROXIES, in Django: config/client_ip.py)."""
    bin_dir = os.path.dirname(sys.executable)
    return [os.path.join(bin_dir, "daphne"), "-b", host, "-p", str(port), "config.asgi:application"]


def worker_commands(bin_dir: str) -> list[list[str]]:
    """The Celery workers serve starts: one with beat for NOTIFY_QUEUE (mail, Telegram, the
    beat jobs), and one for VIDEO_QUEUE when that is a queue of its own, so an answer's
    processing (minutes of encoding) never holds up the mail. The video worker runs prefork
    with one child, so the processing's time limits are enforced (the solo pool has none)."""
    celery = [os.path.join(bin_dir, "celery"), "-A", "config", "worker", "--loglevel", "INFO"]
    commands = [
        [*celery, "-B", "-P", "solo", "-Q", settings.NOTIFY_QUEUE,
         "-s", str(settings.CELERY_BEAT_SCHEDULE_FILENAME)],
    ]  # fmt: skip
    if settings.VIDEO_QUEUE != settings.NOTIFY_QUEUE:
        commands.append(
            [*celery, "-Q", settings.VIDEO_QUEUE, "--concurrency", "1", "-n", "video@%h"]
        )
    return commands


class Command(BaseCommand):
    help = (
        "Start daphne on HOST:PORT, a Celery worker (with beat) for notifications and one for "
        "the video processing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-worker", action="store_true", help="Do not start the Celery workers."
        )

    def handle(self, *args: Any, host: str, port: int, no_worker: bool, **options: Any) -> None:
        python = sys.executable
        bin_dir = os.path.dirname(python)
        # Links in HR's messages point where this serves, unless SITE_URL is set: daphne (which
        # renders them) and the worker inherit it. 0.0.0.0 / :: are reached on loopback.
        shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
        os.environ.setdefault("SITE_URL", f"http://{shown}:{port}")
        if not is_loopback(host):
            allow = os.environ.get(ALLOW_FLAG, "").strip().lower() in {"1", "true", "yes", "on"}
            refusal, warnings = exposure(
                host,
                demo_users=users_with_published_password(),
                debug=settings.DEBUG,
                allow_demo=allow,
            )
            for line in warnings:
                self.stderr.write(line)
            if refusal:
                raise CommandError(refusal)
        commands = [daphne_command(host, port)]
        if not no_worker:
            commands += worker_commands(bin_dir)
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
