"""An answer's video and thumbnail, served privately with HTTP ranges: the bytes of a 206 are
the file's slice, a range that cannot be served is 416 with ``bytes */size``, HEAD says the
same without a body, the body is streamed (never built whole), and nothing is cached."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.video_interviews import helpers
from tests.video_interviews.review_helpers import answer_in, scene, tiny_jpeg, tiny_mp4
from video_interviews import media
from video_interviews.models import Answer


@pytest.fixture
def anna(rita, lead):  # noqa: ANN001, ANN201
    return scene(rita, (lead,))


@pytest.fixture
def lena(lead) -> Client:  # noqa: ANN001
    return helpers.signed_in(lead)


def _video(answer: Answer) -> str:
    return reverse("video_answer_media", args=[answer.pk])


def _body(response) -> bytes:  # noqa: ANN001
    assert response.streaming  # chunks from the storage, never the file built in memory
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_the_whole_video_without_a_range(anna, lena) -> None:  # noqa: ANN001
    response = lena.get(_video(anna.answers[0]))
    data = tiny_mp4()
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(data))
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Content-Range" not in response
    assert _body(response) == data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-1", 0, 1),  # Safari's probe
        ("bytes=100-2099", 100, 2099),
        ("bytes=5000-", 5000, None),  # to the end
        ("bytes=-777", -777, None),  # the last 777 bytes
        ("bytes=21000-99999999", 21000, None),  # the end clamped
    ],
)
def test_a_range_is_the_files_slice(anna, lena, header, start, end) -> None:  # noqa: ANN001
    data = tiny_mp4()
    size = len(data)
    first = start if start >= 0 else size + start
    last = size - 1 if end is None else end
    response = lena.get(_video(anna.answers[0]), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert _body(response) == data[first : last + 1]


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["bytes=99999999-", "bytes=0-1,5-9", "bytes=-0"])
def test_a_range_it_cannot_serve_is_416(anna, lena, header) -> None:  # noqa: ANN001
    response = lena.get(_video(anna.answers[0]), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(tiny_mp4())}"
    assert response["Accept-Ranges"] == "bytes"
    assert response.content == b""


@pytest.mark.django_db
def test_head_says_what_get_would_without_a_body(anna, lena) -> None:  # noqa: ANN001
    size = len(tiny_mp4())
    whole = lena.head(_video(anna.answers[0]))
    assert whole.status_code == 200
    assert whole["Content-Length"] == str(size)
    assert whole["Accept-Ranges"] == "bytes"
    assert whole.content == b""
    part = lena.head(_video(anna.answers[0]), HTTP_RANGE="bytes=-10")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert part["Content-Length"] == "10"
    assert part.content == b""


@pytest.mark.django_db
def test_if_range_with_another_etag_gets_the_whole_file(anna, lena) -> None:  # noqa: ANN001
    url = _video(anna.answers[0])
    etag = lena.head(url)["ETag"]
    same = lena.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert same.status_code == 206
    other = lena.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"something-else"')
    assert other.status_code == 200
    assert _body(other) == tiny_mp4()


@pytest.mark.django_db
def test_the_body_comes_in_chunks(anna, lena, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(media, "CHUNK", 1000)
    response = lena.get(_video(anna.answers[0]), HTTP_RANGE="bytes=10-4509")
    chunks = list(response.streaming_content)
    assert [len(c) for c in chunks] == [1000, 1000, 1000, 1000, 500]
    assert b"".join(chunks) == tiny_mp4()[10:4510]


@pytest.mark.django_db
def test_the_thumbnail_is_a_jpeg(anna, lena) -> None:  # noqa: ANN001
    response = lena.get(reverse("video_answer_thumbnail", args=[anna.answers[0].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == tiny_jpeg()


@pytest.mark.django_db
def test_an_answer_not_ready_or_without_a_thumbnail_has_no_media(rita, anna, lena) -> None:  # noqa: ANN001
    answer = anna.answers[1]
    Answer.objects.filter(pk=answer.pk).update(status=Answer.Status.PROCESSING)
    assert lena.get(_video(answer)).status_code == 404
    assert lena.get(reverse("video_answer_thumbnail", args=[answer.pk])).status_code == 404
    Answer.objects.filter(pk=answer.pk).update(status=Answer.Status.READY, thumbnail="")
    assert lena.get(reverse("video_answer_thumbnail", args=[answer.pk])).status_code == 404
    assert lena.get(_video(answer)).status_code == 200


@pytest.mark.django_db
def test_a_file_gone_from_the_storage_is_404(anna, lena) -> None:  # noqa: ANN001
    answer = anna.answers[0]
    answer.file.storage.delete(answer.file.name)
    assert lena.get(_video(answer)).status_code == 404


@pytest.mark.django_db
def test_an_empty_answer_has_no_media(rita, anna, lena) -> None:  # noqa: ANN001
    other = helpers.interview(rita, ("boris@example.com",))
    empty = answer_in(
        helpers.invitation(other, "boris@example.com"), other.questions.first(), "empty"
    )
    other.reviewers.set(anna.interview.reviewers.all())
    assert lena.get(_video(empty)).status_code == 404
