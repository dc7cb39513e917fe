"""The pages of plans, interviews, rounds and rating sheets, through the test client: a
recruiter keeps the plan and assigns rounds (times in their own zone), the interviewer rates,
the sheets show points against the expected; whoever may not gets 403 and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from interviews import services
from interviews.models import Interview, PlanRound, Round
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"], time_zone="Europe/Moscow", time_zone_from_browser=False)


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    return three_round_position(recruiter, ann, lead, bob)


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def test_a_recruiter_adds_a_round_with_aspects_and_moves_it(position, recruiter, ann) -> None:  # noqa: ANN001
    client = _client(recruiter)
    page = client.get(f"/positions/{position.pk}/plan/")
    assert page.status_code == 200 and "Technical panel" in page.content.decode()
    response = client.post(
        f"/positions/{position.pk}/plan/new/",
        {
            "name": "Bar raiser",
            "kind": "one_to_one",
            "duration_minutes": "45",
            "default_interviewer": ann.pk,
            "aspect_name": ["Judgement", "Ownership", ""],
            "aspect_points": ["10", "", ""],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = PlanRound.objects.get(position=position, name="Bar raiser")
    assert added.order == 3 and added.duration_minutes == 45
    assert list(added.aspects.values_list("name", "expected_points")) == [("Judgement", 10), ("Ownership", 5)]
    client.post(f"/positions/{position.pk}/plan/{added.pk}/move/", {"by": "-1"})
    added.refresh_from_db()
    assert added.order == 2


def test_a_bad_aspect_is_refused_with_its_reason_and_nothing_saved(position, recruiter) -> None:  # noqa: ANN001
    response = _client(recruiter).post(
        f"/positions/{position.pk}/plan/new/",
        {"name": "Odd", "kind": "one_to_one", "duration_minutes": "30",
         "aspect_name": ["Depth"], "aspect_points": ["500"]},  # fmt: skip
    )
    assert response.status_code == 200
    assert "Expected points are between 1 and 100." in response.content.decode()
    assert not PlanRound.objects.filter(name="Odd").exists()


def test_interviewers_read_the_plan_but_may_not_change_it(position, ann) -> None:  # noqa: ANN001
    client = _client(ann)
    assert client.get(f"/positions/{position.pk}/plan/").status_code == 200
    assert client.get(f"/positions/{position.pk}/plan/new/").status_code == 403
    first = position.plan_rounds.get(order=0)
    assert client.post(f"/positions/{position.pk}/plan/{first.pk}/delete/").status_code == 403
    assert position.plan_rounds.count() == 3


def test_new_interview_asks_before_replacing_an_open_one(position, recruiter) -> None:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    client = _client(recruiter)
    assert client.post(f"/candidates/{carla.pk}/interviews/new/", {"position": position.pk}).status_code == 302
    asked = client.post(f"/candidates/{carla.pk}/interviews/new/", {"position": position.pk})
    assert asked.status_code == 409 and "still open" in asked.content.decode()
    assert Interview.objects.filter(candidate=carla).count() == 1
    replaced = client.post(
        f"/candidates/{carla.pk}/interviews/new/", {"position": position.pk, "replace_open": "1"}
    )
    assert replaced.status_code == 302
    assert list(Interview.objects.filter(candidate=carla).values_list("status", flat=True)) == ["open", "closed"]


def test_assigning_on_the_page_takes_the_recruiters_zone_and_rating_moves_the_candidate(
    position, recruiter, ann, bob  # noqa: ANN001
) -> None:
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first = interview.rounds.get(order=0)
    client = _client(recruiter)
    response = client.post(
        f"/rounds/{first.pk}/assign/",
        {"interviewer": ann.pk, "assistants": [bob.pk], "starts_at": "2026-12-07T12:00",
         "duration_minutes": "60", "instructions": "Ask about the last project"},  # fmt: skip
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert first.starts_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
    assert Candidate.objects.get(pk=carla.pk).status == "scheduled"

    # Bob assists: he sees the round but may not rate it; Ann rates it.
    assert _client(bob).get(f"/rounds/{first.pk}/").status_code == 200
    assert _client(bob).get(f"/rounds/{first.pk}/rate/").status_code == 403
    aspects = list(first.aspects.all())
    annc = _client(ann)
    page = annc.get(f"/rounds/{first.pk}/rate/")
    assert page.status_code == 200 and "Communication" in page.content.decode()
    missing = annc.post(f"/rounds/{first.pk}/rate/", {
        f"points_{aspects[0].pk}": "4", "feedback": "Good", "recommendation": "yes", "outcome": "selected",
    })  # fmt: skip
    assert missing.status_code == 400 and "Rate every aspect" in missing.content.decode()
    assert Round.objects.get(pk=first.pk).status == "scheduled"
    done = annc.post(f"/rounds/{first.pk}/rate/", {
        f"points_{aspects[0].pk}": "4", f"comment_{aspects[0].pk}": "Clear",
        f"points_{aspects[1].pk}": "3", "feedback": "Good", "recommendation": "yes", "outcome": "selected",
    })  # fmt: skip
    assert done.status_code == 302
    assert Candidate.objects.get(pk=carla.pk).status == "interviewing"
    sheet = annc.get(f"/rounds/{first.pk}/").content.decode()
    assert "7 / 10" in sheet and "chart-ratings-data" in sheet and "Clear" in sheet
    card = _client(recruiter).get(f"/candidates/{carla.pk}/").content.decode()
    assert 'data-kind="round_rated"' in card and "7 / 10" in card and "Screening" in card
    ratings = _client(recruiter).get(f"/candidates/{carla.pk}/ratings/").content.decode()
    assert "Communication" in ratings and "4 / 5" in ratings


def test_an_interviewer_not_on_the_round_sees_neither_it_nor_its_candidate(
    position, recruiter, roles  # noqa: ANN001
) -> None:
    carla = candidate_on(position, recruiter)
    first = services.interview_create(candidate=carla, position=position, by=recruiter).rounds.get(order=0)
    outsider = UserFactory(username="otto", roles=["interviewer"])
    client = _client(outsider)
    for url in (f"/rounds/{first.pk}/", f"/rounds/{first.pk}/rate/", f"/candidates/{carla.pk}/",
                f"/candidates/{carla.pk}/ratings/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.post(f"/rounds/{first.pk}/assign/", {"interviewer": outsider.pk}).status_code == 403
    assert client.post(f"/rounds/{first.pk}/cancel/").status_code == 403
    assert Round.objects.get(pk=first.pk).status == "planned"


def test_a_panel_round_starts_its_live_session_from_the_round_page(position, recruiter, lead, ann) -> None:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    panel = services.interview_create(candidate=carla, position=position, by=recruiter).rounds.get(order=1)
    services.round_assign(round_=panel, by=recruiter, interviewer=lead, assistants=[ann],
                          starts_at=datetime(2026, 12, 8, 9, tzinfo=UTC))  # fmt: skip
    assert _client(ann).post(f"/rounds/{panel.pk}/session/").status_code == 403
    response = _client(lead).post(f"/rounds/{panel.pk}/session/")
    panel.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/s/{panel.session.code}/"
    assert panel.session.memberships.filter(user=ann).exists()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_cost_the_same_queries_with_one_and_many_rounds(position, recruiter, ann) -> None:  # noqa: ANN001
    carla = candidate_on(position, recruiter)
    services.interview_create(candidate=carla, position=position, by=recruiter)
    client = _client(ann)
    urls = ["/rounds/", f"/people/{ann.pk}/rounds/", f"/candidates/{carla.pk}/ratings/"]
    few = {url: _queries(client, url) for url in urls}
    for n in range(20):
        other = candidate_on(position, recruiter, f"Candidate {n}")
        services.interview_create(candidate=other, position=position, by=recruiter)
    many = {url: _queries(client, url) for url in urls}
    assert many == few


def test_a_recruiter_withdraws_a_candidate_from_the_card_and_the_rounds_are_cancelled(
    position, recruiter, ann, django_capture_on_commit_callbacks  # noqa: ANN001
) -> None:
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    # Ann (an interviewer on the round) sees the card but has no withdraw button, nor the move.
    annc = _client(ann)
    assert 'id="candidate-withdraw"' not in annc.get(f"/candidates/{carla.pk}/").content.decode()
    annc.post(f"/candidates/{carla.pk}/move/", {"move": "withdraw"})
    assert Candidate.objects.get(pk=carla.pk).status == "created"
    client = _client(recruiter)
    assert 'id="candidate-withdraw"' in client.get(f"/candidates/{carla.pk}/").content.decode()
    assert client.post(f"/candidates/{carla.pk}/move/", {"move": "hire"}).status_code == 302
    assert Candidate.objects.get(pk=carla.pk).status == "created"  # not a card move
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/candidates/{carla.pk}/move/", {"move": "withdraw", "note": "Took another offer"})
    assert Candidate.objects.get(pk=carla.pk).status == "withdrawn"
    interview.refresh_from_db()
    assert interview.status == "closed"
    assert carla.events.get(kind="withdraw").details["note"] == "Took another offer"


def test_the_history_shows_a_rounds_points_only_to_who_may_read_its_ratings(
    position, recruiter, ann, lead  # noqa: ANN001
) -> None:
    """Lena is on the second round only: she sees the candidate and the first round's line,
    not the points Ann gave (the rating sheet's rule holds on the card too)."""
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first, second = interview.rounds.get(order=0), interview.rounds.get(order=1)
    services.round_assign(round_=first, by=recruiter, interviewer=ann,
                          starts_at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC))  # fmt: skip
    aspects = list(first.aspects.all())
    services.round_rate(
        round_=first, by=ann,
        ratings={aspects[0].pk: services.Rating(4, ""), aspects[1].pk: services.Rating(3, "")},
        feedback="Good", recommendation="yes", outcome="selected",
    )  # fmt: skip
    services.round_assign(round_=second, by=recruiter, interviewer=lead)
    for who, shown in ((recruiter, True), (ann, True), (lead, False)):
        card = _client(who).get(f"/candidates/{carla.pk}/")
        assert card.status_code == 200, who
        page = card.content.decode()
        assert 'data-kind="round_rated"' in page and "Screening" in page, who
        assert ("7 / 10" in page) is shown, who
        assert ("· selected" in page) is shown, who
        history = _client(who).get(f"/api/candidates/{carla.pk}/history/")
        assert history.status_code == 200, who
        rated = [e for e in history.json()["results"] if e["kind"] == "round_rated"]
        assert [(e["round"], e["points"], e["expected"], e["outcome"]) for e in rated] == [
            (first.pk, 7, 10, "selected") if shown else (first.pk, None, None, "")
        ], who


