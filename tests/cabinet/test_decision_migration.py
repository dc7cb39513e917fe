"""The migrations to decisions on candidates give every existing decision (and its audit
entries) the candidate of its session, and leave the per-session rule as it was."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cabinet", "0002_hr_language_and_verbose_names")]
AFTER = [("cabinet", "0004_decision_session_optional")]


@pytest.mark.django_db(transaction=True)
def test_existing_decisions_get_their_sessions_candidate() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        # Only the cabinet's tables go back; the others are as today (their own models).
        from accounts.models import User
        from candidates.models import Candidate
        from sessions_live.models import LiveSession

        old = executor.loader.project_state(BEFORE).apps
        Decision = old.get_model("cabinet", "Decision")
        DecisionAudit = old.get_model("cabinet", "DecisionAudit")
        Team = old.get_model("cabinet", "Team")
        maria = User.objects.create(username="maria-migrated")
        team = Team.objects.create(name="Migrated team")
        made = {}
        for name, code in (("Ada", "AAA-AAA-AAA"), ("Ben", "BBB-BBB-BBB")):
            candidate = Candidate.objects.create(full_name=name, email=f"{name}@example.com")
            session = LiveSession.objects.create(
                code=code, candidate=candidate, lead=maria, state={}
            )
            decision = Decision.objects.create(
                session_id=session.pk,
                outcome="hire",
                team=team,
                decided_by_id=maria.pk,
                decided_at=timezone.now(),
            )
            DecisionAudit.objects.create(
                session_id=session.pk,
                decision=decision,
                kind="decide",
                by_id=maria.pk,
                at=timezone.now(),
            )
            made[decision.pk] = candidate.pk

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = MigrationExecutor(connection).loader.project_state(AFTER).apps
        Decision = new.get_model("cabinet", "Decision")
        DecisionAudit = new.get_model("cabinet", "DecisionAudit")
        assert dict(Decision.objects.values_list("pk", "candidate_id")) == made
        assert {a.decision_id: a.candidate_id for a in DecisionAudit.objects.all()} == made
        # Still one current decision per session.
        first = Decision.objects.get(pk=min(made))
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.create(
                session_id=first.session_id,
                candidate_id=first.candidate_id,
                outcome="hire",
                team_id=first.team_id,
                decided_by_id=first.decided_by_id,
                decided_at=timezone.now(),
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
