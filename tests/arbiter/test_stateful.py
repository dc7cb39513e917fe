"""Random sessions: random commands from random members with random clock jumps.

After every step the invariants that the live page relies on must hold, whatever happened."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from arbiter import (
    ALL_COMMAND_TYPES,
    PHASES,
    AcceptProposal,
    AddQuestion,
    Applied,
    BeginBlocks,
    Command,
    Duplicate,
    ExtendBlock,
    FinishSession,
    JoinSession,
    NextQuestion,
    PauseSession,
    Refused,
    RequestProposal,
    ResumeSession,
    SessionState,
    SetClaim,
    SkipQuestion,
    StartSession,
    SubmitFeedback,
    YieldBlock,
    advance,
    apply,
    member_view,
    new_session,
    next_deadline,
)
from tests.arbiter.builders import ANN, BANK, BOB, LEAD, NAMES, OPS, OUTSIDER, PYTHON, SQL, T0

CAT = 4  # joins mid-session, owns nothing unless she claims in time
PEOPLE = [LEAD, ANN, BOB, CAT, OUTSIDER]
TURN_ACTIONS = {"question.next", "question.skip", "question.add"}

# Big jumps sleep through several deadlines at once (the blocks last 30, 20 and 10 s).
jumps = st.one_of(
    st.floats(min_value=0, max_value=5, allow_nan=False),
    st.floats(min_value=5, max_value=120, allow_nan=False),
    st.integers(min_value=0, max_value=40),
)


class SessionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        state = new_session(
            lead=LEAD, lead_name=NAMES[LEAD], topics=(PYTHON, SQL, OPS), shuffle=True, seed=3
        )
        self.now = T0
        self.count = 0
        self.state = state
        self.last_applied: Command | None = None
        self.phase_seen = 0
        self.block_seen = -1
        self.deadline_seen: dict[int, float] = {}
        for member in (ANN, BOB):
            self.send(JoinSession(id=f"join:{member}", actor=member, name=NAMES[member]))

    # --- helpers ---------------------------------------------------------------------------

    def fresh(self) -> str:
        self.count += 1
        return f"c{self.count}"

    def send(self, command: Command) -> None:
        # As the service does: catch up with the clock first and keep that.
        self.state, _ = advance(self.state, self.now)
        before = self.state
        before_json = before.to_json()
        outcome = apply(before, command, self.now)
        assert before.to_json() == before_json, "apply mutated its input"
        if isinstance(outcome, Applied):
            assert outcome.state.version == before.version + 1
            self.state = outcome.state
            self.last_applied = command
        elif isinstance(outcome, Duplicate):
            assert outcome.state == before
        else:
            assert isinstance(outcome, Refused)
            assert outcome.code and outcome.message

    def asked_keys(self) -> list[str]:
        return [q.key for block in self.state.blocks for q in block.asked] + ["t0q0"]

    # --- rules -----------------------------------------------------------------------------

    @rule(seconds=jumps)
    def clock_moves(self, seconds: float) -> None:
        self.now += seconds
        self.state, _ = advance(self.state, self.now)

    @rule(actor=st.sampled_from(PEOPLE), data=st.data())
    def someone_sends_anything(self, actor: int, data: st.DataObject) -> None:
        frame_type = data.draw(st.sampled_from(ALL_COMMAND_TYPES))
        self.send(self.command(frame_type, actor, data))

    @rule(actor=st.sampled_from(PEOPLE), data=st.data())
    def someone_presses_an_offered_button(self, actor: int, data: st.DataObject) -> None:
        can = member_view(self.state, actor, self.now)["can"]
        if can:
            self.send(self.command(data.draw(st.sampled_from(can)), actor, data))

    @precondition(lambda self: self.state.phase == "lobby")
    @rule(proposer=st.sampled_from([LEAD, ANN, BOB]))
    def the_panel_settles_the_lobby(self, proposer: int) -> None:
        self.send(RequestProposal(id=self.fresh(), actor=proposer))
        self.send(AcceptProposal(id=self.fresh(), actor=LEAD))
        self.send(StartSession(id=self.fresh(), actor=LEAD, bank=BANK))

    @precondition(lambda self: self.state.phase in ("intro", "closing"))
    @rule()
    def the_lead_moves_on(self) -> None:
        command: Command
        if self.state.phase == "intro":
            command = BeginBlocks(id=self.fresh(), actor=LEAD)
        else:
            command = FinishSession(id=self.fresh(), actor=LEAD)
        self.send(command)

    @rule()
    def cat_joins(self) -> None:
        self.send(JoinSession(id=self.fresh(), actor=CAT, name="Cat"))

    @precondition(lambda self: self.last_applied is not None)
    @rule()
    def a_command_is_retried(self) -> None:
        assert self.last_applied is not None
        self.state, _ = advance(self.state, self.now)
        before = self.state
        outcome = apply(before, self.last_applied, self.now)
        assert isinstance(outcome, Duplicate)
        assert outcome.state.to_json() == before.to_json()

    def command(self, frame_type: str, actor: int, data: st.DataObject) -> Command:
        key = self.fresh()
        if frame_type == "claim.set":
            topic = data.draw(st.sampled_from([PYTHON.id, SQL.id, OPS.id, 404]))
            return SetClaim(id=key, actor=actor, topic_id=topic, claimed=data.draw(st.booleans()))
        if frame_type == "question.next":
            points = data.draw(st.integers(min_value=-1, max_value=6))
            return NextQuestion(id=key, actor=actor, score=points, note=f"secret-{actor}-{key}")
        if frame_type == "question.add":
            return AddQuestion(id=key, actor=actor, text=f"live {key}", answer=f"secret-{actor}")
        if frame_type == "block.extend":
            seconds = data.draw(st.sampled_from([-5, 0, 1, 60, 1800, 1801]))
            return ExtendBlock(id=key, actor=actor, seconds=seconds)
        if frame_type == "feedback.submit":
            items = data.draw(st.lists(st.sampled_from(self.asked_keys()), max_size=2))
            summary = data.draw(st.sampled_from(["", "fine"]))
            feedback = {item: f"secret-{actor}-fb" for item in items}
            return SubmitFeedback(id=key, actor=actor, summary=summary, items=feedback)
        simple: dict[str, type[Any]] = {
            "proposal.request": RequestProposal,
            "proposal.accept": AcceptProposal,
            "session.start": StartSession,
            "blocks.begin": BeginBlocks,
            "question.skip": SkipQuestion,
            "block.yield": YieldBlock,
            "session.pause": PauseSession,
            "session.resume": ResumeSession,
            "session.finish": FinishSession,
        }
        command: Command = simple[frame_type](id=key, actor=actor)
        return command

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def time_only_moves_forward(self) -> None:
        state = self.state
        phase = PHASES.index(state.phase)
        event(f"reached {state.phase}")  # --hypothesis-show-statistics: are all phases visited?
        assert phase >= self.phase_seen
        self.phase_seen = phase
        position = state.current if state.current is not None else -1
        if phase > PHASES.index("blocks"):
            position = len(state.blocks)
        assert position >= self.block_seen
        self.block_seen = position
        block = state.current_block
        if block is not None:
            assert block.deadline is not None
            # Extend only adds and resume only shifts forward, so no deadline goes back.
            assert block.deadline >= self.deadline_seen.get(block.index, block.deadline)
            self.deadline_seen[block.index] = block.deadline
        due = next_deadline(state)
        assert due is None or due > self.now
        assert advance(state, self.now) == (state, ())

    @invariant()
    def at_most_one_member_holds_control(self) -> None:
        state = self.state
        members = [m.id for m in state.members]
        control = state.control
        assert control is None or control in members
        drivers = [m for m in members if TURN_ACTIONS & set(member_view(state, m, self.now)["can"])]
        assert len(drivers) <= 1
        if drivers:
            assert drivers == [control]

    @invariant()
    def the_state_survives_json(self) -> None:
        data = json.loads(json.dumps(self.state.to_json()))
        assert SessionState.from_json(data) == self.state

    @invariant()
    def nobody_sees_another_interviewers_scores(self) -> None:
        for member in [m.id for m in self.state.members] + [OUTSIDER]:
            view = member_view(self.state, member, self.now, online=[LEAD])
            text = json.dumps(view)
            for other in PEOPLE:
                if other != member:
                    assert f"secret-{other}-" not in text
            for path, _node in scored_nodes(view):
                assert path[0] in ("my_questions", "current"), path
            current = view["current"]
            if current is not None and current["owner"] != member:
                assert current["asked"] == []


def scored_nodes(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every object in a view that carries a score or a note, with where it sits."""
    found = []
    if isinstance(node, dict):
        if "score" in node or "note" in node:
            found.append((path, node))
        for key, value in node.items():
            found += scored_nodes(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += scored_nodes(value, (*path, index))
    return found


SessionMachine.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    database=None,  # keep the run self-contained: no .hypothesis folder in the tree
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_sessions_keep_their_invariants = SessionMachine.TestCase
