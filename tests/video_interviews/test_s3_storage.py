"""The private files in an S3-compatible bucket (``S3_BUCKET``, django-storages' S3Storage):
a recording kept, processed and served with HTTP ranges, the bucket's objects private and
no URL given out. The bucket is moto's S3 server on loopback: no bucket on the internet is
reachable from here, and moto speaks the S3 API over HTTP as MinIO or AWS would (the same
boto3 client, the same requests)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.utils.functional import empty
from moto.server import ThreadedMotoServer

from candidates import models as candidate_models
from tests.video_interviews.helpers import candidate, interview, invitation, signed_in
from tests.video_interviews.review_helpers import scene
from tests.video_interviews.test_processing import media
from tests.video_interviews.test_recording import TUS, patch
from video_interviews import processing, services
from video_interviews.models import Answer

pytestmark = pytest.mark.django_db
BUCKET = "roundtable-private"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server: str, settings: Any, tmp_path: Any) -> Iterator[Any]:
    """The private storage pointed at a fresh bucket; the filesystem storage again after."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.S3_BUCKET = BUCKET
    settings.S3_ENDPOINT_URL = s3_server
    settings.S3_REGION = "us-east-1"
    settings.S3_ACCESS_KEY_ID = "test"
    settings.S3_SECRET_ACCESS_KEY = "test"
    settings.VIDEO_UPLOADS_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty: everything goes to the bucket
    candidate_models.private_storage._wrapped = empty
    yield client
    candidate_models.private_storage._wrapped = empty
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_a_kept_recording_is_processed_and_served_from_the_bucket(
    bucket: Any, rita: Any, manager: Any, no_broker: Any, monkeypatch: Any, tmp_path: Any,
    settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    monkeypatch.setattr("video_interviews.tasks.queue_processing", lambda answer_id: None)
    recorded = media(tmp_path, "vp8")
    made = interview(rita)
    anna = candidate()
    row = services.invitation_accept(candidate=anna, code=invitation(made).code)
    client = signed_in(anna)
    started = client.post(
        f"/candidate/interviews/{row.pk}/takes/",
        json.dumps({"question": 0}),
        content_type="application/json",
    )
    take = started.json()["take"]
    half = len(recorded) // 2
    assert patch(client, take["upload_url"], 0, recorded[:half]).status_code == 204
    last = patch(
        client, take["upload_url"], half, recorded[half:], **{"Upload-Length": str(len(recorded))}
    )
    assert last.status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        kept = client.post(
            f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/",
            "{}",
            content_type="application/json",
        )
    assert kept.status_code == 200, kept.content

    answer = Answer.objects.get()
    [original] = keys(bucket)
    assert original == f"private/{answer.original.name}"
    assert bucket.get_object(Bucket=BUCKET, Key=original)["Body"].read() == recorded
    acl = bucket.get_object_acl(Bucket=BUCKET, Key=original)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]  # the owner alone
    with pytest.raises(ValueError, match="no public URL"):
        answer.original.url  # noqa: B018 - the property raises
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))

    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == "ready", answer.error
    assert keys(bucket) == sorted(
        f"private/{name}"
        for name in (answer.original.name, answer.file.name, answer.thumbnail.name)
    )

    reviewer = signed_in(manager)
    video = f"/video-interviews/answers/{answer.pk}/video/"
    whole = b"".join(reviewer.get(video).streaming_content)
    assert whole[4:8] == b"ftyp" and len(whole) == answer.file.size
    part = reviewer.get(video, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert b"".join(part.streaming_content) == whole[100:1100]
    thumbnail = reviewer.get(f"/video-interviews/answers/{answer.pk}/thumbnail/")
    assert (
        thumbnail.status_code == 200
        and b"".join(thumbnail.streaming_content)[:3] == b"\xff\xd8\xff"
    )
    # The candidate reaches none of it; their upload says only that it is all there.
    assert client.get(video).status_code == 404
    head = client.head(take["upload_url"], headers=TUS)
    assert head["Upload-Offset"] == head["Upload-Length"] == str(len(recorded))


def test_a_range_is_read_from_the_bucket_alone_never_the_whole_object(
    bucket: Any, rita: Any, manager: Any, no_broker: Any, tmp_path: Any
) -> None:
    """A player's range is one ranged GetObject: the bucket sends that slice and no more
    (counted from the requests the storage's own client sends and the lengths moto answers),
    never the whole object spooled per request as the storage's ``open`` would."""
    found = scene(rita, ())
    answer = found.answers[0]
    # 3 MiB of bytes no two ranges share, stored as the answer's MP4 in the bucket.
    whole = b"".join(n.to_bytes(4, "big") for n in range(3 * 1024 * 1024 // 4))
    stored = candidate_models.private_storage.save("answers/big.mp4", ContentFile(whole))
    Answer.objects.filter(pk=answer.pk).update(file=stored)
    assert f"private/{stored}" in keys(bucket)

    sent: list[dict[str, Any]] = []
    events = candidate_models.private_storage.connection.meta.client.meta.events
    events.register(
        "before-send.s3.GetObject",
        lambda request, **_: sent.append({"range": request.headers.get("Range")}),
    )
    events.register(
        "after-call.s3.GetObject",
        lambda parsed, **_: sent[-1].update(length=parsed["ContentLength"]),
    )
    reviewer = signed_in(manager)
    video = f"/video-interviews/answers/{answer.pk}/video/"

    part = reviewer.get(video, headers={"Range": "bytes=1000000-1999999"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 1000000-1999999/{len(whole)}"
    chunks = list(part.streaming_content)
    assert b"".join(chunks) == whole[1_000_000:2_000_000]
    assert max(len(c) for c in chunks) <= 64 * 1024  # streamed, never built whole
    assert sent == [{"range": b"bytes=1000000-1999999", "length": 1_000_000}]

    sent.clear()
    probe = reviewer.get(video, headers={"Range": "bytes=0-1"})  # Safari's first request
    assert b"".join(probe.streaming_content) == whole[:2]
    assert sent == [{"range": b"bytes=0-1", "length": 2}]

    sent.clear()
    tail = reviewer.get(video, headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == whole[-10:]
    assert sent == [{"range": f"bytes={len(whole) - 10}-{len(whole) - 1}".encode(), "length": 10}]

    sent.clear()
    assert reviewer.head(video, headers={"Range": "bytes=5-9"}).status_code == 206
    assert sent == []  # HEAD reads no byte of the object

    sent.clear()
    full = reviewer.get(video)
    assert full.status_code == 200 and b"".join(full.streaming_content) == whole
    assert [s["length"] for s in sent] == [len(whole)]  # the whole file once, when asked for

    candidate_models.private_storage.delete(stored)
    assert reviewer.get(video, headers={"Range": "bytes=0-1"}).status_code == 404