# --- the interviewer's history and the rating chart's numbers ---------------------------------

# A Wednesday; the history's load table runs from 12 weeks before this week to 4 after it.
NOW = datetime(2027, 3, 17, 12, 0, tzinfo=UTC)


def _week(offset: int, weekday: int = 1, hour: int = 10) -> datetime:
    """A time ``offset`` weeks from NOW's week (weekday 0 = its Monday), in UTC."""
    monday = NOW.replace(hour=0) - timedelta(days=NOW.weekday())
    return monday + timedelta(weeks=offset, days=weekday, hours=hour)


def _rated(round_: Round, by, points: list[int]) -> Round:  # noqa: ANN001
    aspects = list(round_.aspects.order_by("order", "id"))
    services.round_rate(
        round_=round_,
        by=by,
        ratings={a.pk: services.Rating(p, f"On {a.name}") for a, p in zip(aspects, points, strict=True)},
        feedback=f"Feedback on {round_.candidate.full_name}",
        recommendation="yes",
        outcome="selected",
    )  # fmt: skip
    return Round.objects.get(pk=round_.pk)


def _sheet_of(page: str, round_: Round) -> str:
    opening = f'<article class="rating-sheet" data-round="{round_.pk}">'
    assert opening in page, f"no sheet of {round_}"
    start = page.index(opening)
    return page[start : page.index("</article>", start)]


