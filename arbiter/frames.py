"""Client frames as they arrive on the socket: JSON text in, a command, a ping or a refusal out.

Everything a socket receives goes through ``parse_frame`` and nothing here raises: a frame
that cannot be a command (not text, too large, not JSON, nested too deeply, not an object,
not a valid command) comes back as a ``FrameError`` with a stable code, so the consumer only
relays the answer and the connection stays open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from arbiter.codes import BAD_FRAME, BAD_JSON, BAD_REQUEST, TOO_LARGE
from arbiter.i18n import gettext_noop
from arbiter.registry import BadCommand, Command, command_from_frame

MAX_FRAME_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Ping:
    id: str | None


@dataclass(frozen=True, slots=True)
class FrameError:
    """A refused frame: ``message`` is English; ``template % params`` is the same text, and
    ``template`` is the message id a translating shell looks up."""

    id: str | None
    code: str
    message: str
    template: str = ""
    params: tuple[tuple[str, str | int], ...] = ()


def _refuse(frame_id: str | None, code: str, template: str, **params: str | int) -> FrameError:
    message = template % params if params else template
    return FrameError(frame_id, code, message, template, tuple(sorted(params.items())))


def decode_frame(text: str | None, max_bytes: int = MAX_FRAME_BYTES) -> dict[str, Any] | FrameError:
    """The JSON object a text frame holds, or why it holds none."""
    if not isinstance(text, str):
        return _refuse(None, BAD_REQUEST, gettext_noop("Send JSON text frames."))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: no socket delivers that as text
        return _refuse(None, BAD_FRAME, gettext_noop("The frame is not valid UTF-8 text."))
    if size > max_bytes:
        return _refuse(
            None,
            TOO_LARGE,
            gettext_noop("The frame is over %(kib)s KiB and was ignored."),
            kib=max_bytes // 1024,
        )
    try:
        frame = json.loads(text)
    except RecursionError:  # "[[[[…" under the size limit: refused, not a dead socket
        return _refuse(None, BAD_FRAME, gettext_noop("The frame is nested too deeply."))
    except ValueError:  # includes integers of over 4300 digits
        return _refuse(None, BAD_JSON, gettext_noop("The frame is not valid JSON."))
    if not isinstance(frame, dict):
        return _refuse(None, BAD_REQUEST, gettext_noop("A frame is a JSON object."))
    return frame


def parse_frame(
    actor: int, text: str | None, max_bytes: int = MAX_FRAME_BYTES
) -> Command | Ping | FrameError:
    """Decode and validate one frame of ``actor``; never raises."""
    frame = decode_frame(text, max_bytes)
    if isinstance(frame, FrameError):
        return frame
    raw_id = frame.get("id")
    frame_id = raw_id if isinstance(raw_id, str) and len(raw_id) <= 64 else None
    if frame.get("type") == "ping":
        return Ping(frame_id)
    try:
        return command_from_frame(actor, frame)
    except BadCommand as error:
        return FrameError(frame_id, error.code, error.message, error.template, error.params)
