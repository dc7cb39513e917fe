"""A position with a three-round plan (one-to-one, panel, one-to-one) and a candidate on it,
built through the real services."""

from __future__ import annotations

from typing import Any

from candidates import services as candidates
from interviews import services
from interviews.models import PlanRound
from tests.cabinet.helpers import topics as make_topics

A = services.AspectSpec


def three_round_position(recruiter: Any, first: Any, panel_lead: Any, last: Any) -> Any:
    position = candidates.position_create(by=recruiter, fields={"title": "Backend engineer"})
    services.plan_round_create(
        position=position,
        fields={"name": "Screening", "kind": "one_to_one", "default_interviewer": first},
        aspects=[A("Communication", 5), A("Motivation", 5)],
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Technical panel", "kind": "panel", "default_interviewer": panel_lead},
        topics=make_topics(2),
    )
    services.plan_round_create(
        position=position,
        fields={"name": "Final", "kind": "one_to_one", "default_interviewer": last},
        aspects=[A("System design", 10), A("Culture", 5)],
    )
    assert position.plan_rounds.count() == 3
    return position


def candidate_on(position: Any, recruiter: Any, name: str = "Carla Candidate") -> Any:
    return candidates.candidate_create(
        by=recruiter,
        fields={"full_name": name, "email": "carla@example.com"},
        positions=[position],
    )


def plan_kinds(position: Any) -> list[str]:
    return list(PlanRound.objects.filter(position=position).values_list("kind", flat=True))
