"""Recording an answer, server side (docs/protocol.md, "Recording an answer"): the JSON calls
of the recording page and the tus endpoint, spoken to as a browser would through Django's
test client on PostgreSQL. The browser itself is tests/e2e/test_browser_video_record.py."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.video_interviews.helpers import candidate, interview, invitation, signed_in
from video_interviews import rules, services
from video_interviews.models import Answer, Invitation, Take

pytestmark = pytest.mark.django_db
TUS = {"Tus-Resumable": "1.0.0"}
# The start of a WebM file as MediaRecorder writes it: an EBML header whose DocType is webm.
WEBM_HEAD = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02"
)


@pytest.fixture(autouse=True)
def private_places(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VIDEO_UPLOADS_DIR = tmp_path / "uploads"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The processing's queue, kept out of the way: which answers were handed to it."""
    handed: list[int] = []
    monkeypatch.setattr("video_interviews.tasks.queue_processing", handed.append)
    return handed


@pytest.fixture
def anna(rita: Any, no_broker: Any, queued: Any) -> tuple[Client, Invitation]:
    made = interview(rita)
    person = candidate()
    row = invitation(made)
    services.invitation_accept(candidate=person, code=row.code)
    row.refresh_from_db()
    return signed_in(person), row


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def begin(client: Client, row: Invitation, question: int = 0) -> dict[str, Any]:
    response = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": question})
    assert response.status_code == 201, response.content
    return response.json()["take"]


def patch(client: Client, url: str, offset: int, body: bytes, **headers: str) -> Any:
    return client.generic(
        "PATCH",
        url,
        body,
        content_type=headers.pop("content_type", "application/offset+octet-stream"),
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def upload(client: Client, take: dict[str, Any], data: bytes, chunk: int = 100) -> None:
    """Send ``data`` in chunks, the length told with the last one (as tus-js-client does)."""
    url = take["upload_url"]
    for start in range(0, len(data), chunk):
        piece = data[start : start + chunk]
        last = start + chunk >= len(data)
        extra = {"Upload-Length": str(len(data))} if last else {}
        response = patch(client, url, start, piece, **extra)
        assert response.status_code == 204, response.content
        assert response["Upload-Offset"] == str(start + len(piece))


def recording(size: int = 1000) -> bytes:
    return WEBM_HEAD + bytes(range(256)) * (size // 256 + 1)


def test_the_server_says_what_tus_it_speaks() -> None:
    response = Client().options("/candidate/uploads/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,creation-defer-length,termination"
    assert int(response["Tus-Max-Size"]) >= 600 * 4_000_000 // 8


def test_a_take_goes_up_in_chunks_and_is_kept_as_the_answer(
    anna: Any, queued: list[int], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, row = anna
    state = client.get(f"/candidate/interviews/{row.pk}/state/").json()
    assert state["current"] == 0 and state["take"] is None
    assert state["questions"][0]["text"] is None  # shown only when its thinking time starts
    take = begin(client, row)
    state = client.get(f"/candidate/interviews/{row.pk}/state/").json()
    assert state["questions"][0]["text"].startswith("Tell us about a project")
    assert state["questions"][1]["text"] is None

    head = client.head(take["upload_url"], headers=TUS)
    assert head.status_code == 200 and head["Upload-Offset"] == "0"
    assert head["Upload-Defer-Length"] == "1" and head["Cache-Control"] == "no-store"
    data = recording(1000)
    upload(client, take, data)
    assert Take.objects.get().status == "uploaded"
    # The last PATCH again (its answer lost on the way): nothing changes, it is all there.
    again = patch(client, take["upload_url"], len(data), b"", **{"Upload-Length": str(len(data))})
    assert again.status_code == 204 and again["Upload-Offset"] == str(len(data))

    with django_capture_on_commit_callbacks(execute=True):
        kept = post(
            client,
            f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/",
            {"recorded_ms": 4200},
        )
    assert kept.status_code == 200, kept.content
    answer = Answer.objects.get()
    assert (answer.status, answer.size, answer.recorded_ms) == ("uploaded", len(data), 4200)
    assert answer.content_type == "video/webm" and answer.original.name.endswith(".webm")
    with answer.original.open("rb") as stored:
        assert stored.read() == data
    assert queued == [answer.pk]
    assert kept.json()["current"] == 1
    assert list(settings.VIDEO_UPLOADS_DIR.iterdir()) == []  # the part file is gone


def test_the_last_kept_answer_hands_the_interview_in(anna: Any) -> None:
    client, row = anna
    for question in (0, 1):
        take = begin(client, row, question)
        upload(client, take, recording(300))
        url = f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/"
        assert post(client, url).status_code == 200
    row.refresh_from_db()
    assert row.status == "completed" and row.completed_at is not None
    state = client.get(f"/candidate/interviews/{row.pk}/state/").json()
    assert state["current"] is None and state["status"] == "completed"


def test_questions_go_in_their_order_and_retakes_are_counted(anna: Any) -> None:
    client, row = anna
    ahead = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 1})
    assert ahead.status_code == 409 and ahead.json()["error"] == "not_current_question"
    first = begin(client, row)  # question 1 allows one retake
    second = begin(client, row)
    assert Take.objects.get(pk=first["id"]).status == "discarded"
    assert second["number"] == 2
    third = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 0})
    assert third.status_code == 409 and third.json()["error"] == "no_takes_left"
    assert Take.objects.count() == 2
    # The open take can still be sent and kept; then the question is answered.
    upload(client, second, recording(200))
    post(client, f"/candidate/interviews/{row.pk}/takes/{second['id']}/keep/")
    again = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 0})
    assert again.status_code == 409 and again.json()["error"] == "answered_already"


