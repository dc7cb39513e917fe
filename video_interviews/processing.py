"""An answer's processing: the recording the browser made (MediaRecorder's WebM with VP8/VP9
and Opus, or MP4 with H.264 and AAC) becomes an MP4 every browser plays (H.264 + AAC, its index
first so Safari seeks over HTTP ranges) and a JPEG thumbnail.

``process_answer`` is the only writer of the processing fields (``status`` from UPLOADED on,
``file``, ``thumbnail``, ``duration_ms``, ``error``, ``processed_at``); the Celery task
``video_interviews.process_answer`` calls it. The bytes go storage → a local temporary folder →
storage in chunks, never whole in memory (the storage may be S3); the work between is PyAV's
(FFmpeg inside: libx264, aac, libvpx, libopus)."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.video.frame import PictureType
from av.video.reformatter import Interpolation, VideoReformatter
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from video_interviews import events, media
from video_interviews.models import Answer

logger = logging.getLogger(__name__)

# An answer may run past its question's limit by the larger of these: the page stops the
# recorder at the limit, but the stop reaches MediaRecorder late (a timeslice's flush, a busy
# tab, a slow camera's first frame) and audio and video start a little apart. A recording
# longer than that was not made by the page's timer: refused.
GRACE_RATIO = 0.10
GRACE_SECONDS = 5.0

# The picture fits 1280 × 720 either way up (a phone held upright gives 720 × 1280): enough
# for a face and a whiteboard behind it, and what every browser decodes in hardware.
LONG_SIDE, SHORT_SIDE = 1280, 720
# veryfast at CRF 26: a talking head comes out at under 1 Mb/s at 720p (bench/video_bench.py);
# slower presets buy little for webcams.
X264_PRESET = "veryfast"
X264_CRF = 26
# Above 640 × 480 the motion search is cut to its cheapest (diamond search, one subpixel
# refinement: superfast's, keeping veryfast's lookahead and macroblock tree): libx264 is most of
# the work and this takes some 30 % off its CPU time for about 5 % more bits at the same CRF
# and a PSNR within 0.2 dB; superfast itself gives 2.6 times the bits, and 960 × 540 loses the
# detail (docs/benchmarks.md, "Video processing"). With it and frame threads a minute of 720p
# took 8.0–9.7 s on two cores (0.13–0.16 of its length), the settings before 15 s in the same
# runs (0.25; 0.29 in an earlier one).
X264_LARGE_PIXELS = 640 * 480
X264_LARGE_PARAMS = "me=dia:subme=1"
# Frame threads, as the ffmpeg command gives libx264 (PyAV asks for slice threads, which split
# each frame and keep two cores less busy): about a fifth less wall time at 720p, some 25 MiB
# more memory (more frames in flight).
X264_THREAD_TYPE = "FRAME"

AUDIO_RATE = 48_000  # Opus is 48 kHz already; AAC-LC plays at it everywhere
AUDIO_BITRATE = 128_000
AAC_FRAME = 1024
# Timestamps of the output's video, in 1/90000 s (MPEG's clock): fine enough that rescaling a
# VFR source's millisecond timestamps loses nothing.
VIDEO_TIME_BASE = Fraction(1, 90_000)
# A hole in the audio longer than this (a frozen tab) is filled with silence, so the sound
# after it stays in step with the picture.
AUDIO_GAP_SECONDS = 0.05
THUMBNAIL_WIDTH = 320
THUMBNAIL_AT = 1.0  # seconds in; the middle of a shorter video
# A PROCESSING answer untouched this long lost its worker (killed, out of memory): it may be
# claimed again. Longer than the task's hard time limit (video_interviews.tasks).
STALE_SECONDS = 30 * 60
MP4_FORMATS = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2"})

# The refusals, stored in ``Answer.error`` as "<code>: <English text>" (staff read it; the
# English keeps the log and the row alike); ``describe_error`` gives it in the reader's language.
ERRORS = {
    "no_original": _("there is no recording to process"),
    "not_media": _("the file is not an audio or video recording"),
    "no_stream": _("the recording has no sound or picture that can be played"),
    "too_long": _("the recording is longer than the question allows"),
    "storage": _("the recording could not be read from or written to the storage"),
    "failed": _("the processing failed (the worker's log says why)"),
}


class Refused(Exception):
    """A recording this processing will never make a video of: final, not retried."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    def text(self) -> str:
        with translation.override("en"):
            text = f"{self.code}: {ERRORS[self.code]}"
        return f"{text} ({self.detail})" if self.detail else text


