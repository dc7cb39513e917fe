"""Times are stored in UTC and shown in the viewer's zone, with its name, on real pages.

The lead logs in from Moscow (the login form carries the browser's zone) and creates a
session on the new-session page at a frozen moment; a manager logged in from Berlin reads the
candidate's page. Moscow keeps UTC+3 all year; Berlin leaves summer time on 2026-10-25 at
01:00 UTC (03:00 CEST → 02:00 CET), so the same Moscow noon is 11:00 in Berlin the day
before and 10:00 the day after. The API gives the stored UTC moment in ISO 8601 whoever asks.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from accounts.templatetags.when import when
from sessions_live.models import LiveSession
from tests.factories import PASSWORD, QuestionFactory, TopicFactory

pytestmark = pytest.mark.django_db

MOSCOW, BERLIN = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Berlin")


def _log_in(client: Client, username: str, zone: str, language: str = "en") -> None:
    """Through the login form, as the browser sends it (tz.js fills ``time_zone``)."""
    response = client.post(
        "/login/",
        {"username": username, "password": PASSWORD, "time_zone": zone},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _create_session(client: Client, topic_pk: int, name: str) -> LiveSession:
    response = client.post(
        "/sessions/new/",
        {
            "full_name": name,
            "email": "carla@example.com",
            "shuffle": "0",
            "intro_text": "Welcome",
            "closing_text": "Thanks",
            f"topic_{topic_pk}_on": "on",
            f"topic_{topic_pk}_position": "1",
            f"topic_{topic_pk}_minutes": "10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    return LiveSession.objects.select_related("candidate").get(candidate__full_name=name)


def _created_shown(page: str) -> list[str]:
    return re.findall(r'<span class="session-created">([^<]*)</span>', page)


@pytest.mark.parametrize(
    ("moscow_noon", "utc", "in_moscow", "in_berlin"),
    [
        # before the change: Berlin on summer time (CEST, UTC+2)
        (
            datetime(2026, 10, 24, 12, 0, tzinfo=MOSCOW),
            datetime(2026, 10, 24, 9, 0, tzinfo=UTC),
            "24 Oct 2026, 12:00 Europe/Moscow",
            "24 Oct 2026, 11:00 Europe/Berlin",
        ),
        # after the change: Berlin on standard time (CET, UTC+1); Moscow unchanged
        (
            datetime(2026, 10, 26, 12, 0, tzinfo=MOSCOW),
            datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
            "26 Oct 2026, 12:00 Europe/Moscow",
            "26 Oct 2026, 10:00 Europe/Berlin",
        ),
    ],
    ids=["before-dst-change", "after-dst-change"],
)
def test_a_session_created_in_moscow_is_shown_in_berlin_time_across_the_dst_change(
    lead, manager, moscow_noon: datetime, utc: datetime, in_moscow: str, in_berlin: str
) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Python")
    QuestionFactory(topic=topic)
    moscow, berlin = Client(), Client()
    with time_machine.travel(moscow_noon, tick=False):
        _log_in(moscow, "lena", "Europe/Moscow")
        session = _create_session(moscow, topic.pk, "Carla Candidate")
    lead.refresh_from_db()
    assert lead.time_zone == "Europe/Moscow"
    assert session.created_at == utc  # stored in UTC
    assert session.created_at.utcoffset().total_seconds() == 0

    with time_machine.travel(datetime(2026, 11, 2, 8, 0, tzinfo=UTC), tick=False):
        _log_in(berlin, "maria", "Europe/Berlin")
        page = berlin.get(f"/candidates/{session.candidate.pk}/").content.decode()
        assert _created_shown(page) == [in_berlin]
        home = moscow.get("/").content.decode()
        assert _created_shown(home) == [in_moscow]


def test_the_same_moment_in_russian_has_the_russian_format_and_the_zone_name(lead, manager) -> None:  # noqa: ANN001
    topic = TopicFactory(name="Python")
    QuestionFactory(topic=topic)
    moscow, berlin = Client(), Client()
    with time_machine.travel(datetime(2026, 10, 26, 12, 0, tzinfo=MOSCOW), tick=False):
        _log_in(moscow, "lena", "Europe/Moscow")
        session = _create_session(moscow, topic.pk, "Карла Кандидатова")
    _log_in(berlin, "maria", "Europe/Berlin", language="ru")
    page = berlin.get(
        f"/candidates/{session.candidate.pk}/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert _created_shown(page) == ["26 октября 2026, 10:00 Europe/Berlin"]


def test_when_uses_one_format_per_language_and_names_the_zone() -> None:
    moment = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, before the change
    later = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, after it
    with timezone.override(BERLIN):
        with translation.override("en"):
            assert when(moment) == "25 Oct 2026, 02:30 Europe/Berlin"
            assert when(later, True) == "25 Oct 2026, 02:30:00 Europe/Berlin"
        with translation.override("ru"):
            assert when(moment) == "25 октября 2026, 02:30 Europe/Berlin"
    with timezone.override(MOSCOW), translation.override("en"):
        assert when(moment) == "25 Oct 2026, 03:30 Europe/Moscow"
    assert when(None) == ""


def test_a_login_without_a_zone_or_with_a_bad_one_keeps_the_stored_zone(lead) -> None:  # noqa: ANN001
    lead.time_zone = "Asia/Yekaterinburg"
    lead.save()
    for sent in ("", "Mars/Olympus_Mons", "../../etc/passwd"):
        _log_in(Client(), "lena", sent)
        lead.refresh_from_db()
        assert lead.time_zone == "Asia/Yekaterinburg"


def test_a_zone_chosen_in_the_profile_is_kept_when_the_browser_says_otherwise(
    client: Client, lead
) -> None:  # noqa: ANN001
    client.force_login(lead)
    refused = client.post(
        "/profile/", {"language": "", "time_zone": "Europe/Atlantis"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "Europe/Atlantis" in refused.content.decode()  # named in the field's error
    saved = client.post(
        "/profile/",
        {"language": "", "time_zone": "Asia/Vladivostok", "time_zone_from_browser": ""},
    )
    assert saved.status_code == 302
    _log_in(Client(), "lena", "Europe/Berlin")
    lead.refresh_from_db()
    assert (lead.time_zone, lead.time_zone_from_browser) == ("Asia/Vladivostok", False)


def test_the_api_gives_iso_8601_in_utc_to_a_viewer_in_berlin(manager) -> None:  # noqa: ANN001
    from rest_framework.settings import api_settings

    assert api_settings.DATETIME_FORMAT == "iso-8601"  # DRF's default, not overridden
    manager.time_zone = "Europe/Berlin"
    manager.save()
    with time_machine.travel(datetime(2026, 10, 24, 12, 0, tzinfo=MOSCOW), tick=False):
        topic = TopicFactory(name="Python")
    client = Client()
    client.force_login(manager)
    from accounts.roles import ensure_roles  # the manager reads the bank

    ensure_roles()
    body = client.get(f"/api/topics/{topic.pk}/", HTTP_ACCEPT="application/json").json()
    assert body["created_at"] == "2026-10-24T09:00:00Z"
    assert datetime.fromisoformat(body["created_at"]) == datetime(2026, 10, 24, 9, tzinfo=UTC)
