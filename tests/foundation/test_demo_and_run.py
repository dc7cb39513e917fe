"""Demo data is idempotent, and the app starts exactly as `make run` starts it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from questionbank.models import Question, Topic

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_demo")
    first = (User.objects.count(), Topic.objects.count(), Question.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Topic.objects.count(), Question.objects.count()) == first
    assert Topic.objects.count() == 6  # five English topics and a Russian one
    assert Topic.objects.filter(name__startswith="Транзакции").exists()
    assert all(topic.questions.count() >= 5 for topic in Topic.objects.all())
    assert all(q.reference_answer for q in Question.objects.all())
    out = capsys.readouterr().out
    for username in ("lena", "ivan", "olga", "maria", "quentin", "admin"):
        assert username in out
    assert User.objects.get(username="maria").has_perm("accounts.decide_candidates")
    assert User.objects.get(username="lena").has_perm("accounts.run_interviews")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.processes
def test_make_run_serves_the_login_page_and_a_demo_user_logs_in(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(ROUNDTABLE_VAR_DIR=str(tmp_path / "var"), PORT=str(port))
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 180
        page = None
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "run.log").read_text()
            try:
                page = opener.open(f"{base}/login/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert page is not None, (tmp_path / "run.log").read_text()
        assert "Log in" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"username": "lena", "password": "roundtable-demo", "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
        )
        home = opener.open(request, timeout=10)
        assert home.geturl() == f"{base}/"
        body = home.read().decode()
        assert "Hello, Lena Lead" in body
        assert "New session" in body
        printed = (tmp_path / "run.log").read_text()
        assert "lena" in printed and "roundtable-demo" in printed  # the logins were printed
        assert opener.open(f"{base}/static/css/app.css", timeout=5).status == 200  # whitenoise
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
