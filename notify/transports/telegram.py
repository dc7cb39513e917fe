"""Telegram through python-telegram-bot; the token and an optional self-hosted Bot API base
URL come from the environment. PTB is async, so each send runs in its own short event loop."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from django.conf import settings
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from notify.transports import (
    Message,
    NotConfigured,
    PermanentError,
    TransientError,
    not_configured,
)

# Telegram refuses longer texts; cut rather than fail forever.
MAX_TEXT = 4096


def send(message: Message) -> None:
    reason = not_configured("telegram")
    if reason:
        raise NotConfigured(reason)
    try:
        asyncio.run(_send(message))
    except RetryAfter as error:
        raise TransientError(str(error), retry_after=_seconds(error.retry_after)) from error
    except ChatMigrated as error:
        raise PermanentError(f"chat moved to {error.new_chat_id}") from error
    except (Forbidden, InvalidToken, BadRequest) as error:
        # Blocked bot, unknown chat, bad token: the same request will fail the same way.
        raise PermanentError(str(error)) from error
    except NetworkError as error:  # includes TimedOut and the Bot API's 5xx answers
        raise TransientError(str(error)) from error
    except TelegramError as error:
        raise TransientError(str(error)) from error


async def _send(message: Message) -> None:
    timeout = settings.TELEGRAM_TIMEOUT
    request = HTTPXRequest(
        connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout
    )
    bot = Bot(settings.TELEGRAM_BOT_TOKEN, base_url=settings.TELEGRAM_API_BASE_URL, request=request)
    await request.initialize()
    try:
        # No bot.initialize(): it would spend a getMe call on every message.
        await bot.send_message(
            chat_id=_chat_id(message.recipient), text=message.body_text[:MAX_TEXT]
        )
    finally:
        await request.shutdown()


def _chat_id(recipient: str) -> int | str:
    # Numeric ids (negative for groups) go as numbers; "@channel" names as they are.
    try:
        return int(recipient)
    except ValueError:
        return recipient


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
