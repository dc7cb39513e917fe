"""The tus resumable-upload protocol 1.0.0 (https://tus.io/protocols/resumable-upload), the
part a recorded answer needs: core (HEAD, PATCH), *creation* (POST), *creation-defer-length*
(the browser does not know a recording's length until it stops) and *termination* (DELETE:
a take thrown away). Headers in, headers out, no Django and no I/O; ``video_interviews.
uploads`` is the view and ``video_interviews.recording`` does the writing.

Why tus rather than a chunk protocol of our own: the browser side is tus-js-client, a
maintained client that resumes after a dropped connection by asking the server (HEAD) how
much it has, then sends the rest; nothing is sent twice but the chunk that was in flight."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

VERSION: Final = "1.0.0"
EXTENSIONS: Final = "creation,creation-defer-length,termination"
CHUNK_CONTENT_TYPE: Final = "application/offset+octet-stream"
METADATA_MAX: Final = 1024  # bytes of the Upload-Metadata header
_NUMBER = re.compile(r"[0-9]{1,19}")
_KEY = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")


@dataclass(frozen=True)
class TusError(Exception):
    """A request the protocol refuses: the HTTP ``status``, a stable ``code``."""

    status: int
    code: str


def check_version(headers: Mapping[str, str]) -> None:
    """Every request but OPTIONS says which protocol version it speaks (412 otherwise)."""
    if headers.get("Tus-Resumable") != VERSION:
        raise TusError(412, "tus_version")


def number(value: str | None, code: str) -> int:
    """A header that must be a non-negative integer (400 ``code`` otherwise)."""
    if value is None or not _NUMBER.fullmatch(value.strip()):
        raise TusError(400, code)
    return int(value)


def optional_length(headers: Mapping[str, str]) -> int | None:
    value = headers.get("Upload-Length")
    return None if value is None else number(value, "bad_length")


def creation_length(headers: Mapping[str, str]) -> int | None:
    """POST: ``Upload-Length``, or ``Upload-Defer-Length: 1`` for a length told later."""
    length = optional_length(headers)
    deferred = headers.get("Upload-Defer-Length")
    if deferred is not None and deferred != "1":
        raise TusError(400, "bad_defer_length")
    if (length is None) == (deferred is None):
        raise TusError(400, "length_required")
    return length


def metadata(value: str | None) -> dict[str, str]:
    """``Upload-Metadata: key base64,key2 base64`` → ``{key: text}`` (400 ``bad_metadata``)."""
    if not value:
        return {}
    if len(value) > METADATA_MAX:
        raise TusError(400, "bad_metadata")
    found: dict[str, str] = {}
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        if len(parts) not in (1, 2) or not _KEY.fullmatch(parts[0]) or parts[0] in found:
            raise TusError(400, "bad_metadata")
        try:
            text = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(400, "bad_metadata") from None
        found[parts[0]] = text
    return found


def patch_offset(headers: Mapping[str, str]) -> int:
    """PATCH: the body's content type and where it goes. A PATCH with no body (only telling
    the length at the end) need not name a type: there is nothing to misread."""
    content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
    empty = headers.get("Content-Length", "0") == "0"
    if content_type != CHUNK_CONTENT_TYPE and not (empty and not content_type):
        raise TusError(415, "bad_content_type")
    return number(headers.get("Upload-Offset"), "bad_offset")


def options_headers(max_size: int) -> dict[str, str]:
    return {
        "Tus-Resumable": VERSION,
        "Tus-Version": VERSION,
        "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(max_size),
    }


def offset_headers(offset: int, length: int | None) -> dict[str, str]:
    """HEAD and PATCH answers: how much the server has, and the length once known."""
    headers = {"Tus-Resumable": VERSION, "Upload-Offset": str(offset), "Cache-Control": "no-store"}
    if length is None:
        headers["Upload-Defer-Length"] = "1"
    else:
        headers["Upload-Length"] = str(length)
    return headers
