"""The ``state`` frames of one session's sockets, encoded once per distinct view.

``arbiter.member_view`` depends on who looks only through a few things: their id (``me``),
whether they lead, what they may send now (``can``, and ``feedback_open`` with it), the
questions they asked (``my_questions``, and ``current.asked`` for the block's owner) and the
feedback they sent. Members equal in all of these but ``me`` see the same bytes apart from
their id, so they share one encoded view (``view_key``): in the lobby every interviewer but
the lead, in the blocks everybody but the lead, the block's owner and whoever asked or wrote
something already.

Each view is encoded once per state version into a *template*: the JSON text in pieces, with
holes where a frame changes without a new state — ``server_time``, ``members`` (presence),
``current.remaining`` (the clock) — and ``me``. A frame is the template joined with the holes
filled, so a presence push re-encodes the member list (once for the session) and two
numbers, never a view. The bytes are exactly ``json.dumps`` of the frame the member would get
from ``arbiter.member_view`` (tests/sessions_live/test_fanout.py checks it over random
sessions).

Pure: no Django, no I/O, no clock (``now`` comes in).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Hashable, Iterable
from typing import Any

import arbiter

PROTOCOL_VERSION = 1

_encode = json.JSONEncoder(separators=(",", ":")).encode

# Where a view changes without a new state: these are filled per push, the rest of the
# template is kept for the version. ``None`` marks a hole; a dict, holes inside that field
# (when it is an object; ``current`` is null outside the blocks).
_HOLES: dict[str, Any] = {
    "server_time": None,
    "me": None,
    "members": None,
    "current": {"remaining": None},
}

_HEAD = f'{{"type":"state","protocol":{PROTOCOL_VERSION},"state":'
_TAIL = "}"

Path = tuple[str, ...]
Template = list[str | Path]
_ME: Path = ("me",)


def view_key(state: arbiter.SessionState, member: int) -> Hashable:
    """Members with equal keys get the same view of ``state`` apart from ``me``."""
    personal = state.feedback_of(member) is not None or any(
        block.owner == member and block.asked for block in state.blocks
    )
    can = tuple(arbiter.allowed(state, member))
    return (member == state.lead, can, member if personal else None)


class Frames:
    """The encoded views of one state version; ``frames`` builds the frames of one push."""

    def __init__(self, state: arbiter.SessionState) -> None:
        self.state = state
        self._keys: dict[int, Hashable] = {}
        self._templates: dict[Hashable, Template] = {}
        # Runs of fields shared by the views of this version (the same objects: the arbiter
        # builds them once per state), encoded once.
        self._shared: dict[tuple[tuple[str, int], ...], tuple[tuple[Any, ...], str]] = {}
        self.views_built = 0  # member_view calls, for tests and the benchmark

    def key_of(self, member: int) -> Hashable:
        key = self._keys.get(member)
        if key is None:
            key = self._keys[member] = view_key(self.state, member)
        return key

    def frames(self, members: Iterable[int], now: float, online: Collection[int]) -> dict[int, str]:
        """member -> the text of their ``state`` frame at ``now`` with ``online`` shown."""
        fresh: dict[str, Any] | None = None
        wanted: dict[int, Template] = {}
        for member in members:
            if member in wanted:
                continue
            key = self.key_of(member)
            template = self._templates.get(key)
            if template is None:
                view = self._view(member, now, online)
                fresh = fresh or view
                template = self._templates[key] = self._template(view)
            wanted[member] = template
        if not wanted:
            return {}
        if fresh is None:  # every view is encoded already (a presence push): fill the holes
            fresh = self._view(next(iter(wanted)), now, online)
        holes = _hole_values(fresh)
        frames = {}
        for member, template in wanted.items():
            holes[_ME] = str(member)
            frames[member] = "".join(
                part if isinstance(part, str) else holes[part] for part in template
            )
        return frames

    def _view(self, member: int, now: float, online: Collection[int]) -> dict[str, Any]:
        self.views_built += 1
        return arbiter.member_view(self.state, member, now, online)

    def _template(self, view: dict[str, Any]) -> Template:
        parts: Template = []
        text = [_HEAD]
        self._fill(view, _HOLES, (), parts, text)
        text.append(_TAIL)
        parts.append("".join(text))
        return parts

    def _fill(
        self,
        value: dict[str, Any],
        holes: dict[str, Any],
        path: Path,
        parts: Template,
        text: list[str],
    ) -> None:
        """Append the encoding of ``value`` to ``text``, cutting it into ``parts`` at holes.
        Fields between holes are encoded together (one call of the C encoder)."""
        text.append("{")
        run: dict[str, Any] = {}
        comma = ""
        for name, item in value.items():
            hole = holes.get(name, False)
            if hole is False or (hole is not None and not isinstance(item, dict)):
                run[name] = item
                continue
            if run:
                text.append(comma + self._encoded(run))
                comma, run = ",", {}
            text.append(comma + _encode(name) + ":")
            comma = ","
            if hole is None:
                parts.append("".join(text))
                text.clear()
                parts.append((*path, name))
            else:
                self._fill(item, hole, (*path, name), parts, text)
        if run:
            text.append(comma + self._encoded(run))
        text.append("}")

    def _encoded(self, run: dict[str, Any]) -> str:
        """``run``'s fields encoded, without the braces. Runs of the same objects (the parts
        the arbiter shares between the views of a state) are encoded once per version."""
        key = tuple((name, id(item)) for name, item in run.items())
        shared = self._shared.get(key)
        if shared is not None and all(a is b for a, b in zip(shared[0], run.values(), strict=True)):
            return shared[1]
        encoded = _encode(run)[1:-1]
        self._shared[key] = (tuple(run.values()), encoded)  # the objects kept: ids stay theirs
        return encoded


def _hole_values(view: dict[str, Any]) -> dict[Path, str]:
    values = {
        ("server_time",): _encode(view["server_time"]),
        ("members",): _encode(view["members"]),
    }
    current = view.get("current")
    if isinstance(current, dict):
        values[("current", "remaining")] = _encode(current["remaining"])
    return values
