"""An answer's processing with real media: recordings made here with PyAV as the browsers make
them (Chrome's WebM with no duration in its header and millisecond VFR timestamps, Safari's
H.264/AAC MP4, sound only, a file cut short, text that calls itself .webm) go through the
storage to ``process_answer`` and come out as MP4 every browser plays, or a refusal."""

from __future__ import annotations

import random
import struct
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import translation

from candidates.models import private_storage
from config.celery import app as celery_app
from tests.video_interviews.helpers import interview, invitation
from video_interviews import processing, tasks
from video_interviews.models import Answer

pytestmark = pytest.mark.django_db

SECONDS = 3.0
FPS = 30


def record(
    path: Path,
    *,
    seconds: float = SECONDS,
    video: str | None = "libvpx",
    audio: str | None = "libopus",
    size: tuple[int, int] = (320, 240),
    container: str = "webm",
    audio_hole: tuple[float, float] | None = None,
) -> Path:
    """A recording like MediaRecorder's: a WebM muxed live (no duration, no cues) with
    millisecond timestamps that wander around 30 fps, or an MP4 of H.264 and AAC."""
    jitter = random.Random(16)
    live = {"live": "1"} if container == "webm" else {}
    with av.open(str(path), "w", format=container, options=live) as out:
        made: list[tuple[float, Any, Any]] = []  # (seconds, stream, frame), muxed in time order
        if video:
            fast = {"deadline": "realtime", "cpu-used": "8"} if "vpx" in video else {}
            picture = out.add_stream(video, rate=FPS, options=fast)
            picture.width, picture.height = size
            picture.pix_fmt = "yuv420p"
            picture.codec_context.time_base = picture.time_base = Fraction(1, 1000)
            width, height = size
            with av.open(f"testsrc2=size={width}x{height}:rate={FPS}", format="lavfi") as src:
                last = -1
                for n, frame in enumerate(src.decode(video=0)):
                    if n >= seconds * FPS:
                        break
                    wander = jitter.uniform(-9, 9) if n else 0
                    pts = max(last + 1, round(n * 1000 / FPS + wander))
                    frame.pts, frame.time_base, last = pts, Fraction(1, 1000), pts
                    frame.pict_type = av.video.frame.PictureType.NONE
                    made.append((pts / 1000, picture, frame))
        if audio:
            sound = out.add_stream(audio, rate=48000, layout="mono")
            resampler = av.AudioResampler(
                format=sound.codec_context.format.name,
                layout="mono",
                rate=48000,
                frame_size=960 if audio == "libopus" else 1024,
            )
            samples = 0
            with av.open("sine=frequency=440:sample_rate=48000", format="lavfi") as src:
                for frame in src.decode(audio=0):
                    if samples >= seconds * 48000:
                        break
                    frame.pts = None
                    for chunk in resampler.resample(frame):
                        at = samples / 48000
                        chunk.pts, chunk.time_base = samples, Fraction(1, 48000)
                        samples += chunk.samples
                        if not (audio_hole and audio_hole[0] <= at < audio_hole[1]):
                            made.append((at, sound, chunk))  # (a hole: a frozen tab)
        for _, stream, frame in sorted(made, key=lambda item: item[0]):
            out.mux(stream.encode(frame))
        for stream in out.streams:
            out.mux(stream.encode(None))
    return path


_made: dict[str, bytes] = {}


def media(tmp_path: Path, kind: str) -> bytes:
    """The bytes of one kind of recording (made once per test run), also left in the test's
    folder as ``source-<kind>``."""
    target = tmp_path / f"source-{kind}"
    if kind not in _made:
        makers: dict[str, Any] = {
            "vp8": lambda: record(target),
            "vp9": lambda: record(target, video="libvpx-vp9"),
            "mp4": lambda: record(target, video="libx264", audio="aac", container="mp4"),
            "opus": lambda: record(target, video=None),
            "hd": lambda: record(target, seconds=1.0, size=(1920, 1080)),
            "hole": lambda: record(target, audio_hole=(1.0, 2.0)),
            "long": lambda: record(target, seconds=17.0, size=(96, 64)),
        }
        _made[kind] = makers[kind]().read_bytes()
    elif not target.exists():
        target.write_bytes(_made[kind])
    return _made[kind]


