"""The byte-range rules (``video_interviews.ranges``) on their own: no database, no Django."""

from __future__ import annotations

import pytest

from video_interviews.ranges import ByteRange, Unsatisfiable, parse, unsatisfied

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-1", ByteRange(0, 1)),  # Safari's first probe
        ("bytes=0-", ByteRange(0, 999)),  # Chrome's first request
        ("bytes=500-", ByteRange(500, 999)),
        ("bytes=10-19", ByteRange(10, 19)),
        ("bytes=999-999", ByteRange(999, 999)),
        ("bytes=990-5000", ByteRange(990, 999)),  # the end clamped to the last byte
        ("bytes=-100", ByteRange(900, 999)),  # a suffix: the last 100 bytes
        ("bytes=-5000", ByteRange(0, 999)),  # a suffix longer than the file: all of it
        ("BYTES = 5-6", ByteRange(5, 6)),  # the unit in any case, blanks around
    ],
)
def test_it_reads_one_range(header: str, expected: ByteRange) -> None:
    assert parse(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [None, "", "items=0-1", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=5-2", "bytes=1-2-3"],
)
def test_it_ignores_what_is_not_a_byte_range(header: str | None) -> None:
    assert parse(header, SIZE) is None


@pytest.mark.parametrize(
    "header",
    [
        "bytes=1000-",  # starts at the end
        "bytes=1000-1001",
        "bytes=5000-",
        "bytes=-0",  # an empty suffix
        "bytes=0-1,5-6",  # several ranges: no multipart here
        "bytes=0-1, 900-",
        "bytes=" + "9" * 30 + "-",  # no file of ours is that long
    ],
)
def test_it_refuses_what_cannot_be_served(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse(header, SIZE)


def test_an_empty_file_has_no_range() -> None:
    with pytest.raises(Unsatisfiable):
        parse("bytes=0-", 0)
    with pytest.raises(Unsatisfiable):
        parse("bytes=-10", 0)
    assert parse(None, 0) is None


def test_the_headers_it_writes() -> None:
    wanted = ByteRange(10, 19)
    assert wanted.length == 10
    assert wanted.content_range(SIZE) == "bytes 10-19/1000"
    assert unsatisfied(SIZE) == "bytes */1000"
