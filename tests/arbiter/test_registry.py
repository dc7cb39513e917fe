"""One registration per command type (``arbiter.registry``): name, fields, guard, target and
what it does in one class; the schema check, the guards, ``can`` and the exports read it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

import arbiter
from arbiter.registry import (
    BOOL,
    COMMANDS,
    INT,
    KEY,
    BadCommand,
    Changes,
    Command,
    Registry,
    command_from_frame,
)
from arbiter.rules import in_phase
from arbiter.state import LOBBY, SessionState
from tests.arbiter.builders import ANN, LEAD, lobby


def test_every_command_is_registered_once_exported_and_described_by_its_class() -> None:
    specs = list(COMMANDS)
    assert len({spec.name for spec in specs}) == len({spec.cls for spec in specs}) == len(specs)
    for spec in specs:
        assert getattr(arbiter, spec.cls.__name__) is spec.cls  # arbiter.SetClaim, …
        assert issubclass(spec.cls, Command)
        own = {f.name for f in dataclasses.fields(spec.cls)}
        assert set(spec.fields) <= own - {"id", "actor"}, spec.name
        assert spec.target is None or spec.target in spec.fields, spec.name
        assert "changes" in vars(spec.cls), f"{spec.name} says what it does"
    # The one the service alone builds: never from a frame, never offered in ``can``.
    join = COMMANDS.of(arbiter.JoinSession(id="j", actor=7, name="Jo"))
    assert (join.name, join.from_frame, join.admits_strangers) == ("member.join", False, True)
    assert arbiter.ALL_COMMAND_TYPES == tuple(s.name for s in specs if s.from_frame)
    assert COMMANDS.frame_type("member.join") is None


def test_can_lists_what_a_member_may_send_in_the_order_registered() -> None:
    can = arbiter.member_view(lobby(), LEAD, 0.0)["can"]
    assert can == [t for t in arbiter.ALL_COMMAND_TYPES if t in set(can)]
    assert can[:2] == ["claim.set", "proposal.request"]


@dataclass(frozen=True, slots=True)
class Wave(Command):
    """A command for a registry of this test's own (the project's is left as it is)."""

    times: int
    loud: bool = False
    question: str | None = None

    def changes(self, state: SessionState, now: float) -> Changes:
        return {}, []


def test_a_new_command_is_one_class_and_its_registration() -> None:
    registry = Registry()
    registry.register(
        "hand.wave",
        fields={"times": INT, "loud": BOOL.optional(), "question": KEY},
        guard=in_phase(LOBBY),
        target="question",
    )(Wave)
    frame = {"type": "hand.wave", "id": "w1", "times": 2, "question": "t1q1"}
    wave = command_from_frame(ANN, frame, registry)
    assert wave == Wave(id="w1", actor=ANN, times=2, loud=False, question="t1q1")
    (spec,) = registry.frame_types()
    assert (spec.name, spec.cls, spec.target, list(registry)) == ("hand.wave", Wave, "question",
                                                                  [spec])  # fmt: skip
    assert spec.guard(lobby(), ANN) is None
    with pytest.raises(BadCommand) as missing:
        command_from_frame(ANN, {"type": "hand.wave", "id": "w2", "question": "k"}, registry)
    assert missing.value.code == "bad_request"
    with pytest.raises(BadCommand) as unknown:  # the project's commands are not in this one
        command_from_frame(ANN, {"type": "claim.set", "id": "c"}, registry)
    assert unknown.value.code == "unknown_type"


@pytest.mark.parametrize(
    ("name", "fields", "target", "cls", "why"),
    [
        ("hand.wave", {"times": INT}, None, Wave, "registered already"),
        ("other.wave", {"times": INT}, None, Wave, "registered already"),
        ("arm.wave", {"volume": INT}, None, None, "not fields of"),
        ("arm.wave", {"times": INT}, "question", None, "must be one of its frame fields"),
        ("arm.wave", {}, None, "plain", "is not a dataclass"),
    ],
    ids=["same-name", "same-class", "unknown-field", "target-not-a-field", "not-a-dataclass"],
)
def test_a_registration_that_cannot_work_is_refused_at_import(
    name: str, fields: dict, target: str | None, cls: object, why: str
) -> None:
    registry = Registry()
    registry.register("hand.wave", fields={"times": INT}, guard=in_phase(LOBBY))(Wave)
    if cls is None:

        @dataclass(frozen=True, slots=True)
        class Other(Command):
            times: int = 0

        cls = Other
    elif cls == "plain":
        cls = type("Plain", (), {})
    with pytest.raises(TypeError, match=why):
        registry.register(name, fields=fields, guard=in_phase(LOBBY), target=target)(cls)  # type: ignore[arg-type]
