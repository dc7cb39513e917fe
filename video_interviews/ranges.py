"""HTTP byte ranges (RFC 9110 §14) for serving answers' videos: what part of a file of
``size`` bytes a ``Range`` header asks for. Pure: no Django, no I/O.

Safari plays and seeks a ``<video>`` only through ranges: it asks ``bytes=0-1`` first and
expects ``206 Partial Content`` with ``Content-Range``; Chrome asks ``bytes=0-`` and then
seeks with ``bytes=N-``. One range per request is served; a multi-range request is refused
as unsatisfiable (416) rather than answered with a multipart body no player asks for.

* no header, another unit, or a header that is not a range at all → the whole file (200);
* ``bytes=a-b`` → a..b (b clamped to the last byte); ``bytes=a-`` → a..end;
  ``bytes=-n`` → the last n bytes (the whole file if n ≥ size);
* a start at or past the end, ``bytes=-0``, any range of an empty file, several ranges →
  ``Unsatisfiable`` (416 with ``Content-Range: bytes */size``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^(?P<start>[0-9]*)-(?P<end>[0-9]*)$")
# Longer numbers than this are no file of ours (and would make int() slow on purpose-built
# headers): refused as unsatisfiable.
_DIGITS_MAX = 19


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive, as ``Content-Range`` counts them."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    """The header asks for no byte the file has (or for several ranges): 416."""


def unsatisfied(size: int) -> str:
    """The ``Content-Range`` of a 416 answer."""
    return f"bytes */{size}"


def parse(header: str | None, size: int) -> ByteRange | None:
    """The one range ``header`` asks of a file of ``size`` bytes; None for the whole file
    (no range, or a header to ignore); ``Unsatisfiable`` when it cannot be served."""
    if not header:
        return None
    unit, _eq, specs = header.strip().partition("=")
    if not _eq or unit.strip().lower() != "bytes":
        return None
    parts = [part.strip() for part in specs.split(",")]
    if not all(_SPEC.match(part) for part in parts):
        return None  # not a byte range at all: ignored, as RFC 9110 allows
    if len(parts) != 1:
        raise Unsatisfiable("several ranges")
    match = _SPEC.match(parts[0])
    assert match is not None
    first, last = match.group("start"), match.group("end")
    if not first and not last:
        return None  # "bytes=-": no range
    if len(first) > _DIGITS_MAX or len(last) > _DIGITS_MAX:
        raise Unsatisfiable("number too long")
    if not first:  # a suffix: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable("empty suffix")
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # an invalid range: ignored
    if start >= size:
        raise Unsatisfiable("starts past the end")
    return ByteRange(start, min(end, size - 1))
