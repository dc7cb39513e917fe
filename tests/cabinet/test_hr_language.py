"""HR's messages go out in the language chosen for HR on the decision form (default
``HR_LANGUAGE``, itself LANGUAGE_CODE by default), whatever the manager's own language, with
times in ``HR_TIME_ZONE`` in that language's one format and with the zone's name."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client, override_settings

from cabinet import services
from notify.models import Outbox
from tests.cabinet.helpers import ready_session

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile("[А-Яа-яЁё]")
# 11:05 UTC is 14:05 in Moscow (UTC+3 all year).
DECIDED = datetime(2026, 10, 20, 11, 5, tzinfo=UTC)


def _rows() -> dict[str, Outbox]:
    return {row.channel: row for row in Outbox.objects.filter(kind="decision")}


def _decide(client: Client, session, payload: dict[str, object]) -> None:  # noqa: ANN001
    with time_machine.travel(DECIDED, tick=False):
        response = client.post(f"/cabinet/s/{session.code}/decide/", payload)
    assert response.status_code == 302, response.content.decode()[:2000]


@override_settings(HR_TIME_ZONE="Europe/Moscow")
def test_a_decision_for_a_russian_speaking_hr_is_in_russian_with_a_russian_date(
    client: Client, lead, ann, bob, manager, platform
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="12345")
    client.force_login(manager)  # the manager reads English
    _decide(client, session, {"outcome": "hire", "team": platform.pk, "hr_language": "ru"})
    rows = _rows()
    email, telegram = rows["email"], rows["telegram"]
    assert email.subject == "Найм: Carla Candidate → Platform"
    for body in (email.body_text, email.body_html, telegram.body_text):
        assert "Кандидат" in body and "Итог" in body and "нанять" in body and "Команда" in body
        assert "Решение принял(а)" in body
        # The one Russian format, in HR's zone, named.
        assert "20 октября 2026, 14:05 Europe/Moscow" in body
        assert "Candidate:" not in body and "Outcome" not in body
    assert '<html lang="ru">' in email.body_html
    assert session.decisions.get().hr_language == "ru"


@override_settings(HR_TIME_ZONE="Europe/Moscow")
def test_a_rejection_in_english_has_no_cyrillic_interface_text(
    client: Client, lead, ann, bob, manager, weak_sql
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com", hr_chat="12345")
    client.force_login(manager)
    # The manager reads Russian; HR reads English.
    client.cookies["django_language"] = "ru"
    payload = {"outcome": "reject", "reasons": [weak_sql.pk], "comment": "SQL", "hr_language": "en"}
    _decide(client, session, payload)
    rows = _rows()
    assert rows["email"].subject == "Reject: Carla Candidate"
    for body in (rows["email"].subject, rows["email"].body_text, rows["email"].body_html):
        assert not CYRILLIC.search(body), body
    assert "Outcome: reject" in rows["telegram"].body_text
    assert "20 Oct 2026, 14:05 Europe/Moscow" in rows["email"].body_text


@override_settings(HR_LANGUAGE="ru")
def test_the_form_offers_hr_language_with_the_site_default_and_the_reopening_follows_it(
    client: Client, lead, ann, bob, manager, platform
) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    client.force_login(manager)
    page = client.get(f"/cabinet/s/{session.code}/").content.decode()
    assert re.search(r'<option value="ru" selected>', page)
    assert '<label for="id_hr_language">Language of HR&#x27;s messages:</label>' in page
    # Left out (an API or an old form): HR_LANGUAGE.
    _decide(client, session, {"outcome": "hire", "team": platform.pk})
    assert _rows()["email"].subject.startswith("Найм: ")
    services.decision_reopen(session=session, manager=manager, note="")
    reopened = Outbox.objects.get(kind="reopened", channel="email")
    assert reopened.subject.startswith("Решение пересматривается — Carla Candidate")
    assert "Отменено: нанять → Platform" in reopened.body_text


def test_an_unknown_hr_language_is_refused(lead, ann, bob, manager, platform) -> None:  # noqa: ANN001
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    with pytest.raises(services.DecisionRefused) as refused:
        services.decision_make(
            session=session, manager=manager, outcome="hire", team=platform, hr_language="xx"
        )
    assert refused.value.code == "bad_language"


def test_the_hr_contacts_language_on_the_candidate_is_the_default_of_the_decision(
    client: Client, lead, ann, bob, manager, platform
) -> None:  # noqa: ANN001
    """The language is set with the HR contact (new-session page, API) and the decision form
    starts from it; a decision left without one (the API) goes out in it too."""
    session = ready_session(lead, ann, bob, hr_email="hr@example.com")
    candidate = session.candidate
    candidate.hr_language = "ru"
    candidate.save(update_fields=["hr_language"])
    client.force_login(manager)  # English site, English manager
    page = client.get(f"/cabinet/s/{session.code}/").content.decode()
    assert re.search(r'<option value="ru" selected>', page)
    services.decision_make(session=session, manager=manager, outcome="hire", team=platform)
    assert _rows()["email"].subject.startswith("Найм: ")
    assert session.decisions.get().hr_language == "ru"


@override_settings(HR_TIME_ZONE="Europe/Moscow")
def test_a_candidate_decision_with_no_session_is_in_the_hr_contacts_language(
    client: Client, recruiter, ann, manager, platform
) -> None:  # noqa: ANN001
    """The HR contact on the card reads Russian: the form starts from it, and the message
    names the rounds (their kind and verdict in Russian too) instead of a session's topics."""
    from tests.cabinet.helpers import selected_by_rounds

    candidate = selected_by_rounds(
        recruiter, ann, hr_email="hr@example.com", hr_chat="12345", hr_language="ru"
    )
    client.force_login(manager)  # the manager reads English
    page = client.get(f"/cabinet/candidates/{candidate.pk}/decide/").content.decode()
    assert re.search(r'<option value="ru" selected>', page)
    with time_machine.travel(DECIDED, tick=False):
        response = client.post(
            f"/cabinet/candidates/{candidate.pk}/decide/",
            {"outcome": "hire", "team": platform.pk, "hr_language": "ru"},
        )
    assert response.status_code == 302
    rows = _rows()
    assert rows["email"].subject == "Найм: Nora Rounds → Platform"
    for body in (rows["email"].body_text, rows["telegram"].body_text):
        assert "Этапы:" in body and "Rounds:" not in body and "Scores" not in body
        assert "- Screening (один на один, Ann Panel): 7 / 10 · отобран" in body
        assert "20 октября 2026, 14:05 Europe/Moscow" in body
    assert '<th align="left">Этап</th>' in rows["email"].body_html
    assert '<html lang="ru">' in rows["email"].body_html
