"""A decision on a candidate of one-to-one rounds reaches HR as a session's does: through the
outbox, a real Celery worker on the machine's Redis and a real SMTP server on loopback, in the
HR contact's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from candidates.models import Candidate
from notify.models import Outbox
from tests.cabinet.helpers import selected_by_rounds
from tests.notify.peers import wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def no_broker() -> None:
    """Here the deliveries go to the real broker and worker (the package's fixture captures
    them instead)."""


def _parts(message) -> dict[str, str]:  # noqa: ANN001
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_hr_gets_the_hire_by_email_in_their_language_and_the_candidate_is_hired(
    worker, peers, publish_to, recruiter, ann, manager, platform
) -> None:  # noqa: ANN001
    smtp, _telegram = peers
    candidate = selected_by_rounds(recruiter, ann, hr_email="hr@example.com", hr_language="ru")
    client = Client()
    client.force_login(manager)
    page = client.get("/cabinet/?fragment=lists").content.decode()
    assert f'class="awaiting" data-candidate="{candidate.pk}"' in page
    # The manager leaves the language as the form offers it: the HR contact's.
    response = client.post(
        f"/cabinet/candidates/{candidate.pk}/decide/",
        {"outcome": "hire", "team": platform.pk, "hr_language": "ru"},
    )
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.HIRED

    sent = wait_for(
        lambda: Outbox.objects.filter(channel="email", status="sent").first(),
        what="the e-mail to HR to be sent",
    )
    assert smtp.recipients == [["hr@example.com"]]
    [message] = smtp.messages
    assert message["Subject"] == "Найм: Nora Rounds → Platform"
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "Nora Rounds" in body and "Platform" in body and "Этап" in body
        assert "Screening" in body and "7 / 10" in body and "8 / 10" in body
        assert f"{settings.SITE_URL}/decisions/candidates/{candidate.pk}/" in body
    assert "Кандидат: Nora Rounds" in parts["text/plain"]
    assert (sent.attempts, sent.last_error) == (1, "")
    # The cabinet shows it delivered.
    page = client.get(f"/cabinet/candidates/{candidate.pk}/decide/").content.decode()
    assert f'data-outbox="{sent.pk}" data-status="sent"' in page


def test_a_rejection_reaches_hr_and_the_candidate_is_rejected(
    worker, peers, publish_to, recruiter, ann, manager, weak_sql
) -> None:  # noqa: ANN001
    smtp, _telegram = peers
    candidate = selected_by_rounds(recruiter, ann, hr_email="hr@example.com")
    client = Client()
    client.force_login(manager)
    response = client.post(
        f"/cabinet/candidates/{candidate.pk}/decide/",
        {"outcome": "reject", "reasons": [weak_sql.pk], "comment": "SQL too weak"},
    )
    assert response.status_code == 302
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.REJECTED
    wait_for(
        lambda: Outbox.objects.filter(channel="email", status="sent").first(),
        what="the e-mail to HR to be sent",
    )
    [message] = smtp.messages
    assert message["Subject"] == "Reject: Nora Rounds"
    text = _parts(message)["text/plain"]
    assert "Weak SQL" in text and "SQL too weak" in text and "Rounds:" in text
