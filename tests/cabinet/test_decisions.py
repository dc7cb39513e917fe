"""Deciding: only when every feedback is in, hire into a team or reject with reasons, one
transaction with the outbox, and a change only through an audited reopen."""

from __future__ import annotations

import pytest
from django.test import Client

from cabinet import services
from cabinet.models import Decision, DecisionAudit
from candidates.models import Candidate, CandidateEvent
from notify.models import Outbox
from tests.cabinet.helpers import command, new_session, ready_session, run_interview


def test_a_decision_cannot_be_made_before_every_feedback_is_in(
    client: Client, lead, ann, bob, manager, platform, no_broker
) -> None:  # noqa: ANN001
    session = run_interview(
        new_session(lead, [ann, bob]), lead, [(ann, [4]), (bob, [2])], feedback_from=[ann]
    )
    assert session.phase == "finished" and not session.ready_for_decision
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    assert refused.value.code == "not_ready"

    client.force_login(manager)
    page = client.get(f"/cabinet/s/{session.code}/")
    assert (
        'id="not-ready"' in page.content.decode() and "decision-form" not in page.content.decode()
    )
    response = client.post(
        f"/cabinet/s/{session.code}/decide/", {"outcome": "hire", "team": platform.pk}
    )
    assert response.status_code == 409
    assert "Not every interviewer has submitted feedback yet." in response.content.decode()
    assert not Decision.objects.exists() and not Outbox.objects.exists() and not no_broker

    # Bob's feedback is the last one: the arbiter says ready, and the same form now works.
    command(session, bob, "feedback.submit", summary="fine", items={})
    response = client.post(
        f"/cabinet/s/{session.code}/decide/", {"outcome": "hire", "team": platform.pk}
    )
    assert response.status_code == 302
    assert Decision.objects.get().team == platform


def test_hiring_records_who_and_when_and_writes_one_outbox_row_per_hr_channel(
    client: Client, lead, ann, bob, manager, platform, django_capture_on_commit_callbacks, no_broker,
    settings,
) -> None:  # noqa: ANN001
    settings.TELEGRAM_BOT_TOKEN = "123:bot"  # a configured bot, or the Telegram row is skipped
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="4242")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cabinet/s/{session.code}/decide/",
            {"outcome": "hire", "team": platform.pk, "comment": "Strong"},
        )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.team, decision.decided_by) == ("hire", platform, manager)
    assert decision.decided_at is not None
    rows = {row.channel: row for row in Outbox.objects.filter(decision=decision)}
    assert rows["email"].recipient == "hr@example.com" and rows["telegram"].recipient == "4242"
    assert all(row.status == "pending" for row in rows.values())
    # Queued only after commit, one task per row.
    assert sorted(no_broker) == sorted(row.pk for row in rows.values())
    text = rows["telegram"].body_text
    assert "Carla Candidate" in text and "hire" in text and "Platform" in text
    assert "7 / 10" in text and "1 / 5" in text  # per-topic scores: Ann 4+3 of 10, Bob 1 of 5
    assert f"/decisions/{session.code}/" in text
    assert "<strong>Platform</strong>" in rows["email"].body_html
    candidate = Candidate.objects.get(pk=session.candidate_id)
    assert candidate.status == Candidate.Status.HIRED
    assert CandidateEvent.objects.filter(
        candidate=candidate, kind="hire", by=manager
    ).exists()
    assert DecisionAudit.objects.get().kind == "decide"


def test_rejecting_needs_reasons_and_a_comment(
    client: Client, lead, ann, bob, manager, weak_sql, no_culture_fit
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    client.force_login(manager)
    url = f"/cabinet/s/{session.code}/decide/"
    assert client.post(url, {"outcome": "reject", "comment": "no"}).status_code == 400
    assert client.post(url, {"outcome": "reject", "reasons": [weak_sql.pk]}).status_code == 400
    assert client.post(url, {"outcome": "hire"}).status_code == 400  # hire without a team
    assert not Decision.objects.exists()
    response = client.post(
        url,
        {
            "outcome": "reject",
            "reasons": [weak_sql.pk, no_culture_fit.pk],
            "comment": "Joins too late",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert set(decision.reasons.all()) == {weak_sql, no_culture_fit} and decision.team is None
    body = Outbox.objects.get().body_text
    assert (
        "reject" in body
        and "Weak SQL" in body
        and "Culture fit" in body
        and "Joins too late" in body
    )
    assert Candidate.objects.get(pk=session.candidate_id).status == Candidate.Status.REJECTED


def test_the_decision_and_its_outbox_rows_commit_together_or_not_at_all(
    lead, ann, bob, manager, platform, monkeypatch
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="4242")
    calls = []

    def broken_enqueue(**kwargs):  # noqa: ANN003, ANN202
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr("notify.services.outbox_enqueue", broken_enqueue)
    with pytest.raises(RuntimeError):
        services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    assert not Decision.objects.exists() and not DecisionAudit.objects.exists()
    assert Candidate.objects.get(pk=session.candidate_id).status == Candidate.Status.INTERVIEWING


def test_changing_a_decision_needs_an_explicit_reopen_kept_in_the_audit_trail(
    client: Client, lead, ann, bob, manager, platform, payments, no_broker
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    client.force_login(manager)
    decide = f"/cabinet/s/{session.code}/decide/"
    assert client.post(decide, {"outcome": "hire", "team": platform.pk}).status_code == 302
    first = Decision.objects.get()
    # A second decision over the first is refused: no silent change.
    response = client.post(decide, {"outcome": "hire", "team": payments.pk})
    assert response.status_code == 409
    assert Decision.objects.count() == 1

    response = client.post(f"/cabinet/s/{session.code}/reopen/", {"note": "Wrong team"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.reopened_by == manager and first.reopened_at is not None
    # The unsent message of the withdrawn decision never reaches HR.
    assert Outbox.objects.get(decision=first, kind="decision").status == "cancelled"
    assert Candidate.objects.get(pk=session.candidate_id).status == Candidate.Status.INTERVIEWING

    assert client.post(decide, {"outcome": "hire", "team": payments.pk}).status_code == 302
    current = Decision.objects.get(reopened_at__isnull=True)
    assert current.team == payments
    assert Outbox.objects.get(decision=current).subject.startswith("Revised decision")
    trail = list(
        DecisionAudit.objects.order_by("at", "id").values_list("kind", "by__username", "details")
    )
    assert [(kind, by) for kind, by, _d in trail] == [
        ("decide", "maria"),
        ("reopen", "maria"),
        ("decide", "maria"),
    ]
    assert trail[0][2]["team"] == "Platform" and trail[1][2]["note"] == "Wrong team"
    assert trail[2][2]["team"] == "Payments"
    page = client.get(f"/cabinet/s/{session.code}/").content.decode()
    assert page.count('class="audit"') == 3 and "Wrong team" in page


def test_two_managers_deciding_at_once_leave_one_decision(
    lead, ann, bob, manager, platform, payments
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob)
    services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    with pytest.raises(services.DecisionRefused):
        services.decision_make(session=session, manager=manager, outcome="hire", team=payments)
    # Even past the service, the database allows one current decision per session.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            session=session,
            outcome="hire",
            team=payments,
            decided_by=manager,
            decided_at=Decision.objects.get().decided_at,
        )
