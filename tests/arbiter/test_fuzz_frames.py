"""Fuzzing the frame parser: whatever a socket receives, ``parse_frame`` answers with a
command, a ping or a documented refusal, and never raises (issue 12)."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from typing import Any

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from arbiter import (
    ALL_CODES,
    ALL_COMMAND_TYPES,
    MAX_FRAME_BYTES,
    FrameError,
    Ping,
    decode_frame,
    parse_frame,
)
from arbiter.registry import COMMANDS, bad_text

ACTOR = 7


# About 5,000 frames in all; kept to a few seconds (generating nested values is the cost).
def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


# Every code point, lone surrogates and NUL included.
any_text = st.text(st.characters(blacklist_categories=()), max_size=80)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(any_text, inner, max_size=6),
    max_leaves=12,
)
# Values of a command's fields: scalars mostly, now and then a small container.
field_values = (
    scalars | st.lists(scalars, max_size=3) | st.dictionaries(any_text, scalars, max_size=3)
)
SCHEMAS = {spec.name: spec.fields for spec in COMMANDS.frame_types()}
field_names = sorted({name for schema in SCHEMAS.values() for name in schema})
frame_types = st.sampled_from([*ALL_COMMAND_TYPES, "ping", "member.join", "", "PING"]) | any_text


@st.composite
def frames(draw: st.DrawFn) -> dict[str, Any]:
    """Objects that look like commands: a type, an id, known and unknown fields of any type."""
    frame: dict[str, Any] = {}
    if draw(st.booleans()):
        frame["type"] = draw(frame_types | field_values)
    if draw(st.booleans()):
        frame["id"] = draw(any_text | field_values)
    for name in draw(st.lists(st.sampled_from(field_names) | any_text, max_size=5)):
        frame[name] = draw(field_values)
    return frame


_KINDS = {
    "int": st.integers(min_value=-5, max_value=200) | st.booleans() | st.integers(),
    "index": st.integers(min_value=-2, max_value=20_000) | st.booleans(),
    "bool": st.booleans() | st.integers(0, 1),
    "str": any_text,
    "key": any_text,
    "items": st.dictionaries(any_text, any_text | scalars, max_size=4),
}


def near_valid(frame_type: str) -> st.SearchStrategy[dict[str, Any]]:
    """Frames of a real type with its own fields, of the right kind more often than not."""
    schema = SCHEMAS[frame_type]
    return st.fixed_dictionaries(
        {"type": st.just(frame_type), "id": st.text(min_size=1, max_size=64) | any_text},
        optional={name: _KINDS[rule.kind] for name, rule in schema.items()},
    )


near_valid_frames = st.sampled_from(ALL_COMMAND_TYPES).flatmap(near_valid)


def check(result: object, text: object = None) -> None:
    if isinstance(result, FrameError):
        assert result.code in ALL_CODES
        assert result.message
        params = dict(result.params)
        assert (result.template % params if params else result.template) == result.message
        assert result.id is None or (isinstance(result.id, str) and len(result.id) <= 64)
        # The reply the consumer builds from it is valid JSON text, and valid UTF-8.
        reply = json.dumps({"type": "error", "id": result.id, "code": result.code,
                            "message": result.message})  # fmt: skip
        reply.encode("utf-8")
        return
    if isinstance(result, Ping):
        assert result.id is None or isinstance(result.id, str)
        return
    assert getattr(result, "actor", None) == ACTOR
    for item in fields(result):  # type: ignore[arg-type]
        value = getattr(result, item.name)
        if isinstance(value, str):
            assert not bad_text(value)
        if isinstance(value, float):  # pragma: no cover - no command field is a float
            assert math.isfinite(value)


@fuzz(2000)
@given(frames() | near_valid_frames)
def test_command_like_objects(frame: dict[str, Any]) -> None:
    text = json.dumps(frame)  # NaN and Infinity as JavaScript writes them, surrogates escaped
    check(parse_frame(ACTOR, text))


@fuzz(1000)
@given(json_values)
def test_any_json_value(value: Any) -> None:
    check(parse_frame(ACTOR, json.dumps(value)))


@fuzz(1500)
@given(any_text | st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")))
def test_raw_text_that_is_mostly_not_json(text: str) -> None:
    check(parse_frame(ACTOR, text))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=40_000),
    st.sampled_from(["[", '{"a":', '{"type":"claim.set","id":"x","topic_id":[']),
)
def test_deep_nesting(depth: int, opener: str) -> None:
    text = opener * depth
    result = parse_frame(ACTOR, text[:MAX_FRAME_BYTES])
    assert isinstance(result, FrameError)
    check(result)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=100) | st.none() | st.integers())
def test_frames_that_are_not_text(data: Any) -> None:
    result = parse_frame(ACTOR, data)
    assert isinstance(result, FrameError) and result.code == "bad_request"


def test_near_valid_frames_do_become_commands() -> None:
    def becomes_a_command(frame: dict[str, Any]) -> bool:
        return not isinstance(parse_frame(ACTOR, json.dumps(frame)), FrameError | Ping)

    assert becomes_a_command(find(near_valid_frames, becomes_a_command))


def test_the_documented_refusals() -> None:
    cases = {
        "[" * 60_000: "bad_frame",
        "\ud800": "bad_frame",
        "x" * (MAX_FRAME_BYTES + 1): "too_large",
        "{": "bad_json",
        "1" * 5000: "bad_json",  # over Python's 4300-digit limit for int()
        "[]": "bad_request",
        '{"type":"teleport","id":"a"}': "unknown_type",
        '{"type":"claim.set","id":"a\\u0000"}': "bad_text",
        '{"type":"question.add","id":"a","block":0,"text":5}': "bad_request",
    }
    for text, code in cases.items():
        result = parse_frame(ACTOR, text)
        assert isinstance(result, FrameError) and result.code == code, (text[:20], result)
    assert parse_frame(ACTOR, '{"type":"ping","id":"p"}') == Ping("p")
    assert parse_frame(ACTOR, '{"type":"ping","id":"' + "p" * 80 + '"}') == Ping(None)
    assert decode_frame('{"a":1}') == {"a": 1}
    refused = parse_frame(ACTOR, '{"type":"claim.set","id":"c"}')
    assert isinstance(refused, FrameError) and refused.id == "c"
    assert refused.template == "The field %(field)s is required."
    assert dict(refused.params) == {"field": "'topic_id'"}
