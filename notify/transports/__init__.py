"""One module per way out (e-mail, Telegram). Each knows how to send and which of its
errors are permanent; the outbox decides what to do about them."""

from __future__ import annotations

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
class Message:
    recipient: str
    subject: str
    body_text: str
    body_html: str


Transport = Callable[[Message], None]


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