def test_the_interviewer_history_lists_every_rated_round_with_its_sheet_and_the_load_per_week(
    position, recruiter, ann, bob  # noqa: ANN001
) -> None:
    """Ann interviews Carla (last week) and Eve (two weeks ago), assists Bob with Dora (last
    week); Carla's final is hers next week; a round of hers cancelled and one of Bob's alone
    (rated) are not hers. Her history shows each rated round's sheet (aspects, points against
    the expected, comments, the total, the feedback) to her and to a recruiter, and the rounds
    per week: 1 two weeks ago, 2 last week, 1 next week, 0 in the other 14."""
    import re

    import time_machine
    from django.utils import formats

    with time_machine.travel(NOW, tick=False):
        carla, dora, eve = (candidate_on(position, recruiter, name) for name in ("Carla", "Dora", "Eve"))
        by_name = {c.full_name: services.interview_create(candidate=c, position=position, by=recruiter)
                   for c in (carla, dora, eve)}  # fmt: skip
        first = {name: i.rounds.get(order=0) for name, i in by_name.items()}
        final = {name: i.rounds.get(order=2) for name, i in by_name.items()}
        assign = services.round_assign
        assign(round_=first["Carla"], by=recruiter, interviewer=ann, starts_at=_week(-1))
        assign(round_=first["Dora"], by=recruiter, interviewer=bob, assistants=[ann],
               starts_at=_week(-1, weekday=2))  # fmt: skip
        assign(round_=first["Eve"], by=recruiter, interviewer=ann, starts_at=_week(-2))
        assign(round_=final["Carla"], by=recruiter, interviewer=ann, starts_at=_week(1))
        assign(round_=final["Dora"], by=recruiter, interviewer=ann, starts_at=_week(1, weekday=3))
        services.round_cancel(round_=final["Dora"], by=recruiter)
        assign(round_=final["Eve"], by=recruiter, interviewer=bob, starts_at=_week(1))
        rated = {
            "Carla": _rated(first["Carla"], ann, [4, 3]),
            "Dora": _rated(first["Dora"], bob, [5, 2]),
            "Eve": _rated(first["Eve"], ann, [1, 5]),
        }
        _rated(final["Eve"], bob, [9, 4])  # Bob's alone: in his history, not hers
        for reader in (ann, recruiter):
            page = _client(reader).get(f"/people/{ann.pk}/rounds/").content.decode()
            for name, points in (("Carla", (4, 3)), ("Dora", (5, 2)), ("Eve", (1, 5))):
                sheet = _sheet_of(page, rated[name])
                cells = re.findall(r'<th scope="row">([^<]+)</th><td class="points">(\d+) / (\d+)</td>', sheet)
                assert cells == [("Communication", str(points[0]), "5"), ("Motivation", str(points[1]), "5")], name
                assert f'<td class="sheet-total">{sum(points)} / 10' in sheet, name
                assert "On Communication" in sheet and f"Feedback on {name}" in sheet, name
            assert page.count('class="rating-sheet"') == 3  # Bob's own round with Eve is not hers
            load = page[page.index('id="load"') : page.index('id="history-rounds"')]
            weeks = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>', load))
            assert len(weeks) == 12 + 5
            expected = {formats.date_format(_week(n, weekday=0).date(), "SHORT_DATE_FORMAT"): count
                        for n, count in ((-2, "1"), (-1, "2"), (1, "1"))}  # fmt: skip
            assert {week: n for week, n in weeks.items() if n != "0"} == expected, weeks


