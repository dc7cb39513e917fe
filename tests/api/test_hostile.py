"""The API under hostile input: bodies nested too deep are a 400 in the API's error body."""

from __future__ import annotations

import json

import pytest

from questionbank.models import Topic

pytestmark = pytest.mark.django_db

TOO_DEEP = {
    "status": 400,
    "code": "parse_error",
    "message": "JSON parse error - nested more than 32 levels deep.",
}


def test_json_nested_100000_deep_is_a_400_and_creates_nothing(api, editor) -> None:  # noqa: ANN001
    body = "[" * 100_000 + "]" * 100_000  # 200 KB: under the body limit
    before = Topic.objects.count()
    response = api(editor).post("/api/topics/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == TOO_DEEP
    assert Topic.objects.count() == before


def test_json_that_parses_but_nests_past_the_limit_is_a_400(api, editor) -> None:  # noqa: ANN001
    nested: object = "deep"
    for _ in range(40):
        nested = {"x": nested}
    body = json.dumps({"name": "Deep", "default_minutes": 10, "description": nested})
    response = api(editor).post("/api/topics/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == TOO_DEEP
    assert not Topic.objects.filter(name="Deep").exists()


def test_ordinary_json_still_creates(api, editor) -> None:  # noqa: ANN001
    response = api(editor).post(
        "/api/topics/", {"name": "Shallow", "default_minutes": 10}, format="json"
    )
    assert response.status_code == 201, response.json()


# --- throttling ------------------------------------------------------------------------------


def test_the_api_answers_429_with_retry_after_past_a_persons_rate(  # noqa: ANN201
    api,  # noqa: ANN001
    editor,  # noqa: ANN001
    manager,  # noqa: ANN001
    settings,  # noqa: ANN001
):
    settings.API_RATE_USER = "3/minute"
    client = api(editor, token=True)
    assert [client.get("/api/topics/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/topics/")
    assert refused.status_code == 429
    body = refused.json()
    assert body["status"] == 429 and body["code"] == "throttled"
    assert body["message"].startswith("Request was throttled. Expected available in ")
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Per person: the manager's first calls are served.
    assert api(manager).get("/api/topics/").status_code == 200


def test_a_throttled_write_saves_nothing(api, editor, settings) -> None:  # noqa: ANN001
    settings.API_RATE_USER = "1/minute"
    client = api(editor)
    assert client.get("/api/topics/").status_code == 200
    refused = client.post("/api/topics/", {"name": "Late", "default_minutes": 5}, format="json")
    assert refused.status_code == 429
    assert not Topic.objects.filter(name="Late").exists()


def test_anonymous_callers_are_counted_by_address_and_cannot_forge_a_new_one(
    api,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    settings.API_RATE_ANON = "2/minute"
    settings.API_RATE_USER = "1000/minute"
    client = api(None)
    statuses = [
        client.get("/api/no-such-thing/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [404, 404, 429]


def test_the_counts_are_kept_in_redis_for_every_process(api, editor, settings) -> None:  # noqa: ANN001
    import redis

    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    api(editor).get("/api/topics/")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = redis.Redis.from_url(settings.REDIS_URL).keys(f"{prefix}:*throttle_user_{editor.pk}")
    assert len(keys) == 1
