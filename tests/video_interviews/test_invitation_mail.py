"""The invitations reach a real SMTP server on loopback (aiosmtpd), each its own outbox row:
the address the server refuses ends ``failed`` with the server's reason and the interview's
page shows it, the two others are delivered with their own codes and links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notify import services as notify
from notify.models import Outbox
from tests.notify.peers import SmtpPeer
from tests.video_interviews import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings) -> Iterator[SmtpPeer]:  # noqa: ANN001
    peer = SmtpPeer()
    peer.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield peer
    peer.stop()


def test_one_refused_address_fails_alone_and_the_page_shows_why(smtp, rita) -> None:  # noqa: ANN001
    smtp.refuse.add("bounce@example.com")
    interview = helpers.interview(
        rita, ("anna@example.com", "bounce@example.com", "carla@example.com")
    )
    rows = list(Outbox.objects.filter(kind="invitation").order_by("id"))
    assert len(rows) == 3
    outcomes = [notify.outbox_deliver(outbox_id=row.pk) for row in rows]
    assert [type(o).__name__ for o in outcomes] == ["Sent", "Failed", "Sent"]
    statuses = dict(Outbox.objects.values_list("recipient", "status"))
    assert statuses == {
        "anna@example.com": "sent",
        "bounce@example.com": "failed",
        "carla@example.com": "sent",
    }
    failed = Outbox.objects.get(recipient="bounce@example.com")
    assert "550" in failed.last_error and "No such user" in failed.last_error

    assert sorted(smtp.recipients) == [["anna@example.com"], ["carla@example.com"]]
    for message in smtp.messages:
        to = message["To"]
        code = helpers.invitation(interview, to).code
        assert message["Subject"] == "Interview invitation: Frontend developer screening"
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        body = text.get_content()
        assert code in body and "Rita Recruiter" in body
        assert f"/signup?code={code}" in body and f"/candidates/dashboard?code={code}" in body

    page = helpers.signed_in(rita).get(f"/video-interviews/{interview.pk}/").content.decode()
    assert page.count('data-delivery="sent"') == 2
    assert page.count('data-delivery="failed"') == 1
    assert "550" in page and "No such user here" in page
