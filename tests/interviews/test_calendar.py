"""The calendar's month and week pages: each day's rounds linked to their pages, in the
viewer's zone; previous/next; filters by interviewer, position and candidate with only what
the viewer may see; an interviewer sees only the rounds they are on; the same number of
queries for 1 and 200 rounds; bad input is a clear 400."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates import services as candidates
from interviews import calendar as calendar_views
from interviews import services
from interviews.models import Round
from tests.factories import UserFactory
from tests.interviews.helpers import candidate_on, three_round_position

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(
        username="rita", first_name="Rita", roles=["recruiter"],
        time_zone="Europe/Moscow", time_zone_from_browser=False,
    )  # fmt: skip


@pytest.fixture
def position(recruiter, ann, lead, bob):  # noqa: ANN001, ANN201
    return three_round_position(recruiter, ann, lead, bob)


@pytest.fixture
def carla_rounds(position, recruiter, ann, bob) -> list[Round]:  # noqa: ANN001
    """Carla's three rounds: 1 with Ann on Monday, 2 with Lena (Bob assisting) on Wednesday
    late evening UTC — Thursday in Moscow — and 3 without a time."""
    carla = candidate_on(position, recruiter)
    interview = services.interview_create(candidate=carla, position=position, by=recruiter)
    first, second, _third = interview.rounds.order_by("order")
    services.round_assign(round_=first, by=recruiter, interviewer=ann, starts_at=MONDAY)
    services.round_assign(
        round_=second, by=recruiter, interviewer=second.interviewer, assistants=[bob],
        starts_at=datetime(2026, 12, 9, 21, 30, tzinfo=UTC),
    )  # fmt: skip
    return list(interview.rounds.order_by("order"))


@pytest.fixture
def dave_round(recruiter, bob) -> Round:  # noqa: ANN001
    """Another position's candidate, Dave, interviewed by Bob alone on Tuesday."""
    other = candidates.position_create(by=recruiter, fields={"title": "Data analyst"})
    services.plan_round_create(
        position=other, fields={"name": "Intro", "kind": "one_to_one", "default_interviewer": bob},
        aspects=[services.AspectSpec("SQL", 5)],
    )  # fmt: skip
    dave = candidates.candidate_create(
        by=recruiter, fields={"full_name": "Dave Data", "email": "dave@example.com"},
        positions=[other],
    )  # fmt: skip
    interview = services.interview_create(candidate=dave, position=other, by=recruiter)
    round_ = interview.rounds.get()
    return services.round_assign(
        round_=round_, by=recruiter, interviewer=bob, starts_at=MONDAY + timedelta(days=1)
    )


