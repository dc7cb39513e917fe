"""Streaming a stored file privately with HTTP ranges: an answer's MP4 and its thumbnail, after
the view's access check. The file is opened through the storage API (the filesystem or S3)
and read in chunks from the range's start: never whole in a process's memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import quote_etag

from video_interviews import ranges

CHUNK = 64 * 1024
NO_STORE = "private, no-store"


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    """``length`` bytes from ``start``, a chunk at a time; the file is closed at the end (or
    when the response is closed early: a player that seeks drops the connection)."""
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _etag(name: str, size: int) -> str:
    # Stored names are random and never rewritten: the name and size say which bytes.
    return quote_etag(f"{name.rsplit('/', 1)[-1]}-{size}")


def serve(request: HttpRequest, stored: FieldFile, content_type: str) -> HttpResponse:
    """``stored`` (an answer's file) as the response to ``request`` (GET or HEAD): 200 with the
    whole file, 206 with the one range asked for, or 416 when the range cannot be served.
    Always ``Accept-Ranges: bytes`` and never cached outside the reader's browser."""
    if not stored.name:
        raise Http404
    storage = stored.storage
    try:
        size = storage.size(stored.name)
    except (OSError, FileNotFoundError) as missing:
        raise Http404 from missing
    etag = _etag(stored.name, size)
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        header = None  # the file changed since the client's copy: send it whole
    try:
        wanted = ranges.parse(header, size)
    except ranges.Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = ranges.unsatisfied(size)
        _common(refused, content_type, etag)
        return refused
    start, length = (wanted.start, wanted.length) if wanted else (0, size)
    response: HttpResponse | StreamingHttpResponse
    if request.method == "HEAD":
        response = HttpResponse(status=206 if wanted else 200)
    else:
        try:
            handle: Any = storage.open(stored.name, "rb")
        except (OSError, FileNotFoundError) as missing:
            raise Http404 from missing
        response = StreamingHttpResponse(
            _chunks(handle, start, length), status=206 if wanted else 200
        )
    response["Content-Length"] = str(length)
    if wanted:
        response["Content-Range"] = wanted.content_range(size)
    _common(response, content_type, etag)
    return response


def _common(response: HttpResponse | StreamingHttpResponse, content_type: str, etag: str) -> None:
    response["Content-Type"] = content_type
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = NO_STORE
    response["ETag"] = etag
