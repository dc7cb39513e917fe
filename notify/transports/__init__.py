"""One module per way out (e-mail, Telegram). Each knows how to send and which of its
errors are permanent; the outbox decides what to do about them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


class DeliveryError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:2000]


class PermanentError(DeliveryError):
    """Trying again will not help (blocked bot, unknown chat, refused address)."""


class NotConfigured(PermanentError):
    """The channel is not set up on this server: the row is skipped, not failed."""


class TransientError(DeliveryError):
    """Worth another try later; ``retry_after`` is the peer's own wish, if it said one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: text ``content`` of type ``content_type``, which may carry
    parameters (``text/calendar; method=REQUEST``)."""

    filename: str
    content_type: str
    content: str


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    body_text: str
    body_html: str
    # Channels that cannot carry files (Telegram) send the text alone.
    attachments: tuple[Attachment, ...] = ()


Transport = Callable[[Message], None]

_TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+-]{1,64}$")


def content_type(value: object) -> tuple[str, str, list[tuple[str, str]]]:
    """``"text/calendar; method=REQUEST"`` as ``("text", "calendar", [("method", "REQUEST")])``.
    Anything else than a type, a subtype and simple ``name=value`` parameters is a ValueError
    (no header can be smuggled in); a ``charset`` is dropped: text is always sent as UTF-8."""
    if not isinstance(value, str) or len(value) > 200 or any(c in value for c in "\r\n\0"):
        raise ValueError(f"not a content type: {value!r}")
    head, *rest = value.split(";")
    maintype, slash, subtype = head.strip().partition("/")
    if not slash or not _TOKEN.match(maintype) or not _TOKEN.match(subtype):
        raise ValueError(f"not a content type: {value!r}")
    params: list[tuple[str, str]] = []
    for item in rest:
        name, equals, raw = item.strip().partition("=")
        name, raw = name.strip().lower(), raw.strip().strip('"')
        if not equals or not _TOKEN.match(name) or not _TOKEN.match(raw):
            raise ValueError(f"not a content type parameter: {item!r}")
        if name != "charset":
            params.append((name, raw))
    return maintype.lower(), subtype.lower(), params


def not_configured(channel: str) -> str | None:
    """Why ``channel`` cannot send on this server, or None if it can."""
    from django.conf import settings

    if channel == "telegram" and not settings.TELEGRAM_BOT_TOKEN:
        return "Telegram is not configured on this server (TELEGRAM_BOT_TOKEN is not set)"
    return None


def transport_for(channel: str) -> Transport:
    # Imported here so that a worker that sends only e-mail never imports the Telegram stack.
    if channel == "email":
        from notify.transports.email import send
    elif channel == "telegram":
        from notify.transports.telegram import send
    else:
        raise PermanentError(f"unknown channel {channel!r}")
    return send
