"""A new live session takes an existing candidate (one the lead may see, per the access
module) or creates one through ``candidate_create`` as before: on the page and in the API."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from candidates import services as candidates
from candidates.models import Candidate
from questionbank.models import Topic
from sessions_live import services
from sessions_live.models import LiveSession
from tests.factories import TopicFactory, UserFactory
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db


def _form(topic, **extra):  # noqa: ANN001, ANN003, ANN202
    data = {"shuffle": "0", "intro_text": "Welcome", "closing_text": "Thanks", **extra}
    for position, each in enumerate(Topic.objects.order_by("name"), start=1):
        data[f"topic_{each.pk}_position"] = str(position)
        data[f"topic_{each.pk}_minutes"] = "10"
    data[f"topic_{topic.pk}_on"] = "on"
    return data


@pytest.fixture
def stranger(roles):  # noqa: ANN001, ANN201
    """A candidate the lead has never interviewed (so may not see)."""
    recruiter = UserFactory(username="rita", roles=["recruiter"])
    return candidates.candidate_create(
        by=recruiter, fields={"full_name": "Sam Stranger", "email": "sam@example.com"}
    )


def test_the_service_takes_exactly_one_of_candidate_and_fields(lead) -> None:  # noqa: ANN001
    earlier = make_session(lead, [])
    topics = [services.TopicChoice(topic=TopicFactory(name="Go"), seconds=600)]
    kwargs = {
        "lead": lead,
        "topics": topics,
        "shuffle": False,
        "intro_text": "",
        "closing_text": "",
    }
    with pytest.raises(ValueError):
        services.session_create(**kwargs)
    with pytest.raises(ValueError):
        services.session_create(
            **kwargs, candidate=earlier.candidate, candidate_fields={"full_name": "X"}
        )
    again = services.session_create(**kwargs, candidate=earlier.candidate)
    assert again.candidate_id == earlier.candidate_id
    assert Candidate.objects.count() == 1


def test_the_page_offers_visible_candidates_and_uses_the_chosen_one(lead, stranger) -> None:  # noqa: ANN001
    earlier = make_session(lead, [])
    topic = TopicFactory(name="Go")
    client = Client()
    client.force_login(lead)
    page = client.get("/sessions/new/").content.decode()
    assert '<label>Existing candidate <select name="existing_candidate"' in page
    select = page.split('name="existing_candidate"', 1)[1].split("</select>", 1)[0]
    assert f'value="{earlier.candidate_id}"' in select
    assert f'value="{stranger.pk}"' not in select  # not the lead's to see
    response = client.post("/sessions/new/", _form(topic, existing_candidate=earlier.candidate_id))
    assert response.status_code == 302, response.context["form"].errors
    session = LiveSession.objects.exclude(pk=earlier.pk).get()
    assert session.candidate_id == earlier.candidate_id
    assert Candidate.objects.count() == 2  # the stranger and the earlier one: none new


def test_the_page_refuses_a_candidate_the_lead_may_not_see(lead, stranger) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Go")
    client = Client()
    client.force_login(lead)
    response = client.post("/sessions/new/", _form(topic, existing_candidate=stranger.pk))
    assert response.status_code == 200
    assert 'id="form-errors"' in response.content.decode()
    assert not LiveSession.objects.exists()


def test_without_a_choice_the_new_candidate_fields_are_required(lead) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Go")
    client = Client()
    client.force_login(lead)
    response = client.post("/sessions/new/", _form(topic))
    assert response.context["form"].errors.keys() >= {"full_name", "email"}
    created = client.post(
        "/sessions/new/", _form(topic, full_name="Nina New", email="nina@example.com")
    )
    assert created.status_code == 302
    assert LiveSession.objects.get().candidate.full_name == "Nina New"


def _api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_login(user)
    return client


def test_the_api_takes_candidate_id_or_candidate_exactly_one(lead, stranger) -> None:  # noqa: ANN001
    earlier = make_session(lead, [])
    topic = TopicFactory(name="Go")
    base = {"topics": [{"topic": topic.pk, "seconds": 600}]}
    new = {"full_name": "Nina New", "email": "nina@example.com"}
    client = _api(lead)
    taken = client.post(
        "/api/sessions/", {**base, "candidate_id": earlier.candidate_id}, format="json"
    )
    assert taken.status_code == 201, taken.json()
    assert taken.json()["candidate"]["id"] == earlier.candidate_id
    for body in (base, {**base, "candidate": new, "candidate_id": earlier.candidate_id}):
        refused = client.post("/api/sessions/", body, format="json")
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid")
    hidden = client.post("/api/sessions/", {**base, "candidate_id": stranger.pk}, format="json")
    assert (hidden.status_code, hidden.json()["code"]) == (400, "candidate_not_found")
    missing = client.post("/api/sessions/", {**base, "candidate_id": 999999}, format="json")
    assert missing.json()["code"] == "candidate_not_found"
    assert LiveSession.objects.count() == 2
