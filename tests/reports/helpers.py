"""A hand-built month of hiring, written through the real services at set moments, and the
numbers the report must show for it (worked out by hand in the comments).

March 2026 (UTC), positions "Backend engineer" (three rounds: Ann, Lena's panel, Bob) and
"Data analyst"; vendor "Acme Talent":

* c1 Backend, from Acme, created 21 Feb: round 1 assigned 2 Mar (scheduled), rated by Ann
  5 Mar 7/10 selected (interviewing); round 2 (Lena's panel) assigned 15 Mar (scheduled
  again); round 3 (Bob) given a time 16 Mar, cancelled 21 Mar. Now: scheduled.
* c2 Backend, direct, created 3 Mar: round 1 assigned 4 Mar, rated by Ann 6 Mar 3/10
  rejected (interviewing, then rejected). Now: rejected.
* c3 Backend and Data analyst, referral, created 10 Mar: scheduled 11, interviewing 12,
  selected 13, hired 14 Mar. Now: hired.
* c4 Data analyst, from Acme, created 5 Apr. Now: created.
* c5 no position, direct, created 15 Mar, withdrawn 16 Mar. Now: withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import time_machine

from candidates import lifecycle
from candidates import services as candidates
from interviews import services as interviews
from interviews.models import Round
from tests.interviews.helpers import three_round_position

START = "2026-03-01"
END = "2026-03-31"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Month:
    backend: Any
    analyst: Any
    acme: Any
    c1: Any
    c2: Any
    c3: Any
    c4: Any
    c5: Any


def _new(recruiter: Any, name: str, when: datetime, **pipeline: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return candidates.candidate_create(
            by=recruiter,
            fields={"full_name": name, "email": f"{name.split()[0].lower()}@example.com"},
            **pipeline,
        )


def _rounds(candidate: Any, position: Any, recruiter: Any, when: datetime) -> list[Round]:
    with time_machine.travel(when, tick=False):
        interview = interviews.interview_create(
            candidate=candidate, position=position, by=recruiter
        )
    return list(interview.rounds.order_by("order"))


def _assign(round_: Round, recruiter: Any, person: Any, when: datetime, starts: datetime) -> None:
    with time_machine.travel(when, tick=False):
        interviews.round_assign(round_=round_, by=recruiter, interviewer=person, starts_at=starts)


def _rate(round_: Round, person: Any, when: datetime, points: list[int], outcome: str) -> None:
    aspects = list(round_.aspects.order_by("order", "id"))
    ratings = {a.pk: interviews.Rating(p, "") for a, p in zip(aspects, points, strict=True)}
    with time_machine.travel(when, tick=False):
        interviews.round_rate(
            round_=round_,
            by=person,
            ratings=ratings,
            feedback="Seen.",
            recommendation="yes" if outcome == "selected" else "no",
            outcome=outcome,
        )


def _move(candidate: Any, move: str, by: Any, roles: set[str], when: datetime) -> None:
    with time_machine.travel(when, tick=False):
        candidates.candidate_move(candidate=candidate, move=move, by=by, roles=roles)


def build_month(recruiter: Any, manager: Any, ann: Any, lead: Any, bob: Any) -> Month:
    with time_machine.travel(at(2, 1), tick=False):
        backend = three_round_position(recruiter, ann, lead, bob)
        analyst = candidates.position_create(by=recruiter, fields={"title": "Data analyst"})
        acme = candidates.vendor_create(fields={"name": "Acme Talent"})
    vendor = {"source": "vendor", "vendor": acme}

    c1 = _new(recruiter, "Cora One", at(2, 21), positions=[backend], **vendor)
    r1, r2, r3 = _rounds(c1, backend, recruiter, at(2, 22))
    _assign(r1, recruiter, ann, at(3, 2), at(3, 5, 10))
    _rate(r1, ann, at(3, 5), [4, 3], "selected")
    _assign(r2, recruiter, lead, at(3, 15), at(3, 20, 10))
    _assign(r3, recruiter, bob, at(3, 16), at(3, 25, 10))
    with time_machine.travel(at(3, 21), tick=False):
        interviews.round_cancel(round_=r3, by=recruiter)

    c2 = _new(recruiter, "Dan Two", at(3, 3), positions=[backend])
    first = _rounds(c2, backend, recruiter, at(3, 3, 13))[0]
    _assign(first, recruiter, ann, at(3, 4), at(3, 6, 10))
    _rate(first, ann, at(3, 6), [2, 1], "rejected")

    c3 = _new(recruiter, "Eve Three", at(3, 10), positions=[backend, analyst], source="referral")
    _move(c3, "schedule", recruiter, {lifecycle.RECRUITER}, at(3, 11))
    _move(c3, "start", None, {lifecycle.SYSTEM}, at(3, 12))
    _move(c3, "select", manager, {lifecycle.MANAGER}, at(3, 13))
    _move(c3, "hire", manager, {lifecycle.MANAGER}, at(3, 14))

    c4 = _new(recruiter, "Finn Four", at(4, 5), positions=[analyst], **vendor)
    c5 = _new(recruiter, "Gus Five", at(3, 15))
    _move(c5, "withdraw", recruiter, {lifecycle.RECRUITER}, at(3, 16))
    return Month(backend, analyst, acme, c1, c2, c3, c4, c5)


def expected(month: Month) -> dict[str, dict[str, list[Any]]]:
    """table → row key → the row's numbers, for March, worked out by hand."""
    b, a, acme = str(month.backend.pk), str(month.analyst.pk), month.acme.pk
    #            created scheduled interviewed selected hired
    funnel = {
        b: [2, 3, 3, 1, 1],  # created c2 c3; moved c1 c2 c3; c3 selected and hired
        a: [1, 1, 1, 1, 1],  # c3 (c4 was created in April)
        "none": [1, 0, 0, 0, 0],  # c5 (withdrawing is no funnel stage)
        "total": [3, 3, 3, 1, 1],  # c2 c3 c5; c1 c2 c3; c3 once although on two positions
    }
    # created scheduled interviewing selected rejected hired withdrawn | total
    status = {
        b: [0, 1, 0, 0, 1, 1, 0, 3],
        a: [1, 0, 0, 0, 0, 1, 0, 2],
        "none": [0, 0, 0, 0, 0, 0, 1, 1],
        "total": [1, 1, 0, 0, 1, 1, 1, 5],
    }
    vendor = {
        f"vendor:{acme}": [1, 1, 0, 0, 0, 0, 0, 2],  # c4 created, c1 scheduled
        "referral": [0, 0, 0, 0, 0, 1, 0, 1],
        "direct": [0, 0, 0, 0, 1, 0, 1, 2],
        "total": [1, 1, 0, 0, 1, 1, 1, 5],
    }
    return {"funnel": funnel, "status": status, "vendor": vendor}


def expected_interviewers(ann: Any, lead: Any, bob: Any) -> dict[str, list[Any]]:
    # rounds, still to hold, done, cancelled, points %: Ann rated 7/10 and 3/10
    return {
        str(ann.pk): [2, 0, 2, 0, 50.0],
        str(lead.pk): [1, 1, 0, 0, None],
        str(bob.pk): [1, 0, 0, 1, None],
        "total": [4, 1, 2, 1, 50.0],
    }


# stays, median days, mean days (stays that ended in March)
EXPECTED_STAGES = {
    "created": [4, 1.0, 3.0],  # c1 9 days (21 Feb – 2 Mar), c2, c3, c5 one day each
    "scheduled": [3, 2.0, 2.0],  # c1 3, c2 2, c3 1
    "interviewing": [3, 1.0, 3.7],  # c1 10 (5–15 Mar), c2 0 (rejected as rated), c3 1
    "selected": [1, 1.0, 1.0],  # c3
}
