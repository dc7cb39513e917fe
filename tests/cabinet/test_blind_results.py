"""Blind scoring: others' scores, notes and feedback stay hidden from an interviewer until
their own feedback is in (managers see all); authors edit their own until the decision, and
every edit is kept in the session's history."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cabinet import services as cabinet
from sessions_live import feedback_edits
from sessions_live.models import AskedQuestion, FeedbackRecord, LiveSession, ResultEdit
from tests.cabinet.helpers import command, new_session, run_interview

pytestmark = pytest.mark.django_db


def _finished_with_only_anns_feedback(lead, ann, bob) -> LiveSession:  # noqa: ANN001
    session = new_session(lead, [ann, bob])
    return run_interview(
        session, lead, [(ann, (4, 3)), (bob, (1,))], feedback_from=[ann]
    )


def _page(user, session: LiveSession) -> str:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    response = client.get(f"/s/{session.code}/results/")
    assert response.status_code == 200
    return response.content.decode()


def _api(user, session: LiveSession) -> dict:  # noqa: ANN001
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/sessions/{session.code}/results/")
    assert response.status_code == 200
    return response.json()


def test_an_interviewer_without_feedback_sees_only_their_own_work(lead, ann, bob) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    body = _page(bob, session)
    assert "1 / 5" in body and "note 1" in body  # Bob's own block
    assert "4 / 5" not in body and "note 4" not in body  # Ann's scores and notes
    assert "Ann thinks so" not in body  # Ann's feedback
    assert 'id="blind-notice"' in body and 'id="grand-total"' not in body

    results = _api(bob, session)
    assert results["blind"] is True and results["totals"] is None
    anns_block, bobs_block = results["blocks"]
    assert anns_block["questions"] == [] and anns_block["totals"] is None
    assert [q["score"] for q in bobs_block["questions"]] == [1]
    assert results["feedback"] == []


def test_after_submitting_feedback_an_interviewer_sees_everything(lead, ann, bob) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    body = _page(ann, session)  # Ann's feedback is in
    assert "1 / 5" in body and "4 / 5" in body and 'id="blind-notice"' not in body
    command(session, bob, "feedback.submit", summary="Bob thinks so", items={})
    body = _page(bob, session)
    assert "4 / 5" in body and "Ann thinks so" in body and 'id="grand-total"' in body
    results = _api(bob, session)
    assert results["blind"] is False and results["totals"]["score"] == 8


def test_a_manager_sees_all_before_any_feedback(lead, ann, bob, manager) -> None:  # noqa: ANN001
    session = new_session(lead, [ann, bob])
    session = run_interview(session, lead, [(ann, (4, 3)), (bob, (1,))], feedback_from=[])
    body = _page(manager, session)
    assert "4 / 5" in body and "1 / 5" in body
    assert _api(manager, session)["blind"] is False
    client = Client()
    client.force_login(manager)
    cabinet_page = client.get(f"/cabinet/s/{session.code}/").content.decode()
    assert "4 / 5" in cabinet_page and "1 / 5" in cabinet_page


def test_a_lead_who_owns_no_block_sees_all_once_every_owner_is_in(lead, ann, bob) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    assert "4 / 5" not in _page(lead, session)
    command(session, bob, "feedback.submit", summary="Bob thinks so", items={})
    assert "4 / 5" in _page(lead, session)


def test_an_author_edits_their_score_and_feedback_and_the_history_keeps_both(lead, ann, bob, manager) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    command(session, bob, "feedback.submit", summary="Bob thinks so", items={})
    first_key = _api(ann, session)["blocks"][0]["questions"][0]["key"]
    client = Client()
    client.force_login(ann)
    response = client.post(
        f"/s/{session.code}/results/edit/score/",
        {"block": 0, "key": first_key, "score": 2, "note": "on second thought"},
    )
    assert response.status_code == 302
    client.post(f"/s/{session.code}/results/edit/feedback/", {"summary": "Ann rethinks"})

    results = _api(manager, session)
    assert results["blocks"][0]["questions"][0]["score"] == 2
    assert results["blocks"][0]["totals"]["score"] == 5 and results["totals"]["score"] == 6
    assert results["feedback"][0]["summary"] == "Ann rethinks"
    assert AskedQuestion.objects.get(session=session, key=first_key).score == 2
    assert FeedbackRecord.objects.get(session=session, member=ann).summary == "Ann rethinks"
    edits = list(ResultEdit.objects.filter(session=session).order_by("id"))
    assert [(e.author, e.kind, e.old, e.new) for e in edits] == [
        (ann, "score", {"score": 4, "note": "note 4"}, {"score": 2, "note": "on second thought"}),
        (ann, "feedback", {"summary": "Ann thinks so", "items": {}},
         {"summary": "Ann rethinks", "items": {}}),
    ]
    page = _page(manager, session)
    assert 'id="edit-history"' in page and "on second thought" in page


def test_nobody_edits_another_members_block(lead, ann, bob) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    key = _api(ann, session)["blocks"][0]["questions"][0]["key"]
    with pytest.raises(feedback_edits.EditRefused) as refused:
        feedback_edits.score_edit(
            session=session, author=bob, block_index=0, question_key=key, score=0, note=""
        )
    assert refused.value.code == "forbidden"
    with pytest.raises(feedback_edits.EditRefused):
        feedback_edits.feedback_edit(session=session, author=bob, summary="x", items={})
    assert not ResultEdit.objects.exists()


def test_edits_are_refused_once_the_manager_decides(lead, ann, bob, manager, platform) -> None:  # noqa: ANN001
    session = _finished_with_only_anns_feedback(lead, ann, bob)
    command(session, bob, "feedback.submit", summary="Bob thinks so", items={})
    key = _api(ann, session)["blocks"][0]["questions"][0]["key"]
    cabinet.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    with pytest.raises(feedback_edits.EditRefused) as refused:
        feedback_edits.score_edit(
            session=session, author=ann, block_index=0, question_key=key, score=1, note=""
        )
    assert refused.value.code == "decided"
    client = Client()
    client.force_login(ann)
    client.post(f"/s/{session.code}/results/edit/feedback/", {"summary": "late"})
    assert FeedbackRecord.objects.get(session=session, member=ann).summary == "Ann thinks so"
    assert not ResultEdit.objects.exists()
    assert "score-edit" not in _page(ann, session)  # no edit forms after the decision
    # Reopened, the decision is open again: so are the edits.
    cabinet.decision_reopen(session=session, manager=manager)
    feedback_edits.score_edit(
        session=session, author=ann, block_index=0, question_key=key, score=1, note=""
    )
    assert ResultEdit.objects.count() == 1


def test_a_reopen_reaches_hr_marked_and_the_new_decision_is_marked_revised(lead, ann, bob, manager, platform, weak_sql, settings, no_broker) -> None:  # noqa: ANN001
    from notify.models import Outbox

    settings.TELEGRAM_BOT_TOKEN = ""
    session = new_session(lead, [ann, bob])
    session = run_interview(session, lead, [(ann, (4, 3)), (bob, (1,))])
    session.candidate.hr_email = "hr@example.com"
    session.candidate.hr_telegram_chat_id = "12345"
    session.candidate.save()
    cabinet.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    cabinet.decision_reopen(session=session, manager=manager, note="budget moved")
    cabinet.decision_make(
        session=session, manager=manager, outcome="reject", reasons=[weak_sql], comment="sorry"
    )
    rows = list(Outbox.objects.order_by("id"))
    emails = [r for r in rows if r.channel == "email"]
    assert [r.kind for r in emails] == ["decision", "reopened", "decision"]
    assert emails[1].subject.startswith("Decision reopened")
    assert "budget moved" in emails[1].body_text
    assert emails[2].subject.startswith("Revised decision")
    # Telegram has no bot here: skipped with the reason, never queued, never a failure.
    telegram = [r for r in rows if r.channel == "telegram"]
    assert {r.status for r in telegram} == {"skipped"}
    assert "not configured" in telegram[0].last_error
    assert [r.status for r in emails] == ["cancelled", "pending", "pending"]