class StorageError(Exception):
    """The storage failed to give or take bytes (an ``OSError``): worth another try later."""


def describe_error(error: str) -> str:
    """An answer's stored ``error`` in the active language (its code picks the text)."""
    code = error.split(":", 1)[0]
    return str(ERRORS[code]) if code in ERRORS else error


def limit_seconds(answer_seconds: int) -> float:
    return answer_seconds + max(GRACE_SECONDS, answer_seconds * GRACE_RATIO)


# --- the answer's row -----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """What a claim took: the row is ours while its status is PROCESSING, its ``updated_at``
    is ``token`` and its original is still ``original`` (a new take handed in meanwhile, or a
    second worker reclaiming a stale row, changes one of them; our result is then dropped)."""

    answer_id: int
    original: str
    answer_seconds: int
    token: datetime


def _claim(answer_id: int, *, reclaim: bool) -> Claim | None:
    now = timezone.now()
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(pk=answer_id).first()
        if answer is None:
            logger.warning("answer %s: not processed, no such answer", answer_id)
            return None
        status = answer.status
        stale = answer.updated_at <= now - timedelta(seconds=STALE_SECONDS)
        if status == Answer.Status.PROCESSING and not (stale or reclaim):
            logger.info("answer %s: being processed already", answer_id)
            return None
        if status not in {Answer.Status.UPLOADED, Answer.Status.FAILED, Answer.Status.PROCESSING}:
            # READY: done already (a task delivered twice); EMPTY/UPLOADING: nothing handed in.
            logger.info("answer %s: not processed, it is %s", answer_id, status)
            return None
        answer.status = Answer.Status.PROCESSING
        answer.error = ""
        answer.save(update_fields=["status", "error", "updated_at"])
        seconds = answer.question.answer_seconds
    return Claim(answer_id, answer.original.name or "", seconds, answer.updated_at)


def _ours(claim: Claim) -> Answer | None:
    """The answer locked, if the claim still holds (inside an atomic block)."""
    answer = Answer.objects.select_for_update().filter(pk=claim.answer_id).first()
    if (
        answer is None
        or answer.status != Answer.Status.PROCESSING
        or answer.updated_at != claim.token
        or (answer.original.name or "") != claim.original
    ):
        logger.warning(
            "answer %s: changed while processed; this result is dropped", claim.answer_id
        )
        return None
    return answer


def _outputs(answer: Answer) -> list[str]:
    return [name for name in (answer.file.name, answer.thumbnail.name) if name]


def _finish(claim: Claim, file: str, thumbnail: str, duration_ms: int) -> bool:
    with transaction.atomic():
        answer = _ours(claim)
        if answer is None:
            return False
        old = _outputs(answer)
        answer.file.name = file
        answer.thumbnail.name = thumbnail
        answer.duration_ms = duration_ms
        answer.processed_at = timezone.now()
        answer.status = Answer.Status.READY
        answer.error = ""
        answer.save(
            update_fields=[
                "file", "thumbnail", "duration_ms", "processed_at", "status", "error",
                "updated_at",
            ]
        )  # fmt: skip
        transaction.on_commit(lambda: _delete(old))
        events.send_after_commit(
            events.answer_processed,
            answer_id=answer.pk,
            invitation_id=answer.invitation_id,
            status=answer.status,
        )
    return True


def _fail(claim: Claim, refusal: Refused) -> None:
    """FAILED with the refusal's text. Outputs of an earlier original go too: what the row
    shows must come from the recording it holds."""
    with transaction.atomic():
        answer = _ours(claim)
        if answer is None:
            return
        old = _outputs(answer)
        answer.file.name = ""
        answer.thumbnail.name = ""
        answer.duration_ms = None
        answer.processed_at = None
        answer.status = Answer.Status.FAILED
        answer.error = refusal.text()
        answer.save(
            update_fields=[
                "file", "thumbnail", "duration_ms", "processed_at", "status", "error",
                "updated_at",
            ]
        )  # fmt: skip
        transaction.on_commit(lambda: _delete(old))
        events.send_after_commit(
            events.answer_processed,
            answer_id=answer.pk,
            invitation_id=answer.invitation_id,
            status=answer.status,
        )
    logger.warning("answer %s: failed, %s", claim.answer_id, answer.error)


def _release(claim: Claim) -> None:
    """Back to UPLOADED for the next attempt (the storage failed; the recording may be fine)."""
    with transaction.atomic():
        answer = _ours(claim)
        if answer is not None:
            answer.status = Answer.Status.UPLOADED
            answer.save(update_fields=["status", "updated_at"])


# --- storage --------------------------------------------------------------------------------


def _storage() -> Any:
    return Answer._meta.get_field("file").storage  # type: ignore[union-attr]


def _delete(names: list[str]) -> None:
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # an orphan file is a leak, not an error of the answer's
            logger.warning("answer file %s: could not be deleted", name, exc_info=True)


def _download(name: str, target: Path) -> None:
    """The stored original into ``target``, a chunk at a time: ``media.read_range`` streams an
    S3 object off the socket (django-storages' ``open`` would first spool all of it, in memory
    unless AWS_S3_MAX_MEMORY_SIZE is set), any other storage through ``open``."""
    storage = _storage()
    try:
        size = storage.size(name)
        with target.open("wb") as local:
            for chunk in media.read_range(storage, name, 0, size):
                local.write(chunk)
    except FileNotFoundError as exc:
        raise Refused("no_original") from exc
    except OSError as exc:
        raise StorageError(f"reading {name}: {exc}") from exc


def _upload(field_name: str, filename: str, local: Path) -> str:
    """Copy a local file into the storage under a new name; a failure leaves nothing behind."""
    field = Answer._meta.get_field(field_name)
    name = field.generate_filename(None, filename)  # type: ignore[union-attr]
    storage = _storage()
    try:
        with local.open("rb") as handle:
            stored: str = storage.save(name, File(handle, name=filename), max_length=200)
    except OSError as exc:
        _delete([name])  # a half-written file, if the storage got that far
        raise StorageError(f"writing {name}: {exc}") from exc
    return stored


def _temp_root() -> str:
    root = Path(settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    return str(root)


# --- the media ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """What a file holds: its first decodable video and audio streams (by index) and the time
    its packets span (measured from the packets: Chrome's WebM has no duration in its header,
    and a file cut short has less than its header says)."""

    formats: frozenset[str]
    video: int | None
    audio: int | None
    video_codec: str
    audio_codec: str
    width: int
    height: int
    pix_fmt: str
    start: float
    end: float
    truncated: bool

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


def _open(path: Path) -> Any:
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise Refused("not_media") from exc


class _Reading:
    """A file's packets up to the end, or up to where it breaks off (a dropped connection):
    what came before the cut is still the recording (``cut`` says it happened)."""

    def __init__(self, container: Any, streams: list[Any]) -> None:
        self.container = container
        self.streams = streams
        self.cut = False

    def __iter__(self) -> Iterator[Any]:
        demuxer = self.container.demux(self.streams)
        while True:
            try:
                packet = next(demuxer)
            except StopIteration:
                return
            except (av.FFmpegError, EOFError):
                logger.info("%s: cut short; read up to the cut", self.container.name)
                self.cut = True
                return
            if packet.size and packet.pts is not None:
                yield packet


def _decode(stream: Any, packet: Any) -> list[Any]:
    try:
        frames = list(stream.codec_context.decode(packet))
    except av.FFmpegError:  # a damaged packet (often the last of a cut file): skip it
        return []
    for frame in frames:
        if frame.time_base is None:
            frame.time_base = stream.time_base
    return frames


def _timed(stream: Any) -> bool:
    attached = getattr(av.stream.Disposition, "attached_pic", 0)
    return not (stream.disposition & attached)  # a cover picture is not the recording


def probe(path: Path) -> Probe:
    with _open(path) as container:
        streams = [
            s
            for s in container.streams
            if s.type in ("video", "audio") and s.codec_context is not None and _timed(s)
        ]
        if not streams:
            raise Refused("not_media", "no audio or video stream")
        decoded: dict[int, Any] = {}
        tried: dict[int, int] = {}
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        reading = _Reading(container, streams)
        for packet in reading:
            stream = packet.stream
            base = packet.time_base or stream.time_base
            at = float(packet.pts * base)
            first[stream.index] = min(first.get(stream.index, at), at)
            step = float(packet.duration * base) if packet.duration else 0.0
            if not step and stream.index in last:
                step = max(0.0, at - last[stream.index])  # no duration: the gap before it
            last[stream.index] = max(last.get(stream.index, at), at + step)
            # Decodable means a frame comes out: try a stream's first packets until one does.
            if stream.index not in decoded and tried.get(stream.index, 0) < 60:
                tried[stream.index] = tried.get(stream.index, 0) + 1
                frames = _decode(stream, packet)
                if frames:
                    decoded[stream.index] = frames[0]
        for stream in streams:  # a decoder that holds frames back gives them when flushed
            if stream.index in tried and stream.index not in decoded:
                frames = _decode(stream, None)
                if frames:
                    decoded[stream.index] = frames[0]
        video = next((s for s in streams if s.type == "video" and s.index in decoded), None)
        audio = next((s for s in streams if s.type == "audio" and s.index in decoded), None)
        if video is None and audio is None:
            raise Refused("no_stream")
        chosen = [s.index for s in (video, audio) if s is not None]
        picture = decoded[video.index] if video is not None else None
        return Probe(
            formats=frozenset(container.format.name.split(",")),
            video=video.index if video is not None else None,
            audio=audio.index if audio is not None else None,
            video_codec=video.codec_context.name if video is not None else "",
            audio_codec=audio.codec_context.name if audio is not None else "",
            width=picture.width if picture is not None else 0,
            height=picture.height if picture is not None else 0,
            pix_fmt=picture.format.name if picture is not None else "",
            start=min(first[i] for i in chosen),
            end=max(last[i] for i in chosen),
            truncated=reading.cut,
        )


def fit(width: int, height: int) -> tuple[int, int]:
    """The output's size: within 1280 × 720 either way up, the aspect kept, both even."""
    long, short = max(width, height), min(width, height)
    scale = min(1.0, LONG_SIDE / long, SHORT_SIDE / short)
    out_w, out_h = max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)
    return out_w, out_h