def answer_with(rita: Any, original: bytes, suffix: str = ".webm", **fields: Any) -> Answer:
    made = interview(rita)
    question = made.questions.get(order=0)  # 120 s to answer
    answer = Answer(
        invitation=invitation(made),
        question=question,
        size=len(original),
        **{"status": Answer.Status.UPLOADED, **fields},
    )
    answer.original.save(f"original{suffix}", ContentFile(original), save=False)
    answer.save()
    return answer


def stored_files() -> set[str]:
    if not private_storage.exists("video_answers"):
        return set()
    return {f"video_answers/{name}" for name in private_storage.listdir("video_answers")[1]}


def top_level_atoms(data: bytes) -> list[str]:
    atoms, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        at += size
    return atoms


def opened(name: str, tmp_path: Path) -> Path:
    local = tmp_path / Path(name).name
    with private_storage.open(name, "rb") as handle:
        local.write_bytes(handle.read())
    return local


def streams_of(path: Path) -> dict[str, dict[str, Any]]:
    """Each stream's codec, size and the time its packets span (from the packets)."""
    found: dict[str, dict[str, Any]] = {}
    with av.open(str(path)) as container:
        for stream in container.streams:
            times = [
                float(p.pts * stream.time_base)
                for p in container.demux(stream)
                if p.pts is not None and p.size
            ]
            container.seek(0)
            found[stream.type] = {
                "codec": stream.codec_context.name,
                "width": getattr(stream.codec_context, "width", None),
                "height": getattr(stream.codec_context, "height", None),
                "pix_fmt": getattr(stream.codec_context, "pix_fmt", None),
                "rate": getattr(stream.codec_context, "sample_rate", None),
                "packets": len(times),
                "span": max(times) - min(times),
            }
    return found


def assert_plays_everywhere(answer: Answer, tmp_path: Path, seconds: float) -> dict[str, Any]:
    assert answer.status == Answer.Status.READY
    assert answer.error == ""
    assert answer.processed_at is not None
    assert answer.file.name.startswith("video_answers/") and answer.file.name.endswith(".mp4")
    assert answer.duration_ms == pytest.approx(seconds * 1000, rel=0.10)
    local = opened(answer.file.name, tmp_path)
    atoms = top_level_atoms(local.read_bytes())
    assert atoms.index("moov") < atoms.index("mdat"), atoms  # faststart
    found = streams_of(local)
    assert found["audio"]["codec"] == "aac"
    assert found["audio"]["rate"] == 48000
    assert found["audio"]["span"] == pytest.approx(seconds, rel=0.10)
    if "video" in found:
        assert found["video"]["codec"] == "h264"
        assert found["video"]["pix_fmt"] in ("yuv420p", "yuvj420p")
        assert found["video"]["span"] == pytest.approx(seconds, rel=0.10)
    return found


def assert_thumbnail(answer: Answer, tmp_path: Path, height: int) -> None:
    assert answer.thumbnail.name.endswith(".jpg")
    local = opened(answer.thumbnail.name, tmp_path)
    assert local.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    with av.open(str(local)) as image:
        frame = next(image.decode(video=0))
    assert (frame.width, frame.height) == (320, height)


def test_chromes_vp8_opus_webm_becomes_an_h264_aac_mp4(rita, tmp_path) -> None:  # noqa: ANN001
    source = media(tmp_path, "vp8")
    with av.open(str(tmp_path / "source-vp8")) as probe:
        assert probe.duration is None  # as Chrome's: the header has no duration
    answer = answer_with(rita, source)
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    found = assert_plays_everywhere(answer, tmp_path, SECONDS)
    assert (found["video"]["width"], found["video"]["height"]) == (320, 240)
    # Every frame of the VFR source, none doubled or dropped, in its time.
    assert found["video"]["packets"] == SECONDS * FPS
    assert_thumbnail(answer, tmp_path, 240)
    assert stored_files() == {answer.original.name, answer.file.name, answer.thumbnail.name}


def test_a_vp9_webm_is_transcoded_too(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "vp9"))
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert_plays_everywhere(answer, tmp_path, SECONDS)
    assert_thumbnail(answer, tmp_path, 240)


def test_a_full_hd_recording_is_scaled_down_to_720p(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "hd"))
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    found = assert_plays_everywhere(answer, tmp_path, 1.0)
    assert (found["video"]["width"], found["video"]["height"]) == (1280, 720)
    assert_thumbnail(answer, tmp_path, 180)


