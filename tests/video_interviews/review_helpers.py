"""Answers ready for review, made directly (the processing is tested on its own): a tiny real
MP4 (H.264/AAC, faststart, made with PyAV) and a JPEG thumbnail written into the private
storage, the answer READY with its measured length."""

from __future__ import annotations

import functools
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from video_interviews.models import Answer, Invitation, Question

WIDTH, HEIGHT, FPS = 64, 48, 10


@functools.cache
def tiny_mp4(seconds: int = 2) -> bytes:
    """``seconds`` of moving colour and a tone: a real file every browser plays."""
    import av
    import numpy as np

    # faststart rewrites the file to move its index first: it needs a real path.
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "answer.mp4")
    with av.open(path, "w", format="mp4", options={"movflags": "+faststart"}) as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio = container.add_stream("aac", rate=48000)
        audio.layout = "mono"
        for index in range(seconds * FPS):
            pixels = np.full((HEIGHT, WIDTH, 3), (index * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, FPS)
            container.mux(video.encode(frame))
        samples = 1024
        t = np.arange(seconds * 48000, dtype=np.float32) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, len(tone) - samples + 1, samples):
            frame = av.AudioFrame.from_ndarray(
                tone[start : start + samples].reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 48000, start
            frame.time_base = Fraction(1, 48000)
            container.mux(audio.encode(frame))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    try:
        with open(path, "rb") as made:
            return made.read()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def tiny_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (WIDTH, HEIGHT), (40, 90, 160)).save(out, format="JPEG")
    return out.getvalue()


def ready_answer(
    invitation: Invitation, question: Question, *, data: bytes | None = None,
    thumbnail: bool = True, **fields: Any,
) -> Answer:  # fmt: skip
    data = tiny_mp4() if data is None else data
    values: dict[str, Any] = {
        "status": Answer.Status.READY,
        "content_type": "video/mp4",
        "size": len(data),
        "duration_ms": 2000,
        "recorded_ms": 2000,
        "submitted_at": timezone.now(),
        "processed_at": timezone.now(),
        **fields,
    }
    answer = Answer(invitation=invitation, question=question, **values)
    answer.file.save("answer.mp4", ContentFile(data), save=False)
    if thumbnail:
        answer.thumbnail.save("thumbnail.jpg", ContentFile(tiny_jpeg()), save=False)
    answer.save()
    return answer


def answer_in(invitation: Invitation, question: Question, status: str, **fields: Any) -> Answer:
    """An answer not ready yet (recording, processing, failed…)."""
    return Answer.objects.create(invitation=invitation, question=question, status=status, **fields)


def completed(invitation: Invitation) -> Invitation:
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.COMPLETED,
        started_at=timezone.now(),
        completed_at=timezone.now(),
    )
    invitation.refresh_from_db()
    return invitation


@dataclass
class Scene:
    """Anna's completed interview with Rita's two questions, both answers ready."""

    interview: Any
    invitation: Invitation
    candidate: Any
    answers: list[Answer]


def scene(
    recruiter: Any, reviewers: tuple[Any, ...] = (), *, email: str = "anna@example.com"
) -> Scene:
    from tests.video_interviews import helpers
    from video_interviews import services

    interview = helpers.interview(recruiter, (email,))
    candidate = helpers.candidate(email)
    invitation = services.invitation_accept(
        candidate=candidate, code=helpers.invitation(interview, email).code
    )
    invitation = completed(invitation)
    answers = [ready_answer(invitation, q) for q in interview.questions.order_by("order")]
    interview.reviewers.set(reviewers)
    return Scene(interview, invitation, candidate, answers)
