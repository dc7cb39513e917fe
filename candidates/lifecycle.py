"""The candidate's lifecycle: which status moves exist, from where, and who may make them.

Pure: no Django, no clock, no I/O. Services (``candidates/services.py``) ask ``check_move``
before they write a status and record the move as a history event; pages ask ``moves_for``
which buttons to show. The statuses (DESIGN.md, seed 002 widened):

    created → scheduled → interviewing → selected / rejected → hired / withdrawn

* ``schedule``: a round got a date (by the recruiter, or the scheduler acting for the system);
  a candidate between rounds is scheduled again for the next one.
* ``unschedule``: the round that scheduled the candidate left the schedule (cancelled, its time
  taken away) and no other is scheduled: back to created, where the scheduler books them again
  (the system relaying the round's change, or a recruiter). The services make it only for a
  candidate whose scheduling took them from created (``candidate_unschedule``).
* ``start``: a round or live session began (the system, from the session's fact).
* ``select`` / ``reject``: the outcome of the rounds: an interviewer's one-to-one verdict on a
  round they are on, a manager's decision, or the system relaying either.
* ``hire``: the manager hires (into a team), from selected or straight from the interview (the
  cabinet's decision on a panel).
* ``withdraw``: the candidate leaves (recruiter or manager), from any status that is not final.
* ``reopen``: a manager reopens a decision (a selection, a rejection or a hire, as the
  cabinet's reopen does): back to interviewing.

``rejected`` and ``hired`` are final except for a manager's reopen; ``withdrawn`` is final.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

CREATED = "created"
SCHEDULED = "scheduled"
INTERVIEWING = "interviewing"
SELECTED = "selected"
REJECTED = "rejected"
HIRED = "hired"
WITHDRAWN = "withdrawn"
STATUSES = (CREATED, SCHEDULED, INTERVIEWING, SELECTED, REJECTED, HIRED, WITHDRAWN)

# Who acts. A person may hold several roles; "system" is the application itself acting on a
# fact (a session started, the scheduler found a slot), never a person's request.
RECRUITER = "recruiter"
MANAGER = "manager"
INTERVIEWER = "interviewer"  # only an interviewer assigned to the candidate's round
SYSTEM = "system"
ROLES = (RECRUITER, MANAGER, INTERVIEWER, SYSTEM)


@dataclass(frozen=True, slots=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _move(name: str, sources: Collection[str], target: str, roles: Collection[str]) -> Move:
    return Move(name, frozenset(sources), target, frozenset(roles))


_OPEN = (CREATED, SCHEDULED, INTERVIEWING, SELECTED)

MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        _move("schedule", (CREATED, INTERVIEWING), SCHEDULED, (RECRUITER, SYSTEM)),
        _move("unschedule", (SCHEDULED,), CREATED, (RECRUITER, SYSTEM)),
        _move("start", (CREATED, SCHEDULED), INTERVIEWING, (SYSTEM,)),
        _move("select", (INTERVIEWING,), SELECTED, (INTERVIEWER, MANAGER, SYSTEM)),
        _move("reject", (SCHEDULED, INTERVIEWING, SELECTED), REJECTED,
              (INTERVIEWER, MANAGER, SYSTEM)),  # fmt: skip
        _move("hire", (INTERVIEWING, SELECTED), HIRED, (MANAGER, SYSTEM)),
        _move("withdraw", _OPEN, WITHDRAWN, (RECRUITER, MANAGER)),
        _move("reopen", (SELECTED, REJECTED, HIRED), INTERVIEWING, (MANAGER, SYSTEM)),
    )
}

# Codes of a refusal: stable for programs; the services translate the message.
UNKNOWN_STATUS = "unknown_status"
UNKNOWN_MOVE = "unknown_move"
NOT_FROM_HERE = "not_from_here"
NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class Allowed:
    move: str
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    move: str
    source: str


def check_move(status: str, move: str, roles: Collection[str]) -> Allowed | Refused:
    """May someone holding ``roles`` make ``move`` on a candidate in ``status``?"""
    if status not in STATUSES:
        return Refused(UNKNOWN_STATUS, move, status)
    rule = MOVES.get(move)
    if rule is None:
        return Refused(UNKNOWN_MOVE, move, status)
    if status not in rule.sources:
        return Refused(NOT_FROM_HERE, move, status)
    if not rule.roles & frozenset(roles):
        return Refused(NOT_ALLOWED, move, status)
    return Allowed(move, status, rule.target)


def moves_for(status: str, roles: Collection[str]) -> list[str]:
    """The moves someone holding ``roles`` may make now, in the table's order (for buttons)."""
    return [name for name in MOVES if isinstance(check_move(status, name, roles), Allowed)]


def is_final(status: str) -> bool:
    """No person's move leads on from here except a manager's reopen."""
    return status in (REJECTED, HIRED, WITHDRAWN)