def test_a_take_cut_short_is_closed_at_what_arrived_and_gives_its_retake_back(anna: Any) -> None:
    client, row = anna
    take = begin(client, row, 0)
    data = recording(500)
    assert patch(client, take["upload_url"], 0, data[:300]).status_code == 204
    stop = post(
        client, f"/candidate/interviews/{row.pk}/takes/{take['id']}/stop/", {"recorded_ms": 2000}
    )
    assert stop.status_code == 200
    closed = Take.objects.get(pk=take["id"])
    assert (closed.status, closed.length, closed.interrupted) == ("uploaded", 300, True)
    assert stop.json()["questions"][0]["takes_left"] == 2  # the cut take is not counted
    # Two more takes are possible: the first and its one retake.
    begin(client, row, 0)
    begin(client, row, 0)
    last = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 0})
    assert last.json()["error"] == "no_takes_left"


def test_bad_chunks_are_refused_with_their_reason_and_change_nothing(anna: Any) -> None:
    client, row = anna
    take = begin(client, row)
    url = take["upload_url"]
    assert patch(client, url, 0, b"x" * 100, content_type="text/plain").status_code == 415
    no_version = client.generic(
        "PATCH",
        url,
        b"x",
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": "0"},
    )
    assert no_version.status_code == 412 and no_version["Tus-Version"] == "1.0.0"
    not_video = patch(client, url, 0, b"%PDF-1.7 " + b"x" * 200)
    assert not_video.status_code == 415 and not_video.json()["error"] == "not_video"
    assert patch(client, url, 5, recording(100)).status_code == 409  # not where it is
    assert patch(client, url, 0, WEBM_HEAD, **{"Upload-Offset": "x"}).status_code == 400
    limit = rules.take_max_bytes(120, 4_000_000, 2 * 1024 * 1024)
    too_long = patch(client, url, 0, recording(100), **{"Upload-Length": str(limit + 1)})
    assert too_long.status_code == 413 and too_long.json()["error"] == "too_large"
    fresh = Take.objects.get(pk=take["id"])
    assert (fresh.offset, fresh.length, fresh.status) == (0, None, "recording")
    # Keeping a take that has not arrived in full is refused too.
    early = post(client, f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/")
    assert early.status_code == 409 and early.json()["error"] == "take_not_uploaded"
    assert Answer.objects.get().submitted_at is None
    bad_body = client.post(
        f"/candidate/interviews/{row.pk}/takes/", "[1,", content_type="application/json"
    )
    assert bad_body.status_code == 400 and bad_body.json()["error"] == "bad_body"


def test_a_length_told_is_kept_to(anna: Any) -> None:
    client, row = anna
    take = begin(client, row)
    data = recording(300)
    first = patch(client, take["upload_url"], 0, data[:200], **{"Upload-Length": str(len(data))})
    assert first.status_code == 204 and first["Upload-Length"] == str(len(data))
    over = patch(client, take["upload_url"], 200, data[200:] + b"extra")
    assert over.status_code == 413 and Take.objects.get().offset == 200
    other = patch(client, take["upload_url"], 200, data[200:], **{"Upload-Length": "999999"})
    assert other.status_code == 409 and other.json()["error"] == "length_mismatch"


def test_a_thrown_away_take_is_gone(anna: Any) -> None:
    client, row = anna
    take = begin(client, row)
    assert patch(client, take["upload_url"], 0, recording(200)).status_code == 204
    deleted = client.delete(take["upload_url"], headers=TUS)
    assert deleted.status_code == 204
    assert client.head(take["upload_url"], headers=TUS).status_code == 410
    assert patch(client, take["upload_url"], 0, recording(100)).status_code == 410


def test_creation_answers_the_takes_own_address(anna: Any) -> None:
    client, row = anna
    take = begin(client, row)
    import base64

    meta = "take " + base64.b64encode(take["id"].encode()).decode()
    made = client.post(
        "/candidate/uploads/",
        b"",
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Defer-Length": "1", "Upload-Metadata": meta},
    )
    assert made.status_code == 201 and made["Location"].endswith(take["upload_url"])
    both = client.post(
        "/candidate/uploads/",
        b"",
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Defer-Length": "1", "Upload-Length": "5", "Upload-Metadata": meta},
    )
    assert both.status_code == 400 and both.json()["error"] == "length_required"
    bad_meta = client.post(
        "/candidate/uploads/",
        b"",
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Defer-Length": "1", "Upload-Metadata": "take ***"},
    )
    assert bad_meta.status_code == 400 and bad_meta.json()["error"] == "bad_metadata"


def test_nobody_else_reaches_a_take(anna: Any, rita: Any) -> None:
    client, row = anna
    take = begin(client, row)
    other = signed_in(candidate("boris@example.com"))
    staff = signed_in(rita)
    anonymous = Client()
    for someone in (other, staff, anonymous):
        assert someone.head(take["upload_url"], headers=TUS).status_code == 404
        assert patch(someone, take["upload_url"], 0, recording(100)).status_code == 404
        assert someone.delete(take["upload_url"], headers=TUS).status_code == 404
    assert other.get(f"/candidate/interviews/{row.pk}/state/").status_code == 404
    assert post(other, f"/candidate/interviews/{row.pk}/takes/", {"question": 0}).status_code == 404
    keep = f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/"
    assert post(other, keep).status_code == 404
    assert post(staff, keep).status_code == 403  # staff do not use the candidates' area
    assert Take.objects.get().offset == 0 and Take.objects.count() == 1


def test_an_answer_begun_before_the_deadline_is_kept_after_it(anna: Any) -> None:
    client, row = anna
    take = begin(client, row)
    upload(client, take, recording(200))
    later = row.interview.deadline + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        services.invitations_expire(now=later)
        row.refresh_from_db()
        assert row.status == "expired"
        kept = post(client, f"/candidate/interviews/{row.pk}/takes/{take['id']}/keep/")
        assert kept.status_code == 200, kept.content
        refused = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 1})
        assert refused.status_code == 404 or refused.json()["error"] == "interview_not_open"


