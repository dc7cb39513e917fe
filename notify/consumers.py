"""The personal socket, ``/ws/me/``: one per open page of a signed-in person. It says how many
notices are unread, pushes each new one, and takes "I have read these". See docs/protocol.md,
"The personal socket"."""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from notify import frames, push, selectors, services

logger = logging.getLogger(__name__)

CLOSE_NOT_LOGGED_IN = 4401
# Signed out in this browser, password changed, account deactivated (as every socket of the
# site: the fact arrives in the group ``user.<id>``).
CLOSE_REVOKED = 4410


class _Bucket:
    """Frames a socket may send: ``rate`` a second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _hello(user_id: int) -> tuple[int, int]:
    return selectors.unread_count(user_id=user_id), selectors.newest_id(user_id=user_id)


def _read(user: Any, read: frames.Read) -> int:
    services.notice_mark_read(user=user, notice_ids=read.ids, all=read.all)
    return selectors.unread_count(user_id=user.pk)


class NoticeConsumer(AsyncJsonWebsocketConsumer):
    user: Any = None
    user_id: int | None = None
    session_key: str | None = None
    joined = False
    # Notices up to this id were counted in ``hello``: a push of one of them (committed just
    # before the count was read) is not sent again.
    counted_up_to = 0
    language = "en"
    last_rate_error = 0.0

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so the close code reaches the browser (a refused handshake has none).
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_NOT_LOGGED_IN)
            return
        self.user, self.user_id = user, user.pk
        self.session_key = _session_key(self.scope)
        self.language = _language(user, self.scope)
        self.bucket = _Bucket(settings.WS_RATE_PER_SECOND, settings.WS_RATE_BURST)
        # The groups first, the count second: no notice can slip between them.
        await self.channel_layer.group_add(push.revoke_group(user.pk), self.channel_name)
        await self.channel_layer.group_add(push.notice_group(user.pk), self.channel_name)
        self.joined = True
        unread, self.counted_up_to = await database_sync_to_async(_hello)(user.pk)
        await self.send_json({"type": "hello", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if not self.joined or self.user_id is None:
            return
        self.joined = False
        try:
            await self.channel_layer.group_discard(
                push.notice_group(self.user_id), self.channel_name
            )
            await self.channel_layer.group_discard(
                push.revoke_group(self.user_id), self.channel_name
            )
        except Exception:  # Redis away: the layer forgets the channel with its process
            logger.warning("could not leave the groups of %s", self.channel_name)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # ``user.<id>`` carries messages for the site's other sockets too: not ours.
        if getattr(self, get_handler_name(message), None) is None:
            return
        await super().dispatch(message)

    # --- frames from the page ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.user_id is None or not self.joined:
            return
        if not self.bucket.take():
            now = time.monotonic()
            if now - self.last_rate_error >= 1.0:  # one error a second, not one a frame
                self.last_rate_error = now
                await self._error("rate_limited", gettext_noop("Too many messages; slow down."))
            return
        parsed = frames.parse(text_data if text_data is not None else bytes_data)
        if isinstance(parsed, frames.Refusal):
            await self._error(parsed.code, parsed.template, dict(parsed.params))
        elif isinstance(parsed, frames.Ping):
            await self.send_json({"type": "pong"})
        else:
            try:
                unread = await database_sync_to_async(_read)(self.user, parsed)
            except DatabaseError:
                logger.exception("notices of %s could not be marked read", self.user_id)
                await self._error(
                    "unavailable",
                    gettext_noop("The server could not save this just now; try again."),
                )
                return
            await self.send_json({"type": "unread", "unread": unread})

    # --- pushes from the channel layer ---------------------------------------------------

    async def notice_new(self, event: dict[str, Any]) -> None:
        notice = event["notice"]
        if notice["id"] <= self.counted_up_to:
            return
        await self.send_json({"type": "notice", "notice": notice})

    async def notice_unread(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "unread": event["unread"]})

    async def user_revoked(self, event: dict[str, Any]) -> None:
        """Sign-out of this browser's login (or of every login when ``session_key`` is None),
        a password change or a deactivation: the socket does not outlive it."""
        key = event.get("session_key")
        if key is not None and key != self.session_key:
            return  # signed out elsewhere: this browser's login still holds
        await self.disconnect(CLOSE_REVOKED)
        await self.close(code=CLOSE_REVOKED)

    async def _error(self, code: str, template: str, params: dict[str, Any] | None = None) -> None:
        with translation.override(self.language):
            text = gettext(template)
        if params:
            text %= params
        await self.send_json({"type": "error", "code": code, "message": text})


def _session_key(scope: dict[str, Any]) -> str | None:
    """The browser session (login) this socket came with, to match a sign-out against."""
    session = scope.get("session")
    key = getattr(session, "session_key", None) if session is not None else None
    return key if isinstance(key, str) else None


def _language(user: Any, scope: dict[str, Any]) -> str:
    """The person's language: their profile's, else the language cookie, else the browser's
    Accept-Language, else the site's (as the pages choose it)."""
    if getattr(user, "language", ""):
        return str(user.language)
    cookies = scope.get("cookies") or {}
    candidates = [cookies.get(settings.LANGUAGE_COOKIE_NAME) or ""]
    for name, value in scope.get("headers") or ():
        if name == b"accept-language":
            header = bytes(value).decode("latin-1")[:500]
            candidates += [c for c, _q in translation.trans_real.parse_accept_lang_header(header)]
            break
    for code in candidates:
        if code and code != "*":
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return str(settings.LANGUAGE_CODE)
