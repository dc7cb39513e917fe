"""Settings: production passes check --deploy, bad variables stop start-up in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3y-" + "".join(chr(97 + (i * 7) % 26) for i in range(60))


def _env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(overrides)
    return env


def _production(**overrides: str) -> dict[str, str]:
    values = {
        "ROUNDTABLE_MODE": "production",
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/roundtable",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "roundtable.example.com",
        "EMAIL_URL": "smtp://mail.example.com:587",
    }
    return _env(**{**values, **overrides})


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path: Path) -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production(ROUNDTABLE_VAR_DIR=str(tmp_path)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY: required but not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY: must be at least 50 random characters"),
        ({"DATABASE_URL": ""}, "DATABASE_URL: required but not set"),
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL: expected postgres:// or sqlite:///"),
        ({"REDIS_URL": "http://nope"}, "REDIS_URL: expected a redis:// URL"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS: required but not set"),
        ({"AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT: expected a whole number"),
        ({"ROUNDTABLE_MODE": "prod"}, "ROUNDTABLE_MODE: expected one of embedded, production"),
        ({"LIVE_DB_THREADS": "0"}, "LIVE_DB_THREADS: expected at least 1, got 0"),
        ({"DB_POOL_SIZE": "ten"}, "DB_POOL_SIZE: expected a whole number"),
    ],
)
def test_a_wrong_or_missing_production_variable_stops_start_up_with_one_line(
    tmp_path: Path, overrides: dict[str, str], reason: str
) -> None:
    result = _manage("check", env=_production(ROUNDTABLE_VAR_DIR=str(tmp_path), **overrides))
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("roundtable: configuration error: " + reason)


def test_daphne_refuses_to_start_on_a_bad_variable_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "daphne"), "-p", "0", "config.asgi:application"],
        cwd=ROOT,
        env=_production(ROUNDTABLE_VAR_DIR=str(tmp_path), SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "roundtable: configuration error: SECRET_KEY: required but not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_embedded_default_needs_no_services(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CELERY_BROKER_URL.split(':')[0], s.EMAIL_BACKEND, s.DEBUG)"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=_env(ROUNDTABLE_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "sqla+sqlite",
        "notify.mail.ConsoleAndFileBackend",
        "False",
    ]


def test_production_pools_its_postgresql_connections(tmp_path: Path) -> None:
    """Under ASGI every request has a thread of its own: Django's persistent connections would
    keep one open per request thread, so production pools them instead (the live session's
    database threads each keep one of the pool's)."""
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'], settings.LIVE_DB_THREADS, "
        "settings.LIVE_DB_KEEP_CONNECTIONS)"
    )
    result = _manage(
        "shell", "-v", "0", "-c", code,
        env=_production(ROUNDTABLE_VAR_DIR=str(tmp_path), DB_POOL_SIZE="7"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "7", "2", "True"]