def test_the_recording_page_alone_may_use_the_camera(anna: Any) -> None:
    client, row = anna
    page = client.get(f"/candidate/interviews/{row.pk}/")
    assert "camera=(self)" in page["Permissions-Policy"]
    assert "microphone=(self)" in page["Permissions-Policy"]
    assert "media-src 'self' blob:" in page["Content-Security-Policy"]
    assert 'id="recording-config"' in page.content.decode()
    dashboard = client.get("/candidates/dashboard")
    assert "camera=()" in dashboard["Permissions-Policy"]


def test_the_recording_page_speaks_russian(anna: Any) -> None:
    client, row = anna
    page = client.get(f"/candidate/interviews/{row.pk}/", headers={"Accept-Language": "ru"})
    text = page.content.decode()
    assert "Показать вопрос" in text and "Оставить этот ответ" in text
    config = json.loads(
        text.split('id="recording-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["i18n"]["offline"].startswith("Связь")


def test_sniffing_reads_the_bytes_not_the_name() -> None:
    assert rules.sniff_container(WEBM_HEAD) == "webm"
    assert rules.sniff_container(b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00") == "mp4"
    assert rules.sniff_container(b"%PDF-1.7") is None
    assert rules.sniff_container(b"\x1a\x45\xdf\xa3" + b"\x00" * 40) is None  # EBML, no DocType
    assert rules.takes_left(1, 0) == 2 and rules.takes_left(0, 3) == 0
    seen = [rules.AnswerSeen(0, 1, True, 1), rules.AnswerSeen(1, 0, False, 0)]
    assert rules.current_question(seen) == 1
    assert rules.take_refusal(open_=False, answers=seen, order=1) == rules.NOT_OPEN
    assert rules.take_refusal(open_=True, answers=seen, order=0) == rules.ANSWERED
    assert rules.take_refusal(open_=True, answers=seen, order=1) is None


def test_takes_nobody_will_finish_lose_their_part_files(
    anna: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, row = anna
    take = begin(client, row)
    assert patch(client, take["upload_url"], 0, recording(300)).status_code == 204
    part = settings.VIDEO_UPLOADS_DIR / f"{take['id']}.part"
    stray = settings.VIDEO_UPLOADS_DIR / "0123.part"  # a keep's unlink lost to a crash
    stray.write_bytes(b"x")
    from video_interviews import recording as writes

    assert writes.parts_sweep() == 0  # the deadline is days ahead, the stray is new
    assert part.exists()
    later = row.interview.deadline + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert writes.parts_sweep() == 2
    assert Take.objects.get().status == "discarded"
    assert not part.exists() and not stray.exists()


def test_only_two_cut_takes_per_question_are_given_back(anna: Any) -> None:
    """Cutting one's own recordings short (``stop``) is no endless supply of retakes."""
    client, row = anna
    for _cut in range(rules.INTERRUPTIONS_FORGIVEN + 1):
        take = begin(client, row)  # question 1: the first take and one retake
        assert patch(client, take["upload_url"], 0, recording(200)).status_code == 204
        stop = f"/candidate/interviews/{row.pk}/takes/{take['id']}/stop/"
        assert post(client, stop).status_code == 200
    state = client.get(f"/candidate/interviews/{row.pk}/state/").json()
    assert state["questions"][0]["takes_left"] == 1  # the third cut one counted
    begin(client, row)
    refused = post(client, f"/candidate/interviews/{row.pk}/takes/", {"question": 0})
    assert refused.status_code == 409 and refused.json()["error"] == "no_takes_left"
    assert rules.takes_counted(1, 2) == 1 and rules.takes_counted(0, 5) == 3
