"""Candidates' own accounts: signing up with an e-mail address and a password Django's
validators accept, confirming the address by a signed link, logging in and out on their own
page. Never staff: no role, the staff login refuses them with a clear message, and their login
refuses staff. ``/signup?code=`` lands on the dashboard with the interview added;
``/candidates/dashboard?code=`` opens *Add interview* filled in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from notify.models import Outbox
from tests.factories import PASSWORD as STAFF_PASSWORD
from tests.video_interviews import helpers
from video_interviews.models import CandidateProfile, Invitation

pytestmark = pytest.mark.django_db


def signup(client: Client, email: str = "anna@example.com", code: str = "", **extra: str):  # noqa: ANN201
    fields = {
        "email": email,
        "full_name": "Anna Kowalska",
        "password1": helpers.PASSWORD,
        "password2": helpers.PASSWORD,
        "code": code,
        "time_zone": "Europe/Warsaw",
        **extra,
    }
    return client.post("/signup", fields)


def test_signing_up_makes_a_candidate_who_is_never_staff_and_is_asked_to_confirm() -> None:
    client = Client()
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/candidates/dashboard"
    user = User.objects.get(email="anna@example.com")
    assert (user.kind, user.is_staff, user.is_superuser) == ("candidate", False, False)
    assert user.username == "anna@example.com" and user.groups.count() == 0
    assert user.time_zone == "Europe/Warsaw" and user.first_name == "Anna Kowalska"
    [mail] = Outbox.objects.filter(recipient="anna@example.com", kind="account")
    assert mail.subject == "Confirm your e-mail address for Roundtable"
    dashboard = client.get("/candidates/dashboard").content.decode()
    assert 'id="confirm-banner"' in dashboard
    # The link from the e-mail: a page with a button (a GET confirms nothing) …
    link = re.search(r"http://127\.0\.0\.1:8000(/candidate/confirm/[^\s]+/)", mail.body_text)[1]
    assert client.get(link).status_code == 200
    assert CandidateProfile.objects.get(user=user).email_confirmed_at is None
    # … and the button confirms.
    assert client.post(link).status_code == 302
    assert CandidateProfile.objects.get(user=user).email_confirmed_at is not None
    assert 'id="confirm-banner"' not in client.get("/candidates/dashboard").content.decode()


def test_a_weak_password_an_address_taken_and_different_passwords_are_refused() -> None:
    weak = signup(Client(), password1="password", password2="password")
    assert weak.status_code == 400 and "This password is too common." in weak.content.decode()
    numeric = signup(Client(), password1="83749201384", password2="83749201384")
    assert "entirely numeric" in numeric.content.decode()
    similar = signup(Client(), email="kowalska@example.com", password1="kowalska@example",
                     password2="kowalska@example")  # fmt: skip
    assert "too similar" in similar.content.decode()
    differ = signup(Client(), password2="something-else-entirely")
    assert "The two passwords differ." in differ.content.decode()
    assert not User.objects.filter(kind="candidate").exists()
    assert signup(Client()).status_code == 302
    taken = signup(Client(), email="ANNA@example.com")
    assert taken.status_code == 400 and "exists already: log in instead" in taken.content.decode()
    assert User.objects.filter(kind="candidate").count() == 1


def test_the_confirmation_link_expires_and_cannot_be_forged() -> None:
    client = Client()
    signup(client)
    mail = Outbox.objects.get(kind="account")
    link = re.search(r"(/candidate/confirm/[^\s]+/)", mail.body_text)[1]
    forged = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert client.post(forged).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        late = client.post(link)
    assert late.status_code == 400 and "expired" in late.content.decode()


def test_a_candidate_logs_in_and_out_on_their_own_page() -> None:
    helpers.candidate("anna@example.com")
    client = Client()
    wrong = client.post("/candidate/login/", {"email": "anna@example.com", "password": "nope"})
    assert wrong.status_code == 400 and "do not match" in wrong.content.decode()
    ok = client.post(
        "/candidate/login/", {"email": "ANNA@example.com", "password": helpers.PASSWORD}
    )
    assert ok.status_code == 302 and ok["Location"] == "/candidates/dashboard"
    assert client.get("/candidates/dashboard").status_code == 200
    assert client.post("/candidate/logout/").status_code == 302
    assert client.get("/candidates/dashboard")["Location"].startswith("/candidate/login/?next=")


def test_the_staff_login_refuses_a_candidate_and_the_candidates_refuses_staff(rita) -> None:  # noqa: ANN001
    helpers.candidate("anna@example.com")
    staff_page = Client().post(
        "/login/", {"username": "anna@example.com", "password": helpers.PASSWORD}
    )
    assert staff_page.status_code == 200
    html = staff_page.content.decode()
    assert 'id="login-candidate-account"' in html
    assert (
        "This is a candidate&#x27;s account: candidates log in on the candidates&#x27; page" in html
    )
    assert 'href="/candidate/login/"' in html
    assert "_auth_user_id" not in staff_page.client.session

    candidate_page = Client().post(
        "/candidate/login/", {"email": "rita@example.com", "password": STAFF_PASSWORD}
    )
    assert candidate_page.status_code == 400
    assert "This is a staff account" in candidate_page.content.decode()
    assert "_auth_user_id" not in candidate_page.client.session


def test_signing_up_with_a_code_lands_on_the_dashboard_with_the_interview_added(rita) -> None:  # noqa: ANN001
    interview = helpers.interview(rita, ("anna@example.com",))
    code = helpers.invitation(interview).code
    client = Client()
    page = client.get(f"/signup?code={code}").content.decode()
    assert f'name="code" value="{code}"' in page
    response = signup(client, code=code)
    assert response["Location"] == "/candidates/dashboard"
    dashboard = client.get("/candidates/dashboard").content.decode()
    assert "Frontend developer screening" in dashboard and "is on your dashboard" in dashboard
    assert Invitation.objects.get(code=code).candidate.email == "anna@example.com"


def test_signing_up_with_a_dead_code_says_why_on_the_dashboard(rita) -> None:  # noqa: ANN001
    client = Client()
    response = signup(client, code="000000")
    assert response["Location"] == "/candidates/dashboard?code=000000"
    page = client.get(response["Location"]).content.decode()
    assert "No interview has this code" in page
    assert "data-open-at-load" in page and 'value="000000"' in page


def test_the_dashboard_link_opens_add_interview_filled_in_and_adds_nothing(rita) -> None:  # noqa: ANN001
    interview = helpers.interview(rita, ("anna@example.com",))
    code = helpers.invitation(interview).code
    client = helpers.signed_in(helpers.candidate("anna@example.com"))
    page = client.get(f"/candidates/dashboard?code={code}").content.decode()
    assert re.search(r'<dialog id="add-interview"[^>]* open data-open-at-load', page)
    assert f'value="{code}"' in page
    assert Invitation.objects.get(code=code).status == "pending"  # a GET adds nothing
    plain = client.get("/candidates/dashboard").content.decode()
    assert "data-open-at-load" not in plain
    assert 'href="/candidates/dashboard?add=1"' in plain  # the button without JavaScript
    assert "data-open-at-load" in client.get("/candidates/dashboard?add=1").content.decode()
    added = client.post("/candidate/interviews/add/", {"code": f"{code[:3]} {code[3:]}"})
    assert added.status_code == 302
    listed = client.get("/candidates/dashboard").content.decode()
    assert "Frontend developer screening" in listed and "to do" in listed
    again = client.post("/candidate/interviews/add/", {"code": code})
    assert again.status_code == 400
    assert "This interview is on your dashboard already." in again.content.decode()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("revoked", "The recruiter has withdrawn this invitation."),
        ("expired", "This code has expired"),
        ("used", "This code has been used already."),
        ("unknown", "No interview has this code."),
        ("malformed", "An interview code is six digits"),
    ],
)
def test_each_dead_code_gets_its_own_clear_message(rita, setup: str, message: str) -> None:  # noqa: ANN001
    from video_interviews import services

    interview = helpers.interview(rita, ("anna@example.com",))
    invitation = helpers.invitation(interview)
    code = invitation.code
    if setup == "revoked":
        services.invitation_revoke(invitation=invitation)
    elif setup == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(status="expired")
    elif setup == "used":
        services.invitation_accept(candidate=helpers.candidate("other@example.com"), code=code)
    elif setup == "unknown":
        code = "999999" if code != "999999" else "999998"
    else:
        code = "12ab56"
    client = helpers.signed_in(helpers.candidate("anna@example.com"))
    refused = client.post("/candidate/interviews/add/", {"code": code})
    assert refused.status_code == 400
    assert message in refused.content.decode()


def test_a_candidates_interview_page_shows_its_limits_and_the_recorder(rita) -> None:  # noqa: ANN001
    from video_interviews import services

    interview = helpers.interview(rita, ("anna@example.com",))
    anna = helpers.candidate("anna@example.com", language="ru")
    invitation = services.invitation_accept(candidate=anna, code=helpers.invitation(interview).code)
    client = helpers.signed_in(anna)
    page = client.get(f"/candidate/interviews/{invitation.pk}/").content.decode()
    assert "2 вопроса" in page and "30 секунд" in page and "120 секунд" in page
    assert 'id="device-check"' in page and 'id="begin-take"' in page
    assert "Сначала проверьте камеру и микрофон" in page
    assert "video_interviews/recorder.js" in page and 'id="recording-config"' in page
    # Nobody else's: another candidate gets 404.
    other = helpers.signed_in(helpers.candidate("eve@example.com"))
    assert other.get(f"/candidate/interviews/{invitation.pk}/").status_code == 404
