"""The availability pages without a browser: the forms beside the grid (no JavaScript needed),
the JSON answers the grid asks for, the question before free time under an interview goes,
the week in the viewer's zone, the page's Content-Security-Policy, both languages."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
import time_machine
from django.test import Client

from interviews import services as interviews
from notify.models import Notice
from scheduling import services
from scheduling.models import Capacity, DayException, Slot, WeeklyHours
from tests.factories import UserFactory
from tests.foundation.test_hostile_http import CSP, _directives
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)  # Tuesday; the week of Monday 30 November
BERLIN = "Europe/Berlin"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ivan(roles) -> Any:  # noqa: ANN001
    return UserFactory(
        username="ivan",
        first_name="Ivan",
        last_name="Petrov",
        roles=["interviewer"],
        time_zone=BERLIN,
    )


@pytest.fixture
def rita(roles) -> Any:  # noqa: ANN001
    return UserFactory(
        username="rita", first_name="Rita", roles=["recruiter"], time_zone="Europe/Moscow"
    )


@pytest.fixture
def carla(rita, ivan, lead, bob) -> Any:  # noqa: ANN001
    return candidate_on(three_round_position(rita, ivan, lead, bob), rita)


def client_of(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def config_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="av-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the grid's configuration is on the page"
    return json.loads(found.group(1))


def test_the_page_shows_the_viewers_week_in_their_zone(ivan) -> None:  # noqa: ANN001
    response = client_of(ivan).get("/availability/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your availability" in html and "Times in Europe/Berlin." in html
    assert "Week of 30 Nov – 6 Dec 2026" in html
    assert 'href="?date=2026-11-23"' in html and 'href="?date=2026-12-07"' in html
    config = config_of(html)
    assert config["week"] == "2026-11-30" and config["day"] == "2026-12-01"
    assert config["now"] == "2026-12-01T09:00:00"  # 08:00 UTC on Berlin's wall clock
    assert config["newUrl"] == "/availability/slots/new/"
    # The vendored grid, its module, no CDN.
    assert (
        "/static/vendor/fullcalendar.global.min.js" in html and "scheduling/availability.js" in html
    )
    assert "cdn" not in html.lower()


def test_the_grid_pages_widen_the_policy_by_an_empty_style_and_data_fonts_only(
    ivan, rita, carla
) -> None:  # noqa: ANN001
    for client, url in (
        (client_of(ivan), "/availability/"),
        (client_of(rita), f"/candidates/{carla.pk}/availability/"),
    ):
        got = _directives(client.get(url)["Content-Security-Policy"])
        expected = _directives(CSP)
        assert (
            got.pop("style-src") == "'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        )
        assert got.pop("font-src") == "'self' data:"
        expected.pop("style-src")
        assert got == expected
    # Other pages keep the site's policy exactly.
    assert _directives(client_of(ivan).get("/rounds/")["Content-Security-Policy"]) == _directives(
        CSP
    )


def test_a_bad_week_is_said_and_this_week_shown(ivan) -> None:  # noqa: ANN001
    response = client_of(ivan).get("/availability/?date=someday")
    assert response.status_code == 200
    assert "is not a date" in response.content.decode()
    assert config_of(response.content.decode())["week"] == "2026-11-30"


def test_the_form_adds_a_slot_in_the_viewers_zone(ivan) -> None:  # noqa: ANN001
    client = client_of(ivan)
    response = client.post(
        "/availability/slots/new/",
        {"date": "2026-12-03", "starts": "10:00", "ends": "12:30", "week": "2026-11-30"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/availability/?date=2026-11-30#slots"
    slot = Slot.objects.get()
    assert (slot.starts_at, slot.ends_at, slot.zone) == (
        datetime(2026, 12, 3, 9, tzinfo=UTC), datetime(2026, 12, 3, 11, 30, tzinfo=UTC), BERLIN,
    )  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert "The slot is added." in page
    assert re.search(r'<span class="slot-when">Thu 3 Dec, 10:00 – 12:30</span>', page)
    events = [
        e for e in config_of(page)["events"] if e.get("extendedProps", {}).get("kind") == "slot"
    ]
    assert [(e["start"], e["end"]) for e in events] == [
        ("2026-12-03T10:00:00", "2026-12-03T12:30:00")
    ]


def test_a_slot_past_midnight_and_in_another_zone(ivan) -> None:  # noqa: ANN001
    client_of(ivan).post(
        "/availability/slots/new/",
        {
            "date": "2026-12-04",
            "starts": "22:00",
            "end_date": "2026-12-05",
            "ends": "02:00",
            "zone": "Asia/Tokyo",
        },
    )
    slot = Slot.objects.get()
    assert (slot.starts_at, slot.ends_at) == (
        datetime(2026, 12, 4, 13, tzinfo=UTC),
        datetime(2026, 12, 4, 17, tzinfo=UTC),
    )
    page = client_of(ivan).get("/availability/").content.decode()
    assert "entered in Asia/Tokyo" in page and "Fri 4 Dec, 14:00 – 18:00" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"date": "2026-12-03", "starts": "12:00", "ends": "10:00"},
            "ends",
            "A slot ends after it starts.",
        ),
        (
            {"date": "2026-12-03", "starts": "", "ends": "10:00"},
            "starts",
            "This field is required.",
        ),
        ({"date": "3.12.2026", "starts": "09:00", "ends": "10:00"}, "date", "Enter a valid date."),
        (
            {"date": "2026-12-03", "starts": "09:00", "ends": "10:00", "zone": "Mars/Base"},
            "zone",
            "is not a time zone",
        ),
    ],
)
def test_a_bad_form_says_why_on_its_field_and_stores_nothing(ivan, fields, field, message) -> None:  # noqa: ANN001
    response = client_of(ivan).post("/availability/slots/new/", fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf'id="id_{field}_error"[^>]*>.*?{re.escape(message)}', html, re.S), html[:200]
    assert not Slot.objects.exists()


def test_edit_from_the_list_then_delete(ivan) -> None:  # noqa: ANN001
    client = client_of(ivan)
    start, end = services.local_range(
        day=date(2026, 12, 3), starts=time(10), ends=time(11), zone=BERLIN
    )
    slot = services.slot_add(by=ivan, user=ivan, starts_at=start, ends_at=end, zone=BERLIN)
    page = client.get(f"/availability/?date=2026-11-30&edit={slot.pk}").content.decode()
    assert "Change the slot" in page and f'action="/availability/slots/{slot.pk}/"' in page
    assert 'value="10:00"' in page and 'value="2026-12-03"' in page
    client.post(
        f"/availability/slots/{slot.pk}/",
        {"date": "2026-12-03", "starts": "14:00", "ends": "16:00"},
    )
    slot.refresh_from_db()
    assert slot.starts_at == datetime(2026, 12, 3, 13, tzinfo=UTC)
    client.post(f"/availability/slots/{slot.pk}/delete/", {"week": "2026-11-30"})
    assert not Slot.objects.exists()


def test_the_grid_gets_json_answers(ivan) -> None:  # noqa: ANN001
    client = client_of(ivan)
    made = client.post(
        "/availability/slots/new/",
        {"date": "2026-12-02", "starts": "09:00", "ends": "11:00", "week": "2026-11-30"},
        HTTP_ACCEPT="application/json",
    )
    assert made.status_code == 200
    body = made.json()
    assert body["ok"] is True and body["message"] == "The slot is added."
    assert 'class="slot-when">Wed 2 Dec, 09:00 – 11:00' in body["list_html"]
    [event] = [e for e in body["events"] if e.get("extendedProps", {}).get("kind") == "slot"]
    assert event["start"] == "2026-12-02T09:00:00" and event["editable"] is True
    slot = Slot.objects.get()
    assert event["extendedProps"]["edit"] == f"/availability/slots/{slot.pk}/"
    bad = client.post(
        f"/availability/slots/{slot.pk}/",
        {"date": "2026-12-02", "starts": "11:00", "ends": "10:00"},
        HTTP_ACCEPT="application/json",
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "ok": False,
        "code": "ends_before_start",
        "message": "A slot ends after it starts.",
        "field": "ends",
    }
    invalid = client.post("/availability/slots/new/", {"date": "x"}, HTTP_ACCEPT="application/json")
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid"
    assert Slot.objects.get().ends_at == datetime(2026, 12, 2, 10, tzinfo=UTC)


def test_working_hours_days_off_and_interviews_are_drawn_behind(ivan, rita, carla) -> None:  # noqa: ANN001
    services.weekly_hours_set(
        by=ivan, user=ivan, hours=[services.Hours(0, time(9), time(17))], zone=BERLIN
    )
    services.exception_add(by=ivan, user=ivan, day=date(2026, 12, 2), zone=BERLIN)
    interview = interviews.interview_create(
        candidate=carla, position=carla.positions.get(), by=rita
    )
    interviews.round_assign(
        round_=interview.rounds.get(order=0),
        by=rita,
        interviewer=ivan,
        starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
    )
    events = config_of(client_of(ivan).get("/availability/").content.decode())["events"]
    kinds = {(e["extendedProps"]["kind"], e["start"], e["end"]) for e in events}
    assert ("hours", "2026-11-30T09:00:00", "2026-11-30T17:00:00") in kinds
    assert ("off", "2026-12-02T00:00:00", "2026-12-03T00:00:00") in kinds
    assert ("round", "2026-12-03T10:00:00", "2026-12-03T11:00:00") in kinds
    [round_event] = [e for e in events if e["extendedProps"]["kind"] == "round"]
    assert "Carla Candidate" in round_event["title"] and round_event["url"].startswith("/rounds/")


def test_removing_time_under_an_interview_asks_then_tells_the_recruiters(ivan, rita, carla) -> None:  # noqa: ANN001
    slot = services.slot_add(
        by=ivan,
        user=ivan,
        starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 12, tzinfo=UTC),
        zone=BERLIN,
    )
    interview = interviews.interview_create(
        candidate=carla, position=carla.positions.get(), by=rita
    )
    interviews.round_assign(
        round_=interview.rounds.get(order=0),
        by=rita,
        interviewer=ivan,
        starts_at=datetime(2026, 12, 3, 10, tzinfo=UTC),
    )
    Notice.objects.all().delete()
    client = client_of(ivan)
    asked = client.post(f"/availability/slots/{slot.pk}/delete/", {"week": "2026-11-30"})
    assert asked.status_code == 409
    html = asked.content.decode()
    assert 'id="confirm"' in html and "This time holds an interview" in html and "Screening" in html
    assert f'action="/availability/slots/{slot.pk}/delete/"' in html
    assert '<input type="hidden" name="confirm" value="1">' in html
    assert '<input type="hidden" name="week" value="2026-11-30">' in html
    assert Slot.objects.exists() and not Notice.objects.exists()
    as_json = client.post(
        f"/availability/slots/{slot.pk}/delete/", {}, HTTP_ACCEPT="application/json"
    )
    assert as_json.status_code == 409 and as_json.json()["code"] == "holds_interview"
    done = client.post(
        f"/availability/slots/{slot.pk}/delete/", {"week": "2026-11-30", "confirm": "1"}
    )
    assert done.status_code == 302 and not Slot.objects.exists()
    notice = Notice.objects.get(kind="availability_removed")
    assert notice.recipient == rita and "Ivan Petrov" in notice.title


def test_weekly_hours_form(ivan) -> None:  # noqa: ANN001
    client = client_of(ivan)
    saved = client.post(
        "/availability/hours/",
        {
            "hours-0-0-starts": "09:00", "hours-0-0-ends": "12:00",
            "hours-0-1-starts": "13:00", "hours-0-1-ends": "17:00",
            "hours-4-0-starts": "10:00", "hours-4-0-ends": "14:00",
        },
    )  # fmt: skip
    assert saved.status_code == 302
    assert list(WeeklyHours.objects.values_list("weekday", "starts", "ends", "zone")) == [
        (0, time(9), time(12), BERLIN), (0, time(13), time(17), BERLIN), (4, time(10), time(14), BERLIN),
    ]  # fmt: skip
    page = client.get("/availability/").content.decode()
    assert 'name="hours-0-1-starts" value="13:00"' in page and 'name="hours-0-2-starts"' in page
    half = client.post("/availability/hours/", {"hours-2-0-starts": "09:00"})
    assert half.status_code == 400 and "Give both times, or neither." in half.content.decode()
    overlap = client.post(
        "/availability/hours/",
        {
            "hours-1-0-starts": "09:00",
            "hours-1-0-ends": "12:00",
            "hours-1-1-starts": "11:00",
            "hours-1-1-ends": "13:00",
        },
    )
    assert overlap.status_code == 400 and "overlap" in overlap.content.decode()
    assert WeeklyHours.objects.count() == 3


def test_exceptions_and_capacity_forms(ivan) -> None:  # noqa: ANN001
    client = client_of(ivan)
    assert (
        client.post(
            "/availability/exceptions/new/", {"day": "2026-12-07", "kind": "off"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/availability/exceptions/new/",
            {"day": "2026-12-12", "kind": "extra", "starts": "10:00", "ends": "12:00"},
        ).status_code
        == 302
    )
    again = client.post("/availability/exceptions/new/", {"day": "2026-12-07", "kind": "off"})
    assert again.status_code == 409 and "already a day off" in again.content.decode()
    page = client.get("/availability/").content.decode()
    assert "Mon 7 Dec 2026" in page and "extra hours 10:00–12:00" in page
    off = DayException.objects.get(available=False)
    client.post(f"/availability/exceptions/{off.pk}/delete/")
    assert list(DayException.objects.values_list("available", flat=True)) == [True]
    assert (
        client.post("/availability/capacity/", {"per_day": "3", "per_week": "10"}).status_code
        == 302
    )
    assert Capacity.objects.values_list("per_day", "per_week").get(user=ivan) == (3, 10)
    bad = client.post("/availability/capacity/", {"per_day": "5", "per_week": "2"})
    assert bad.status_code == 400 and "at least as many" in bad.content.decode()
    assert (
        client.post("/availability/capacity/", {"per_day": "", "per_week": ""}).status_code == 302
    )
    assert Capacity.objects.values_list("per_day", "per_week").get(user=ivan) == (None, None)


def test_a_recruiter_keeps_a_candidates_slots_on_their_page(rita, ivan, carla) -> None:  # noqa: ANN001
    client = client_of(rita)
    detail = client.get(f"/candidates/{carla.pk}/").content.decode()
    assert f'href="/candidates/{carla.pk}/availability/"' in detail
    page = client.get(f"/candidates/{carla.pk}/availability/").content.decode()
    assert "Free time of Carla Candidate" in page and "Times in Europe/Moscow." in page
    assert "Weekly working hours" not in page  # a candidate has slots only
    client.post(
        f"/candidates/{carla.pk}/availability/slots/new/",
        {"date": "2026-12-03", "starts": "10:00", "ends": "12:00", "week": "2026-11-30"},
    )
    slot = Slot.objects.get()
    assert slot.candidate == carla and slot.starts_at == datetime(2026, 12, 3, 7, tzinfo=UTC)
    # The interviewer's own page and the candidate's pages are not each other's.
    assert (
        client_of(ivan)
        .post(f"/candidates/{carla.pk}/availability/slots/{slot.pk}/delete/")
        .status_code
        == 403
    )
    assert client.post(f"/availability/slots/{slot.pk}/delete/").status_code == 403
    assert Slot.objects.exists()


def test_the_navigation_links_the_page_for_interviewers_only(ivan, rita) -> None:  # noqa: ANN001
    assert 'href="/availability/"' in client_of(ivan).get("/rounds/").content.decode()
    assert 'href="/availability/"' not in client_of(rita).get("/candidates/").content.decode()


def test_the_page_in_russian(ivan) -> None:  # noqa: ANN001
    ivan.language = "ru"
    ivan.save()
    html = client_of(ivan, "ru").get("/availability/").content.decode()
    assert (
        "Ваша доступность" in html
        and "Рабочие часы недели" in html
        and "Время — в поясе Europe/Berlin." in html
    )
    config = config_of(html)
    assert (
        config["locale"] == "ru" and config["strings"]["deleteAsk"] == "Удалить это свободное окно?"
    )
    assert "fullcalendar.ru.global.min.js" in html


def test_every_id_on_the_page_is_once_and_every_field_has_its_label(ivan) -> None:  # noqa: ANN001
    html = client_of(ivan).get("/availability/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for field in re.findall(r'<input type="(?:date|time|text|number)"[^>]*\sid="([^"]+)"', html):
        assert f'for="{field}"' in html, field
