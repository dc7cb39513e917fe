"""The API's human ``message`` follows the request's language (``Accept-Language``, through
Django's LocaleMiddleware); the machine ``code`` never changes; datetimes are ISO 8601 in
every language (issue 13)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from questionbank.models import Topic
from tests.factories import QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def call(client: Any, method: str, url: str, data: Any, language: str) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language}
    if isinstance(data, bytes):
        kwargs.update(data=data, content_type="application/json")
    elif data is not None:
        kwargs.update(data=data, format="json")
    return getattr(client, method)(url, **kwargs)


def cases(editor: Any, nobody: Any) -> list[tuple[Any, str, str, Any, int, str, str]]:
    """(who, method, url, body, status, code, the Russian message, or part of it)."""
    used = QuestionFactory(first_used_at=timezone.now())
    in_use = used.topic
    deep = ("[" * 40 + "]" * 40).encode()
    return [
        (editor, "post", "/api/topics/", {"name": in_use.name}, 409, "duplicate",
         "Тема с таким названием уже есть."),
        (editor, "delete", f"/api/topics/{in_use.pk}/", None, 409, "in_use",
         "В теме есть вопросы или она использовалась на собеседовании; тема сохранена."),
        (editor, "patch", f"/api/questions/{used.pk}/", {"text": "New"}, 409, "used",
         "Этот вопрос уже задавался на собеседовании"),
        (editor, "delete", f"/api/questions/{used.pk}/", None, 409, "used",
         "вместо удаления выведите его из оборота."),
        (editor, "post", "/api/topics/", {"name": ""}, 400, "invalid",
         "Часть данных заполнена неверно."),
        (editor, "post", "/api/topics/", deep, 400, "parse_error",
         "Ошибка разбора JSON: вложенность глубже 32 уровней."),
        (editor, "get", "/api/topics/999999/", None, 404, "not_found", ""),
        (nobody, "get", "/api/topics/", None, 403, "permission_denied", ""),
        (None, "get", "/api/topics/", None, 401, "not_authenticated", ""),
    ]  # fmt: skip


def test_the_message_follows_accept_language_and_the_code_stays(api, editor, nobody) -> None:  # noqa: ANN001
    for who, method, url, body, status, code, russian in cases(editor, nobody):
        client = api(who)
        english = call(client, method, url, body, "en")
        ru = call(client, method, url, body, "ru")
        assert (english.status_code, ru.status_code) == (status, status), (url, code)
        assert english.json()["code"] == ru.json()["code"] == code, (url, code)
        assert not CYRILLIC.search(english.json()["message"]), (code, english.json())
        assert CYRILLIC.search(ru.json()["message"]), (code, ru.json())
        assert russian in ru.json()["message"], (code, ru.json())
        assert "Accept-Language" in ru.get("Vary", ""), code


def test_field_errors_are_russian_too_and_keep_their_fields(api, editor) -> None:  # noqa: ANN001
    response = call(api(editor), "post", "/api/topics/", {"name": "", "default_minutes": 999}, "ru")
    body = response.json()
    assert (body["code"], set(body["errors"])) == ("invalid", {"name", "default_minutes"})
    assert all(CYRILLIC.search(message) for message in body["errors"]["name"])


def test_a_token_client_gets_its_language_too(api, editor) -> None:  # noqa: ANN001
    topic = TopicFactory()
    response = call(api(editor, token=True), "post", "/api/topics/", {"name": topic.name}, "ru")
    assert response.json()["code"] == "duplicate"
    assert response.json()["message"] == "Тема с таким названием уже есть."


def test_datetimes_are_iso_8601_in_every_language(api, editor) -> None:  # noqa: ANN001
    topic = TopicFactory()
    stored = Topic.objects.get(pk=topic.pk).created_at
    seen = []
    for language in ("en", "ru"):
        body = call(api(editor), "get", f"/api/topics/{topic.pk}/", None, language).json()
        for name in ("created_at", "updated_at"):
            assert ISO_8601.match(body[name]), (language, name, body[name])
        assert datetime.fromisoformat(body["created_at"].replace("Z", "+00:00")) == stored
        seen.append(json.dumps(body, sort_keys=True))
    assert seen[0] == seen[1]  # the language changes messages only, never data


def test_the_candidate_checks_answer_in_russian(api, lead) -> None:  # noqa: ANN001
    topic = TopicFactory()
    body = {
        "candidate": {"full_name": "Dana\nDoe", "email": "dana@example.com", "phone": "1\x072"},
        "topics": [{"topic": topic.pk, "seconds": 300}, {"topic": topic.pk, "seconds": 300}],
    }
    response = call(api(lead, token=True), "post", "/api/sessions/", body, "ru")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    errors = response.json()["errors"]
    assert errors["candidate"]["full_name"] == [
        "Запишите в одну строку: переносы строк здесь не допускаются."
    ]
    assert errors["candidate"]["phone"] == [
        "Уберите из текста невидимый управляющий символ (U+0007)."
    ]
    assert errors["topics"] == ["Каждую тему можно выбрать только один раз."]