def x264_settings(path: Path) -> dict[str, str]:
    """The settings libx264 wrote into the stream (its SEI: "x264 - core … options: …")."""
    with av.open(str(path)) as container:
        first = next(p for p in container.demux(video=0) if p.size)
    text = bytes(first).split(b"options: ", 1)[1].split(b"\x00", 1)[0].decode("ascii", "replace")
    return dict(item.split("=", 1) for item in text.split() if "=" in item)


def test_above_480p_the_motion_search_is_the_cheapest_and_the_crf_the_same(rita, tmp_path) -> None:  # noqa: ANN001
    hd = answer_with(rita, media(tmp_path, "hd"))
    small = answer_with(rita, media(tmp_path, "vp8"))
    processing.process_answer(hd.pk)
    processing.process_answer(small.pk)
    hd.refresh_from_db()
    small.refresh_from_db()
    large = x264_settings(opened(hd.file.name, tmp_path))
    assert (large["me"], large["subme"], large["mbtree"]) == ("dia", "1", "1")
    assert large["crf"].startswith("26.0")
    assert large["sliced_threads"] == "0"  # frame threads: both cores busy
    # At 480p and below veryfast's own search (hexagon, two subpixel refinements).
    plain = x264_settings(opened(small.file.name, tmp_path))
    assert (plain["me"], plain["subme"]) == ("hex", "2") and plain["crf"].startswith("26.0")


def test_safaris_h264_aac_mp4_is_copied_not_encoded_again(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "mp4"), suffix=".mp4")
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert_plays_everywhere(answer, tmp_path, SECONDS)
    assert_thumbnail(answer, tmp_path, 240)

    def video_packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as container:
            return [bytes(p) for p in container.demux(video=0) if p.size]

    # The same H.264 packets, byte for byte: remuxed.
    source = tmp_path / "source-mp4"
    assert video_packets(opened(answer.file.name, tmp_path)) == video_packets(source)


def test_sound_only_gives_an_aac_mp4_and_no_thumbnail(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"))
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    found = assert_plays_everywhere(answer, tmp_path, SECONDS)
    assert "video" not in found
    assert answer.thumbnail.name == ""


def test_a_hole_in_the_sound_keeps_the_rest_in_step(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "hole"))
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    found = assert_plays_everywhere(answer, tmp_path, SECONDS)
    # The second without sound is silence in the output, not the next second moved up.
    assert found["audio"]["packets"] == pytest.approx(SECONDS * 48000 / 1024, abs=3)


