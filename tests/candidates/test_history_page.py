"""The candidate's page shows every history event, newest first: what (translated), a move's
from and to, the changed fields, the session (linked only for those who may see it), who and
when."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from candidates import lifecycle, services
from tests.factories import UserFactory
from tests.sessions_live.conftest import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():  # noqa: ANN202
    """A Russian request leaves its language active in the thread: the next test starts
    afresh."""
    yield
    translation.deactivate()


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def _history(page: str) -> list[str]:
    section = page.split('id="history"', 1)[1].split("</section>", 1)[0]
    return [
        re.sub(r"<[^>]+>|\s+", " ", item).strip()
        for item in re.findall(r'<li class="event"[^>]*>(.*?)</li>', section, re.S)
    ]


def test_every_event_newest_first_with_who_and_when(roles, lead, manager) -> None:  # noqa: ANN001
    recruiter = UserFactory(username="rita", first_name="Rita", roles=["recruiter"])
    session = make_session(lead, [])
    candidate = session.candidate
    services.candidate_move(
        candidate=candidate,
        move="start",
        roles={lifecycle.SYSTEM},
        details={"session": session.code},
    )
    services.candidate_update(
        candidate=candidate, by=recruiter, fields={"phone": "+7 900", "tags": "go"}
    )
    page = _client(manager).get(f"/candidates/{candidate.pk}/").content.decode()
    rows = _history(page)
    assert len(rows) == 3
    assert rows[0].startswith(tuple("0123456789"))  # the moment first, through |when
    assert "Card changed" in rows[0] and "phone, tags" in rows[0] and "Rita" in rows[0]
    assert "Interviewing started" in rows[1] and "from created to interviewing" in rows[1]
    assert session.code in rows[1] and "automatically" in rows[1]
    history = page.split('id="history"', 1)[1]
    assert re.search(rf'<a href="[^"]+"><code>{session.code}</code></a>', history)
    assert "Created" in rows[2] and lead.display_name in rows[2]
    assert "UTC" in rows[0]


def test_the_history_is_in_russian(roles, lead, manager) -> None:  # noqa: ANN001
    session = make_session(lead, [])
    services.candidate_move(
        candidate=session.candidate,
        move="start",
        roles={lifecycle.SYSTEM},
        details={"session": session.code},
    )
    page = (
        _client(manager)
        .get(f"/candidates/{session.candidate_id}/", HTTP_ACCEPT_LANGUAGE="ru")
        .content.decode()
    )
    rows = _history(page)
    assert "Собеседования начаты" in rows[0] and "«создан» → «проходит собеседования»" in rows[0]
    assert "Создан" in rows[1]
