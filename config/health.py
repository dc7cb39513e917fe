"""/healthz: is this process able to serve? Database always, Redis where configured.

The body names the failing parts and nothing more: the probe is unauthenticated, so a
connection error's text (host names, ports, user names) goes to the log, never to the page."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _check_database() -> str | None:
    try:
        if getattr(connection, "pool", None) is not None:
            # With a pool, a fresh connection with a short timeout: the probe must say
            # "database away" in about a second, not wait for the pool to give up.
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            with psycopg.connect(**params, connect_timeout=1, autocommit=True) as direct:
                direct.execute("SELECT 1").fetchone()
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not healthy"; the reason is reported
        return f"{type(error).__name__}: {error}".strip()[:300]
    return None


def _check_redis() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()[:300]
    return None


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str | None] = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failing = [name for name, problem in checks.items() if problem]
    for name in failing:
        log.warning("healthz: %s is failing: %s", name, checks[name])
    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {name: "fail" if problem else "ok" for name, problem in checks.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)
