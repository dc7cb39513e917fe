"""Deciding on a candidate with no live session: one-to-one rounds selected them (or every
round is held and rated), they wait in the cabinet with their rating sheets, and a manager
hires them into a team or rejects them with reasons, HR told as for a session's decision."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from cabinet import selectors, services
from cabinet.models import Decision, DecisionAudit
from candidates.models import Candidate, CandidateEvent
from notify.models import Outbox
from tests.cabinet.helpers import (
    in_rounds,
    new_session,
    rate,
    ready_session,
    run_interview,
    selected_by_rounds,
)

pytestmark = pytest.mark.django_db


def _decide_url(candidate: Candidate) -> str:
    return f"/cabinet/candidates/{candidate.pk}/decide/"


def _lists(client: Client) -> str:
    return client.get("/cabinet/?fragment=lists").content.decode()


def test_a_candidate_waits_once_their_last_one_to_one_round_selects_them(
    client: Client, recruiter, ann, manager
) -> None:  # noqa: ANN001
    candidate, (screening, final) = in_rounds(recruiter, ann)
    client.force_login(manager)
    rate(screening, ann, [4, 3])
    # One round to go: interviewing, not waiting, and the decision is not open yet.
    assert Candidate.objects.get(pk=candidate.pk).status == "interviewing"
    assert f'data-candidate="{candidate.pk}"' not in _lists(client)
    page = client.get(_decide_url(candidate)).content.decode()
    assert 'id="not-ready"' in page and "decision-form" not in page

    rate(final, ann, [8])
    lists = _lists(client)
    assert f'class="awaiting" data-candidate="{candidate.pk}"' in lists
    assert "Nora Rounds" in lists and "Data engineer" in lists
    # The rating sheets, compactly: each round's points against the expected and its verdict,
    # and the rounds' feedback one click away.
    assert "Screening: 7 / 10 · selected" in lists and "Final: 8 / 10 · selected" in lists
    assert "Final: Ann would work with her." in lists
    assert "1 candidate" in lists

    page = client.get(_decide_url(candidate)).content.decode()
    assert 'id="decision-form"' in page
    assert page.count('class="rating-sheet"') == 2
    assert "SQL remark" in page and "Design remark" in page and "8 / 10" in page
    assert "Screening: Ann would work with her." in page


def test_hiring_a_candidate_of_one_to_one_rounds_tells_hr_and_hires_them(
    client: Client,
    recruiter,
    ann,
    manager,
    platform,
    no_broker,
    settings,
    django_capture_on_commit_callbacks,
) -> None:  # noqa: ANN001
    settings.TELEGRAM_BOT_TOKEN = "123:bot"
    candidate = selected_by_rounds(recruiter, ann, hr_email="hr@example.com", hr_chat="4242")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _decide_url(candidate), {"outcome": "hire", "team": platform.pk, "comment": "Yes"}
        )
    assert response.status_code == 302 and response["Location"] == _decide_url(candidate)
    decision = Decision.objects.get()
    assert (decision.candidate, decision.session, decision.outcome, decision.team) == (
        candidate,
        None,
        "hire",
        platform,
    )
    assert decision.decided_by == manager and decision.hr_language == "en"
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.HIRED
    # The history says it, as a session's decision does: the move, by the manager, with
    # what was decided and on which rounds.
    event = CandidateEvent.objects.get(candidate=candidate, kind="hire")
    assert event.by == manager
    assert event.details["from"] == "selected" and event.details["to"] == "hired"
    assert event.details["team"] == "Platform" and event.details["rounds"] == [
        "Screening",
        "Final",
    ]
    assert "session" not in event.details

    rows = {row.channel: row for row in Outbox.objects.filter(decision=decision)}
    assert rows["email"].recipient == "hr@example.com" and rows["telegram"].recipient == "4242"
    assert sorted(no_broker) == sorted(row.pk for row in rows.values())
    assert rows["email"].subject == "Hire: Nora Rounds → Platform"
    text = rows["telegram"].body_text
    # No session, no topics: the rounds instead, with their points and verdicts.
    assert "Scores per topic" not in text and "Rounds:" in text
    assert "- Screening (one-to-one, Ann Panel): 7 / 10 · selected" in text
    assert "- Final (one-to-one, Ann Panel): 8 / 10 · selected" in text
    assert f"/decisions/candidates/{candidate.pk}/" in text
    assert "<td>Final (one-to-one)</td>" in rows["email"].body_html
    assert DecisionAudit.objects.get().candidate == candidate

    # Off the waiting list, onto the decided one; the page shows the decision and delivery.
    lists = _lists(client)
    assert f'class="awaiting" data-candidate="{candidate.pk}"' not in lists
    assert f'class="decided" data-candidate="{candidate.pk}"' in lists
    page = client.get(_decide_url(candidate)).content.decode()
    assert 'class="decision-outcome"' in page and "decision-form" not in page
    assert page.count('class="outbox"') == 2


def test_rejecting_needs_reasons_and_a_comment_and_rejects_them(
    client: Client, recruiter, ann, manager, weak_sql, no_culture_fit
) -> None:  # noqa: ANN001
    candidate = selected_by_rounds(recruiter, ann, hr_email="hr@example.com")
    client.force_login(manager)
    url = _decide_url(candidate)
    assert client.post(url, {"outcome": "reject", "comment": "no"}).status_code == 400
    assert client.post(url, {"outcome": "reject", "reasons": [weak_sql.pk]}).status_code == 400
    refused = client.post(url, {"outcome": "hire"})
    assert (
        refused.status_code == 400 and "Choose the team to hire into." in refused.content.decode()
    )
    assert not Decision.objects.exists() and not Outbox.objects.exists()

    response = client.post(
        url,
        {"outcome": "reject", "reasons": [weak_sql.pk, no_culture_fit.pk], "comment": "Too late"},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert set(decision.reasons.all()) == {weak_sql, no_culture_fit} and decision.team is None
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.REJECTED
    row = Outbox.objects.get()
    assert row.subject == "Reject: Nora Rounds"
    assert "Weak SQL" in row.body_text and "Culture fit" in row.body_text
    assert "Too late" in row.body_text
    event = CandidateEvent.objects.get(candidate=candidate, kind="reject", by=manager)
    assert sorted(event.details["reasons"]) == ["Culture fit", "Weak SQL"]


def test_reopening_withdraws_it_for_hr_and_the_candidate_waits_again(
    client: Client, recruiter, ann, manager, platform, payments
) -> None:  # noqa: ANN001
    candidate = selected_by_rounds(recruiter, ann, hr_email="hr@example.com")
    client.force_login(manager)
    url = _decide_url(candidate)
    assert client.post(url, {"outcome": "hire", "team": platform.pk}).status_code == 302
    first = Decision.objects.get()
    again = client.post(url, {"outcome": "hire", "team": payments.pk})
    assert again.status_code == 409 and Decision.objects.count() == 1
    assert "already decided" in again.content.decode()

    response = client.post(f"/cabinet/candidates/{candidate.pk}/reopen/", {"note": "Wrong team"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.reopened_by == manager and first.reopened_at is not None
    # HR never gets the withdrawn outcome; they are told it no longer stands.
    assert Outbox.objects.get(decision=first, kind="decision").status == "cancelled"
    told = Outbox.objects.get(decision=first, kind="reopened")
    assert told.subject.startswith("Decision reopened — Nora Rounds")
    assert "Wrong team" in told.body_text
    assert f"/decisions/candidates/{candidate.pk}/" in told.body_text
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.INTERVIEWING
    assert CandidateEvent.objects.filter(candidate=candidate, kind="reopen", by=manager).exists()
    # Interviewing with every round held and rated: waiting again.
    assert f'class="awaiting" data-candidate="{candidate.pk}"' in _lists(client)

    assert client.post(url, {"outcome": "hire", "team": payments.pk}).status_code == 302
    current = Decision.objects.get(reopened_at__isnull=True)
    assert current.team == payments and current.session is None
    assert Outbox.objects.get(decision=current).subject.startswith("Revised decision")
    assert Candidate.objects.get(pk=candidate.pk).status == Candidate.Status.HIRED
    trail = list(DecisionAudit.objects.order_by("at", "id").values_list("kind", "details"))
    assert [kind for kind, _d in trail] == ["decide", "reopen", "decide"]
    assert trail[1][1]["note"] == "Wrong team" and trail[2][1]["team"] == "Payments"
    page = client.get(url).content.decode()
    assert page.count('class="audit"') == 3 and "Wrong team" in page

    # Nothing to reopen on a candidate with no decision.
    other = selected_by_rounds(recruiter, ann, name="Olga Other")
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_reopen(candidate=other, manager=manager)
    assert refused.value.code == "not_decided"


def test_a_decision_waits_for_the_rounds(recruiter, ann, manager, platform) -> None:  # noqa: ANN001
    candidate, (screening, _final) = in_rounds(recruiter, ann)
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_make(candidate=candidate, manager=manager, outcome="hire", team=platform)
    assert refused.value.code == "not_ready" and "Nora Rounds is created" in refused.value.message
    rate(screening, ann, [5, 5])
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_make(candidate=candidate, manager=manager, outcome="hire", team=platform)
    assert refused.value.code == "not_ready"
    assert not Decision.objects.exists()
    assert Candidate.objects.get(pk=candidate.pk).status == "interviewing"


def test_an_interviewers_rejection_leaves_nothing_to_decide(
    client: Client, recruiter, ann, manager, weak_sql
) -> None:  # noqa: ANN001
    candidate, (screening, _final) = in_rounds(recruiter, ann)
    rate(screening, ann, [1, 0], outcome="rejected")
    assert Candidate.objects.get(pk=candidate.pk).status == "rejected"
    client.force_login(manager)
    assert f'data-candidate="{candidate.pk}"' not in _lists(client)
    response = client.post(
        _decide_url(candidate), {"outcome": "reject", "reasons": [weak_sql.pk], "comment": "x"}
    )
    assert response.status_code == 409 and 'id="not-ready"' in response.content.decode()
    assert not Decision.objects.exists()


def test_one_current_decision_per_candidate_without_a_session_even_past_the_service(
    recruiter, ann, lead, bob, manager, platform, payments
) -> None:  # noqa: ANN001
    candidate = selected_by_rounds(recruiter, ann)
    first = services.decision_make(
        candidate=candidate, manager=manager, outcome="hire", team=platform
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            candidate=candidate,
            outcome="hire",
            team=payments,
            decided_by=manager,
            decided_at=first.decided_at,
        )
    # The per-session rule is a rule of its own: a session's decision is not counted here.
    session = ready_session(lead, ann, bob)
    on_session = services.decision_make(
        session=session, manager=manager, outcome="hire", team=payments
    )
    assert on_session.candidate_id == session.candidate_id and on_session.session == session
    with pytest.raises(ValueError):
        services.decision_make(
            session=session, candidate=candidate, manager=manager, outcome="hire", team=platform
        )


def test_a_candidate_whose_last_round_is_a_panel_is_listed_once_as_its_session(
    client: Client,
    recruiter,
    ann,
    lead,
    bob,
    manager,
    platform,
    django_capture_on_commit_callbacks,
) -> None:  # noqa: ANN001
    """Screening one-to-one, then a panel round run as a live session: once its feedback is
    in, every round is held and rated, and the session waits for the manager. That session
    is the decision waiting; its candidate is not listed a second time. Its decision
    reopened, the session waits again, and still only the session."""
    from candidates import services as candidates
    from interviews import services as interviews
    from tests.cabinet.helpers import topics

    position = candidates.position_create(by=recruiter, fields={"title": "Platform engineer"})
    interviews.plan_round_create(
        position=position,
        fields={"name": "Screening", "kind": "one_to_one", "default_interviewer": ann},
        aspects=[interviews.AspectSpec("SQL", 5), interviews.AspectSpec("Python", 5)],
    )
    interviews.plan_round_create(
        position=position,
        fields={"name": "Panel", "kind": "panel", "default_interviewer": lead},
        assistants=[ann, bob],
        topics=topics(2, questions=1),
    )
    candidate, (screening, panel) = in_rounds(recruiter, ann, position=position)
    rate(screening, ann, [4, 4])
    panel = interviews.round_start_session(round_=panel, by=lead)
    with django_capture_on_commit_callbacks(execute=True):  # the round hears the session
        session = run_interview(panel.session, lead, [(ann, [4]), (bob, [3])])
    assert session.ready_for_decision
    panel.refresh_from_db()
    assert panel.status == "done"
    candidate.refresh_from_db()
    assert candidate.status == "interviewing"
    # Every round held and rated: ready by the rule, but listed only as its session.
    assert selectors.candidate_ready_for_decision(candidate=candidate)
    client.force_login(manager)
    lists = _lists(client)
    assert f'class="awaiting" data-session="{session.code}"' in lists
    assert f'data-candidate="{candidate.pk}"' not in lists
    assert "1 candidate" in lists

    services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    services.decision_reopen(session=session, manager=manager)
    lists = _lists(client)
    assert f'class="awaiting" data-session="{session.code}"' in lists
    assert f'data-candidate="{candidate.pk}"' not in lists


def test_the_decided_candidate_takes_their_session_off_the_list(
    client: Client, recruiter, ann, lead, bob, manager, platform
) -> None:  # noqa: ANN001
    # A live session of the candidate's, finished with its feedback in, and their one-to-one
    # rounds selected them as well.
    candidate = selected_by_rounds(recruiter, ann)
    session = run_interview(
        new_session(lead, [ann, bob], candidate=candidate), lead, [(ann, [4]), (bob, [2])]
    )
    assert session.ready_for_decision and session.candidate_id == candidate.pk
    client.force_login(manager)
    lists = _lists(client)
    assert f'data-session="{session.code}"' in lists
    assert f'data-candidate="{candidate.pk}"' in lists  # selected: their rounds' decision
    services.decision_make(candidate=candidate, manager=manager, outcome="hire", team=platform)
    lists = _lists(client)
    assert f'class="awaiting" data-session="{session.code}"' not in lists
    assert f'class="awaiting" data-candidate="{candidate.pk}"' not in lists


def test_the_lists_take_a_fixed_number_of_queries(client: Client, recruiter, ann, manager) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cabinet.helpers import one_to_one_position

    position = one_to_one_position(recruiter, ann)
    client.force_login(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cabinet/?fragment=lists").status_code == 200
        return len(queries)

    selected_by_rounds(recruiter, ann, position=position)
    one = count()
    for n in range(4):
        selected_by_rounds(recruiter, ann, name=f"Nina Number{n}", position=position)
    assert count() == one