def test_a_recording_cut_short_is_kept_up_to_the_cut(rita, tmp_path) -> None:  # noqa: ANN001
    whole = media(tmp_path, "vp8")
    answer = answer_with(rita, whole[: len(whole) * 6 // 10])  # the connection dropped
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.READY, answer.error
    assert 0.3 * SECONDS * 1000 < answer.duration_ms < 0.8 * SECONDS * 1000
    found = assert_plays_everywhere(answer, tmp_path, answer.duration_ms / 1000)
    assert found["video"]["codec"] == "h264"
    assert_thumbnail(answer, tmp_path, 240)


def test_text_that_calls_itself_webm_is_refused_and_nothing_is_stored(rita) -> None:  # noqa: ANN001
    answer = answer_with(rita, b"this is not a recording\n" * 100)
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.FAILED
    assert answer.error.startswith("not_media: the file is not an audio or video recording")
    assert (answer.file.name, answer.thumbnail.name, answer.duration_ms) == ("", "", None)
    assert stored_files() == {answer.original.name}


def test_a_recording_longer_than_the_question_allows_is_refused(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "long"))
    answer.question.answer_seconds = 10  # 10 s + 5 s of grace; the recording lasts 17 s
    answer.question.save(update_fields=["answer_seconds"])
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.FAILED
    assert answer.error.startswith("too_long: "), answer.error
    assert "17.0 s; at most 15 s" in answer.error
    assert stored_files() == {answer.original.name}


def test_the_grace_is_ten_percent_or_five_seconds() -> None:
    assert processing.limit_seconds(10) == 15
    assert processing.limit_seconds(120) == 132
    assert processing.limit_seconds(600) == 660


def test_a_failed_answer_processed_again_replaces_its_old_files(
    rita,
    tmp_path,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    answer = answer_with(rita, media(tmp_path, "vp8"), status=Answer.Status.FAILED)
    answer.file.save("answer.mp4", ContentFile(b"an older attempt"), save=False)
    answer.thumbnail.save("thumbnail.jpg", ContentFile(b"its picture"), save=False)
    answer.error = "failed: the processing failed (the worker's log says why) (MemoryError)"
    answer.save()
    old = {answer.file.name, answer.thumbnail.name}
    with django_capture_on_commit_callbacks(execute=True):  # old files go once committed
        processing.process_answer(answer.pk)
        assert all(private_storage.exists(name) for name in old)
    answer.refresh_from_db()
    assert_plays_everywhere(answer, tmp_path, SECONDS)
    assert not any(private_storage.exists(name) for name in old)
    assert stored_files() == {answer.original.name, answer.file.name, answer.thumbnail.name}


def test_a_ready_answer_is_not_processed_twice(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"))
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    first = (answer.file.name, answer.processed_at)
    processing.process_answer(answer.pk)  # the task delivered again
    answer.refresh_from_db()
    assert (answer.file.name, answer.processed_at) == first
    assert stored_files() == {answer.original.name, answer.file.name}


def test_a_processing_answer_is_left_to_its_worker_until_stale(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"), status=Answer.Status.PROCESSING)
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.PROCESSING
    assert processing.stuck_answers() == []
    later = answer.updated_at + timedelta(seconds=processing.STALE_SECONDS)
    assert processing.stuck_answers(now=later) == [answer.pk]
    call_command("video_reprocess", answer.pk, "--now")  # its worker died: taken again
    answer.refresh_from_db()
    assert answer.status == Answer.Status.READY


def test_the_celery_task_processes_the_answer(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "vp8"))
    result = tasks.process_answer.apply((answer.pk,))
    assert result.successful(), result.traceback
    answer.refresh_from_db()
    assert_plays_everywhere(answer, tmp_path, SECONDS)


def test_the_storage_failing_is_retried_then_failed(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"))
    # The original's name is a directory in the storage: reading it is an OSError, as a storage
    # that is down gives.
    private_storage.delete(answer.original.name)
    Path(private_storage.path(answer.original.name)).mkdir(parents=True)
    with pytest.raises(processing.StorageError):
        processing.process_answer(answer.pk, last_attempt=False)
    answer.refresh_from_db()
    assert (answer.status, answer.error) == (Answer.Status.UPLOADED, "")  # for the next try

    result = tasks.process_answer.apply((answer.pk,))  # an eager retry runs at once
    assert isinstance(result.result, processing.StorageError)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.FAILED
    assert answer.error.startswith("storage: the recording could not be read"), answer.error
    assert stored_files() == set()  # the directory only: nothing half-written


def test_queue_processing_hands_the_answer_over_after_commit(
    rita,
    tmp_path,
    monkeypatch,
    django_capture_on_commit_callbacks,  # noqa: ANN001
) -> None:
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)  # no worker in the test
    answer = answer_with(rita, media(tmp_path, "opus"))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.queue_processing(answer.pk)
        assert Answer.objects.get(pk=answer.pk).status == Answer.Status.UPLOADED
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.READY


def test_a_missing_original_is_a_final_refusal(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"))
    private_storage.delete(answer.original.name)
    processing.process_answer(answer.pk)
    answer.refresh_from_db()
    assert answer.status == Answer.Status.FAILED
    assert answer.error.startswith("no_original: ")


def test_the_refusals_read_in_russian() -> None:
    error = processing.Refused("not_media").text()
    assert processing.describe_error(error) == "the file is not an audio or video recording"
    with translation.override("ru"):
        russian = processing.describe_error(error)
    assert russian != "the file is not an audio or video recording" and russian


def test_a_result_for_an_answer_changed_meanwhile_is_dropped(rita, tmp_path) -> None:  # noqa: ANN001
    answer = answer_with(rita, media(tmp_path, "opus"))
    claim = processing._claim(answer.pk, reclaim=False)
    assert claim is not None
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.PROCESSING
    # A new take is handed in while the worker encodes the old one.
    Answer.objects.filter(pk=answer.pk).update(
        status=Answer.Status.UPLOADED, original="video_answers/newer.webm"
    )
    assert not processing._finish(claim, "video_answers/old-result.mp4", "", 3000)
    answer.refresh_from_db()
    assert (answer.status, answer.file.name) == (Answer.Status.UPLOADED, "")
