"""/healthz tells the proxy and operators whether the database and Redis answer."""

from __future__ import annotations

import logging

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_answers_200_when_postgres_and_redis_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {"database": "ok", "redis": "ok"},
    }


@pytest.mark.django_db
def test_it_answers_503_naming_redis_when_redis_is_down(
    client: Client,
    settings,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="config.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "failing": ["redis"],
        "checks": {"database": "ok", "redis": "fail"},
    }
    # The connection error (host, port, errno) is for the log, not for an anonymous probe.
    text = response.content.decode()
    assert "Connection" not in text and "127.0.0.1" not in text and ":1" not in text
    assert "redis is failing: ConnectionError" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_naming_the_database_when_it_is_down(client: Client) -> None:
    from django.db import connection

    real = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "failing": ["database"],
        "checks": {"database": "fail", "redis": "ok"},
    }
    text = response.content.decode()
    assert "OperationalError" not in text and "127.0.0.1" not in text and "port" not in text
