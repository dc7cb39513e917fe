"""One registration per command type: its frame type, payload schema, guard, target and what it
does, together, in ``arbiter/commands.py``.

A command is a frozen dataclass deriving from ``Command`` whose ``changes`` method says what it
does; the ``command`` decorator registers it with the rest::

    @command("claim.set", fields={"topic_id": INT, "claimed": BOOL}, guard=in_phase(LOBBY))
    @dataclass(frozen=True, slots=True)
    class SetClaim(Command):
        topic_id: int
        claimed: bool

        def changes(self, state, now): ...

From the registry ``command_from_frame`` checks a client frame against the command's schema,
``rules.apply`` runs its guard and its ``changes``, ``rules.allowed`` lists the types a member
may send, ``rules.targets`` and the stale check read its target, and docs/protocol.md is held
to its fields (tests/foundation/test_docs_contract.py). Adding a command is one class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal, TypeVar

from arbiter.codes import BAD_REQUEST, BAD_TEXT, UNKNOWN_TYPE
from arbiter.i18n import gettext_noop
from arbiter.outcomes import Event, Refused
from arbiter.state import SessionState

MAX_ID = 64
MAX_TEXT = 2000
MAX_SUMMARY = 10000
MAX_ITEMS = 200
MAX_ITEM_KEY = 64
MAX_BLOCK_INDEX = 10_000

# What a command changes: the state's fields to replace, and what happened. apply() builds the
# new state once from these, together with the version and the remembered command id.
Changes = tuple[dict[str, Any], list[Event]]
# Who may send it now: the checks that depend only on who asks and the state, never on the
# command's arguments. apply() runs it before each command and member_view() runs the same to
# list what a member may do, so the page's buttons and the server's answers cannot disagree.
Guard = Callable[[SessionState, int], Refused | None]
# What a command names as the page saw it: the current question's key (its ``question``
# field) or the running block's index (its ``block`` field). Another one current means stale.
Target = Literal["question", "block"] | None


@dataclass(frozen=True, slots=True)
class Command:
    """What every command carries: the client's command id and who sends it."""

    id: str
    actor: int

    def changes(self, state: SessionState, now: float) -> Changes | Refused:
        """What applying it at ``now`` changes, or why its arguments are refused. Called by
        ``rules.apply`` once the sender is admitted, the command is not stale and the guard
        allows it."""
        raise NotImplementedError  # pragma: no cover - every registered command has its own


@dataclass(frozen=True, slots=True)
class Field:
    """One argument a frame may carry: ``kind`` is "int", "bool", "str", "key" (a question
    key), "index" (a block) or "items" (question key -> text); ``max_length`` bounds a text
    or the entries of items."""

    kind: str
    required: bool = True
    max_length: int = MAX_TEXT

    def optional(self) -> Field:
        return Field(self.kind, required=False, max_length=self.max_length)


INT = Field("int")
BOOL = Field("bool")
TEXT = Field("str")
KEY = Field("key")
INDEX = Field("index")
ITEMS = Field("items", max_length=MAX_ITEMS)


@dataclass(frozen=True, slots=True)
class CommandType:
    name: str  # the frame's "type" ("member.join" for the one no frame may carry)
    cls: type[Command]
    fields: Mapping[str, Field]  # the arguments a frame carries besides "type" and "id"
    guard: Guard
    target: Target
    from_frame: bool  # False: only the service builds it (joining needs the session's code)
    admits_strangers: bool  # True: the sender need not be a member yet (joining)


C = TypeVar("C", bound=Command)


class Registry:
    """The command types, in the order registered (the order of ``can`` in a member's view)."""

    def __init__(self) -> None:
        self._by_name: dict[str, CommandType] = {}
        self._by_class: dict[type[Command], CommandType] = {}
        self._frames: tuple[CommandType, ...] = ()

    def register(
        self,
        name: str,
        *,
        guard: Guard,
        fields: Mapping[str, Field] | None = None,
        target: Target = None,
        from_frame: bool = True,
        admits_strangers: bool = False,
    ) -> Callable[[type[C]], type[C]]:
        """A class decorator: register the command class it decorates as ``name``."""

        def add(cls: type[C]) -> type[C]:
            schema = dict(fields or {})
            own = {f.name for f in _dataclass_fields(cls)} - {"id", "actor"}
            if name in self._by_name or cls in self._by_class:
                raise TypeError(f"{name} ({cls.__name__}) is registered already")
            if not set(schema) <= own:
                raise TypeError(f"{name}: {sorted(set(schema) - own)} are not fields of {cls}")
            if target is not None and target not in schema:
                raise TypeError(f"{name}: the target {target!r} must be one of its frame fields")
            spec = CommandType(name, cls, schema, guard, target, from_frame, admits_strangers)
            self._by_name[name] = self._by_class[cls] = spec
            if from_frame:
                self._frames = (*self._frames, spec)
            return cls

        return add

    def __iter__(self) -> Iterator[CommandType]:
        return iter(self._by_name.values())

    def of(self, command: Command) -> CommandType:
        return self._by_class[type(command)]

    def frame_type(self, name: str) -> CommandType | None:
        """The command type a frame of type ``name`` builds, if any."""
        spec = self._by_name.get(name)
        return spec if spec is not None and spec.from_frame else None

    def frame_types(self) -> tuple[CommandType, ...]:
        """The types a client frame may carry, in the order registered."""
        return self._frames


def _dataclass_fields(cls: type[Command]) -> tuple[Any, ...]:
    try:
        return fields(cls)
    except TypeError:
        raise TypeError(f"{cls.__name__} is not a dataclass") from None


COMMANDS = Registry()
command = COMMANDS.register


# --- the schema check of client frames -------------------------------------------------------

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


def command_from_frame(
    actor: int, frame: Mapping[str, Any], registry: Registry = COMMANDS
) -> Command:
    """Validate a client frame ``{"type", "id", ...args}`` and build its command for ``actor``.
    Ranges that depend on the session (a score against the question's max points) are the
    command's business, not the schema's."""
    if not isinstance(frame, Mapping):
        raise _bad(BAD_REQUEST, gettext_noop("A command must be a JSON object."))
    frame_type = frame.get("type")
    if not isinstance(frame_type, str):
        raise _bad(BAD_REQUEST, gettext_noop("A command needs a type."))
    spec = registry.frame_type(frame_type)
    if spec is None:
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
    extra = sorted(set(frame) - {"type", "id"} - set(spec.fields))
    if extra:
        raise _bad(
            BAD_REQUEST, gettext_noop("Unexpected field %(field)s."), field=repr(extra[0][:64])
        )
    args: dict[str, Any] = {}
    for name, rule in spec.fields.items():
        if name not in frame:
            if rule.required:
                raise _bad(
                    BAD_REQUEST, gettext_noop("The field %(field)s is required."), field=repr(name)
                )
            continue
        args[name] = _checked(name, rule, frame[name])
    return spec.cls(id=command_id, actor=actor, **args)


def _checked(name: str, rule: Field, value: Any) -> Any:
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
