"""/healthz tells the proxy and operators whether the database and Redis answer."""

from __future__ import annotations

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
def test_it_answers_503_naming_redis_when_redis_is_down(client: Client, settings) -> None:  # noqa: ANN001
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert "Connection" in body["checks"]["redis"]


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
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("OperationalError")
