"""The commands members send, and the schema check that turns a client frame into one."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from arbiter.codes import BAD_REQUEST, BAD_TEXT, UNKNOWN_TYPE
from arbiter.i18n import gettext_noop
from arbiter.state import QuestionSpec

MAX_ID = 64
MAX_TEXT = 2000
MAX_SUMMARY = 10000
MAX_ITEMS = 200
MAX_ITEM_KEY = 64
MAX_BLOCK_INDEX = 10_000

# Text no person types and some stores cannot keep: C0 controls other than tab, line feed and
# carriage return (PostgreSQL refuses NUL in text), and lone surrogates (not encodable as UTF-8,
# so SQLite and every later JSON encoding of the state fail on them).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_text(text: str) -> bool:
    """Whether ``text`` holds a character refused at the boundary (see ``_BAD_TEXT``)."""
    return _BAD_TEXT.search(text) is not None


class BadCommand(Exception):
    """A client frame that is not a well-formed command; nothing was applied."""

    def __init__(
        self,
        code: str,
        message: str,
        template: str = "",
        params: tuple[tuple[str, str | int], ...] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The message id to translate (``template % dict(params) == message``).
        self.template = template or message
        self.params = params


def _bad(code: str, template: str, **params: str | int) -> BadCommand:
    message = template % params if params else template
    return BadCommand(code, message, template, tuple(sorted(params.items())))


@dataclass(frozen=True, slots=True)
class JoinSession:
    """Only the service builds this (after checking the session code); never parsed from a frame."""

    id: str
    actor: int
    name: str


@dataclass(frozen=True, slots=True)
class SetClaim:
    id: str
    actor: int
    topic_id: int
    claimed: bool


@dataclass(frozen=True, slots=True)
class RequestProposal:
    id: str
    actor: int


@dataclass(frozen=True, slots=True)
class AcceptProposal:
    id: str
    actor: int


@dataclass(frozen=True, slots=True)
class StartSession:
    id: str
    actor: int
    # Attached by the service from the question bank; a client frame never carries it.
    bank: Mapping[int, Sequence[QuestionSpec]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BeginBlocks:
    id: str
    actor: int


@dataclass(frozen=True, slots=True)
class NextQuestion:
    id: str
    actor: int
    score: int
    note: str = ""
    # The key of the question the sender saw as current. A frame must name it (the schema
    # requires it); a different current question means the command is stale.
    question: str | None = None


@dataclass(frozen=True, slots=True)
class SkipQuestion:
    id: str
    actor: int
    question: str | None = None


@dataclass(frozen=True, slots=True)
class AddQuestion:
    id: str
    actor: int
    text: str
    answer: str = ""
    max_points: int = 5
    # The index of the block the sender saw as running; another running block means stale.
    block: int | None = None


@dataclass(frozen=True, slots=True)
class YieldBlock:
    id: str
    actor: int
    block: int | None = None


@dataclass(frozen=True, slots=True)
class PauseSession:
    id: str
    actor: int
    block: int | None = None


@dataclass(frozen=True, slots=True)
class ResumeSession:
    id: str
    actor: int
    block: int | None = None


@dataclass(frozen=True, slots=True)
class ExtendBlock:
    id: str
    actor: int
    seconds: int = 120
    block: int | None = None


@dataclass(frozen=True, slots=True)
class FinishSession:
    id: str
    actor: int


@dataclass(frozen=True, slots=True)
class SubmitFeedback:
    id: str
    actor: int
    summary: str
    items: Mapping[str, str] = field(default_factory=dict)


Command = (
    JoinSession
    | SetClaim
    | RequestProposal
    | AcceptProposal
    | StartSession
    | BeginBlocks
    | NextQuestion
    | SkipQuestion
    | AddQuestion
    | YieldBlock
    | PauseSession
    | ResumeSession
    | ExtendBlock
    | FinishSession
    | SubmitFeedback
)

# Frame type -> command class. JoinSession is deliberately absent: joining needs the session
# code, which the service checks, so a frame can never make anyone a member.
FRAME_TYPES: dict[str, type[Command]] = {
    "claim.set": SetClaim,
    "proposal.request": RequestProposal,
    "proposal.accept": AcceptProposal,
    "session.start": StartSession,
    "blocks.begin": BeginBlocks,
    "question.next": NextQuestion,
    "question.skip": SkipQuestion,
    "question.add": AddQuestion,
    "block.yield": YieldBlock,
    "session.pause": PauseSession,
    "session.resume": ResumeSession,
    "block.extend": ExtendBlock,
    "session.finish": FinishSession,
    "feedback.submit": SubmitFeedback,
}
ALL_COMMAND_TYPES: tuple[str, ...] = tuple(FRAME_TYPES)
COMMAND_TYPE: dict[type[Command], str] = {cls: name for name, cls in FRAME_TYPES.items()}
COMMAND_TYPE[JoinSession] = "member.join"


@dataclass(frozen=True, slots=True)
class _Field:
    kind: str  # "int", "bool", "str", "key" (a question key), "index" (a block) or "items"
    required: bool = True
    max_length: int = MAX_TEXT


# The arguments each frame type may carry besides "type" and "id". Ranges that depend on the
# session (a score against the question's max points) are the rules' business, not the schema's.
_SCHEMAS: dict[str, dict[str, _Field]] = {
    "claim.set": {"topic_id": _Field("int"), "claimed": _Field("bool")},
    "proposal.request": {},
    "proposal.accept": {},
    "session.start": {},
    "blocks.begin": {},
    "question.next": {
        "question": _Field("key"),
        "score": _Field("int"),
        "note": _Field("str", required=False),
    },
    "question.skip": {"question": _Field("key")},
    "question.add": {
        "block": _Field("index"),
        "text": _Field("str"),
        "answer": _Field("str", required=False),
        "max_points": _Field("int", required=False),
    },
    "block.yield": {"block": _Field("index")},
    "session.pause": {"block": _Field("index")},
    "session.resume": {"block": _Field("index")},
    "block.extend": {"block": _Field("index"), "seconds": _Field("int", required=False)},
    "session.finish": {},
    "feedback.submit": {
        "summary": _Field("str", max_length=MAX_SUMMARY),
        "items": _Field("items", max_length=MAX_ITEMS),
    },
}


def command_from_frame(actor: int, frame: Mapping[str, Any]) -> Command:
    """Validate a client frame ``{"type", "id", ...args}`` and build its command for ``actor``."""
    if not isinstance(frame, Mapping):
        raise _bad(BAD_REQUEST, gettext_noop("A command must be a JSON object."))
    frame_type = frame.get("type")
    if not isinstance(frame_type, str):
        raise _bad(BAD_REQUEST, gettext_noop("A command needs a type."))
    if frame_type not in FRAME_TYPES:
        raise _bad(
            UNKNOWN_TYPE, gettext_noop("Unknown command type %(type)s."), type=repr(frame_type[:64])
        )
    command_id = frame.get("id")
    if not isinstance(command_id, str) or not command_id or len(command_id) > MAX_ID:
        raise _bad(
            BAD_REQUEST, gettext_noop("A command needs an id of 1 to %(n)s characters."), n=MAX_ID
        )
    if bad_text(command_id):
        raise _bad(BAD_TEXT, gettext_noop("The id holds a control character or a lone surrogate."))
    schema = _SCHEMAS[frame_type]
    extra = sorted(set(frame) - {"type", "id"} - set(schema))
    if extra:
        raise _bad(
            BAD_REQUEST, gettext_noop("Unexpected field %(field)s."), field=repr(extra[0][:64])
        )
    args: dict[str, Any] = {}
    for name, rule in schema.items():
        if name not in frame:
            if rule.required:
                raise _bad(
                    BAD_REQUEST, gettext_noop("The field %(field)s is required."), field=repr(name)
                )
            continue
        args[name] = _checked(name, rule, frame[name])
    return FRAME_TYPES[frame_type](id=command_id, actor=actor, **args)


def _checked(name: str, rule: _Field, value: Any) -> Any:
    # bool is a subclass of int in Python; JSON true must not pass for a score of 1.
    if rule.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s must be a whole number."),
                field=repr(name),
            )
        return value
    if rule.kind == "index":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s must be a block index."),
                field=repr(name),
            )
        if not 0 <= value <= MAX_BLOCK_INDEX:
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s is not a block index."),
                field=repr(name),
            )
        return value
    if rule.kind == "key":
        if not isinstance(value, str) or not value or len(value) > MAX_ITEM_KEY:
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s must be a question key."),
                field=repr(name),
            )
        _check_text(name, value)
        return value
    if rule.kind == "bool":
        if not isinstance(value, bool):
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s must be true or false."),
                field=repr(name),
            )
        return value
    if rule.kind == "str":
        if not isinstance(value, str):
            raise _bad(
                BAD_REQUEST, gettext_noop("The field %(field)s must be text."), field=repr(name)
            )
        if len(value) > rule.max_length:
            raise _bad(
                BAD_REQUEST,
                gettext_noop("The field %(field)s is over %(n)s characters."),
                field=repr(name),
                n=rule.max_length,
            )
        _check_text(name, value)
        return value
    # "items": question key -> feedback text
    if not isinstance(value, Mapping):
        raise _bad(
            BAD_REQUEST, gettext_noop("The field %(field)s must be an object."), field=repr(name)
        )
    if len(value) > rule.max_length:
        raise _bad(
            BAD_REQUEST,
            gettext_noop("The field %(field)s has over %(n)s entries."),
            field=repr(name),
            n=rule.max_length,
        )
    items: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or len(key) > MAX_ITEM_KEY:
            raise _bad(
                BAD_REQUEST,
                gettext_noop("A key of %(field)s is not a question key."),
                field=repr(name),
            )
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise _bad(
                BAD_REQUEST,
                gettext_noop("Each entry of %(field)s must be text of at most %(n)s characters."),
                field=repr(name),
                n=MAX_TEXT,
            )
        _check_text(name, key)
        _check_text(name, text)
        items[key] = text
    return items


def _check_text(name: str, value: str) -> None:
    if bad_text(value):
        raise _bad(
            BAD_TEXT,
            gettext_noop("The field %(field)s holds a control character or a lone surrogate."),
            field=repr(name),
        )
