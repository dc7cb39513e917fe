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
    next_frame = {"type": "question.next", "id": "n", "question": "t1q1", "score": 3}
    assert command_from_frame(ANN, next_frame) == (
        NextQuestion(id="n", actor=ANN, score=3, note="", question="t1q1")
    )
    assert command_from_frame(LEAD, {"type": "block.extend", "id": "e", "block": 0}) == (
        ExtendBlock(id="e", actor=LEAD, seconds=120, block=0)
    )
    frame = {
        "type": "question.add",
        "id": "a",
        "block": 2,
        "text": "Why?",
        "answer": "Because",
        "max_points": 3,
    }
    assert command_from_frame(ANN, frame) == AddQuestion(
        id="a", actor=ANN, text="Why?", answer="Because", max_points=3, block=2
    )


def test_every_frame_type_without_arguments_builds_its_command() -> None:
    needs = {
        "claim.set": {"topic_id": 1, "claimed": False},
        "question.next": {"question": "t1q1", "score": 1},
        "question.skip": {"question": "t1q1"},
        "question.add": {"block": 0, "text": "Q"},
        "block.yield": {"block": 0},
        "session.pause": {"block": 0},
        "session.resume": {"block": 0},
        "block.extend": {"block": 0},
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
    command_from_frame(
        ANN, {"type": "question.next", "id": "x", "question": "k", "score": 1, "note": "n" * 2000}
    )
    command_from_frame(
        ANN,
        {
            "type": "feedback.submit",
            "id": "x",
            "summary": "s" * 10000,
            "items": {"k": "v"} | {f"k{i}": "v" for i in range(199)},
        },
    )


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "question.next", "id": "x", "score": 1},
        {"type": "question.next", "id": "x", "question": "", "score": 1},
        {"type": "question.next", "id": "x", "question": 5, "score": 1},
        {"type": "question.next", "id": "x", "question": "k" * 65, "score": 1},
        {"type": "question.skip", "id": "x"},
        {"type": "block.yield", "id": "x"},
        {"type": "block.yield", "id": "x", "block": "0"},
        {"type": "block.yield", "id": "x", "block": True},
        {"type": "block.yield", "id": "x", "block": -1},
        {"type": "block.extend", "id": "x", "block": 10_001},
        {"type": "session.pause", "id": "x"},
        {"type": "session.resume", "id": "x"},
        {"type": "question.add", "id": "x", "text": "Q"},
    ],
)
def test_commands_on_the_current_question_or_block_must_name_it(frame: Any) -> None:
    bad(frame)


@pytest.mark.parametrize("text", ["a\x00b", "\ud800", "x\udfffy", "\x1b[31m", "\x7f", "\x0c"])
@pytest.mark.parametrize(
    "field",
    [
        lambda text: {"type": "question.next", "question": "k", "score": 1, "note": text},
        lambda text: {"type": "question.next", "question": text, "score": 1},
        lambda text: {"type": "question.add", "block": 0, "text": text},
        lambda text: {"type": "question.add", "block": 0, "text": "Q", "answer": text},
        lambda text: {"type": "feedback.submit", "summary": text, "items": {}},
        lambda text: {"type": "feedback.submit", "summary": "s", "items": {"k": text}},
        lambda text: {"type": "feedback.submit", "summary": "s", "items": {text: "v"}},
        lambda text: {"type": "blocks.begin", "id": text},
    ],
)
def test_text_with_nul_controls_or_lone_surrogates_is_refused(text: str, field: Any) -> None:
    bad({"id": "x", **field(text)}, code="bad_text")


def test_tabs_and_line_breaks_and_any_script_are_fine() -> None:
    frame = {"type": "question.next", "id": "x", "question": "k", "score": 1}
    command_from_frame(ANN, {**frame, "note": "Line one\r\n\tАнна 😀 ok"})
