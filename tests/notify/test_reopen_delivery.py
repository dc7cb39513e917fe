"""Defect 3 through the real peers: a reopened decision and the revised one each reach HR's
inbox (a real aiosmtpd server) through a real Celery worker, marked in their subjects."""

from __future__ import annotations

import pytest

from cabinet import services
from cabinet.models import RejectionReason, Team
from notify.models import Outbox
from tests.cabinet.helpers import ready_session
from tests.notify.peers import wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def test_the_reopen_and_the_revised_decision_reach_hrs_inbox(
    worker, peers, publish_to, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    smtp, _telegram = peers
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    team = Team.objects.create(name="Platform")
    services.decision_make(session=session, manager=manager, outcome="hire", team=team)
    wait_for(lambda: len(smtp.messages) == 1, what="the first decision in HR's inbox")

    services.decision_reopen(session=session, manager=manager, note="References fell through")
    wait_for(lambda: len(smtp.messages) == 2, what="the reopen notice in HR's inbox")
    reason = RejectionReason.objects.create(name="References")
    services.decision_make(
        session=session, manager=manager, outcome="reject", reasons=[reason], comment="Sorry"
    )
    wait_for(lambda: len(smtp.messages) == 3, what="the revised decision in HR's inbox")
    wait_for(
        lambda: Outbox.objects.filter(channel="email", status="sent").count() == 3,
        what="every e-mail row to be marked sent",
    )

    # (a long subject may be folded right after "Subject:"; readers drop that blank)
    first, reopened, revised = (str(message["Subject"]).strip() for message in smtp.messages)
    assert first == "Hire: Carla Candidate → Platform"
    assert reopened.startswith("Decision reopened — Carla Candidate")
    assert revised == "Revised decision — Reject: Carla Candidate"
    assert smtp.recipients == [["hr@example.com"]] * 3
    notice = smtp.messages[1].get_body(("plain",)).get_content()
    assert "References fell through" in notice and f"/decisions/{session.code}/" in notice
    kinds = list(Outbox.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["decision", "reopened", "decision"]
