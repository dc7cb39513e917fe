"""Questions typed during live sessions wait in a review list (``sessions_live.adhoc``) until
an editor accepts one into the bank or dismisses it."""

from __future__ import annotations

import pytest
from django.test import Client

from questionbank.models import Question
from sessions_live import adhoc

pytestmark = pytest.mark.django_db


def test_a_question_typed_live_is_listed_for_review(client: Client, editor, typed_live) -> None:  # noqa: ANN001
    client.force_login(editor)
    page = client.get("/questions/adhoc/").content.decode()
    assert "How would you shard this?" in page
    assert typed_live.session.code in page
    assert f"/questions/adhoc/{typed_live.pk}/accept/" in page


def test_accepting_puts_it_in_the_bank_used_and_off_the_list(
    client: Client, editor, typed_live
) -> None:  # noqa: ANN001
    client.force_login(editor)
    prefix = f"q{typed_live.pk}"
    response = client.post(
        f"/questions/adhoc/{typed_live.pk}/accept/",
        {
            f"{prefix}-text": "How would you shard this table?",
            f"{prefix}-reference_answer": "By tenant.",
            f"{prefix}-difficulty": "hard",
            f"{prefix}-max_points": "8",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text="How would you shard this table?")
    assert question.topic_id == typed_live.topic_id
    assert (question.reference_answer, question.difficulty, question.max_points) == (
        "By tenant.",
        "hard",
        8,
    )
    assert question.is_used  # it was asked in an interview: retire-only from now on
    typed_live.refresh_from_db()
    assert typed_live.reviewed and typed_live.question_id == question.pk
    assert "How would you shard" not in client.get("/questions/adhoc/").content.decode()


def test_accepting_a_question_the_bank_has_links_the_existing_one(typed_live) -> None:  # noqa: ANN001
    existing = Question.objects.create(
        topic_id=typed_live.topic_id, text="How would you shard this?"
    )
    question = adhoc.adhoc_accept(asked_id=typed_live.pk, text="How would you shard this?")
    assert question.pk == existing.pk
    assert Question.objects.filter(text="How would you shard this?").count() == 1


def test_dismissing_takes_it_off_the_list_and_keeps_the_record(
    client: Client, editor, typed_live
) -> None:  # noqa: ANN001
    client.force_login(editor)
    count = Question.objects.count()
    assert client.post(f"/questions/adhoc/{typed_live.pk}/dismiss/").status_code == 302
    typed_live.refresh_from_db()
    assert typed_live.reviewed and typed_live.question_id is None
    assert Question.objects.count() == count
    # A second review of the same question is refused, not applied twice.
    response = client.post(f"/questions/adhoc/{typed_live.pk}/dismiss/", follow=True)
    assert "Someone has reviewed this question already." in response.content.decode()


def test_only_editors_accept_or_dismiss(client: Client, lead, manager, typed_live) -> None:  # noqa: ANN001
    for person in (lead, manager):
        client.force_login(person)
        assert client.post(f"/questions/adhoc/{typed_live.pk}/dismiss/").status_code == 403
        assert client.post(f"/questions/adhoc/{typed_live.pk}/accept/").status_code == 403
    typed_live.refresh_from_db()
    assert not typed_live.reviewed
