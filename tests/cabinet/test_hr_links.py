"""Defect 5: the link in HR's messages points at the host and port this server is served on,
and at a page its readers may open: the read-only decision summary, open to managers,
recruiters and the panel, refused (403) to an interviewer who was not on the panel."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from cabinet import services
from notify.models import Outbox
from tests.cabinet.helpers import ready_session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _Child:
    returncode = 0

    def poll(self) -> int:
        return 0

    def send_signal(self, sig: int) -> None: ...

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def kill(self) -> None: ...


def _served_env(monkeypatch: pytest.MonkeyPatch, **options: Any) -> list[str]:
    """Run ``manage.py serve`` with its children stubbed; the SITE_URL each would inherit."""
    from sessions_live.management.commands import serve

    seen: list[str] = []

    def popen(command: list[str], **kwargs: Any) -> _Child:
        seen.append((kwargs.get("env") or os.environ).get("SITE_URL", ""))
        return _Child()

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    monkeypatch.setattr(serve.time, "sleep", lambda seconds: None)
    monkeypatch.setenv("SITE_URL", "placeholder")  # recorded, so it is restored afterwards
    monkeypatch.delenv("SITE_URL")
    call_command("serve", **options)
    return seen


def test_serve_gives_its_children_the_site_url_of_its_host_and_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # daphne, the mail worker (with beat) and the video worker (VIDEO_QUEUE)
    assert _served_env(monkeypatch, host="127.0.0.1", port=8123) == ["http://127.0.0.1:8123"] * 3


def test_serve_keeps_a_site_url_set_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from sessions_live.management.commands import serve

    monkeypatch.setattr(serve.subprocess, "Popen", lambda command, **kwargs: _Child())
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)
    monkeypatch.setenv("SITE_URL", "https://roundtable.example.com")
    call_command("serve", host="127.0.0.1", port=8123, no_worker=True)
    assert os.environ["SITE_URL"] == "https://roundtable.example.com"


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def decided(lead, ann, bob, manager, platform, monkeypatch, settings):  # noqa: ANN001, ANN201
    site_url, *_workers = _served_env(monkeypatch, host="127.0.0.1", port=8123)
    settings.SITE_URL = site_url  # what the served daphne process reads from its environment
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="4242")
    services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    return session


def test_the_message_links_to_the_served_host_and_port(decided) -> None:  # noqa: ANN001
    link = f"http://127.0.0.1:8123/decisions/{decided.code}/"
    email = Outbox.objects.get(channel="email")
    assert link in email.body_text and f'href="{link}"' in email.body_html
    assert link in Outbox.objects.get(channel="telegram").body_text


def test_a_recruiter_opens_the_link(client: Client, decided, recruiter) -> None:  # noqa: ANN001
    client.force_login(recruiter)
    page = client.get(f"/decisions/{decided.code}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Carla Candidate" in body and "Platform" in body and "7 / 10" in body
    # A recruiter is not sent on to pages they may not open.
    assert f"/s/{decided.code}/results/" not in body and "/cabinet/" not in body


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("ann", 200), ("outsider", 403)])
def test_who_else_may_open_it(client: Client, request, decided, who, status) -> None:  # noqa: ANN001
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/decisions/{decided.code}/").status_code == status


def test_anonymous_people_are_sent_to_log_in(client: Client, decided) -> None:  # noqa: ANN001
    response = client.get(f"/decisions/{decided.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_after_a_reopen_the_page_says_so(client: Client, decided, manager, recruiter) -> None:  # noqa: ANN001
    services.decision_reopen(session=decided, manager=manager, note="new facts")
    client.force_login(recruiter)
    body = client.get(f"/decisions/{decided.code}/").content.decode()
    assert 'id="reopened"' in body and "Withdrawn decisions" in body
