"""Reviewers are told when a handed-in interview is ready to watch: the processing's
``answer_processed`` fact, after commit, and this app's subscriber (once per reviewer, when
every answer is processed; the named reviewers, else the managers)."""

from __future__ import annotations

from typing import Any

import pytest

from notify.models import Notice
from tests.video_interviews.helpers import candidate, interview, invitation
from tests.video_interviews.review_helpers import answer_in, completed, ready_answer
from tests.video_interviews.test_processing import answer_with, media
from video_interviews import events, processing, services
from video_interviews.models import Answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def handed_in(rita: Any) -> Any:
    made = interview(rita)
    anna = candidate(full_name="Anna Kowalska")
    row = services.invitation_accept(candidate=anna, code=invitation(made).code)
    return completed(row)


def told(kind: str = "video_review") -> list[tuple[str, str, str]]:
    return sorted(
        Notice.objects.filter(kind=kind).values_list("recipient__username", "title", "link")
    )


def test_the_named_reviewers_are_told_once_when_every_answer_is_processed(
    rita: Any, lead: Any, manager: Any, no_broker: Any
) -> None:
    row = handed_in(rita)
    row.interview.reviewers.set([lead])
    first, second = row.interview.questions.order_by("order")
    ready = ready_answer(row, first)
    waiting = answer_in(row, second, Answer.Status.PROCESSING)
    events.answer_processed.send(
        sender=Answer, answer_id=ready.pk, invitation_id=row.pk, status="ready"
    )
    assert told() == []  # one answer is still processing
    Answer.objects.filter(pk=waiting.pk).update(status=Answer.Status.FAILED, error="not_media: …")
    for _twice in range(2):
        events.answer_processed.send(
            sender=Answer, answer_id=waiting.pk, invitation_id=row.pk, status="failed"
        )
    link = f"/video-interviews/invitations/{row.pk}/review/"
    assert told() == [("lena", "Answers to review: Anna Kowalska", link)]


def test_with_no_reviewer_named_the_managers_are_told_in_their_language(
    rita: Any, manager: Any, no_broker: Any
) -> None:
    manager.language = "ru"
    manager.save(update_fields=["language"])
    row = handed_in(rita)
    for question in row.interview.questions.all():
        ready_answer(row, question)
    events.answer_processed.send(sender=Answer, answer_id=0, invitation_id=row.pk, status="ready")
    [(who, title, _link)] = told()
    assert who == "maria" and title == "Ответы ждут просмотра: Anna Kowalska"


def test_an_interview_not_handed_in_tells_nobody(rita: Any, manager: Any, no_broker: Any) -> None:
    made = interview(rita)
    anna = candidate()
    row = services.invitation_accept(candidate=anna, code=invitation(made).code)
    for question in made.questions.all():
        ready_answer(row, question)
    events.answer_processed.send(sender=Answer, answer_id=0, invitation_id=row.pk, status="ready")
    assert told() == []


def test_the_processing_tells_the_fact_after_commit(
    rita: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    events.answer_processed.connect(listen)
    try:
        answer = answer_with(rita, media(tmp_path, "vp8"))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            processing.process_answer(answer.pk)
        assert heard == []  # not before the commit
        for callback in callbacks:
            callback()
        assert [(h["answer_id"], h["status"]) for h in heard] == [(answer.pk, "ready")]
    finally:
        events.answer_processed.disconnect(listen)