def x264_options(width: int, height: int) -> dict[str, str]:
    """libx264's options for an output of ``width`` × ``height``."""
    options = {"crf": str(X264_CRF), "preset": X264_PRESET}
    if X264_LARGE_PARAMS and width * height > X264_LARGE_PIXELS:
        options["x264-params"] = X264_LARGE_PARAMS
    return options


def _remuxable(found: Probe) -> bool:
    """Already what browsers play (Safari's own recording): copied as it is, only re-indexed."""
    return (
        bool(found.formats & MP4_FORMATS)
        and found.video_codec in ("h264", "")
        and found.audio_codec in ("aac", "")
        and (found.video is None or (found.pix_fmt in ("yuv420p", "yuvj420p")
             and fit(found.width, found.height) == (found.width, found.height)))
    )  # fmt: skip


def _mp4(path: Path) -> Any:
    # +faststart: the index (moov) goes before the media, so a browser plays and seeks with
    # HTTP ranges before it has the whole file (Safari will not start otherwise).
    return av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})


def remux(source: Path, target: Path, found: Probe) -> None:
    with _open(source) as inp, _mp4(target) as out:
        streams = [inp.streams[i] for i in (found.video, found.audio) if i is not None]
        outputs = {s.index: out.add_stream_from_template(s) for s in streams}
        shift = {s.index: round(Fraction(found.start) / s.time_base) for s in streams}
        for packet in _Reading(inp, streams):
            if packet.dts is None:
                continue
            offset = shift[packet.stream.index]
            packet.pts -= offset
            packet.dts -= offset
            packet.stream = outputs[packet.stream.index]
            out.mux(packet)


