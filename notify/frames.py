"""Frames the personal socket receives: JSON text in, a request or a refusal out; never raises.

The same shape of rules as the live session's frames (``arbiter.frames``), for a socket that
only ever needs to say "I have read these": a frame that is not text, too large, not JSON,
not an object or not a valid request comes back as a ``Refusal`` with a stable code, and the
connection stays open."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext_noop

MAX_FRAME_BYTES = 4 * 1024
MAX_IDS = 100
MAX_ID = 2**63 - 1  # a bigint primary key

BAD_FRAME = "bad_frame"
TOO_LARGE = "too_large"
UNKNOWN_TYPE = "unknown_type"


@dataclass(frozen=True, slots=True)
class Read:
    """Mark ``ids`` read, or every notice when ``all``."""

    ids: tuple[int, ...]
    all: bool


@dataclass(frozen=True, slots=True)
class Ping:
    pass


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str
    template: str  # English, the message id the consumer translates
    params: tuple[tuple[str, int], ...] = ()


Frame = Read | Ping | Refusal


def _bad(template: str) -> Refusal:
    return Refusal(BAD_FRAME, template)


def parse(text: object, max_bytes: int = MAX_FRAME_BYTES) -> Frame:
    if not isinstance(text, str):
        return _bad(gettext_noop("Send JSON text frames."))
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        return _bad(gettext_noop("The frame is not valid UTF-8 text."))
    if size > max_bytes:
        return Refusal(
            TOO_LARGE,
            gettext_noop("The frame is over %(kib)s KiB and was ignored."),
            (("kib", max_bytes // 1024),),
        )
    try:
        frame = json.loads(text)
    except RecursionError:
        return _bad(gettext_noop("The frame is nested too deeply."))
    except ValueError:
        return _bad(gettext_noop("The frame is not valid JSON."))
    if not isinstance(frame, dict):
        return _bad(gettext_noop("A frame is a JSON object."))
    kind = frame.get("type")
    if kind == "read":
        return _read(frame)
    if kind == "ping":
        if set(frame) != {"type"}:
            return _bad(gettext_noop("A ping carries nothing but its type."))
        return Ping()
    return Refusal(UNKNOWN_TYPE, gettext_noop("Unknown frame type."))


def _read(frame: dict[str, object]) -> Frame:
    fields = set(frame) - {"type"}
    if fields == {"all"}:
        if frame["all"] is not True:
            return _bad(gettext_noop('"all" must be true.'))
        return Read((), True)
    if fields != {"ids"}:
        return _bad(gettext_noop('A read frame has either "ids" or "all".'))
    ids = frame["ids"]
    # bool is an int in Python, but a JSON true is no id.
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_IDS
        or any(type(item) is not int or not 1 <= item <= MAX_ID for item in ids)
    ):
        return Refusal(
            BAD_FRAME,
            gettext_noop('"ids" is a list of 1 to %(n)s notice ids.'),
            (("n", MAX_IDS),),
        )
    return Read(tuple(ids), False)
