"""Question editors keep the bank in the admin; used questions are retired, not deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from questionbank.models import Question
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_an_editor_deletes_a_question_never_used(client: Client, editor) -> None:  # noqa: ANN001
    question = QuestionFactory()
    client.force_login(editor)
    url = f"/admin/questionbank/question/{question.pk}/delete/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_the_admin_refuses_to_delete_a_used_question_and_offers_retiring(
    client: Client, editor
) -> None:  # noqa: ANN001
    question = QuestionFactory(first_used_at=timezone.now())
    client.force_login(editor)
    url = f"/admin/questionbank/question/{question.pk}/delete/"
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 409
        body = response.content.decode()
        assert "cannot be deleted" in body
        assert f"/admin/questionbank/question/{question.pk}/retire/" in body
    assert Question.objects.filter(pk=question.pk, active=True).exists()

    retired = client.post(f"/admin/questionbank/question/{question.pk}/retire/")
    assert retired.status_code == 302
    question.refresh_from_db()
    assert question.active is False
    assert question.retired_at is not None


def test_bulk_delete_keeps_used_questions(client: Client, editor) -> None:  # noqa: ANN001
    used = QuestionFactory(first_used_at=timezone.now())
    unused = QuestionFactory()
    client.force_login(editor)
    response = client.post(
        "/admin/questionbank/question/",
        {"action": "delete_unused", "_selected_action": [used.pk, unused.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Question.objects.filter(pk=used.pk).exists()
    assert not Question.objects.filter(pk=unused.pk).exists()
    assert (
        "1 question was used in an interview and was kept; retire it instead."
        in response.content.decode()
    )


def test_the_changelist_searches_and_filters(client: Client, editor) -> None:  # noqa: ANN001
    QuestionFactory(text="What is the GIL?")
    QuestionFactory(text="Explain MVCC", active=False)
    client.force_login(editor)
    found = client.get("/admin/questionbank/question/", {"q": "GIL"})
    assert found.status_code == 200
    assert "What is the GIL?" in found.content.decode()
    assert "Explain MVCC" not in found.content.decode()
    retired = client.get("/admin/questionbank/question/", {"active__exact": "0"})
    assert "Explain MVCC" in retired.content.decode()


def test_the_bank_admin_is_limited_to_question_editors(client: Client, lead) -> None:  # noqa: ANN001
    lead.is_staff = True  # even a staff interviewer without the editor role
    lead.save()
    client.force_login(lead)
    assert client.get("/admin/questionbank/question/add/").status_code == 403
    question = QuestionFactory()
    assert (
        client.post(
            f"/admin/questionbank/question/{question.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Question.objects.filter(pk=question.pk).exists()