class _Transcoder:
    """Decodes the chosen streams and encodes H.264 and AAC, with the output's timestamps made
    from the source's times less the recording's start: rescaled, and kept increasing (a VFR
    source's odd timestamps; a decoder's repeated ones)."""

    def __init__(self, out: Any, found: Probe, video: Any, audio: Any) -> None:
        self.out = out
        self.origin = found.start
        self.frames = 0
        self.samples = 0
        self.video = self.audio = None
        if video is not None:
            self.size = fit(found.width, found.height)
            rate = video.average_rate or video.guessed_rate or 30
            stream = out.add_stream("libx264", rate=rate, options=x264_options(*self.size))
            stream.codec_context.thread_type = X264_THREAD_TYPE
            stream.width, stream.height = self.size
            stream.pix_fmt = "yuv420p"
            stream.time_base = VIDEO_TIME_BASE
            stream.codec_context.time_base = VIDEO_TIME_BASE
            self.video = stream
            self.scaler = VideoReformatter()
            self.last_pts = -1
            self.last_time = 0.0
        if audio is not None:
            layout = "mono" if audio.codec_context.channels == 1 else "stereo"
            stream = out.add_stream("aac", rate=AUDIO_RATE, layout=layout)
            stream.bit_rate = AUDIO_BITRATE
            self.audio = stream
            self.resampler = av.AudioResampler(
                format="fltp", layout=layout, rate=AUDIO_RATE, frame_size=AAC_FRAME
            )
            self.audio_start: float | None = None
            self.fed = 0  # samples fed to the resampler, at the source's rate

    def _mux(self, stream: Any, frame: Any) -> None:
        for packet in stream.encode(frame):
            self.out.mux(packet)

    def picture(self, frame: Any) -> None:
        at = float(frame.pts * frame.time_base) if frame.pts is not None else None
        if at is None:
            at = self.last_time + 1 / 30
        self.last_time = at
        pts = max(round((at - self.origin) / VIDEO_TIME_BASE), self.last_pts + 1)
        self.last_pts = pts
        width, height = self.size
        scaled = self.scaler.reformat(
            frame, width, height, "yuv420p", interpolation=Interpolation.BILINEAR
        )
        scaled.pts = pts
        scaled.time_base = VIDEO_TIME_BASE
        scaled.pict_type = PictureType.NONE  # x264 picks its own key frames
        self._mux(self.video, scaled)
        self.frames += 1

    def sound(self, frame: Any) -> None:
        rate = frame.sample_rate
        at = float(frame.pts * frame.time_base) if frame.pts is not None else None
        if self.audio_start is None:
            self.audio_start = at if at is not None else self.origin
            # Audio that starts after the picture starts that much into the output.
            self.samples = max(0, round((self.audio_start - self.origin) * AUDIO_RATE))
        if at is not None:
            due = round((at - self.audio_start) * rate)
            if due - self.fed > AUDIO_GAP_SECONDS * rate:
                self._feed(self._silence(frame, due - self.fed))
        self._feed(frame)

    def _silence(self, like: Any, samples: int) -> Any:
        silence = av.AudioFrame(format=like.format.name, layout=like.layout.name, samples=samples)
        for plane in silence.planes:
            plane.update(bytes(plane.buffer_size))
        silence.sample_rate = like.sample_rate
        return silence

    def _feed(self, frame: Any) -> None:
        if frame is not None:
            frame.pts = self.fed
            frame.time_base = Fraction(1, frame.sample_rate)
            self.fed += frame.samples
        for chunk in self.resampler.resample(frame):
            chunk.pts = self.samples
            chunk.time_base = Fraction(1, AUDIO_RATE)
            self.samples += chunk.samples
            self._mux(self.audio, chunk)

    def close(self) -> None:
        if self.audio is not None:
            self._feed(None)
            self._mux(self.audio, None)
        if self.video is not None:
            self._mux(self.video, None)


