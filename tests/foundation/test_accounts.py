"""Login, throttled failures, roles and the role-aware home page."""

from __future__ import annotations

import json

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


# --- Language: the browser's by default, a switcher in the header, remembered per person ---


def test_the_browser_language_decides_by_default(client: Client) -> None:
    russian = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert russian["Content-Language"] == "ru"
    page = russian.content.decode()
    assert '<html lang="ru">' in page and "Имя пользователя" in page and "Войти" in page
    english = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english["Content-Language"] == "en" and "Username" in english.content.decode()
    assert Client().get("/login/", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "en"


def test_the_header_switcher_is_a_labelled_form_posting_to_set_language(client: Client) -> None:
    page = client.get("/login/").content.decode()
    form = page[page.index('class="language-switch"') :]
    form = form[: form.index("</form>")]
    assert 'action="/i18n/setlang/"' in form and 'method="post"' in form
    assert '<label for="language-switch"' in form and 'id="language-switch"' in form
    assert 'name="language"' in form and '<button type="submit"' in form
    assert '<option value="ru" lang="ru">Русский</option>' in form  # each in its own name


def test_switching_keeps_the_choice_on_the_account_and_on_every_device(
    client: Client, lead
) -> None:  # noqa: ANN001
    client.force_login(lead)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["django_language"].value == "ru"
    lead.refresh_from_db()
    assert lead.language == "ru"
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Провести собеседование" in home and "Run an interview" not in home

    other_device = Client()  # an English browser with no cookie: the account's choice wins
    other_device.post(
        "/login/", {"username": "lena", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    first = other_device.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert first["Content-Language"] == "ru"
    assert first.cookies["django_language"].value == "ru"  # the browser is told, once
    assert "django_language" not in other_device.get("/").cookies


def test_an_anonymous_switch_sets_only_the_cookie(client: Client, lead) -> None:  # noqa: ANN001
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/login/"})
    assert response.cookies["django_language"].value == "ru"
    assert "Имя пользователя" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/login/"})  # not offered: ignored
    lead.refresh_from_db()
    assert lead.language == ""


def test_the_profile_sets_language_and_time_zone(client: Client, lead) -> None:  # noqa: ANN001
    client.force_login(lead)
    page = client.get("/profile/")
    assert page.status_code == 200
    body = page.content.decode()
    assert '<label for="id_language">' in body and '<label for="id_time_zone">' in body
    assert 'src="/static/js/tz.js"' in body
    response = client.post(
        "/profile/",
        {"language": "ru", "time_zone": "Europe/Moscow", "time_zone_from_browser": "on"},
        follow=True,
    )
    assert "Профиль сохранён." in response.content.decode()
    lead.refresh_from_db()
    assert (lead.language, lead.time_zone) == ("ru", "Europe/Moscow")
    assert "Europe/Moscow" in response.content.decode()  # "now" shown in the chosen zone
    client.post("/profile/", {"language": "", "time_zone": "Europe/Moscow"})
    lead.refresh_from_db()
    assert lead.language == ""  # back to the browser's
    assert "Username" not in client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_login_form_carries_the_browser_zone_without_inline_script(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert 'name="time_zone"' in page and "data-browser-zone" in page
    assert '<script type="module" src="/static/js/tz.js"></script>' in page
    assert "<script>" not in page


def test_a_refusal_of_a_too_large_body_speaks_the_reader_language() -> None:
    import asyncio

    from config.body_limit import refuse_too_large

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"headers": [(b"accept-language", b"ru-RU,ru;q=0.9")]}
    asyncio.run(refuse_too_large(send, 1024, scope))
    assert json.loads(sent[1]["body"])["message"].startswith("Тело запроса больше")
    sent.clear()
    asyncio.run(refuse_too_large(send, 1024, {"headers": [(b"cookie", b"django_language=en")]}))
    assert json.loads(sent[1]["body"])["message"].startswith("The request body is larger")


def test_the_admin_shows_a_person_language_and_zone(client: Client, lead) -> None:  # noqa: ANN001
    from accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "x-long-password-1")
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{lead.pk}/change/", HTTP_ACCEPT_LANGUAGE="ru")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="time_zone"' in body and 'name="language"' in body
    assert "Язык и часовой пояс" in body
