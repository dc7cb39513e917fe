"""Streaming a stored file privately with HTTP ranges: an answer's MP4 and its thumbnail, after
the view's access check. Only the range asked for is read, in chunks, never the whole file in
a process's memory: from an S3 bucket with a ranged ``GetObject`` (django-storages' ``open``
would download the whole object to a spooled file, in memory by default, for every request a
player makes), from any other storage through ``open`` and ``seek``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import quote_etag

from video_interviews import ranges

CHUNK = 64 * 1024
NO_STORE = "private, no-store"


def read_range(storage: Any, name: str, start: int, length: int) -> Iterator[bytes]:
    """``length`` bytes of the stored file ``name`` from ``start``, in chunks of at most
    ``CHUNK``. The object is opened here (``FileNotFoundError`` when it is gone) and the bytes
    are read as the iterator is consumed; closing the iterator early (a player that seeks
    drops the connection) closes the file or the S3 response."""
    if length <= 0:
        return iter(())
    s3_object = _s3_object(storage, name)
    if s3_object is None:
        return _chunks(storage.open(name, "rb"), start, length)
    from botocore.exceptions import ClientError

    try:
        reply = s3_object.get(Range=f"bytes={start}-{start + length - 1}")
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise FileNotFoundError(name) from error
        raise
    return _body_chunks(reply["Body"], length)


def _s3_object(storage: Any, name: str) -> Any:
    """The boto3 object behind ``name`` when ``storage`` is django-storages' S3Storage (the key
    made as its own ``open`` makes it: the location prefix, the name cleaned), else None."""
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:  # no django-storages installed: no bucket either
        return None
    if not isinstance(storage, S3Storage):  # (a LazyObject answers for what it wraps)
        return None
    return storage.bucket.Object(storage._normalize_name(clean_name(name)))


def _body_chunks(body: Any, length: int) -> Iterator[bytes]:
    """An S3 response's body (botocore's StreamingBody) read off the socket a chunk at a
    time, at most ``length`` bytes; the response is closed at the end or when dropped."""
    try:
        left = length
        for chunk in body.iter_chunks(min(CHUNK, length)):
            chunk = chunk[:left]
            left -= len(chunk)
            if chunk:
                yield chunk
            if left <= 0:
                break
    finally:
        body.close()


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
    except OSError as missing:  # FileNotFoundError included
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
            body = read_range(storage, stored.name, start, length)
        except OSError as missing:  # FileNotFoundError included
            raise Http404 from missing
        response = StreamingHttpResponse(body, status=206 if wanted else 200)
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
