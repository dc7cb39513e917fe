"""Turning client frames into commands: the schema, and nothing a client must not send."""

from __future__ import annotations

from typing import Any

import pytest

from arbiter import (
    ALL_COMMAND_TYPES,
    AddQuestion,
    BadCommand,
    ExtendBlock,
    NextQuestion,
    SetClaim,
    StartSession,
    SubmitFeedback,
    command_from_frame,
)
from tests.arbiter.builders import ANN, LEAD


def bad(frame: Any, code: str = "bad_request") -> BadCommand:
    with pytest.raises(BadCommand) as caught:
        command_from_frame(ANN, frame)
    assert caught.value.code == code
    assert caught.value.message
    return caught.value


def test_it_builds_a_claim_for_the_sender() -> None:
    frame = {"type": "claim.set", "id": "c1", "topic_id": 10, "claimed": True}
    assert command_from_frame(ANN, frame) == SetClaim(id="c1", actor=ANN, topic_id=10, claimed=True)


def test_optional_fields_take_their_defaults() -> None:
    assert command_from_frame(ANN, {"type": "question.next", "id": "n", "score": 3}) == (
        NextQuestion(id="n", actor=ANN, score=3, note="")
    )
    assert command_from_frame(LEAD, {"type": "block.extend", "id": "e"}) == ExtendBlock(
        id="e", actor=LEAD, seconds=120
    )
    frame = {
        "type": "question.add",
        "id": "a",
        "text": "Why?",
        "answer": "Because",
        "max_points": 3,
    }
    assert command_from_frame(ANN, frame) == AddQuestion(
        id="a", actor=ANN, text="Why?", answer="Because", max_points=3
    )


def test_every_frame_type_without_arguments_builds_its_command() -> None:
    needs = {
        "claim.set": {"topic_id": 1, "claimed": False},
        "question.next": {"score": 1},
        "question.add": {"text": "Q"},
        "feedback.submit": {"summary": "S", "items": {"t1q1": "fine"}},
    }
    for frame_type in ALL_COMMAND_TYPES:
        command = command_from_frame(
            LEAD, {"type": frame_type, "id": "x", **needs.get(frame_type, {})}
        )
        assert (command.id, command.actor) == ("x", LEAD)
    submitted = command_from_frame(
        ANN, {"type": "feedback.submit", "id": "f", **needs["feedback.submit"]}
    )
    assert isinstance(submitted, SubmitFeedback) and submitted.items == {"t1q1": "fine"}


def test_a_start_frame_never_carries_a_bank() -> None:
    assert command_from_frame(LEAD, {"type": "session.start", "id": "s"}) == StartSession(
        id="s", actor=LEAD
    )
    bad({"type": "session.start", "id": "s", "bank": {"10": []}})


@pytest.mark.parametrize("frame_type", ["member.join", "ping!", "", "SESSION.START"])
def test_it_rejects_unknown_types_including_joining(frame_type: str) -> None:
    bad({"type": frame_type, "id": "x", "name": "Eve"}, code="unknown_type")


@pytest.mark.parametrize(
    "frame",
    [
        ["claim.set"],
        {"id": "x"},
        {"type": 5, "id": "x"},
        {"type": "blocks.begin"},
        {"type": "blocks.begin", "id": ""},
        {"type": "blocks.begin", "id": 7},
        {"type": "blocks.begin", "id": "x" * 65},
        {"type": "blocks.begin", "id": "x", "extra": 1},
        {"type": "claim.set", "id": "x", "topic_id": 10},
        {"type": "claim.set", "id": "x", "topic_id": "10", "claimed": True},
        {"type": "claim.set", "id": "x", "topic_id": True, "claimed": True},
        {"type": "claim.set", "id": "x", "topic_id": 10, "claimed": 1},
        {"type": "question.next", "id": "x", "score": True},
        {"type": "question.next", "id": "x", "score": 1.0},
        {"type": "question.next", "id": "x", "score": 1, "note": 5},
        {"type": "question.next", "id": "x", "score": 1, "note": "n" * 2001},
        {"type": "question.add", "id": "x", "text": "t" * 2001},
        {"type": "question.add", "id": "x", "text": "t", "answer": "a" * 2001},
        {"type": "block.extend", "id": "x", "seconds": "60"},
        {"type": "feedback.submit", "id": "x", "summary": "s" * 10001, "items": {}},
        {"type": "feedback.submit", "id": "x", "summary": "s"},
        {"type": "feedback.submit", "id": "x", "summary": "s", "items": []},
        {"type": "feedback.submit", "id": "x", "summary": "s", "items": {"k": 1}},
        {"type": "feedback.submit", "id": "x", "summary": "s", "items": {"k": "v" * 2001}},
        {"type": "feedback.submit", "id": "x", "summary": "s", "items": {"k" * 65: "v"}},
        {
            "type": "feedback.submit",
            "id": "x",
            "summary": "s",
            "items": {f"k{i}": "v" for i in range(201)},
        },
    ],
)
def test_it_rejects_malformed_frames(frame: Any) -> None:
    bad(frame)


def test_limits_are_inclusive() -> None:
    command_from_frame(ANN, {"type": "blocks.begin", "id": "x" * 64})
    command_from_frame(ANN, {"type": "question.next", "id": "x", "score": 1, "note": "n" * 2000})
    command_from_frame(
        ANN,
        {
            "type": "feedback.submit",
            "id": "x",
            "summary": "s" * 10000,
            "items": {"k": "v"} | {f"k{i}": "v" for i in range(199)},
        },
    )
