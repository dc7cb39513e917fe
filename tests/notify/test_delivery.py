"""Decisions reach HR through a real Celery worker on the machine's Redis, a real SMTP server
and a stand-in of the Telegram Bot API called by the real python-telegram-bot library, also
when the Bot API or the SMTP server misbehave on the way."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cabinet import services
from cabinet.models import Decision
from notify.models import Outbox
from tests.cabinet.helpers import ready_session
from tests.notify.peers import TG_403, TG_429, TG_500, wait_for

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]


def decide(lead, ann, bob, manager, *, email: str = "", chat: str = "") -> Decision:  # noqa: ANN001
    from cabinet.models import Team

    session = ready_session(lead, ann, bob, hr_email=email, hr_chat=chat)
    team, _ = Team.objects.get_or_create(name="Platform")
    return services.decision_make(session=session, manager=manager, outcome="hire", team=team)


def row(channel: str) -> Outbox:
    return Outbox.objects.get(channel=channel)


def settled(channel: str, status: str = "sent"):  # noqa: ANN201
    return lambda: Outbox.objects.filter(channel=channel, status=status).first()


def test_the_decision_reaches_hr_by_email_and_telegram(
    worker, peers, publish_to, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    smtp, telegram = peers
    decision = decide(lead, ann, bob, manager, email="hr@example.com", chat="4242")
    wait_for(settled("email"), what="the e-mail row to be sent")
    wait_for(settled("telegram"), what="the Telegram row to be sent")

    assert smtp.recipients == [["hr@example.com"]]
    message = smtp.messages[0]
    assert message["Subject"] == "Hire: Carla Candidate → Platform"
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }
    assert set(parts) == {"text/plain", "text/html"}
    for body in parts.values():
        assert "Carla Candidate" in body and "Platform" in body and "7 / 10" in body
        assert f"{settings.SITE_URL}/decisions/{decision.session.code}/" in body

    [call] = telegram.delivered
    assert call.path == "/bot123456:TEST-token/sendMessage"
    assert str(call.fields["chat_id"]) == "4242"
    assert "Carla Candidate" in call.fields["text"] and "1 / 5" in call.fields["text"]
    for channel in ("email", "telegram"):
        sent = row(channel)
        assert (sent.attempts, sent.last_error, sent.claim_token) == (1, "", None) and sent.sent_at


def test_after_429_with_retry_after_then_500_exactly_one_telegram_message_is_delivered(
    worker, peers, publish_to, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    _smtp, telegram = peers
    telegram.script[:] = [TG_429, TG_500]
    decide(lead, ann, bob, manager, chat="4242")
    wait_for(settled("telegram"), timeout=30, what="the Telegram row to be sent")
    assert [call.answer for call in telegram.calls] == [429, 500, 200]
    assert len(telegram.delivered) == 1
    first, second, _third = telegram.calls
    assert second.at - first.at >= 1.0  # the Bot API's retry_after was honoured
    assert row("telegram").attempts == 3


def test_an_email_waits_for_a_smtp_server_that_is_down_and_arrives_once_it_starts(
    worker, peers, publish_to, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    smtp, _telegram = peers
    smtp.stop()
    try:
        decide(lead, ann, bob, manager, email="hr@example.com")
        pending = wait_for(
            lambda: Outbox.objects.filter(
                channel="email", status="pending", attempts__gte=2
            ).first(),
            timeout=30,
            what="two failed tries against the stopped server",
        )
        assert "mail server unreachable" in pending.last_error
        assert smtp.messages == []
    finally:
        smtp.start()
    wait_for(settled("email"), timeout=30, what="the e-mail row to be sent")
    assert len(smtp.messages) == 1 and smtp.recipients == [["hr@example.com"]]


def test_a_403_fails_the_row_with_its_reason_in_the_cabinet_and_retry_delivers_it(
    worker, peers, publish_to, lead, ann, bob, manager
) -> None:  # noqa: ANN001
    _smtp, telegram = peers
    telegram.script[:] = [TG_403]
    decision = decide(lead, ann, bob, manager, chat="4242")
    failed = wait_for(settled("telegram", "failed"), what="the Telegram row to fail")
    assert failed.last_error == "Forbidden: bot was blocked by the user"
    assert failed.attempts == 1 and len(telegram.calls) == 1  # permanent: no retries

    client = Client()
    client.force_login(manager)
    page = client.get(f"/cabinet/s/{decision.session.code}/").content.decode()
    assert "Forbidden: bot was blocked by the user" in page
    assert f"/cabinet/notifications/{failed.pk}/retry/" in page

    # The user unblocks the bot (the stand-in answers OK again); the manager presses retry.
    assert telegram.script == []
    assert client.post(f"/cabinet/notifications/{failed.pk}/retry/").status_code == 302
    wait_for(settled("telegram"), what="the retried row to be sent")
    assert len(telegram.delivered) == 1
    assert "sent" in client.get(f"/cabinet/s/{decision.session.code}/").content.decode()
