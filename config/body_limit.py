"""A cap on the size of every request body, applied before Django reads any of it.

Django's ASGI handler reads the whole body (into memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``,
then a temporary file) before any middleware or view runs, so the cap has to sit in front of
it, as an ASGI wrapper of the HTTP app (``config/asgi.py``):

* a ``Content-Length`` over the route's limit is answered ``413`` at once; nothing is read and
  Django is never called;
* a body without ``Content-Length`` (chunked) is counted while Django reads it; once it passes
  the limit the wrapper stops reading, tells Django the client went away (Django then answers
  nothing and calls no view) and answers ``413`` itself.

The limit is ``MAX_BODY_BYTES`` unless the longest matching prefix in ``BODY_LIMITS`` (the
upload pages) says otherwise. The refusal is the API's error body plus the limit:

    {"status": 413, "code": "too_large", "message": "…", "limit": 1048576}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation.trans_real import parse_accept_lang_header

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def limit_for(path: str) -> int:
    """The largest body the route at ``path`` takes, in bytes."""
    best = ""
    for prefix in settings.BODY_LIMITS:
        if path.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return int(settings.BODY_LIMITS[best]) if best else int(settings.MAX_BODY_BYTES)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # malformed: the server refuses it; we count what comes anyway
    return None


def _language(scope: Scope) -> str:
    """The reader's language before Django runs: the language cookie, else Accept-Language."""
    headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", ())}
    wanted = []
    for part in headers.get(b"cookie", "").split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME:
            wanted.append(value)
    wanted += [code for code, _q in parse_accept_lang_header(headers.get(b"accept-language", ""))]
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


async def refuse_too_large(send: Send, limit: int, scope: Scope | None = None) -> None:
    with translation.override(_language(scope or {})):
        message = gettext(
            "The request body is larger than this address takes (%(limit)s bytes)."
        ) % {"limit": limit}
    body = json.dumps(
        {"status": 413, "code": "too_large", "message": message, "limit": limit}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is not read: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Wraps an ASGI HTTP app; other scope types pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await refuse_too_large(send, limit, scope)
            return

        received = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True  # stop reading: Django sees a client that went away
                    return {"type": "http.disconnect"}
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, watching_send)
        if over and not started:
            await refuse_too_large(send, limit, scope)
