"""The People page: a recruiter lists people, creates one (who gets a one-time set-password
link by e-mail, through the outbox), sets roles within what they may grant, deactivates and
reactivates; a deactivated person's sessions and password let them in no more."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from accounts.models import User
from accounts.roles import INTERVIEWER, MANAGER, RECRUITER
from notify.models import Outbox
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():  # noqa: ANN202
    yield
    translation.deactivate()


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=[RECRUITER])


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _logs_in(username: str, password: str) -> bool:
    """Whether the login page lets ``username`` in with ``password``."""
    browser = Client()
    browser.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in browser.session


def _roles(person: User) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


NEW = {
    "first_name": "Ольга",
    "last_name": "Петрова",
    "email": "olga@example.com",
    "username": "",
    "language": "ru",
    "roles": [INTERVIEWER],
}


def test_only_people_keepers_open_the_pages_and_see_the_link(recruiter, ann, manager) -> None:  # noqa: ANN001
    page = _client(recruiter).get("/people/")
    assert page.status_code == 200
    assert 'href="/people/"' in page.content.decode()  # the navigation bar
    assert "ann@example.com" in page.content.decode()
    for person in (ann, manager):
        client = _client(person)
        assert client.get("/people/").status_code == 403
        assert client.get("/people/new/").status_code == 403
        assert client.post("/people/new/", NEW).status_code == 403
        assert client.post(f"/people/{ann.pk}/active/", {"active": "0"}).status_code == 403
        assert 'href="/people/"' not in client.get("/").content.decode()
    assert Client().get("/people/").status_code == 302  # to the login page


def test_a_recruiter_creates_a_person_who_sets_a_password_from_the_mailed_link(
    recruiter, settings
) -> None:  # noqa: ANN001
    settings.SITE_URL = "https://roundtable.example"
    response = _client(recruiter).post("/people/new/", NEW)
    assert response.status_code == 302
    person = User.objects.get(email="olga@example.com")
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.username == "olga@example.com" and person.is_active
    assert not person.has_usable_password()
    assert _roles(person) == {INTERVIEWER}
    mail = Outbox.objects.get(recipient="olga@example.com")
    assert mail.kind == Outbox.Kind.ACCOUNT and mail.channel == "email"
    assert mail.status == Outbox.Status.PENDING
    # In the new person's language, naming who set it up and the username.
    assert "Rita" in mail.body_text and "olga@example.com" in mail.body_text
    assert mail.subject == "Ваша учётная запись в Roundtable"
    assert "Задайте пароль" in mail.body_text
    link = re.search(r"https://roundtable\.example(/set-password/[^\s]+/)", mail.body_text)
    assert link, mail.body_text

    visitor = Client()
    form = visitor.get(link.group(1), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = visitor.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"new_password1": "a-long-fresh-passphrase", "new_password2": "a-long-fresh-passphrase"},
    )
    assert done.status_code == 302 and done["Location"] == "/set-password/done/"
    person.refresh_from_db()
    assert person.check_password("a-long-fresh-passphrase")
    assert _logs_in("olga@example.com", "a-long-fresh-passphrase")
    # The link works once.
    again = Client().get(link.group(1), follow=True)
    assert 'id="password-link-dead"' in again.content.decode()


def test_a_recruiter_may_not_grant_the_manager_role_and_nothing_is_created(recruiter) -> None:  # noqa: ANN001
    response = _client(recruiter).post("/people/new/", {**NEW, "roles": [MANAGER]})
    assert response.status_code == 400
    assert 'id="person-roles-error"' in response.content.decode()
    assert not User.objects.filter(email="olga@example.com").exists()
    assert not Outbox.objects.exists()
    # The form offers only the roles the recruiter may grant.
    page = _client(recruiter).get("/people/new/").content.decode()
    assert f'value="{INTERVIEWER}"' in page and f'value="{RECRUITER}"' in page
    assert f'value="{MANAGER}"' not in page


def test_a_manager_recruiter_grants_the_manager_role(roles) -> None:  # noqa: ANN001
    head = UserFactory(username="hank", roles=[RECRUITER, MANAGER])
    assert _client(head).post("/people/new/", {**NEW, "roles": [MANAGER]}).status_code == 302
    assert _roles(User.objects.get(email="olga@example.com")) == {MANAGER}


def test_a_taken_e_mail_or_bad_input_is_refused_on_its_field(recruiter, ann) -> None:  # noqa: ANN001
    client = _client(recruiter)
    taken = client.post("/people/new/", {**NEW, "email": "ANN@example.com"})
    assert taken.status_code == 400 and 'id="id_email_error"' in taken.content.decode()
    bad = client.post("/people/new/", {**NEW, "username": "no spaces allowed"})
    assert bad.status_code == 400 and 'id="id_username_error"' in bad.content.decode()
    assert User.objects.filter(email__iexact="olga@example.com").count() == 0
    assert not Outbox.objects.exists()


def test_roles_are_set_within_what_the_recruiter_may_grant(recruiter, ann, manager) -> None:  # noqa: ANN001
    client = _client(recruiter)
    assert client.post(f"/people/{ann.pk}/", {"roles": [RECRUITER]}).status_code == 302
    assert _roles(ann) == {RECRUITER}
    assert client.post(f"/people/{ann.pk}/", {"roles": [MANAGER]}).status_code == 400
    assert _roles(ann) == {RECRUITER}
    # A manager is out of a plain recruiter's reach: read-only page, refused writes.
    page = client.get(f"/people/{manager.pk}/").content.decode()
    assert 'id="person-read-only"' in page and 'id="person-roles-form"' not in page
    assert client.post(f"/people/{manager.pk}/", {"roles": []}).status_code == 403
    assert _roles(manager) == {MANAGER}
    # Nor their own roles.
    assert client.post(f"/people/{recruiter.pk}/", {"roles": []}).status_code == 403
    assert _roles(recruiter) == {RECRUITER}


def test_deactivating_locks_the_person_out_and_reactivating_lets_them_back(recruiter, ann) -> None:  # noqa: ANN001
    ann_browser = _client(ann)
    assert ann_browser.get("/").status_code == 200
    response = _client(recruiter).post(f"/people/{ann.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    ann.refresh_from_db()
    assert not ann.is_active
    assert User.objects.filter(pk=ann.pk).exists()  # never deleted
    # The open browser session lets her in no more, nor does her password.
    assert ann_browser.get("/").status_code == 302
    assert not _logs_in("ann", PASSWORD)
    listed = _client(recruiter).get("/people/").content.decode()
    assert "deactivated" in listed
    assert _client(recruiter).post(f"/people/{ann.pk}/active/", {"active": "1"}).status_code == 302
    ann.refresh_from_db()
    assert ann.is_active and _logs_in("ann", PASSWORD)


def test_nobody_deactivates_themselves(recruiter) -> None:  # noqa: ANN001
    assert (
        _client(recruiter).post(f"/people/{recruiter.pk}/active/", {"active": "0"}).status_code
        == 403
    )
    recruiter.refresh_from_db()
    assert recruiter.is_active


def test_a_new_set_password_link_goes_through_the_outbox(recruiter, ann) -> None:  # noqa: ANN001
    assert _client(recruiter).post(f"/people/{ann.pk}/password-link/").status_code == 302
    mail = Outbox.objects.get()
    assert mail.recipient == ann.email and mail.kind == Outbox.Kind.ACCOUNT
    assert "/set-password/" in mail.body_text


def test_the_pages_in_russian(recruiter, ann) -> None:  # noqa: ANN001
    client = _client(recruiter)
    page = client.get("/people/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Люди" in page and "Новый человек" in page and "Интервьюер" in page
    form = client.get("/people/new/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Роли" in form
    card = client.get(f"/people/{ann.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Деактивировать" in card


def test_the_list_costs_the_same_queries_for_one_and_many_people(
    recruiter, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(recruiter)
    client.get("/people/")
    with CaptureQueriesContext(connection) as few:
        client.get("/people/")
    group = Group.objects.get(name=INTERVIEWER)
    for number in range(60):
        UserFactory(username=f"person{number}").groups.add(group)
    with CaptureQueriesContext(connection) as many:
        client.get("/people/")
    assert len(many.captured_queries) == len(few.captured_queries)
