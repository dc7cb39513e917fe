"""The recruiter's pages for positions and vendors: who may open them (the access module),
forms whose labels are tied to their fields, writes through the services, Russian."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from candidates import services
from candidates.models import Position, Vendor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def recruiter(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="rita", roles=["recruiter"])


@pytest.fixture
def interviewer(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="ivan", roles=["interviewer"])


@pytest.fixture
def manager(roles):  # noqa: ANN001, ANN201
    return UserFactory(username="maria", roles=["manager"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("recruiter", (200, 200, 200, 200)),
        ("manager", (200, 403, 200, 403)),
        ("interviewer", (200, 403, 403, 403)),
    ],
)
def test_who_may_open_each_page(request, who, expected) -> None:  # noqa: ANN001
    client = _client(request.getfixturevalue(who))
    urls = ("/positions/", "/positions/new/", "/vendors/", "/vendors/new/")
    assert tuple(client.get(url).status_code for url in urls) == expected


def test_the_pages_ask_a_stranger_to_log_in() -> None:
    response = Client().get("/vendors/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_recruiters_home_links_the_pipeline(recruiter) -> None:  # noqa: ANN001
    page = _client(recruiter).get("/").content.decode()
    assert 'href="/positions/"' in page and 'href="/vendors/"' in page


def test_every_label_is_tied_to_its_field(recruiter) -> None:  # noqa: ANN001
    for url in ("/positions/new/", "/vendors/new/"):
        page = _client(recruiter).get(url).content.decode()
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        fields = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[^"]+)"', page))
        assert fields and fields <= labelled, (url, fields - labelled)
        assert 'name="viewport"' in page  # the base page: usable at 390 px


def test_a_recruiter_creates_and_closes_a_position(recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    response = client.post(
        "/positions/new/",
        {"title": "Backend engineer", "team": "Platform", "openings": "2", "status": "open"},
    )
    assert response.status_code == 302
    position = Position.objects.get()
    assert (position.title, position.openings, position.created_by) == (
        "Backend engineer",
        2,
        recruiter,
    )
    response = client.post(
        f"/positions/{position.pk}/",
        {"title": "Backend engineer", "team": "Platform", "openings": "2", "status": "closed"},
    )
    assert response.status_code == 302
    assert Position.objects.get().status == "closed"
    listing = client.get("/positions/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "закрыта" in listing


def test_a_bad_position_is_shown_again_with_its_errors(recruiter) -> None:  # noqa: ANN001
    response = _client(recruiter).post(
        "/positions/new/", {"title": "", "openings": "0", "status": "open"}
    )
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()
    assert not Position.objects.exists()


def test_a_taken_vendor_name_is_refused_on_its_field(recruiter) -> None:  # noqa: ANN001
    services.vendor_create(fields={"name": "Talent Bridge"})
    client = _client(recruiter)
    response = client.post(
        "/vendors/new/", {"name": "talent bridge", "active": "on"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_name_error"' in page and "уже есть" in page
    assert Vendor.objects.count() == 1


def test_a_recruiter_adds_and_deactivates_a_vendor(recruiter) -> None:  # noqa: ANN001
    client = _client(recruiter)
    assert (
        client.post(
            "/vendors/new/",
            {"name": "Headhunters", "contact_email": "hh@example.com", "active": "on"},
        ).status_code
        == 302
    )
    vendor = Vendor.objects.get()
    assert client.post(f"/vendors/{vendor.pk}/", {"name": "Headhunters"}).status_code == 302
    vendor.refresh_from_db()
    assert vendor.active is False


def test_a_manager_reads_vendors_without_edit_links(manager) -> None:  # noqa: ANN001
    vendor = services.vendor_create(fields={"name": "Talent Bridge"})
    page = _client(manager).get("/vendors/").content.decode()
    assert "Talent Bridge" in page and f"/vendors/{vendor.pk}/" not in page
    assert _client(manager).get(f"/vendors/{vendor.pk}/").status_code == 403


def test_the_candidate_page_shows_source_positions_and_tags(recruiter, interviewer) -> None:  # noqa: ANN001
    vendor = services.vendor_create(fields={"name": "Talent Bridge"})
    position = services.position_create(by=recruiter, fields={"title": "Backend engineer"})
    candidate = services.candidate_create(
        by=recruiter,
        fields={"full_name": "Vera Vendor", "email": "vera@example.com"},
        source="vendor",
        vendor=vendor,
        positions=[position],
        tags="python",
    )
    page = (
        _client(recruiter)
        .get(f"/candidates/{candidate.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
        .content.decode()
    )
    assert "Talent Bridge" in page and "Backend engineer" in page and "python" in page
    assert "Источник" in page