def transcode(source: Path, target: Path, found: Probe) -> None:
    with _open(source) as inp, _mp4(target) as out:
        video = inp.streams[found.video] if found.video is not None else None
        audio = inp.streams[found.audio] if found.audio is not None else None
        streams = [s for s in (video, audio) if s is not None]
        for stream in streams:
            stream.thread_type = "AUTO"
        coder = _Transcoder(out, found, video, audio)
        for packet in _Reading(inp, streams):
            for frame in _decode(packet.stream, packet):
                coder.picture(frame) if packet.stream is video else coder.sound(frame)
        for stream in streams:
            for frame in _decode(stream, None):
                coder.picture(frame) if stream is video else coder.sound(frame)
        if not coder.frames and not coder.samples:
            raise Refused("no_stream")
        coder.close()


def thumbnail(video: Path, target: Path, at: float) -> bool:
    """A JPEG 320 px wide of the frame at ``at`` seconds (or the last before the end)."""
    with _open(video) as container:
        if not container.streams.video:
            return False
        chosen = None
        for frame in container.decode(container.streams.video[0]):
            chosen = frame
            if frame.time is not None and frame.time >= at:
                break
        if chosen is None:
            return False
        width = THUMBNAIL_WIDTH
        height = max(2, round(width * chosen.height / chosen.width))
        picture = chosen.reformat(width, height, "yuvj420p", interpolation=Interpolation.AREA)
        encoder = av.CodecContext.create("mjpeg", "w")
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
        encoder.time_base = Fraction(1, 25)
        encoder.qscale = True
        encoder.global_quality = 4 * 118  # ffmpeg's -q:v 4 (FF_QP2LAMBDA = 118): a good JPEG
        picture.pts = 0
        data = b"".join(bytes(p) for p in [*encoder.encode(picture), *encoder.encode(None)])
    target.write_bytes(data)
    return bool(data)


