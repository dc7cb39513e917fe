"""The global search finds positions, vendors and people's accounts, each hit opening its
page, with only what the searching person may see; Russian names in any letter case, on the
full-text path (PostgreSQL) and the casefolded fallback (what SQLite runs)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates.models import Position, Vendor
from search import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["postgresql", "fallback"])
def engine(request, monkeypatch):  # noqa: ANN001, ANN201
    if request.param == "fallback":
        monkeypatch.setattr(selectors, "_full_text", lambda queryset: False)
    return request.param


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", first_name="Rita", roles=["recruiter"])


@pytest.fixture
def pipeline(roles):  # noqa: ANN001, ANN201
    return {
        "position": Position.objects.create(title="Инженер данных", team="Платформа"),
        "english": Position.objects.create(title="Backend engineer", team="Payments"),
        "vendor": Vendor.objects.create(
            name="Кадры Плюс", contact_name="Светлана Орлова", contact_email="so@kadry.example"
        ),
        "olga": UserFactory(
            username="olga", first_name="Ольга", last_name="Сидорова", roles=["interviewer"]
        ),
        "gone": UserFactory(
            username="gleb", first_name="Глеб", last_name="Сидоров", is_active=False
        ),
    }


def hits(user, query: str) -> dict[str, list[tuple[str, str]]]:  # noqa: ANN001
    return {
        group.kind: [(hit.title, hit.url) for hit in group.hits]
        for group in selectors.search_everything(user=user, query=query)
    }


@pytest.mark.parametrize("query", ["инженер", "ИНЖЕНЕР", "Данных", "платформа"])
def test_a_position_by_title_or_team_in_any_case(engine, pipeline, recruiter, ann, query) -> None:  # noqa: ANN001
    position = pipeline["position"]
    assert hits(recruiter, query)["positions"] == [
        ("Инженер данных", f"/positions/{position.pk}/")  # the recruiter edits it
    ]
    # An interviewer sees the position too, opening its interview plan.
    assert hits(ann, query)["positions"] == [("Инженер данных", f"/positions/{position.pk}/plan/")]


def test_a_vendor_by_name_or_contact_for_recruiters_and_managers_only(
    engine, pipeline, recruiter, manager, ann, editor
) -> None:  # noqa: ANN001
    vendor = pipeline["vendor"]
    for query in ["кадры", "КАДРЫ ПЛЮС", "светлана", "орлова"]:
        assert hits(recruiter, query)["vendors"] == [("Кадры Плюс", f"/vendors/{vendor.pk}/")]
        assert hits(manager, query)["vendors"] == [("Кадры Плюс", "/vendors/")]
        assert "vendors" not in hits(ann, query), query  # interviewers never see vendors
        assert "vendors" not in hits(editor, query), query


def test_a_person_by_a_russian_name_opens_their_people_page(
    engine, pipeline, recruiter, ann
) -> None:  # noqa: ANN001
    olga, gone = pipeline["olga"], pipeline["gone"]
    for query in ["ольга", "ОЛЬГА", "Сидорова", "ольга сидорова"]:
        assert hits(recruiter, query)["people"] == [("Ольга Сидорова", f"/people/{olga.pk}/")]
    # Those who keep people find deactivated accounts as well, marked; colleagues do not, and
    # their links are e-mail addresses.
    found = {title: url for title, url in hits(recruiter, "сидоров")["people"]}
    assert found == {"Ольга Сидорова": f"/people/{olga.pk}/", "Глеб Сидоров": f"/people/{gone.pk}/"}
    detail = [
        hit.detail
        for group in selectors.search_everything(user=recruiter, query="глеб")
        for hit in group.hits
    ]
    assert detail == ["gleb@example.com · deactivated"]
    assert hits(ann, "сидоров")["people"] == [("Ольга Сидорова", "mailto:olga@example.com")]


def test_the_page_links_each_hit(client: Client, pipeline, recruiter) -> None:  # noqa: ANN001
    client.force_login(recruiter)
    page = client.get("/search/", {"q": "кадры"}).content.decode()
    assert 'data-kind="vendors"' in page
    assert f'href="/vendors/{pipeline["vendor"].pk}/"' in page
    russian = client.get("/search/", {"q": "инженер"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Вакансии" in russian


def test_each_kind_costs_the_same_queries_for_one_hit_and_many(engine, pipeline, recruiter) -> None:  # noqa: ANN001
    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.search_everything(user=recruiter, query=query)
        return len(captured.captured_queries)

    queries("zeta")  # the person's permissions are read once and cached on them
    Position.objects.create(title="Zeta analyst", team="Zeta")
    Vendor.objects.create(name="Zeta staffing")
    UserFactory(username="zeta0", first_name="Zeta")
    one = queries("zeta")
    for number in range(1, 15):
        Position.objects.create(title=f"Zeta analyst {number}", team="Zeta")
        Vendor.objects.create(name=f"Zeta staffing {number}")
        UserFactory(username=f"zeta{number}", first_name="Zeta")
    many = queries("zeta")
    assert one == many
    grouped = {group.kind: len(group.hits) for group in selectors.search_everything(
        user=recruiter, query="zeta")}  # fmt: skip
    assert grouped == {"people": 10, "positions": 10, "vendors": 10}
