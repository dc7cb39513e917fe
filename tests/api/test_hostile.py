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
