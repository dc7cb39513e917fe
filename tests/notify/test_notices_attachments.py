"""Files an e-mail carries (an invitation's .ics) reach the real SMTP peer as MIME parts of
their own; Telegram rows with the same attachments still send their text; malformed
attachments write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from notify import services
from notify.models import Outbox
from tests.notify.peers import TOKEN

pytestmark = pytest.mark.django_db

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roundtable//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:round-7@roundtable\r\nSEQUENCE:0\r\nSUMMARY:Раунд 1 — Carla\r\n"
    "DTSTART:20261204T100000Z\r\nDTEND:20261204T110000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def wired(settings: Any, peers, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """This process sends straight to the loopback peers, as a worker would."""
    smtp, telegram = peers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_BASE_URL = telegram.base_url
    monkeypatch.setattr(services, "queue_delivery", lambda outbox_id, countdown=None: None)
    return smtp, telegram


def enqueue(channel: str, recipient: str, attachments: list[dict[str, str]]) -> Outbox:
    with transaction.atomic():
        return services.outbox_enqueue(
            channel=channel,
            recipient=recipient,
            subject="Round 1 with Carla",
            body_text="You interview Carla tomorrow at 10:00.",
            body_html="<p>You interview Carla tomorrow at 10:00.</p>",
            kind=Outbox.Kind.ASSIGNMENT,
            attachments=attachments,
        )


def parts(message) -> list:  # noqa: ANN001
    return [part for part in message.walk() if not part.is_multipart()]


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_ics_reaches_the_smtp_peer_as_a_text_calendar_attachment(wired, method) -> None:  # noqa: ANN001
    smtp, _telegram = wired
    ics = ICS.replace("METHOD:REQUEST", f"METHOD:{method}")
    row = enqueue(
        "email",
        "ivan@example.com",
        [
            {
                "filename": "round-7.ics",
                "content_type": f"text/calendar; method={method}",
                "content": ics,
            }
        ],
    )
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.Sent)
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/mixed"
    text, html, calendar = parts(message)
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert "Carla tomorrow" in text.get_content()
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == method
    assert calendar.get_content_disposition() == "attachment"
    assert calendar.get_filename() == "round-7.ics"
    # The calendar's own text, byte for byte (CRLF line ends and the Russian summary kept).
    assert calendar.get_payload(decode=True).decode("utf-8") == ics
    row.refresh_from_db()
    assert row.status == "sent" and row.attachments[0]["filename"] == "round-7.ics"


def test_a_message_without_attachments_is_unchanged(wired) -> None:  # noqa: ANN001
    smtp, _telegram = wired
    row = enqueue("email", "ivan@example.com", [])
    services.outbox_deliver(outbox_id=row.pk)
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parts(message)] == ["text/plain", "text/html"]


def test_a_telegram_row_sends_its_text_without_the_files(wired) -> None:  # noqa: ANN001
    _smtp, telegram = wired
    ics = {"filename": "round-7.ics", "content_type": "text/calendar; method=REQUEST"}
    row = enqueue("telegram", "4242", [{**ics, "content": ICS}])
    assert isinstance(services.outbox_deliver(outbox_id=row.pk), services.Sent)
    [call] = telegram.delivered
    assert "Carla tomorrow" in call.fields["text"]
    assert "BEGIN:VCALENDAR" not in str(call.fields)


GOOD = {"filename": "a.ics", "content_type": "text/calendar; method=REQUEST", "content": ICS}


@pytest.mark.parametrize(
    "attachments",
    [
        [{**GOOD, "content_type": "text/calendar\r\nBcc: x@example.com"}],
        [{**GOOD, "content_type": "calendar"}],
        [{**GOOD, "content_type": "text/calendar; method"}],
        [{**GOOD, "filename": "../../etc/passwd"}],
        [{**GOOD, "filename": "a\r\n.ics"}],
        [{**GOOD, "filename": ""}],
        [{**GOOD, "content": b"bytes"}],
        [{**GOOD, "content": "NUL\x00"}],
        [{**GOOD, "content": "\ud800"}],
        [{**GOOD, "content": "x" * (1024 * 1024 + 1)}],
        [{**GOOD, "extra": "field"}],
        [{"filename": "a.ics", "content": ICS}],
        [GOOD] * 11,
        GOOD,
        "a.ics",
    ],
)
def test_malformed_attachments_write_nothing(wired, attachments) -> None:  # noqa: ANN001
    with pytest.raises(ValueError), transaction.atomic():
        services.outbox_enqueue(
            channel="email",
            recipient="ivan@example.com",
            subject="s",
            body_text="b",
            attachments=attachments,
        )
    assert not Outbox.objects.exists()
