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
    """Why nothing was applied: a stable ``code`` and an English ``message``. ``template`` is
    the message id a translating shell looks up (the message itself when empty) and
    ``params`` what it fills in: ``template % dict(params) == message``."""

    code: str
    message: str
    template: str = ""
    params: tuple[tuple[str, str | int], ...] = ()


def refused(code: str, template: str, **params: str | int) -> Refused:
    """A refusal whose message is ``template`` filled with ``params``."""
    message = template % params if params else template
    return Refused(code, message, template, tuple(sorted(params.items())))


Outcome = Applied | Duplicate | Refused
