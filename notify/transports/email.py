"""E-mail through Django's mail API; SMTP settings come from ``EMAIL_URL``."""

from __future__ import annotations

import smtplib
from email.mime.base import MIMEBase
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notify.transports import Attachment, Message, PermanentError, TransientError, content_type


def send(message: Message) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(_mime_part(attachment))
    try:
        get_connection(fail_silently=False).send_messages([email])
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        reason = "; ".join(
            f"{address}: {code} {_decode(text)}"
            for address, (code, text) in error.recipients.items()
        )
        # 4xx is "not now" (greylisting, full mailbox); 5xx is "never".
        if codes and all(400 <= code < 500 for code in codes):
            raise TransientError(f"recipient deferred: {reason}") from error
        raise PermanentError(f"recipient refused: {reason}") from error
    except smtplib.SMTPResponseException as error:
        reason = f"{error.smtp_code} {_decode(error.smtp_error)}"
        if 500 <= error.smtp_code < 600:
            raise PermanentError(f"mail server refused: {reason}") from error
        raise TransientError(f"mail server deferred: {reason}") from error
    except (smtplib.SMTPException, OSError) as error:
        # Connection refused, timeouts, dropped connections: the server may be back soon.
        raise TransientError(f"mail server unreachable: {error!r}") from error


def _mime_part(attachment: Attachment) -> MIMEBase:
    """A real attachment part with the type's parameters kept (an invitation's ``method``,
    which calendar programs read from the part's Content-Type)."""
    maintype, subtype, params = content_type(attachment.content_type)
    part: MIMEBase
    if maintype == "text":
        part = MIMEText(attachment.content, subtype, "utf-8")
    else:
        from email import encoders

        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment.content.encode("utf-8"))
        encoders.encode_base64(part)
    for name, value in params:
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
