"""The candidate lifecycle's rules, exhaustively: every (status, move, role) is checked
against the table written out here by hand, so a change to the rules is a change to both."""

from __future__ import annotations

import itertools

import pytest

from candidates import lifecycle as lc

# (move, from statuses, to status, roles that may) — the rules as a reader states them.
EXPECTED = {
    "schedule": ({lc.CREATED, lc.INTERVIEWING}, lc.SCHEDULED, {lc.RECRUITER, lc.SYSTEM}),
    "unschedule": ({lc.SCHEDULED}, lc.CREATED, {lc.RECRUITER, lc.SYSTEM}),
    "start": ({lc.CREATED, lc.SCHEDULED}, lc.INTERVIEWING, {lc.SYSTEM}),
    "select": ({lc.INTERVIEWING}, lc.SELECTED, {lc.INTERVIEWER, lc.MANAGER, lc.SYSTEM}),
    "reject": (
        {lc.SCHEDULED, lc.INTERVIEWING, lc.SELECTED},
        lc.REJECTED,
        {lc.INTERVIEWER, lc.MANAGER, lc.SYSTEM},
    ),
    "hire": ({lc.INTERVIEWING, lc.SELECTED}, lc.HIRED, {lc.MANAGER, lc.SYSTEM}),
    "withdraw": (
        {lc.CREATED, lc.SCHEDULED, lc.INTERVIEWING, lc.SELECTED},
        lc.WITHDRAWN,
        {lc.RECRUITER, lc.MANAGER},
    ),
    "reopen": ({lc.SELECTED, lc.REJECTED, lc.HIRED}, lc.INTERVIEWING, {lc.MANAGER, lc.SYSTEM}),
}


def test_the_table_names_every_move_and_nothing_else() -> None:
    assert set(lc.MOVES) == set(EXPECTED)


@pytest.mark.parametrize(
    ("status", "move", "role"), list(itertools.product(lc.STATUSES, EXPECTED, lc.ROLES))
)
def test_each_move_from_each_status_by_each_role(status: str, move: str, role: str) -> None:
    sources, target, roles = EXPECTED[move]
    outcome = lc.check_move(status, move, {role})
    if status not in sources:
        assert outcome == lc.Refused(lc.NOT_FROM_HERE, move, status)
    elif role not in roles:
        assert outcome == lc.Refused(lc.NOT_ALLOWED, move, status)
    else:
        assert outcome == lc.Allowed(move, status, target)


def test_several_roles_are_enough_when_one_of_them_may() -> None:
    assert lc.check_move(lc.SELECTED, "hire", {lc.RECRUITER, lc.MANAGER}) == lc.Allowed(
        "hire", lc.SELECTED, lc.HIRED
    )
    assert lc.check_move(lc.SELECTED, "hire", set()) == lc.Refused(
        lc.NOT_ALLOWED, "hire", lc.SELECTED
    )


def test_unknown_statuses_and_moves_are_refused_by_name() -> None:
    assert lc.check_move("interviewed", "hire", {lc.MANAGER}).code == lc.UNKNOWN_STATUS
    assert lc.check_move(lc.CREATED, "promote", {lc.MANAGER}).code == lc.UNKNOWN_MOVE


def test_the_buttons_a_recruiter_and_a_manager_get() -> None:
    assert lc.moves_for(lc.CREATED, {lc.RECRUITER}) == ["schedule", "withdraw"]
    assert lc.moves_for(lc.SCHEDULED, {lc.RECRUITER}) == ["unschedule", "withdraw"]
    assert lc.moves_for(lc.SCHEDULED, {lc.SYSTEM}) == ["unschedule", "start", "reject"]
    assert lc.moves_for(lc.INTERVIEWING, {lc.MANAGER}) == ["select", "reject", "hire", "withdraw"]
    assert lc.moves_for(lc.HIRED, {lc.MANAGER}) == ["reopen"]
    assert lc.moves_for(lc.WITHDRAWN, set(lc.ROLES)) == []


@pytest.mark.parametrize("status", lc.STATUSES)
def test_final_statuses_lead_nowhere_but_a_reopen(status: str) -> None:
    onward = set(lc.moves_for(status, set(lc.ROLES)))
    assert lc.is_final(status) == (onward <= {"reopen"})
