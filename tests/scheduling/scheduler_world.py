"""The scheduler's tests' world: a recruiter, interviewers in their own zones, a position whose
plan's first round may go to a pool, candidates and free time — all made through the real
services (candidates, interviews, scheduling.services)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from candidates import services as candidates
from interviews import services as interviews
from scheduling import services as availability
from tests.factories import UserFactory

# Monday 7 December 2026, 06:00 UTC: the window opens at 07:00 (an hour's notice).
NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(hours: float) -> datetime:
    """``hours`` after 07:00 UTC on Monday (the first start a run may book)."""
    return NOW + HOUR + timedelta(hours=hours)


def person(username: str, first: str, *, zone: str = "UTC", roles: tuple[str, ...] = ()) -> Any:
    user = UserFactory(
        username=username, first_name=first, last_name="Test", roles=list(roles) or None
    )
    user.time_zone, user.time_zone_from_browser = zone, False
    user.save()
    return user


def interviewer(username: str, first: str, zone: str = "UTC") -> Any:
    return person(username, first, zone=zone, roles=("interviewer",))


def recruiter(username: str = "rita", first: str = "Rita") -> Any:
    return person(username, first, roles=("recruiter",))


def position_with_plan(
    by: Any,
    *,
    title: str = "Backend engineer",
    default: Any = None,
    pool: tuple[Any, ...] = (),
    assistants: tuple[Any, ...] = (),
    minutes: int = 60,
    second_round: bool = True,
) -> Any:
    position = candidates.position_create(by=by, fields={"title": title})
    interviews.plan_round_create(
        position=position,
        fields={
            "name": "Screening",
            "kind": "one_to_one",
            "default_interviewer": default,
            "duration_minutes": minutes,
        },
        aspects=[interviews.AspectSpec("Communication", 5)],
        pool=list(pool),
        assistants=list(assistants),
    )
    if second_round:
        interviews.plan_round_create(
            position=position,
            fields={"name": "Final", "kind": "one_to_one", "default_interviewer": default},
            aspects=[interviews.AspectSpec("Design", 5)],
        )
    return position


def candidate(by: Any, position: Any, name: str, email: str | None = None) -> Any:
    return candidates.candidate_create(
        by=by,
        fields={"full_name": name, "email": email or f"{name.split()[0].lower()}@example.com"},
        positions=[position],
    )


def free(owner: Any, starts_at: datetime, ends_at: datetime, *, by: Any) -> None:
    """A slot of free time: an interviewer's own, or a candidate's kept by ``by``."""
    from candidates.models import Candidate

    if isinstance(owner, Candidate):
        availability.slot_add(
            by=by, candidate=owner, starts_at=starts_at, ends_at=ends_at, zone="UTC"
        )
    else:
        availability.slot_add(
            by=owner, user=owner, starts_at=starts_at, ends_at=ends_at, zone="UTC"
        )
