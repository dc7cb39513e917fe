"""One encoding per distinct view: the frames of sessions_live.fanout are, byte for byte, what
encoding each member's own ``arbiter.member_view`` gives, over random sessions, presence
readings and clock moves; and members who may do the same things share one view."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arbiter
from sessions_live.fanout import Frames, view_key
from tests.arbiter.builders import ANN, BANK, BOB, LEAD, NAMES, OPS, PYTHON, SQL, T0

CAT, DAN, EVE = 4, 5, 6  # Cat joins mid-way; Dan and Eve sit in and claim nothing at first
PANEL = [LEAD, ANN, BOB, DAN, EVE]
PEOPLE = [*PANEL, CAT]


def plain(state: arbiter.SessionState, member: int, now: float, online: list[int]) -> str:
    """The frame the old way: one view, one encoding, per socket."""
    view = arbiter.member_view(state, member, now, online)
    return json.dumps({"type": "state", "protocol": 1, "state": view}, separators=(",", ":"))


def lobby() -> arbiter.SessionState:
    state = arbiter.new_session(
        lead=LEAD, lead_name=NAMES[LEAD], topics=(PYTHON, SQL, OPS), shuffle=True, seed=3
    )
    for member in PANEL[1:]:
        name = NAMES.get(member, f"Member {member}")
        outcome = arbiter.apply(
            state, arbiter.JoinSession(id=f"j{member}", actor=member, name=name), T0
        )
        assert isinstance(outcome, arbiter.Applied)
        state = outcome.state
    return state


def command(kind: str, actor: int, key: str, draw: Any) -> arbiter.Command:
    if kind == "claim.set":
        topic = draw(st.sampled_from([PYTHON.id, SQL.id, OPS.id]))
        return arbiter.SetClaim(id=key, actor=actor, topic_id=topic, claimed=draw(st.booleans()))
    if kind == "question.next":
        score = draw(st.integers(min_value=0, max_value=5))
        return arbiter.NextQuestion(id=key, actor=actor, score=score, note=f"note {key} ünï")
    if kind == "question.add":
        return arbiter.AddQuestion(id=key, actor=actor, text=f"live {key} \u2028", answer="a")
    if kind == "block.extend":
        return arbiter.ExtendBlock(id=key, actor=actor, seconds=draw(st.sampled_from([1, 60])))
    if kind == "feedback.submit":
        return arbiter.SubmitFeedback(id=key, actor=actor, summary="fine", items={})
    if kind == "session.start":
        return arbiter.StartSession(id=key, actor=actor, bank=BANK)
    if kind == "join":
        return arbiter.JoinSession(id=key, actor=actor, name="Cat")
    simple: dict[str, type[Any]] = {
        "proposal.request": arbiter.RequestProposal,
        "proposal.accept": arbiter.AcceptProposal,
        "blocks.begin": arbiter.BeginBlocks,
        "question.skip": arbiter.SkipQuestion,
        "block.yield": arbiter.YieldBlock,
        "session.pause": arbiter.PauseSession,
        "session.resume": arbiter.ResumeSession,
        "session.finish": arbiter.FinishSession,
    }
    return simple[kind](id=key, actor=actor)  # type: ignore[no-any-return]


KINDS = [*arbiter.ALL_COMMAND_TYPES, "join"]


def steps(state: arbiter.SessionState, draw: Any) -> list[tuple[int, str]]:
    """The next move: the panel settles the lobby or the lead moves on (so every phase is
    reached), a button someone is offered, or anything from anyone."""
    how = draw(st.sampled_from(["settle", "offered", "offered", "offered", "anything"]))
    if how == "settle" and state.phase == "lobby":
        return [(ANN, "proposal.request"), (LEAD, "proposal.accept"), (LEAD, "session.start")]
    if how == "settle" and state.phase in ("intro", "closing"):
        return [(LEAD, "blocks.begin" if state.phase == "intro" else "session.finish")]
    actor = draw(st.sampled_from(PEOPLE))
    can = arbiter.member_view(state, actor, T0)["can"]
    if how == "offered" and can:
        return [(actor, draw(st.sampled_from(can)))]
    return [(actor, draw(st.sampled_from(KINDS)))]


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_every_frame_is_the_bytes_of_the_members_own_view(data: st.DataObject) -> None:
    state, now = lobby(), T0
    draw = data.draw
    for step in range(draw(st.integers(min_value=1, max_value=30))):
        now += draw(st.sampled_from([0.0, 0.25, 3.0, 11.0, 45.0]))
        state, _ = arbiter.advance(state, now)
        for actor, kind in steps(state, draw):
            outcome = arbiter.apply(state, command(kind, actor, f"c{step}{kind}", draw), now)
            if isinstance(outcome, arbiter.Applied):
                state = outcome.state
        members = [m.id for m in state.members]
        frames = Frames(state)
        # A state push, then presence-only pushes and a clock moving on, same version.
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            online = sorted(draw(st.sets(st.sampled_from(members))))
            at = now + draw(st.sampled_from([0.0, 0.5, 7.25]))
            got = frames.frames(members, at, online)
            for member in members:
                assert got[member] == plain(state, member, at, online), (state.phase, member)


def test_members_who_may_do_the_same_share_one_view() -> None:
    state = lobby()
    frames = Frames(state)
    got = frames.frames(PANEL, T0, PANEL)
    # The lead, and everybody else: two views built for five members.
    assert frames.views_built == 2
    assert len({view_key(state, m) for m in PANEL}) == 2
    assert len(set(got.values())) == len(PANEL)  # ``me`` still differs
    # Presence only: no view is encoded again, one is built for the parts that move.
    before = frames.views_built
    again = frames.frames(PANEL, T0 + 1, [LEAD])
    assert frames.views_built == before + 1
    assert again[ANN] == plain(state, ANN, T0 + 1, [LEAD])


def test_a_member_who_asked_something_has_a_view_of_their_own() -> None:
    state = lobby()
    for kind, actor in [
        ("claim.set", ANN),
        ("claim.set", BOB),
        ("claim.set", DAN),
    ]:
        topic = {ANN: PYTHON.id, BOB: SQL.id, DAN: OPS.id}[actor]
        state = ok(
            state, arbiter.SetClaim(id=f"{kind}{actor}", actor=actor, topic_id=topic, claimed=True)
        )
    state = ok(state, arbiter.StartSession(id="s", actor=LEAD, bank=BANK))
    state = ok(state, arbiter.BeginBlocks(id="b", actor=LEAD))
    owner = state.current_block.owner  # type: ignore[union-attr]
    state = ok(state, arbiter.NextQuestion(id="n", actor=owner, score=2, note="mine"))
    keys = {m: view_key(state, m) for m in PANEL}
    others = [m for m in PANEL if m not in (LEAD, owner)]
    assert len({keys[m] for m in others}) == 1  # they see the same
    assert keys[owner] not in {keys[m] for m in others}
    frames = Frames(state)
    got = frames.frames(PANEL, T0 + 2, PANEL)
    assert frames.views_built == 3  # the lead, the owner, the rest
    assert "mine" in got[owner] and all("mine" not in got[m] for m in others)


def ok(state: arbiter.SessionState, cmd: arbiter.Command) -> arbiter.SessionState:
    outcome = arbiter.apply(state, cmd, T0)
    assert isinstance(outcome, arbiter.Applied), outcome
    return outcome.state