def client_of(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def day_html(page: str, day: str) -> str:
    """The <li> of one day (by its data-date)."""
    match = re.search(rf'<li class="cal-day[^"]*" data-date="{day}">(.*?)</li>\s*(?=<li class="cal-day|</ol>)', page, re.S)
    assert match, f"no day {day} on the page"
    return match.group(1)


def linked(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/rounds/(\d+)/"', page)}


def test_the_month_shows_each_days_rounds_linked_in_the_viewers_zone(
    recruiter, carla_rounds, dave_round  # noqa: ANN001
) -> None:
    first, second, third = carla_rounds
    response = client_of(recruiter).get("/calendar/?month=2026-12")
    assert response.status_code == 200
    page = response.content.decode()
    assert "December 2026" in page
    monday = day_html(page, "2026-12-07")
    assert f'href="/rounds/{first.pk}/"' in monday and "12:00" in monday  # 09:00 UTC, Moscow
    assert "Carla Candidate" in monday and "1. Screening" in monday
    # 21:30 UTC on Wednesday is 00:30 on Thursday in Moscow: it is Thursday's.
    assert f'href="/rounds/{second.pk}/"' in day_html(page, "2026-12-10")
    assert f'href="/rounds/{second.pk}/"' not in day_html(page, "2026-12-09")
    assert "00:30" in day_html(page, "2026-12-10")
    assert f'href="/rounds/{dave_round.pk}/"' in day_html(page, "2026-12-08")
    assert third.pk not in linked(page)  # no time: not on the calendar
    # The grid starts on the Monday before the 1st and ends on the Sunday after the 31st.
    dates = re.findall(r'data-date="([\d-]+)"', page)
    assert (dates[0], dates[-1], len(dates)) == ("2026-11-30", "2027-01-03", 35)
    assert 'href="?month=2026-11"' in page and 'href="?month=2027-01"' in page
    # Links come in time order, so Tab walks the rounds as the days go.
    order = [int(pk) for pk in re.findall(r'href="/rounds/(\d+)/"', page)]
    assert order == [first.pk, dave_round.pk, second.pk]


def test_the_default_month_is_the_current_one_in_the_viewers_zone(recruiter, carla_rounds) -> None:  # noqa: ANN001
    # 30 Nov 22:00 UTC is already 1 December in Moscow.
    with time_machine.travel(datetime(2026, 11, 30, 22, 0, tzinfo=UTC), tick=False):
        page = client_of(recruiter).get("/calendar/").content.decode()
    assert "December 2026" in page
    assert 'class="cal-day cal-today' in page and 'data-date="2026-12-01"' in page
    assert re.search(r'cal-today[^"]*" data-date="2026-12-01"', page)


def test_the_week_view_shows_seven_days_with_more_detail(
    recruiter, carla_rounds, dave_round  # noqa: ANN001
) -> None:
    first, second, _third = carla_rounds
    page = client_of(recruiter).get("/calendar/?view=week&date=2026-12-09").content.decode()
    dates = re.findall(r'data-date="([\d-]+)"', page)
    assert dates == [f"2026-12-{d:02d}" for d in range(7, 14)]
    assert linked(page) == {first.pk, second.pk, dave_round.pk}
    assert "Backend engineer" in day_html(page, "2026-12-07")  # the position, in a week
    assert "Ann Panel" in day_html(page, "2026-12-07")
    assert 'href="?view=week&amp;date=2026-11-30"' in page
    assert 'href="?view=week&amp;date=2026-12-14"' in page
    later = client_of(recruiter).get("/calendar/?view=week&date=2026-12-14").content.decode()
    assert not linked(later) and "No interviews this week." in later


def test_filters_by_interviewer_position_and_candidate(
    recruiter, carla_rounds, dave_round, ann, bob, position  # noqa: ANN001
) -> None:
    first, second, _third = carla_rounds
    client = client_of(recruiter)
    by_ann = client.get(f"/calendar/?month=2026-12&interviewer={ann.pk}").content.decode()
    assert linked(by_ann) == {first.pk}
    # Bob interviews Dave and assists on Carla's second round: both are his.
    by_bob = client.get(f"/calendar/?month=2026-12&interviewer={bob.pk}").content.decode()
    assert linked(by_bob) == {second.pk, dave_round.pk}
    by_position = client.get(f"/calendar/?month=2026-12&position={position.pk}").content.decode()
    assert linked(by_position) == {first.pk, second.pk}
    carla = first.candidate_id
    by_candidate = client.get(f"/calendar/?month=2026-12&candidate={dave_round.candidate_id}")
    assert linked(by_candidate.content.decode()) == {dave_round.pk}
    page = client.get(f"/calendar/?month=2026-12&candidate={carla}&interviewer={ann.pk}")
    page = page.content.decode()
    assert linked(page) == {first.pk}
    # The filters are kept on the way to the next month and to the week.
    assert f"month=2027-01&amp;interviewer={ann.pk}&amp;candidate={carla}" in page
    assert f'<option value="{carla}" selected>' in page


def test_an_interviewer_sees_only_the_rounds_they_are_on_and_choices_from_them(
    carla_rounds, dave_round, ann, bob, lead  # noqa: ANN001
) -> None:
    first, second, _third = carla_rounds
    page = client_of(ann).get("/calendar/?month=2026-12").content.decode()
    assert linked(page) == {first.pk}
    assert "Dave Data" not in page  # neither as a round nor among the choices
    assert "Data analyst" not in page
    # Asking for another interviewer's rounds shows nothing of theirs.
    other = client_of(ann).get(f"/calendar/?month=2026-12&interviewer={bob.pk}").content.decode()
    assert not linked(other)
    bobs = client_of(bob).get("/calendar/?month=2026-12").content.decode()
    assert linked(bobs) == {second.pk, dave_round.pk}
    # Bob's choice of interviewers: himself and Lena, whose round he assists; never Ann.
    options = re.search(r'<select id="cal-interviewer".*?</select>', bobs, re.S).group(0)
    assert "Bob Panel" in options and "Lena Lead" in options and "Ann Panel" not in options


def test_who_may_open_the_calendar(editor, manager, carla_rounds) -> None:  # noqa: ANN001
    anonymous = Client().get("/calendar/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert client_of(editor).get("/calendar/").status_code == 403
    page = client_of(manager).get("/calendar/?month=2026-12")
    assert page.status_code == 200 and linked(page.content.decode()) == {
        carla_rounds[0].pk, carla_rounds[1].pk,
    }  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["month=2026-13", "month=next", "view=week&date=2026-02-30", "interviewer=ann", "position=-1"],
)
def test_bad_input_is_a_clear_400(recruiter, carla_rounds, query) -> None:  # noqa: ANN001
    response = client_of(recruiter).get(f"/calendar/?{query}")
    assert response.status_code == 400
    assert 'id="calendar-errors"' in response.content.decode()


def test_a_full_day_shows_the_first_rounds_and_links_the_rest_to_its_week(
    recruiter, carla_rounds  # noqa: ANN001
) -> None:
    _clone(carla_rounds[0], 11, MONDAY, step=timedelta(minutes=5))  # 12 on Monday in all
    page = client_of(recruiter).get("/calendar/?month=2026-12").content.decode()
    monday = day_html(page, "2026-12-07")
    assert monday.count('<li class="cal-round') == calendar_views.MONTH_PER_DAY
    assert "4 more" in monday and 'href="?view=week&amp;date=2026-12-07"' in monday
    week = client_of(recruiter).get("/calendar/?view=week&date=2026-12-07").content.decode()
    assert day_html(week, "2026-12-07").count('<li class="cal-round') == 12


def _clone(model: Round, count: int, start: datetime, step: timedelta) -> list[Round]:
    """``count`` more rounds of ``model``'s interview (bulk: the page is measured, not the
    services), ``step`` apart from ``start``."""
    top = Round.objects.filter(interview_id=model.interview_id).order_by("-order")[0].order
    rows = Round.objects.bulk_create(
        Round(
            interview_id=model.interview_id, candidate_id=model.candidate_id,
            position_id=model.position_id, order=top + 1 + n, name=f"Extra {n}",
            kind=model.kind, interviewer_id=model.interviewer_id,
            starts_at=start + n * step, status=Round.Status.SCHEDULED,
        )
        for n in range(count)
    )  # fmt: skip
    return rows


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("view", ["month=2026-12", "view=week&date=2026-12-07"])
def test_the_same_queries_for_1_and_200_rounds(
    recruiter, ann, carla_rounds, view  # noqa: ANN001
) -> None:
    Round.objects.exclude(pk=carla_rounds[0].pk).update(starts_at=None)
    for who in (recruiter, ann):
        client = client_of(who)
        client.get("/calendar/")  # the session and the like, once
        one = _queries(client, f"/calendar/?{view}")
        assert linked(client.get(f"/calendar/?{view}").content.decode()) == {carla_rounds[0].pk}
        extra = _clone(carla_rounds[0], 199, MONDAY, step=timedelta(hours=3))
        many = _queries(client, f"/calendar/?{view}")
        assert many == one, (who, one, many)
        Round.objects.filter(pk__in=[r.pk for r in extra]).delete()


def test_russian(recruiter, carla_rounds) -> None:  # noqa: ANN001
    recruiter.language = "ru"
    recruiter.save(update_fields=["language"])
    page = client_of(recruiter).get("/calendar/?month=2026-12").content.decode()
    assert "Календарь" in page and "Декабрь 2026" in page
    assert "Следующий месяц" in page and "Ваш календарь-подписка" in page


def test_names_are_escaped_in_the_rounds_and_the_choices(recruiter, carla_rounds) -> None:  # noqa: ANN001
    from candidates.models import Candidate

    Candidate.objects.filter(pk=carla_rounds[0].candidate_id).update(
        full_name='<script>alert("x")</script> & Co'
    )
    Round.objects.filter(pk=carla_rounds[0].pk).update(name="<b>Screening</b>")
    for url in ("/calendar/?month=2026-12", "/calendar/?view=week&date=2026-12-07"):
        page = client_of(recruiter).get(url).content.decode()
        assert "<script>alert" not in page and "<b>Screening" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
        assert "&lt;b&gt;Screening&lt;/b&gt;" in page
