"""``/api/users/``: recruiters list, create (the set-password e-mail through the outbox),
set roles and deactivate people within ``access.people``'s rules; others get 403."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from notify.models import Outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


def _api(user) -> APIClient:  # noqa: ANN001
    client = APIClient()
    client.force_login(user)
    return client


def _roles(person: User) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def test_recruiters_list_people_with_roles_others_get_403(recruiter, ann, manager) -> None:  # noqa: ANN001
    listed = _api(recruiter).get("/api/users/").json()
    rows = {row["username"]: row for row in listed["results"]}
    assert rows["ann"]["roles"] == ["interviewer"] and rows["ann"]["is_active"] is True
    assert rows["maria"]["roles"] == ["manager"]
    assert "password" not in rows["ann"]
    assert _api(recruiter).get("/api/users/", {"is_active": "false"}).json()["count"] == 0
    for person in (ann, manager):
        assert _api(person).get("/api/users/").status_code == 403
        assert _api(person).post("/api/users/", {"email": "x@example.com"}).status_code == 403
        assert _api(person).patch(f"/api/users/{ann.pk}/", {"is_active": False}).status_code == 403
    assert APIClient().get("/api/users/").status_code == 401


def test_creating_a_person_sends_the_link_through_the_outbox(recruiter) -> None:  # noqa: ANN001
    response = _api(recruiter).post(
        "/api/users/",
        {"email": "Ivan@Example.com", "first_name": "Иван", "roles": ["interviewer"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "Ivan@Example.com" and body["roles"] == ["interviewer"]
    person = User.objects.get(pk=body["id"])
    assert not person.has_usable_password()
    mail = Outbox.objects.get()
    assert mail.recipient == "Ivan@Example.com" and mail.kind == Outbox.Kind.ACCOUNT
    assert "/set-password/" in mail.body_text
    again = _api(recruiter).post("/api/users/", {"email": "ivan@example.com"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    assert Outbox.objects.count() == 1


def test_a_recruiter_grants_no_manager_role_and_nothing_is_written(recruiter, ann) -> None:  # noqa: ANN001
    client = _api(recruiter)
    create = client.post(
        "/api/users/", {"email": "m@example.com", "roles": ["manager"]}, format="json"
    )
    assert create.status_code == 403 and create.json()["code"] == "not_grantable"
    assert not User.objects.filter(email="m@example.com").exists() and not Outbox.objects.exists()
    patch = client.patch(f"/api/users/{ann.pk}/", {"roles": ["manager"]}, format="json")
    assert patch.status_code == 403
    assert _roles(ann) == {"interviewer"}
    ok = client.patch(f"/api/users/{ann.pk}/", {"roles": ["recruiter"]}, format="json")
    assert ok.status_code == 200 and ok.json()["roles"] == ["recruiter"]


def test_deactivation_within_the_rules(recruiter, ann, manager) -> None:  # noqa: ANN001
    client = _api(recruiter)
    own = client.patch(f"/api/users/{recruiter.pk}/", {"is_active": False}, format="json")
    assert own.status_code == 403
    boss = client.patch(f"/api/users/{manager.pk}/", {"is_active": False}, format="json")
    assert boss.status_code == 403
    done = client.patch(f"/api/users/{ann.pk}/", {"is_active": False}, format="json")
    assert done.status_code == 200 and done.json()["is_active"] is False
    recruiter.refresh_from_db()
    manager.refresh_from_db()
    ann.refresh_from_db()
    assert recruiter.is_active and manager.is_active and not ann.is_active
    # A deactivated person's token lets them in no more.
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=ann)
    tokened = APIClient()
    tokened.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert tokened.get("/api/candidates/").status_code == 401


def test_bad_input_is_400_and_writes_nothing(recruiter) -> None:  # noqa: ANN001
    client = _api(recruiter)
    for body in [
        {"email": "not-an-address"},
        {"email": "a@example.com", "roles": ["wizard"]},
        {"email": "a@example.com", "username": "has spaces"},
        {"email": "a@example.com", "language": "xx"},
        {"email": "a@example.com", "first_name": "line\nbreak"},
    ]:
        response = client.post("/api/users/", body, format="json")
        assert response.status_code == 400, (body, response.json())
    assert not User.objects.filter(email="a@example.com").exists()
    assert not Outbox.objects.exists()


def test_the_list_costs_the_same_queries_for_one_and_200_people(recruiter) -> None:  # noqa: ANN001
    client = _api(recruiter)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/users/?page_size=200").status_code == 200
    for number in range(200):
        UserFactory(username=f"person{number}", roles=["interviewer"])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/users/?page_size=200").json()["count"] == 201
    assert len(many.captured_queries) == len(few.captured_queries)
