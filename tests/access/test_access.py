"""The one access module: who sees sessions, results, decisions, candidates and the bank, and
the pages that ask it (candidate card, topic page, search links) for a recruiter."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

import access
from tests.factories import QuestionFactory, TopicFactory, UserFactory
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def session(lead, ann):  # noqa: ANN001, ANN201
    return make_session(lead, [ann])


def test_the_predicates(session, lead, ann, outsider, manager, recruiter) -> None:  # noqa: ANN001
    anonymous = AnonymousUser()
    table = {
        "member": (ann, True, True, True),
        "manager": (manager, True, True, True),
        "recruiter": (recruiter, True, False, True),
        "outsider": (outsider, False, False, False),
        "anonymous": (anonymous, False, False, False),
    }
    for who, (user, session_ok, results_ok, decision_ok) in table.items():
        assert access.can_view_session(user, session) is session_ok, who
        assert access.can_view_results(user, session) is results_ok, who
        assert access.can_view_decision(user, session) is decision_ok, who
        assert access.can_view_candidate(user, session.candidate) is session_ok, who
    assert access.can_decide(manager) and not access.can_decide(recruiter)
    assert list(access.visible_sessions(user=outsider)) == []
    assert list(access.visible_sessions(user=recruiter)) == [session]


def test_the_old_selectors_ask_the_access_module(session, ann, outsider, monkeypatch) -> None:  # noqa: ANN001
    from sessions_live import selectors

    assert selectors.can_see_results(session=session, user=ann)
    assert not selectors.can_see_results(session=session, user=outsider)
    monkeypatch.setattr(access, "can_view_results", lambda user, session: "asked")
    assert selectors.can_see_results(session=session, user=outsider) == "asked"


def test_a_recruiter_reads_the_candidate_card_and_reaches_the_decision_page(
    client: Client, session, recruiter, outsider
) -> None:  # noqa: ANN001
    client.force_login(recruiter)
    listing = client.get("/candidates/").content.decode()
    assert f'href="/candidates/{session.candidate_id}/"' in listing
    card = client.get(f"/candidates/{session.candidate_id}/")
    assert card.status_code == 200
    assert f'href="/decisions/{session.code}/"' in card.content.decode()
    client.force_login(outsider)
    assert client.get(f"/candidates/{session.candidate_id}/").status_code == 403
    assert "Carla" not in client.get("/candidates/").content.decode()


def test_recruiters_search_hits_lead_to_pages_not_to_the_api(
    client: Client, session, recruiter
) -> None:  # noqa: ANN001
    client.force_login(recruiter)
    page = client.get("/search/?q=carla").content.decode()
    assert f'href="/candidates/{session.candidate_id}/"' in page
    assert f'href="/decisions/{session.code}/"' in page
    assert "/api/" not in page


def test_interviewers_read_a_topic_on_a_page(client: Client, ann, recruiter) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Carbon accounting")
    question = QuestionFactory(topic=topic, text="How do you count carbon?")
    client.force_login(ann)
    page = client.get("/search/?q=carbon").content.decode()
    assert "/api/" not in page
    assert f'href="/topics/{topic.pk}/#q{question.pk}"' in page
    topic_page = client.get(f"/topics/{topic.pk}/")
    assert (
        topic_page.status_code == 200 and question.reference_answer in topic_page.content.decode()
    )
    client.force_login(recruiter)
    assert client.get(f"/topics/{topic.pk}/").status_code == 403
