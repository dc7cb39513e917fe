"""Login, throttled failures, roles and the role-aware home page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_four_roles_exist_with_their_permissions(roles: None) -> None:
    perms = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }
    assert set(perms) == {"interviewer", "manager", "question editor", "recruiter"}
    assert "accounts.run_interviews" in perms["interviewer"]
    assert "accounts.decide_candidates" in perms["manager"]
    assert "accounts.decide_candidates" not in perms["interviewer"]
    assert "questionbank.retire_question" in perms["question editor"]
    assert "accounts.manage_candidates" in perms["recruiter"]


def test_home_requires_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_person_logs_in_with_the_form_and_sees_their_role(client: Client, lead) -> None:  # noqa: ANN001
    page = client.get("/login/")
    assert page.status_code == 200
    response = client.post("/login/", {"username": "lena", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.context["user"] == lead
    assert "Interviewer" in response.content.decode()
    assert "Run an interview" in response.content.decode()
    assert "Decide" not in response.content.decode()


def test_a_manager_sees_the_decision_card_not_the_interview_card(client: Client, manager) -> None:  # noqa: ANN001
    client.force_login(manager)
    body = client.get("/").content.decode()
    assert "Decide" in body
    assert "Run an interview" not in body


def test_repeated_failed_logins_are_throttled(client: Client, lead) -> None:  # noqa: ANN001
    for _ in range(4):
        response = client.post("/login/", {"username": "lena", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    fifth = client.post("/login/", {"username": "lena", "password": "wrong"})
    assert fifth.status_code == 429  # the fifth failure locks the pair out
    locked = client.post("/login/", {"username": "lena", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client: Client, lead) -> None:  # noqa: ANN001
    client.force_login(lead)
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_the_superuser_is_no_roleless_person_and_sees_the_admin_and_the_cabinet(
    client: Client, roles: None
) -> None:
    from accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "x-long-password-1")
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "You have no role yet" not in page
    assert "Administrator" in page and 'id="administration"' in page
    assert 'href="/admin/"' in page and 'href="/cabinet/"' in page


def test_the_recruiter_home_links_to_pages_not_to_the_api(client: Client, roles: None) -> None:
    from tests.factories import UserFactory

    rita = UserFactory(username="rita", first_name="Rita", roles=["recruiter"])
    client.force_login(rita)
    page = client.get("/").content.decode()
    assert 'id="recruiting"' in page and 'href="/candidates/"' in page
    assert "/api/" not in page
    assert client.get("/candidates/").status_code == 200