def test_the_interviewer_history_lists_every_round_newest_first_a_page_at_a_time(
    position, recruiter, ann, bob, monkeypatch  # noqa: ANN001
) -> None:
    """Every round Ann is on, whatever its status, newest first (the one with no time yet
    first: it is still to come): the rated ones (hers, and Bob's she assisted on) with their
    sheet, the others with their status; two to a page here, every round on exactly one page
    and none of Bob's own. In Russian the pager is translated."""
    import re

    import time_machine

    from interviews import selectors

    monkeypatch.setattr(selectors, "HISTORY_PER_PAGE", 2)
    with time_machine.travel(NOW, tick=False):
        people = {name: candidate_on(position, recruiter, name) for name in ("Carla", "Dora", "Eve", "Fay")}
        opened = {name: services.interview_create(candidate=c, position=position, by=recruiter)
                  for name, c in people.items()}  # fmt: skip
        first = {name: i.rounds.get(order=0) for name, i in opened.items()}  # Ann's by the plan
        carla_final = opened["Carla"].rounds.get(order=2)
        assign = services.round_assign
        assign(round_=first["Carla"], by=recruiter, interviewer=ann, starts_at=_week(-2))
        assign(round_=first["Dora"], by=recruiter, interviewer=bob, assistants=[ann], starts_at=_week(-1))
        assign(round_=first["Eve"], by=recruiter, interviewer=ann, starts_at=_week(1))
        assign(round_=carla_final, by=recruiter, interviewer=ann, starts_at=_week(2))
        services.round_cancel(round_=carla_final, by=recruiter)
        rated = {"Carla": _rated(first["Carla"], ann, [4, 3]), "Dora": _rated(first["Dora"], bob, [5, 2])}
        assign(round_=opened["Eve"].rounds.get(order=2), by=recruiter, interviewer=bob, starts_at=_week(3))

        client = _client(ann)
        url, seen, entries = f"/people/{ann.pk}/rounds/", [], {}
        while url:
            page = client.get(url).content.decode()
            section = page[page.index('id="history-rounds"') :]
            found = re.findall(r'<li class="history-entry" data-round="(\d+)" data-status="(\w+)">(.*?)</li>', section, re.S)
            assert 1 <= len(found) <= 2, url
            for pk, status, body in found:
                seen.append((int(pk), status))
                entries[int(pk)] = body
            following = re.search(r'<a href="(\?page=\d+)" rel="next">', section)
            url = f"/people/{ann.pk}/rounds/{following.group(1)}" if following else ""
        assert seen == [
            (first["Fay"].pk, "planned"),
            (carla_final.pk, "cancelled"),
            (first["Eve"].pk, "scheduled"),
            (rated["Dora"].pk, "done"),
            (rated["Carla"].pk, "done"),
        ]
        for name in ("Carla", "Dora"):
            assert f'<article class="rating-sheet" data-round="{rated[name].pk}">' in entries[rated[name].pk]
            assert f"Feedback on {name}" in entries[rated[name].pk]
        for round_, label in ((first["Fay"], "not scheduled"), (carla_final, "cancelled"), (first["Eve"], "scheduled")):
            body = entries[round_.pk]
            assert "rating-sheet" not in body and f'<span class="round-status">{label}</span>' in body
            assert round_.candidate.full_name in body

        russian = _client(ann).get(f"/people/{ann.pk}/rounds/?page=2", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert "Страница 2 из 3 (5 раундов)" in russian and "Новее" in russian and "Старше" in russian


def test_the_rating_charts_numbers_are_the_aspects_points_against_the_expected(
    position, recruiter, ann, bob  # noqa: ANN001
) -> None:
    """The chart on Carla's rating sheet (``chart-ratings-data``): one bar pair per aspect of
    each rated round, the expected points against those received, as the aspects hold them."""
    import json
    import re

    from interviews.models import RoundAspect

    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    screening, final = interview.rounds.get(order=0), interview.rounds.get(order=2)
    services.round_assign(round_=screening, by=recruiter, interviewer=ann,
                          starts_at=datetime(2027, 1, 11, 9, tzinfo=UTC))  # fmt: skip
    _rated(screening, ann, [4, 3])
    services.round_assign(round_=final, by=recruiter, interviewer=bob,
                          starts_at=datetime(2027, 1, 18, 9, tzinfo=UTC))  # fmt: skip
    _rated(final, bob, [7, 2])
    page = _client(recruiter).get(f"/candidates/{carla.pk}/ratings/").content.decode()
    found = re.search(r'<script id="chart-ratings-data" type="application/json">(.*?)</script>', page)
    assert found, "no chart data on the page"
    chart = json.loads(found.group(1))
    series = {s["name"]: s["values"] for s in chart["series"]}
    assert chart["labels"] == [
        "Screening: Communication", "Screening: Motivation", "Final: System design", "Final: Culture"
    ]  # fmt: skip
    assert series == {"Expected": [5, 5, 10, 5], "Received": [4, 3, 7, 2]}
    aspects = RoundAspect.objects.filter(round__in=[screening, final]).order_by("round__order", "order", "id")
    assert series["Expected"] == [a.expected_points for a in aspects]
    assert series["Received"] == [a.points for a in aspects]
    # The table beside the chart (for screen readers) says the same.
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td></tr>', page)
    assert rows == [(label, str(e), str(r)) for label, e, r in
                    zip(chart["labels"], series["Expected"], series["Received"], strict=True)]  # fmt: skip