def make(source: Path, work: Path, answer_seconds: int) -> tuple[Path, Path | None, int, str]:
    """The MP4, its thumbnail (none for sound only), its measured milliseconds and how it was
    made ("remux" or "transcode"). Raises ``Refused``."""
    found = probe(source)
    if found.seconds <= 0:
        raise Refused("no_stream", "no time in it")
    limit = limit_seconds(answer_seconds)
    if found.seconds > limit:
        raise Refused("too_long", f"{found.seconds:.1f} s; at most {limit:.0f} s")
    video = work / "answer.mp4"
    how = "transcode"
    if _remuxable(found):
        try:
            remux(source, video, found)
            how = "remux"
        except av.FFmpegError:  # the muxer refused its timestamps: encode them anew instead
            logger.info("%s: remux failed; transcoding", source, exc_info=True)
            video.unlink(missing_ok=True)
    if how == "transcode":
        transcode(source, video, found)
    made = probe(video)
    picture = None
    if made.video is not None:
        picture = work / "thumbnail.jpg"
        if not thumbnail(video, picture, min(THUMBNAIL_AT, made.seconds / 2)):
            picture = None
    return video, picture, round(made.seconds * 1000), how


# --- the service ----------------------------------------------------------------------------

# An answer UPLOADED this long ago and not yet taken was never queued (the broker was down when
# it was handed in) or its message was lost.
WAITING_SECONDS = 10 * 60


def stuck_answers(now: datetime | None = None) -> list[int]:
    """Answers waiting for a processing that is not coming: UPLOADED for ``WAITING_SECONDS``,
    or PROCESSING untouched for ``STALE_SECONDS`` (their worker died)."""
    now = now or timezone.now()
    waiting = Answer.objects.filter(
        status=Answer.Status.UPLOADED, updated_at__lte=now - timedelta(seconds=WAITING_SECONDS)
    )
    lost = Answer.objects.filter(
        status=Answer.Status.PROCESSING, updated_at__lte=now - timedelta(seconds=STALE_SECONDS)
    )
    return sorted((waiting | lost).values_list("pk", flat=True))


def process_answer(answer_id: int, *, last_attempt: bool = True, reclaim: bool = False) -> None:
    """Make the answer's MP4 and thumbnail from its original, or say why not.

    Claims the answer (UPLOADED or FAILED, or PROCESSING left stale by a lost worker, or any
    PROCESSING with ``reclaim``) and does nothing for one READY already. A recording that is no
    recording, has nothing playable or runs too long: FAILED with the reason, final. The
    storage failing: ``StorageError`` is raised for the caller to retry, the answer back to
    UPLOADED (FAILED with "storage" when ``last_attempt``). Files it stored for a result that
    is not kept are deleted; the replaced outputs of a retried answer go once it commits."""
    claim = _claim(answer_id, reclaim=reclaim)
    if claim is None:
        return
    stored: list[str] = []
    started = time.monotonic()
    try:
        if not claim.original:
            raise Refused("no_original")
        with tempfile.TemporaryDirectory(prefix=f"answer-{answer_id}-", dir=_temp_root()) as tmp:
            work = Path(tmp)
            source = work / f"original{Path(claim.original).suffix}"
            _download(claim.original, source)
            video, picture, duration_ms, how = make(source, work, claim.answer_seconds)
            stored.append(_upload("file", "answer.mp4", video))
            if picture is not None:
                stored.append(_upload("thumbnail", "thumbnail.jpg", picture))
            if not _finish(claim, stored[0], stored[1] if picture else "", duration_ms):
                _delete(stored)
                return
            logger.info(
                "answer %s: ready (%s, %d ms, %d bytes) in %.1f s",
                answer_id, how, duration_ms, video.stat().st_size, time.monotonic() - started,
            )  # fmt: skip
    except Refused as refusal:
        _delete(stored)
        _fail(claim, refusal)
    except StorageError as error:
        _delete(stored)
        logger.warning("answer %s: storage failed: %s", answer_id, error)
        if last_attempt:
            _fail(claim, Refused("storage", str(error)))
        else:
            _release(claim)
        raise
    except Exception as error:
        _delete(stored)
        logger.exception("answer %s: processing failed", answer_id)
        _fail(claim, Refused("failed", type(error).__name__))
        raise
