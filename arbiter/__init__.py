"""The pure rules of a live interview session: state, commands, timing, views; no I/O, no clock."""

from __future__ import annotations

from arbiter import commands
from arbiter.codes import ALL_CODES
from arbiter.commands import *  # noqa: F403 - every command class, by commands.__all__
from arbiter.frames import MAX_FRAME_BYTES, FrameError, Ping, decode_frame, parse_frame
from arbiter.outcomes import Applied, Duplicate, Event, Outcome, Refused
from arbiter.registry import COMMANDS, BadCommand, Command, CommandType, command_from_frame
from arbiter.rules import advance, allowed, apply, next_deadline, propose, targets
from arbiter.state import (
    PHASES,
    Block,
    Feedback,
    Member,
    Question,
    QuestionSpec,
    SessionState,
    TopicSpec,
    new_session,
)
from arbiter.views import member_view, results

# The frame types a client may send, in the order a member's ``can`` lists them.
ALL_COMMAND_TYPES: tuple[str, ...] = tuple(spec.name for spec in COMMANDS.frame_types())

__all__ = [
    "ALL_CODES",
    "ALL_COMMAND_TYPES",
    "COMMANDS",
    "MAX_FRAME_BYTES",
    "PHASES",
    "Applied",
    "BadCommand",
    "Block",
    "Command",
    "CommandType",
    "Duplicate",
    "Event",
    "Feedback",
    "FrameError",
    "Member",
    "Outcome",
    "Ping",
    "Question",
    "QuestionSpec",
    "Refused",
    "SessionState",
    "TopicSpec",
    "advance",
    "allowed",
    "apply",
    "command_from_frame",
    "decode_frame",
    "member_view",
    "new_session",
    "next_deadline",
    "parse_frame",
    "propose",
    "results",
    "targets",
]
__all__ += commands.__all__
