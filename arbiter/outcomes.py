"""What applying a command yields: the events that happened, or why nothing did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arbiter.state import SessionState


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened, for the service to record; JSON-friendly ``data``.

    Events may carry scores and notes, so they are for the server (report rows, hooks), never
    broadcast to browsers as they are: browsers get ``member_view`` snapshots."""

    type: str
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Applied:
    state: SessionState
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A command id seen before: acknowledged, nothing applied again."""

    state: SessionState


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    message: str


Outcome = Applied | Duplicate | Refused
